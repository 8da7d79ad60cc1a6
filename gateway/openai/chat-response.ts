import type { GenerationResult, StreamEvent } from './operations.js';

const FINISH_REASONS: Record<string, string> = {
  STOP: 'stop',
  LENGTH: 'length',
  TOOL_CALLS: 'tool_calls',
  CONTENT_FILTER: 'content_filter',
};

/** Our FinishReason in OpenAI's words; CANCELLED, INTERRUPTED and OTHER have none and read `stop`. */
export const finishReasonOf = (reason: string): string => FINISH_REASONS[reason] ?? 'stop';

/** The chat completion id for a Generation: OpenAI's `chatcmpl-` prefix before our id. */
export const completionId = (generationId: string) => `chatcmpl-${generationId}`;

export const unixSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

export const usageOf = (usage: GenerationResult['usage']) => ({
  prompt_tokens: usage.inputTokens,
  completion_tokens: usage.outputTokens,
  total_tokens: usage.totalTokens,
});

/** A Generation as a `chat.completion` object. */
export function chatCompletion(generation: GenerationResult) {
  const toolCalls = generation.toolCalls.map((call) => ({
    id: call.id,
    type: 'function' as const,
    function: { name: call.name, arguments: call.arguments },
  }));
  return {
    id: completionId(generation.id),
    object: 'chat.completion',
    created: unixSeconds(generation.createdAt),
    model: generation.model.id,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          // OpenAI sends null content on a reply that only called tools.
          content: generation.text === '' && toolCalls.length > 0 ? null : generation.text,
          refusal: null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: finishReasonOf(generation.finishReason),
      },
    ],
    usage: usageOf(generation.usage),
  };
}

/**
 * Builds the `chat.completion.chunk` objects of one stream. Every chunk carries the same id,
 * `created` and `model` (the model as the caller named it: the model that answers is known only at
 * the end); with `include_usage`, every chunk has `usage: null` but the last, as OpenAI sends them.
 */
export function createChunkMaker(options: {
  generationId: string;
  model: string;
  created: number;
  includeUsage: boolean;
}) {
  const base = () => ({
    id: completionId(options.generationId),
    object: 'chat.completion.chunk',
    created: options.created,
    model: options.model,
  });
  const choice = (delta: Record<string, unknown>, finishReason: string | null = null) => ({
    ...base(),
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(options.includeUsage ? { usage: null } : {}),
  });
  return {
    role: () => choice({ role: 'assistant', content: '' }),
    /** The delta's text and tool-call pieces; null when it carries neither. */
    delta(event: Extract<StreamEvent, { __typename: 'GenerationDelta' }>) {
      const delta: Record<string, unknown> = {};
      if (event.text !== '') delta.content = event.text;
      if (event.toolCalls.length > 0) {
        delta.tool_calls = event.toolCalls.map((piece) => ({
          index: piece.index,
          ...(piece.id != null ? { id: piece.id, type: 'function' } : {}),
          function: {
            ...(piece.name != null ? { name: piece.name } : {}),
            arguments: piece.arguments,
          },
        }));
      }
      return Object.keys(delta).length > 0 ? choice(delta) : null;
    },
    finish: (generation: GenerationResult) => choice({}, finishReasonOf(generation.finishReason)),
    usage: (generation: GenerationResult) => ({
      ...base(),
      choices: [],
      usage: usageOf(generation.usage),
    }),
  };
}
