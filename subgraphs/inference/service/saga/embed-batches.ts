import type { ResolvedTarget } from '../../../../lib/catalog/resolved-route.js';
import type { Attempt } from '../routing/run-attempts.js';
import { callProviders } from './provider-calls.js';
import type { SagaDeps } from './saga-types.js';

/** Provider batch size when the catalog names none. */
const DEFAULT_BATCH = 2048;

/** What the provider step of an embedding saga did, so far (read on failure too). */
export interface EmbedRun {
  /** The deployment that answered the first batch, and so every batch. */
  target: ResolvedTarget;
  /** Every provider attempt, in order. */
  attempts: Attempt[];
  /** Input tokens the provider counted over every batch. */
  providerTokens: number;
}

/**
 * Step "provider call" of an embedding saga: the texts the cache missed, in batches of the
 * model's `maxBatchSize`, into `vectors`. The first batch picks the deployment (routing,
 * retries, fallback); the other batches go to the same one, so every vector of the group comes
 * from one model; a fallback recomputes the cached texts too (their vectors belong to the
 * primary model's space). When one batch fails, the others are cancelled before this throws;
 * `run` then holds the attempts made so far.
 */
export async function embedMisses(
  deps: SagaDeps,
  ordered: readonly ResolvedTarget[],
  { misses, hits }: { misses: string[]; hits: string[] },
  vectors: Map<string, number[]>,
  run: EmbedRun,
) {
  const batchSize = Math.min(...ordered.map((t) => t.model.maxBatchSize ?? DEFAULT_BATCH));
  const batches = chunk(misses, batchSize);
  if (batches.length === 0) return;
  const embedBatch = (targets: readonly ResolvedTarget[], texts: string[], cancel?: AbortSignal) =>
    callProviders(
      deps,
      targets,
      deps.settings,
      (adapter, t, signal) =>
        adapter.embed({ model: t.model.providerModel, inputs: texts }, { signal }),
      cancel,
    );
  const take = (texts: string[], outcome: Awaited<ReturnType<typeof embedBatch>>) => {
    // float32, as providers compute them and as the cache keeps them: a cached answer equals
    // the first one exactly.
    texts.forEach((text, i) => vectors.set(text, outcome.value.vectors[i]!.map(Math.fround)));
    run.providerTokens += outcome.value.usage.inputTokens;
    run.attempts = run.attempts.concat(outcome.attempts);
  };
  const first = await embedBatch(ordered, batches[0]!);
  run.target = first.target;
  take(batches[0]!, first);
  if (run.target !== ordered[0] && hits.length > 0) batches.push(...chunk(hits, batchSize));
  const rest = batches.slice(1);
  const outcomes = await allOrNothing(
    rest.map((texts) => (cancel) => embedBatch([run.target], texts, cancel)),
  );
  outcomes.forEach((outcome, i) => take(rest[i]!, outcome));
}

/**
 * Runs every task at once; when one fails, cancels the others and waits for them to stop before
 * throwing the first failure, so no provider call outlives the call's hold.
 */
async function allOrNothing<T>(tasks: Array<(cancel: AbortSignal) => Promise<T>>): Promise<T[]> {
  const controller = new AbortController();
  let failure: { error: unknown } | undefined;
  const settled = await Promise.allSettled(
    tasks.map((task) =>
      task(controller.signal).catch((error: unknown) => {
        failure ??= { error };
        controller.abort();
        throw error;
      }),
    ),
  );
  if (failure) throw failure.error;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
