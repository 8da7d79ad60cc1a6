import { ErrorCode } from '../../../../lib/errors.js';
import type { ToolCall, ToolCallDelta } from '../../providers/types.js';
import type { GenerationResult } from './generate.js';

/** A GenerationDelta as the saga makes it. */
export interface DeltaEvent {
  __typename: 'GenerationDelta';
  generationId: string;
  text: string;
  toolCalls: ToolCallDelta[];
  /**
   * The output tokens streamed so far, this delta's included (a running estimate); a function
   * where it is counted only if a client selects it (GraphQL's default resolver calls it).
   */
  outputTokens: number | (() => number);
}

/** One event of `generateStream`, as the GenerationEvent union shows it. */
export type StreamEvent =
  | DeltaEvent
  | { __typename: 'GenerationCompleted'; generation: GenerationResult }
  | { __typename: 'GenerationFailed'; code: string; message: string; generation: GenerationResult };

/** Why a started stream ended before its provider finished it. */
export const STREAM_FAILURES = {
  INTERRUPTED: {
    code: ErrorCode.PROVIDER_STREAM_INTERRUPTED,
    message: 'The provider broke off the stream; what was delivered was charged.',
  },
  SHUTDOWN: {
    code: ErrorCode.SERVICE_UNAVAILABLE,
    message: 'The server is shutting down; what was delivered was charged. Retry.',
  },
} as const;

/** The last event of a stream that ended with `result`. */
export function finalEventOf(
  result: GenerationResult,
  failure?: keyof typeof STREAM_FAILURES,
): StreamEvent {
  if (failure)
    return { __typename: 'GenerationFailed', ...STREAM_FAILURES[failure], generation: result };
  return { __typename: 'GenerationCompleted', generation: result };
}

/**
 * A finished generation as events again (an idempotent retry, a cache hit): its text and tool
 * calls in one delta, then the final event (GenerationFailed for one the provider broke off).
 */
export function replayOf(result: GenerationResult): AsyncIterableIterator<StreamEvent> {
  const events: StreamEvent[] = [];
  const toolCalls = (result.toolCalls ?? []).map((call: ToolCall, index) => ({ index, ...call }));
  if (result.text !== '' || toolCalls.length > 0) {
    events.push({
      __typename: 'GenerationDelta',
      generationId: result.id,
      text: result.text,
      toolCalls,
      outputTokens: result.usage.outputTokens,
    });
  }
  events.push(
    finalEventOf(result, result.finishReason === 'INTERRUPTED' ? 'INTERRUPTED' : undefined),
  );
  return (async function* () {
    yield* events;
  })();
}
