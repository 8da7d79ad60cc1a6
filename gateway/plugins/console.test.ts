import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHttpService } from '../../lib/http/http-server.js';
import { createLogger } from '../../lib/logging.js';
import { createServiceMetrics } from '../../lib/metrics.js';
import { consoleRoutes } from './console.js';

const PAGE =
  '<!doctype html><title>console</title><script src="/console/assets/index-abc.js"></script>';

async function serve(dir: string) {
  const service = createHttpService({
    service: 'console-test',
    logger: createLogger({ service: 'console-test', level: 'silent' }),
    metrics: createServiceMetrics('console-test'),
    routes: consoleRoutes(dir),
  });
  const port = await service.listen(0, '127.0.0.1');
  return { base: `http://127.0.0.1:${port}`, stop: () => service.close(1_000) };
}

describe('the console route', () => {
  let dir: string;
  let server: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'console-dist-'));
    mkdirSync(join(dir, 'assets'));
    mkdirSync(join(dir, '.vite'));
    writeFileSync(join(dir, 'index.html'), PAGE);
    writeFileSync(join(dir, 'assets', 'index-abc.js'), 'console.log(1);');
    writeFileSync(join(dir, 'assets', 'index-abc.css'), 'body{}');
    writeFileSync(join(dir, '.vite', 'manifest.json'), '{}');
    writeFileSync(join(dir, 'persisted-query-manifest.json'), '{"operations":[]}');
    server = await serve(dir);
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers the page, uncached and closed to other origins, at /console and every screen', async () => {
    for (const path of ['/console', '/console/', '/console/wallet', '/console/keys/new']) {
      const response = await fetch(`${server.base}${path}`);
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(await response.text()).toBe(PAGE);
    }
  });

  it('serves hashed assets with their type, cached for good', async () => {
    const script = await fetch(`${server.base}/console/assets/index-abc.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await script.text()).toBe('console.log(1);');
    const style = await fetch(`${server.base}/console/assets/index-abc.css`);
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('answers 404, never the page, for a file it does not have or must not show', async () => {
    for (const path of [
      '/console/assets/missing.js',
      '/console/.vite/manifest.json',
      '/console/%2e%2e/package.json',
      '/console/..%2fpackage.json',
      '/console/favicon.ico',
    ]) {
      const response = await fetch(`${server.base}${path}`);
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
    }
  });

  it('says how to build the console when there is no build', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'console-none-'));
    const unbuilt = await serve(empty);
    try {
      const response = await fetch(`${unbuilt.base}/console`);
      expect(response.status).toBe(503);
      expect(await response.text()).toContain('npm run console:build');
    } finally {
      await unbuilt.stop();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
