import { claimIdempotencyKey, type GenerateRequest } from './generate.js';
import type { SagaContext, SagaDeps } from './saga-types.js';
import { replayOf, type StreamEvent } from './stream-events.js';
import { runGenerationStream, type StreamRun } from './stream-generation.js';

/**
 * One `generateStream` call: under an idempotency key, claimed exactly as `generate` claims it, a
 * retry of a finished (or charged partial) run replays its stored generation as events, without
 * a provider call; a run refused before its first token frees the key.
 */
export async function generateStream(
  deps: SagaDeps,
  ctx: SagaContext,
  request: GenerateRequest,
  run: Omit<StreamRun, 'idempotencyBase' | 'onSettled'>,
): Promise<AsyncIterableIterator<StreamEvent>> {
  const claim = await claimIdempotencyKey(deps, ctx, request);
  if (claim.kind === 'DONE') return replayOf(claim.result);
  if (claim.kind === 'NONE') {
    return runGenerationStream(deps, ctx, request, {
      ...run,
      idempotencyBase: undefined,
      onSettled: async () => undefined,
    });
  }
  try {
    return await runGenerationStream(deps, ctx, request, {
      ...run,
      idempotencyBase: claim.base,
      onSettled: claim.keep,
    });
  } catch (error) {
    await claim.release();
    throw error;
  }
}
