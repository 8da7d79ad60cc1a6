import { freePortBlock, freePorts } from './free-ports.js';
import { startService, type ServiceProcess } from './service-process.js';

/*
 * The process topologies bench:compare runs a platform in, each started as production starts it:
 * entry files with environment variables (NODE_ENV=production), on the run's PostgreSQL database
 * and Redis.
 *
 * - `one`: dev/start.ts, the gateway and the four subgraphs in one process (`npm start`);
 * - `services`: each service its own process, its main.ts, wired as deploy/docker-compose.yml
 *   wires them;
 * - `one-cluster`: dev/start.ts in two node:cluster workers behind the gateway's port;
 * - `services-cluster`: each service in two node:cluster workers behind its port.
 */
export const TOPOLOGIES = ['one', 'services', 'one-cluster', 'services-cluster'] as const;
export type Topology = (typeof TOPOLOGIES)[number];

/** How each topology spreads load over its processes, for the report. */
export const TOPOLOGY_NOTES: Record<Topology, string> = {
  one: 'gateway and subgraphs in one process (dev/start.ts)',
  services: 'gateway, model-catalog, inference, wallet, policy: one process each (their main.ts)',
  'one-cluster':
    'dev/start.ts in 2 node:cluster workers behind one port (the primary hands each new connection to the next worker); each worker calls its own subgraphs',
  'services-cluster':
    'each service in 2 node:cluster workers behind its port; every hop goes to either worker',
};

export interface StackSettings {
  /** The checkout whose code runs. */
  root: string;
  databaseUrl: string;
  redisUrl: string;
  /** The internal key pair the separate services share (dev/start.ts makes its own). */
  keys: { privateKeyPem: string; publicKeyPem: string };
  adminKey: string;
  /** Every service's LOG_LEVEL. */
  logLevel: string;
  /** Variables the inference subgraph reads its provider keys from. */
  providerEnv: Record<string, string>;
  /** How long the whole stack may take to be ready. */
  timeoutMs: number;
}

export interface Stack {
  /** The gateway's origin: `http://127.0.0.1:<port>`. */
  url: string;
  /** Every process of the platform. */
  pids: number[];
  stop(): Promise<void>;
}

/** The subgraph services in start order (inference calls the other three). */
const SUBGRAPHS = [
  ['model-catalog', 'MODEL_CATALOG_URL'],
  ['wallet', 'WALLET_URL'],
  ['policy', 'POLICY_URL'],
  ['inference', 'INFERENCE_URL'],
] as const;

/** Starts `services` one at a time; if one fails, stops those already running and rethrows. */
async function startAll(
  starts: Array<() => Promise<ServiceProcess>>,
  gatewayPort: number,
): Promise<Stack> {
  const running: ServiceProcess[] = [];
  const stop = async () => {
    for (const service of running.reverse()) await service.stop();
  };
  try {
    for (const start of starts) running.push(await start());
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url: `http://127.0.0.1:${gatewayPort}`,
    pids: running.flatMap((s) => s.pids),
    stop,
  };
}

function baseEnv(settings: StackSettings): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: settings.logLevel,
    HOST: '127.0.0.1',
    DATABASE_URL: settings.databaseUrl,
    REDIS_URL: settings.redisUrl,
    // Production requires a payment provider; the benchmark buys nothing, so one that is never
    // reached (port 9 refuses) satisfies the check without leaving the machine.
    STRIPE_SECRET_KEY: 'sk_test_bench',
    STRIPE_WEBHOOK_SECRET: 'whsec_bench',
    STRIPE_API_URL: 'http://127.0.0.1:9',
    // Its clients send whole documents, as the runs before trusted documents did (production's
    // default, `require`, would refuse them); bench:documents measures the trusted path.
    TRUSTED_DOCUMENTS: 'off',
  };
}

async function startOneProcess(settings: StackSettings, workers: number): Promise<Stack> {
  const [port] = await freePorts(1);
  // One process picks free subgraph ports itself; cluster workers need theirs apart (see
  // cluster-main.ts), four consecutive ones each.
  const workerEnv: Array<Record<string, string>> = [];
  while (workers > 1 && workerEnv.length < workers) {
    const base = await freePortBlock(4);
    const taken = workerEnv.some((env) => Math.abs(Number(env.SUBGRAPH_PORT_BASE) - base) < 4);
    if (!taken) workerEnv.push({ SUBGRAPH_PORT_BASE: String(base) });
  }
  const deadline = performance.now() + settings.timeoutMs;
  return startAll(
    [
      () =>
        startService({
          name: workers > 1 ? 'one-cluster' : 'one',
          cwd: settings.root,
          entry: 'dev/start.ts',
          env: {
            ...baseEnv(settings),
            ...settings.providerEnv,
            SUBGRAPH_PORT_BASE: '0',
            MODELGRAPH_ADMIN_KEY: settings.adminKey,
          },
          port: port!,
          workers,
          workerEnv,
          deadline,
        }),
    ],
    port!,
  );
}

async function startServices(settings: StackSettings, workers: number): Promise<Stack> {
  const ports = await freePorts(SUBGRAPHS.length + 1);
  const gatewayPort = ports[SUBGRAPHS.length]!;
  const urls = Object.fromEntries(
    SUBGRAPHS.map(([, variable], i) => [variable, `http://127.0.0.1:${ports[i]}/graphql`]),
  );
  const env = baseEnv(settings);
  const publicKey = { MODELGRAPH_INTERNAL_PUBLIC_KEY: settings.keys.publicKeyPem };
  const privateKey = { MODELGRAPH_INTERNAL_PRIVATE_KEY: settings.keys.privateKeyPem };
  const deadline = performance.now() + settings.timeoutMs;
  const service = (name: string, entry: string, port: number, own: Record<string, string>) => () =>
    startService({
      name,
      cwd: settings.root,
      entry,
      env: { ...env, ...own },
      port,
      workers,
      deadline,
    });
  return startAll(
    [
      ...SUBGRAPHS.map(([name], i) =>
        service(
          name,
          `subgraphs/${name}/main.ts`,
          ports[i]!,
          name === 'inference'
            ? { ...publicKey, ...privateKey, ...settings.providerEnv, ...urls }
            : publicKey,
        ),
      ),
      service('gateway', 'gateway/main.ts', gatewayPort, {
        ...privateKey,
        ...urls,
        MODELGRAPH_ADMIN_KEY: settings.adminKey,
      }),
    ],
    gatewayPort,
  );
}

/** Starts the platform of `settings.root` in `topology` and resolves once its gateway is ready. */
export function startTopology(topology: Topology, settings: StackSettings): Promise<Stack> {
  switch (topology) {
    case 'one':
      return startOneProcess(settings, 1);
    case 'one-cluster':
      return startOneProcess(settings, 2);
    case 'services':
      return startServices(settings, 1);
    case 'services-cluster':
      return startServices(settings, 2);
  }
}
