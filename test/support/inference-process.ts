import { startServiceProcess, type ServiceProcess } from './service-process.js';

export type { ProcessLogLine } from './service-process.js';

export interface InferenceProcess extends Pick<ServiceProcess, 'url' | 'lines' | 'metric'> {
  /** Sends `signal` and resolves once the process has exited. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

/**
 * The inference service in a process of its own (`node --import tsx subgraphs/inference/main.ts`),
 * as production runs it, with `env` as its whole configuration (this process's DATABASE_URL and
 * REDIS_URL are not passed on). Resolves once it listens.
 */
export async function startInferenceProcess(
  env: Record<string, string>,
): Promise<InferenceProcess> {
  const service = await startServiceProcess('subgraphs/inference/main.ts', env);
  return {
    url: service.url,
    lines: service.lines,
    metric: service.metric,
    async kill(signal) {
      await service.kill(signal);
    },
  };
}
