import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Routes } from '../../lib/http/http-server.js';
import { sendText } from '../../lib/http/responses.js';

const require = createRequire(import.meta.url);

/** A package's folder, found from its entry point (these packages do not export their UMD files). */
function packageRoot(name: string): string {
  let dir = dirname(require.resolve(name));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

const ASSETS: Record<string, { pkg: string; file: string; type: string }> = {
  '/explorer/react.js': {
    pkg: 'react',
    file: 'umd/react.production.min.js',
    type: 'text/javascript',
  },
  '/explorer/react-dom.js': {
    pkg: 'react-dom',
    file: 'umd/react-dom.production.min.js',
    type: 'text/javascript',
  },
  '/explorer/graphiql.js': { pkg: 'graphiql', file: 'graphiql.min.js', type: 'text/javascript' },
  '/explorer/graphiql.css': { pkg: 'graphiql', file: 'graphiql.min.css', type: 'text/css' },
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Modelgraph explorer</title>
<link rel="stylesheet" href="/explorer/graphiql.css">
<style>body { margin: 0; } #graphiql { height: 100vh; }</style>
</head>
<body>
<div id="graphiql">Loading…</div>
<script src="/explorer/react.js"></script>
<script src="/explorer/react-dom.js"></script>
<script src="/explorer/graphiql.js"></script>
<script>
  // GraphiQL asks for the schema (introspection) the moment it opens, with what its Headers tab
  // holds; the gateway answers 401 to a request without a real key, so a newcomer's first sight
  // was an UNAUTHENTICATED error. Until the tab holds a key, it asks nothing (schema: null); a key
  // pasted or typed there (after a pause) lets it ask, with that key.
  const PLACEHOLDER = '{ "Authorization": "Bearer <your API key>" }';
  const fetcher = GraphiQL.createFetcher({ url: '/graphql' });
  const hasKey = (headers) => {
    try {
      const entry = Object.entries(JSON.parse(headers || '{}')).find(
        ([name]) => name.toLowerCase() === 'authorization',
      );
      return !!entry && /^Bearer [^\\s<>]{16,}$/i.test(String(entry[1]).trim());
    } catch {
      return false;
    }
  };
  function Explorer() {
    const [keyed, setKeyed] = React.useState(false);
    const pause = React.useRef(undefined);
    const onEditHeaders = (headers) => {
      clearTimeout(pause.current);
      if (hasKey(headers)) pause.current = setTimeout(() => setKeyed(true), 700);
    };
    return React.createElement(GraphiQL, {
      fetcher,
      schema: keyed ? undefined : null,
      onEditHeaders,
      defaultHeaders: PLACEHOLDER,
      defaultEditorToolsVisibility: 'headers',
      defaultQuery: '# Put your API key in the Headers tab below, then run:\\nquery FirstQuery {\\n  viewer { id kind memberships { team { name } scopes } }\\n  models(first: 5) { totalCount edges { node { id displayName pricing { inputPerMillion outputPerMillion } } } }\\n}\\n',
    });
  }
  ReactDOM.createRoot(document.getElementById('graphiql')).render(React.createElement(Explorer));
</script>
</body>
</html>
`;

/**
 * A GraphiQL explorer served entirely from node_modules, for machines without internet (Apollo
 * Sandbox loads its scripts from Apollo's CDN). Assets are read on first use and kept.
 */
export function explorerRoutes(): Routes {
  const cache = new Map<string, string>();
  const routes: Routes = {
    '/explorer': { GET: ({ res }) => sendText(res, 200, PAGE, 'text/html; charset=utf-8') },
  };
  for (const [path, asset] of Object.entries(ASSETS)) {
    routes[path] = {
      GET: ({ res }) => {
        let body = cache.get(path);
        if (body === undefined) {
          body = readFileSync(join(packageRoot(asset.pkg), asset.file), 'utf8');
          cache.set(path, body);
        }
        res.setHeader('cache-control', 'public, max-age=86400');
        sendText(res, 200, body, `${asset.type}; charset=utf-8`);
      },
    };
  }
  return routes;
}
