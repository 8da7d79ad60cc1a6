import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import type { ServerResponse } from 'node:http';
import type { RouteContext, Routes } from '../../lib/http/http-server.js';
import { sendJson, sendText } from '../../lib/http/responses.js';
import { CONSOLE_DIST } from '../../console/build/paths.js';
import type { ConsoleSignIn } from '../auth/console-sign-in.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/**
 * The console loads nothing from anywhere but this gateway; with SSO sign-in, it may also call
 * the identity provider's token endpoint (that URL only, decision 94). Sending the browser to the
 * authorization endpoint is a navigation, which CSP does not govern.
 */
export function pageHeaders(signIn: ConsoleSignIn): Record<string, string> {
  const connect =
    signIn.sso?.status === 'available' ? `; connect-src 'self' ${signIn.sso.tokenEndpoint}` : '';
  return {
    'content-security-policy': `default-src 'self'; img-src 'self' data:; style-src 'self'${connect}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
}

interface Asset {
  body: Buffer;
  type: string;
}

/** Every file of the build by its URL path, read once (a build is immutable once served). */
function readBuild(dir: string): Map<string, Asset> {
  const files = new Map<string, Asset>();
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.name.startsWith('.')) continue; // .vite/manifest.json and the build stamp
      if (entry.isDirectory()) walk(path);
      else {
        const type = TYPES[extname(entry.name)];
        if (type) files.set(`/console/${relative(dir, path)}`, { body: readFileSync(path), type });
      }
    }
  };
  walk(dir);
  return files;
}

function send(
  res: ServerResponse,
  asset: Asset,
  cacheControl: string,
  headers: Record<string, string> = { 'x-content-type-options': 'nosniff' },
): void {
  res.writeHead(200, {
    'content-type': asset.type,
    'content-length': asset.body.length,
    'cache-control': cacheControl,
    ...headers,
  });
  res.end(asset.body);
}

/**
 * The web console at /console (decision 91): the files of its Vite build and nothing else. Hashed
 * assets are cached for a year; index.html is the answer to every other path under /console (the
 * console routes in the browser) and is never cached, so a new build is seen at once. Without a
 * build, /console says how to make one. /console/config.json tells the signed-out console how it
 * may sign in (`signIn`, gateway/auth/console-sign-in.ts).
 */
export function consoleRoutes(
  dir: string = CONSOLE_DIST,
  signIn: () => Promise<ConsoleSignIn> = async () => ({ sso: null }),
): Routes {
  let build: Map<string, Asset> | undefined;
  const config = async ({ res }: RouteContext) => {
    sendJson(res, 200, await signIn(), {
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    });
  };
  const serve = async ({ res, url }: RouteContext) => {
    if (!build) {
      if (!existsSync(join(dir, 'index.html'))) {
        return sendText(
          res,
          503,
          'The console is not built: run `npm run console:build` (npm start builds it).\n',
          'text/plain; charset=utf-8',
        );
      }
      build = readBuild(dir);
    }
    const asset = build.get(url.pathname);
    if (asset && url.pathname.startsWith('/console/assets/')) {
      return send(res, asset, 'public, max-age=31536000, immutable');
    }
    if (asset && asset.type !== TYPES['.html']) return send(res, asset, 'no-cache');
    // A missing asset is a 404, not the page: a script tag must not receive HTML.
    if (url.pathname.startsWith('/console/assets/') || extname(url.pathname)) {
      return sendText(res, 404, 'Not found\n', 'text/plain; charset=utf-8');
    }
    send(res, build.get('/console/index.html')!, 'no-cache', pageHeaders(await signIn()));
  };
  return {
    '/console': { GET: serve },
    '/console/': { GET: serve },
    '/console/config.json': { GET: config },
    '/console/*': { GET: serve },
  };
}
