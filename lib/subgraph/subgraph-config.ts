import { join } from 'node:path';
import { z } from 'zod';
import { commonEnv, drainSettings, parseConfig, port, requiredPem } from '../config.js';

/** The variables every subgraph reads; each subgraph's config.ts adds its own. */
export function subgraphEnv(defaultPort: number) {
  return z.object({
    ...commonEnv,
    PORT: port(defaultPort),
    HOST: z.string().default('127.0.0.1'),
    DB_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
    MODELGRAPH_INTERNAL_PUBLIC_KEY: requiredPem(
      'PUBLIC KEY',
      'the SPKI PEM of the gateway key (npm run keys makes a pair)',
    ),
  });
}

/** Turns a parsed subgraph environment into the typed settings every subgraph main needs. */
export function subgraphSettings(name: string, e: z.infer<ReturnType<typeof subgraphEnv>>) {
  return {
    name,
    production: e.NODE_ENV === 'production',
    logLevel: e.LOG_LEVEL,
    drain: drainSettings(e),
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    /** The subgraph's own PGlite folder under MODELGRAPH_DATA_DIR, when embedded and persistent. */
    dataDir: e.MODELGRAPH_DATA_DIR ? join(e.MODELGRAPH_DATA_DIR, name) : undefined,
    poolSize: e.DB_POOL_SIZE,
    internalPublicKeyPem: e.MODELGRAPH_INTERNAL_PUBLIC_KEY,
  };
}

export type SubgraphSettings = ReturnType<typeof subgraphSettings>;

export function loadSubgraphSettings(name: string, defaultPort: number, env: NodeJS.ProcessEnv) {
  return subgraphSettings(name, parseConfig(subgraphEnv(defaultPort), env));
}
