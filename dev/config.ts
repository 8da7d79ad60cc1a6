import { z } from 'zod';
import { loadGatewayConfig } from '../gateway/config.js';
import {
  commonEnv,
  drainSettings,
  inProcessCallsEnv,
  loadTracingConfig,
  optionalSecret,
  parseConfig,
  port,
} from '../lib/config.js';
import { loadBillingConfig } from '../subgraphs/billing/config.js';
import { loadInferenceConfig } from '../subgraphs/inference/config.js';
import { loadPolicyConfig } from '../subgraphs/policy/config.js';
import { loadWalletConfig } from '../subgraphs/wallet/config.js';
import { vectorSnapshotEnv } from '../lib/vectors/snapshot-files.js';

const DevEnv = z.object({
  ...commonEnv,
  ...inProcessCallsEnv,
  PORT: port(4000),
  HOST: z.string().default('127.0.0.1'),
  /** The first subgraph port (4001 by default; each keeps its offset from 4001); 0: free ones. */
  SUBGRAPH_PORT_BASE: port(4001),
  MODELGRAPH_ADMIN_KEY: optionalSecret(32),
  MODELGRAPH_ORG_ID: z.string().default('default'),
  MODELS_SEED_FILE: z.string().default('deploy/models.yaml'),
  /** Where the local TEST MODE payment provider listens without STRIPE_SECRET_KEY; 0: any port. */
  BILLING_TEST_MODE_PORT: port(4090),
  ...vectorSnapshotEnv,
});

/** The pause between the local model's streamed words under `npm start`, in milliseconds. */
export const DEMO_STREAM_DELAY_MS = 25;

/** The internal key pair `npm start` makes at every start. */
export interface DevKeys {
  privateKeyPem: string;
  publicKeyPem: string;
}

/**
 * Settings of `npm start`, which runs the gateway and every subgraph in one process. Each
 * service's own variables are read by that service's own loader, so they work the same under
 * `npm start` as in the service's own process; only where the services are (their URLs) and the
 * internal keys are `npm start`'s own.
 */
export function loadDevConfig(env: NodeJS.ProcessEnv, keys: DevKeys) {
  const e = parseConfig(DevEnv, env);
  // The environment with npm start's keys over it (inherited, not copied: every read goes to env).
  const withKeys: NodeJS.ProcessEnv = Object.assign(Object.create(env) as NodeJS.ProcessEnv, {
    MODELGRAPH_INTERNAL_PRIVATE_KEY: keys.privateKeyPem,
    MODELGRAPH_INTERNAL_PUBLIC_KEY: keys.publicKeyPem,
    // The demo's local model streams a word at a time, visibly, unless told otherwise.
    LOCAL_STREAM_DELAY_MS: env.LOCAL_STREAM_DELAY_MS ?? String(DEMO_STREAM_DELAY_MS),
  });
  const gateway = loadGatewayConfig(withKeys);
  const inference = loadInferenceConfig(withKeys);
  const wallet = loadWalletConfig(withKeys);
  const billing = loadBillingConfig(withKeys);
  const policy = loadPolicyConfig(withKeys);
  return {
    production: e.NODE_ENV === 'production',
    logLevel: e.LOG_LEVEL,
    drain: drainSettings(e),
    port: e.PORT,
    host: e.HOST,
    subgraphPortBase: e.SUBGRAPH_PORT_BASE,
    adminKey: e.MODELGRAPH_ADMIN_KEY,
    orgId: e.MODELGRAPH_ORG_ID,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    dataDir: e.MODELGRAPH_DATA_DIR,
    /** Collections' vector snapshots; unset, what outlives a start decides (dev/start.ts). */
    vectorSnapshotDir: e.VECTOR_SNAPSHOT_DIR,
    seedFile: e.MODELS_SEED_FILE,
    inProcessCalls: e.MODELGRAPH_IN_PROCESS_CALLS,
    /** One process, one service name for its spans (each server span names its service). */
    tracing: loadTracingConfig('modelgraph', env),
    poolSize: wallet.poolSize,
    gateway: {
      supergraphPath: gateway.supergraphPath,
      oidc: gateway.oidc,
      persistedQueries: gateway.persistedQueries,
      maxBodyBytes: gateway.maxBodyBytes,
      limits: gateway.limits,
      trustedDocuments: gateway.trustedDocuments,
      usage: gateway.usage,
    },
    inference: inference.settings,
    usageRetentionDays: policy.usageRetentionDays,
    sweepIntervalMs: wallet.sweepIntervalMs,
    invariantCheckIntervalMs: wallet.invariantCheckIntervalMs,
    billing: {
      provider: billing.provider,
      settings: billing.settings,
      testModePort: e.BILLING_TEST_MODE_PORT,
    },
  };
}

export type DevConfig = ReturnType<typeof loadDevConfig>;
