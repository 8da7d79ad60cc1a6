import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The console's folder (under dist/ once the services are compiled, see copy-build-assets). */
export const CONSOLE_DIR = fileURLToPath(new URL('..', import.meta.url));
/** Its Vite build, which the gateway serves at /console. */
export const CONSOLE_DIST = join(CONSOLE_DIR, 'dist');
/** Apollo's manifest of the console's operations, in the build (`npm run documents:publish`). */
export const CONSOLE_MANIFEST = join(CONSOLE_DIST, 'persisted-query-manifest.json');
/** The name the console's trusted documents are registered under (console/src/api/client.ts). */
export const CONSOLE_CLIENT_NAME = 'modelgraph-console';
