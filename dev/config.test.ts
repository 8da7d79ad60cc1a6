import { readFileSync } from 'node:fs';
import { generateInternalKeyPair } from '../lib/auth/internal-token.js';
import { loadDevConfig, type DevKeys } from './config.js';

/** The variables README.md's configuration table lists (first column, `A, B` lists expanded). */
function readmeVariables(): string[] {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Layout'));
  return table
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...line.split('|')[1]!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!));
}

/** The variables `npm start` leaves to itself or to other tools, and why. */
const NPM_START_OWN: Record<string, string> = {
  MODEL_CATALOG_URL: 'npm start runs the subgraphs in its process and wires their URLs',
  INFERENCE_URL: 'as above',
  WALLET_URL: 'as above',
  POLICY_URL: 'as above',
  MODELGRAPH_INTERNAL_PRIVATE_KEY: 'npm start makes a fresh key pair at every start',
  MODELGRAPH_INTERNAL_PUBLIC_KEY: 'as above',
  SCHEMA_CHECK_URL: 'read by npm run schema:check, a tool run apart from the platform',
  SCHEMA_CHECK_ADMIN_KEY: 'as above',
  SCHEMA_CHECK_WINDOW_DAYS: 'as above',
};

describe('npm start configuration', () => {
  let keys: DevKeys;
  beforeAll(async () => {
    keys = await generateInternalKeyPair();
  });

  it('reads every variable README lists, through the services’ own loaders', () => {
    const read = new Set<string>();
    const env = new Proxy({} as NodeJS.ProcessEnv, {
      get: (target, name) => {
        if (typeof name === 'string') read.add(name);
        return Reflect.get(target, name);
      },
    });
    loadDevConfig(env, keys);
    const listed = readmeVariables();
    expect(listed.length).toBeGreaterThan(30);
    const missing = listed.filter((name) => !read.has(name) && !(name in NPM_START_OWN));
    expect(missing).toEqual([]);
  });

  it('passes the values on as each service would use them', () => {
    const config = loadDevConfig(
      {
        INFERENCE_HOLD_TTL_SECONDS: '900',
        INFERENCE_DEADLINE_MS: '60000',
        INFERENCE_OUTPUT_TOKENS_PER_SECOND: '50',
        RATE_LIMIT_FAIL_OPEN: 'true',
        CACHE_HITS_CHARGED: 'true',
        WALLET_SWEEP_INTERVAL_MS: '0',
        DB_POOL_SIZE: '3',
        MAX_BODY_BYTES: '2048',
        APQ_TTL_SECONDS: '600',
        SUPERGRAPH_PATH: '/tmp/supergraph.graphql',
        OIDC_JWKS_FILE: '/tmp/jwks.json',
        OIDC_ISSUER: 'https://id.example',
        OIDC_AUDIENCE: 'modelgraph',
      },
      keys,
    );
    expect(config.inference).toMatchObject({
      holdTtlSeconds: 900,
      deadlineMs: 60_000,
      outputTokensPerSecond: 50,
      rateLimitFailOpen: true,
      cacheHitsCharged: true,
    });
    expect(config).toMatchObject({ sweepIntervalMs: 0, poolSize: 3 });
    expect(config.gateway).toMatchObject({
      maxBodyBytes: 2048,
      persistedQueries: { enabled: true, ttlSeconds: 600 },
      supergraphPath: '/tmp/supergraph.graphql',
      oidc: { issuer: 'https://id.example', audience: 'modelgraph', jwksFile: '/tmp/jwks.json' },
    });
  });

  it('makes the local model stream visibly unless told otherwise', () => {
    expect(loadDevConfig({}, keys).inference.localStreamDelayMs).toBe(25);
    expect(loadDevConfig({ LOCAL_STREAM_DELAY_MS: '0' }, keys).inference.localStreamDelayMs).toBe(
      0,
    );
  });

  it('calls between the services in process unless MODELGRAPH_IN_PROCESS_CALLS is false', () => {
    expect(loadDevConfig({}, keys).inProcessCalls).toBe(true);
    expect(loadDevConfig({ MODELGRAPH_IN_PROCESS_CALLS: 'false' }, keys).inProcessCalls).toBe(
      false,
    );
    expect(() => loadDevConfig({ MODELGRAPH_IN_PROCESS_CALLS: 'no' }, keys)).toThrow(
      /MODELGRAPH_IN_PROCESS_CALLS/,
    );
  });

  it('refuses what the services refuse', () => {
    expect(() => loadDevConfig({ INFERENCE_HOLD_TTL_SECONDS: '15' }, keys)).toThrow(
      /INFERENCE_HOLD_TTL_SECONDS: must outlast/,
    );
    expect(() => loadDevConfig({ WALLET_SWEEP_INTERVAL_MS: '-1' }, keys)).toThrow(
      /WALLET_SWEEP_INTERVAL_MS/,
    );
  });
});
