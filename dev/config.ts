import { z } from 'zod';
import { commonEnv, optionalSecret, parseConfig, port } from '../lib/config.js';

const DevEnv = z.object({
  ...commonEnv,
  PORT: port(4000),
  HOST: z.string().default('127.0.0.1'),
  /** The first of four consecutive subgraph ports; 0 lets the system pick free ones. */
  SUBGRAPH_PORT_BASE: port(4001),
  MODELGRAPH_ADMIN_KEY: optionalSecret(32),
  MODELGRAPH_ORG_ID: z.string().default('default'),
  MODELS_SEED_FILE: z.string().default('deploy/models.yaml'),
});

/** Settings of `npm start`, which runs the gateway and every subgraph in one process. */
export function loadDevConfig(env: NodeJS.ProcessEnv = process.env) {
  const e = parseConfig(DevEnv, env);
  return {
    production: e.NODE_ENV === 'production',
    logLevel: e.LOG_LEVEL,
    port: e.PORT,
    host: e.HOST,
    subgraphPortBase: e.SUBGRAPH_PORT_BASE,
    adminKey: e.MODELGRAPH_ADMIN_KEY,
    orgId: e.MODELGRAPH_ORG_ID,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    dataDir: e.MODELGRAPH_DATA_DIR,
    seedFile: e.MODELS_SEED_FILE,
  };
}

export type DevConfig = ReturnType<typeof loadDevConfig>;
