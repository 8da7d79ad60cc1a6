import { generateInternalKeyPair } from '../../lib/auth/internal-token.js';
import { eventually } from './eventually.js';
import { startServiceProcess, type ServiceProcess } from './service-process.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

/** Every service's `main`, in the order they start (each calls only those before it). */
const MAINS = {
  'model-catalog': 'subgraphs/model-catalog/main.ts',
  policy: 'subgraphs/policy/main.ts',
  wallet: 'subgraphs/wallet/main.ts',
  inference: 'subgraphs/inference/main.ts',
  billing: 'subgraphs/billing/main.ts',
  gateway: 'gateway/main.ts',
} as const;

export type FleetService = keyof typeof MAINS;
export const FLEET_SERVICES = Object.keys(MAINS) as FleetService[];

/** Where each service's clients reach it: its proxy, never a process's own port. */
const URL_VARIABLES: Partial<Record<FleetService, string>> = {
  'model-catalog': 'MODEL_CATALOG_URL',
  policy: 'POLICY_URL',
  wallet: 'WALLET_URL',
  inference: 'INFERENCE_URL',
  billing: 'BILLING_URL',
};

const READY_TIMEOUT_MS = 180_000;

export interface Fleet {
  /** The gateway, through its proxy: `http://127.0.0.1:<port>`. */
  base: string;
  adminKey: string;
  /** The process serving `name` now. */
  current(name: FleetService): ServiceProcess;
  /** Starts a new process for `name` and resolves once its `/readyz` answers 200. */
  startReplacement(name: FleetService): Promise<ServiceProcess>;
  /**
   * The rest of a rolling restart as Kubernetes does it, once `replacement` is ready: the
   * service's proxy sends new connections to it (kube-proxy after the endpoint change), then the
   * old process gets SIGTERM. Resolves with the old process's exit code once it has exited.
   */
  switchTo(name: FleetService, replacement: ServiceProcess): Promise<number | null>;
  stop(): Promise<void>;
}

/**
 * The gateway and all five subgraphs, each a process of its own behind a TCP proxy that stands in
 * for its Kubernetes Service, on one PostgreSQL database and Redis. `env` is added to every
 * service's environment; `serviceEnv` to one service's.
 */
export async function startFleet(options: {
  databaseUrl: string;
  redisUrl: string;
  adminKey: string;
  env: Record<string, string>;
  serviceEnv: Partial<Record<FleetService, Record<string, string>>>;
}): Promise<Fleet> {
  const keys = await generateInternalKeyPair();
  const proxies = new Map<FleetService, TcpProxy>();
  const processes = new Map<FleetService, ServiceProcess>();
  const urls: Record<string, string> = {};

  const envOf = (name: FleetService): Record<string, string> => ({
    LOG_LEVEL: 'info',
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    MODELGRAPH_INTERNAL_PUBLIC_KEY: keys.publicKeyPem,
    MODELGRAPH_INTERNAL_PRIVATE_KEY: keys.privateKeyPem,
    MODELGRAPH_ADMIN_KEY: options.adminKey,
    ...urls,
    ...options.env,
    ...options.serviceEnv[name],
  });
  const waitReady = (name: FleetService, service: ServiceProcess) =>
    eventually(
      `${name} on port ${service.port} is ready`,
      async () => ((await fetch(`${service.base}/readyz`)).ok ? true : undefined),
      { timeoutMs: READY_TIMEOUT_MS, intervalMs: 50 },
    );

  // Every proxy first (so each service knows where the others are), then all processes at once.
  for (const name of FLEET_SERVICES) {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 0 });
    proxies.set(name, proxy);
    const variable = URL_VARIABLES[name];
    if (variable) urls[variable] = `http://127.0.0.1:${proxy.port}/graphql`;
  }
  const started = await Promise.allSettled(
    FLEET_SERVICES.map(async (name) => {
      const service = await startServiceProcess(MAINS[name], envOf(name));
      processes.set(name, service);
      proxies.get(name)!.retarget({ host: '127.0.0.1', port: service.port });
      await waitReady(name, service);
    }),
  );
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) {
    await Promise.all([...processes.values()].map((p) => p.kill('SIGKILL')));
    await Promise.all([...proxies.values()].map((p) => p.close()));
    throw failed.reason;
  }

  return {
    base: `http://127.0.0.1:${proxies.get('gateway')!.port}`,
    adminKey: options.adminKey,
    current: (name) => processes.get(name)!,
    async startReplacement(name) {
      const service = await startServiceProcess(MAINS[name], envOf(name));
      await waitReady(name, service);
      return service;
    },
    async switchTo(name, replacement) {
      const old = processes.get(name)!;
      processes.set(name, replacement);
      proxies.get(name)!.retarget({ host: '127.0.0.1', port: replacement.port });
      return old.kill('SIGTERM');
    },
    async stop() {
      // The gateway first, so no request is left to reach a stopped subgraph.
      for (const name of [...FLEET_SERVICES].reverse()) await processes.get(name)?.kill('SIGTERM');
      await Promise.all([...proxies.values()].map((p) => p.close()));
    },
  };
}
