import type { Routes } from '../../lib/http/http-server.js';
import { sendJson, sendText } from '../../lib/http/responses.js';

interface HomeOptions {
  production: boolean;
  /** Whether this gateway serves the offline explorer. */
  explorer: boolean;
}

/** Where a person or a client goes from `/`; Apollo Sandbox only outside production. */
function links({ production, explorer }: HomeOptions): Record<string, string> {
  return {
    graphql: '/graphql',
    console: '/console',
    ...(explorer ? { explorer: '/explorer' } : {}),
    ...(production ? {} : { sandbox: '/graphql' }),
    health: '/healthz',
    ready: '/readyz',
    metrics: '/metrics',
  };
}

const LABELS: Record<string, string> = {
  graphql: 'GraphQL endpoint (POST, with Authorization: Bearer &lt;API key&gt;)',
  console: 'Web console: sign in with an API key',
  explorer: 'Offline explorer (GraphiQL): set your key in its Headers tab',
  sandbox: 'Apollo Sandbox (open /graphql in a browser; needs internet)',
  health: 'Liveness',
  ready: 'Readiness (every subgraph answers)',
  metrics: 'Prometheus metrics',
};

function page(options: HomeOptions): string {
  const items = Object.entries(links(options))
    .map(([name, href]) => `<li><a href="${href}">${href}</a>: ${LABELS[name]}</li>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Modelgraph</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 46rem; margin: 2rem auto;">
<h1>Modelgraph gateway</h1>
<p>One GraphQL endpoint for the organization's models. Every request needs
<code>Authorization: Bearer &lt;API key&gt;</code>. Amounts of credits (balances, costs) are
strings of micro-credits: <code>"4"</code> is 0.000004 credits, 1 credit is <code>"1000000"</code>.</p>
<ul>
${items}
</ul>
</body>
</html>
`;
}

/**
 * `GET /`: a newcomer's browser (or curl) pointed at the gateway's root finds where to go, instead
 * of a 404. A page for browsers, JSON for everything else.
 */
export function homeRoutes(options: HomeOptions): Routes {
  const html = page(options);
  return {
    '/': {
      GET: ({ req, res }) => {
        if (String(req.headers.accept ?? '').includes('text/html')) {
          return sendText(res, 200, html, 'text/html; charset=utf-8');
        }
        sendJson(res, 200, { service: 'modelgraph-gateway', links: links(options) });
      },
    },
  };
}
