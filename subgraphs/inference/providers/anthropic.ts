/** The adapter for Anthropic's Messages API (`POST /v1/messages`, JSON and streamed). */
import { z } from 'zod';
import {
  anthropicMessages,
  anthropicToolFields,
  checkAnthropicCanHonour,
  toolCallOf,
} from './anthropic-tools.js';
import { createProviderHttp, decodeJson, type HttpAdapterOptions } from './http-call.js';
import {
  ProviderError,
  type ChatRequest,
  type ChatStreamChunk,
  type FinishReason,
  type ProviderAdapter,
  type ProviderErrorKind,
} from './types.js';

export const ANTHROPIC_VERSION = '2023-06-01';

const usageSchema = z.object({
  input_tokens: z.number().int().nonnegative(),
  output_tokens: z.number().int().nonnegative(),
});

const messageSchema = z.object({
  content: z.array(
    z
      .object({
        type: z.string(),
        text: z.string().optional(),
        id: z.string().optional(),
        name: z.string().optional(),
        input: z.unknown().optional(),
      })
      .refine(
        (block) => block.type !== 'text' || block.text !== undefined,
        'text block without text',
      )
      .refine(
        (block) =>
          block.type !== 'tool_use' || (block.id !== undefined && block.name !== undefined),
        'tool_use block without id or name',
      ),
  ),
  stop_reason: z.string().nullish(),
  usage: usageSchema,
  model: z.string().nullish(),
});

const errorSchema = z.object({ type: z.string(), message: z.string().nullish() });

// Only the events we read; the API adds event types over time and says to ignore unknown ones.
const streamEventSchemas = {
  message_start: z.object({ message: z.object({ usage: usageSchema.partial() }) }),
  content_block_start: z.object({
    index: z.number().int().nonnegative(),
    content_block: z.object({
      type: z.string(),
      id: z.string().nullish(),
      name: z.string().nullish(),
    }),
  }),
  content_block_delta: z.object({
    index: z.number().int().nonnegative(),
    delta: z.object({
      type: z.string(),
      text: z.string().nullish(),
      partial_json: z.string().nullish(),
    }),
  }),
  message_delta: z.object({
    delta: z.object({ stop_reason: z.string().nullish() }),
    usage: usageSchema.partial(),
  }),
  error: z.object({ error: errorSchema }),
};

/** Anthropic's `stop_reason` in our words. */
export function mapAnthropicStopReason(reason: string | null | undefined): FinishReason {
  if (reason === 'end_turn' || reason === 'stop_sequence') return 'STOP';
  if (reason === 'max_tokens') return 'LENGTH';
  if (reason === 'tool_use') return 'TOOL_CALLS';
  // Claude's safety classifiers stopped the answer: a content filter in all but name.
  if (reason === 'refusal') return 'CONTENT_FILTER';
  return 'OTHER';
}

/** The kind an `error` event sent after the stream started means (the HTTP status was 200). */
function kindForErrorType(type: string): ProviderErrorKind {
  if (type === 'rate_limit_error') return 'RATE_LIMITED';
  if (type === 'authentication_error' || type === 'permission_error') return 'AUTH';
  if (type === 'invalid_request_error' || type === 'not_found_error') return 'BAD_REQUEST';
  if (type === 'request_too_large') return 'BAD_REQUEST';
  return 'SERVER_ERROR';
}

// Long only as a factory: it wires or returns short methods, each read on its own.
export function createAnthropicAdapter(options: HttpAdapterOptions): ProviderAdapter {
  const provider = `Anthropic (${new URL(options.baseUrl).host})`;
  const http = createProviderHttp({
    provider,
    baseUrl: options.baseUrl,
    headers: {
      'anthropic-version': ANTHROPIC_VERSION,
      ...(options.apiKey ? { 'x-api-key': options.apiKey } : {}),
    },
    secret: options.apiKey,
    dispatcher: options.dispatcher,
  });

  const messagesBody = (request: ChatRequest) => {
    checkAnthropicCanHonour(request, provider);
    const system = request.messages.filter((m) => m.role === 'system').map((m) => m.content);
    return {
      model: request.model,
      max_tokens: request.maxTokens,
      ...(system.length > 0 ? { system: system.join('\n\n') } : {}),
      messages: anthropicMessages(request.messages, provider),
      ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
      ...anthropicToolFields(request),
    };
  };

  const decodeEvent = <T>(data: string, schema: z.ZodType<T>, name: string) =>
    decodeJson(data, schema, `${provider}: ${name} event`);

  return {
    kind: 'ANTHROPIC',

    async chat(request, { signal }) {
      const message = await http.postJson(
        '/v1/messages',
        messagesBody(request),
        messageSchema,
        signal,
      );
      const toolCalls = message.content.filter((b) => b.type === 'tool_use').map(toolCallOf);
      return {
        ...(toolCalls.length > 0 ? { toolCalls } : {}),
        text: message.content
          .filter((block) => block.type === 'text')
          .map((block) => block.text)
          .join(''),
        finishReason: mapAnthropicStopReason(message.stop_reason),
        ...(message.model ? { model: message.model } : {}),
        // Cache reads and writes are counted apart and priced differently; we never ask for caching.
        usage: {
          inputTokens: message.usage.input_tokens,
          outputTokens: message.usage.output_tokens,
        },
      };
    },

    async *chatStream(request, { signal }): AsyncGenerator<ChatStreamChunk> {
      const body = { ...messagesBody(request), stream: true };
      let inputTokens: number | undefined;
      let outputTokens: number | undefined;
      let finishReason: FinishReason = 'OTHER';
      let stopped = false;
      // Content block index → the index of the tool call it holds (tool calls count from 0).
      const toolIndexOf = new Map<number, number>();
      // Reads to the end of the body even after message_stop, so the connection can be reused.
      for await (const { event, data } of http.postEventStream('/v1/messages', body, signal)) {
        if (stopped) continue;
        if (event === 'message_start') {
          const start = decodeEvent(data, streamEventSchemas.message_start, event);
          inputTokens = start.message.usage.input_tokens ?? inputTokens;
          outputTokens = start.message.usage.output_tokens ?? outputTokens;
        } else if (event === 'content_block_start') {
          const start = decodeEvent(data, streamEventSchemas.content_block_start, event);
          const block = start.content_block;
          if (block.type === 'tool_use') {
            const index = toolIndexOf.size;
            toolIndexOf.set(start.index, index);
            const named = {
              ...(block.id ? { id: block.id } : {}),
              ...(block.name ? { name: block.name } : {}),
            };
            yield { type: 'toolCall', delta: { index, ...named, arguments: '' } };
          }
        } else if (event === 'content_block_delta') {
          const { index, delta } = decodeEvent(data, streamEventSchemas.content_block_delta, event);
          if (delta.type === 'text_delta' && delta.text) yield { type: 'delta', text: delta.text };
          const toolIndex = toolIndexOf.get(index);
          if (delta.type === 'input_json_delta' && delta.partial_json && toolIndex !== undefined) {
            yield { type: 'toolCall', delta: { index: toolIndex, arguments: delta.partial_json } };
          }
        } else if (event === 'message_delta') {
          const update = decodeEvent(data, streamEventSchemas.message_delta, event);
          // The counts here are cumulative, and replace message_start's.
          inputTokens = update.usage.input_tokens ?? inputTokens;
          outputTokens = update.usage.output_tokens ?? outputTokens;
          finishReason = mapAnthropicStopReason(update.delta.stop_reason);
        } else if (event === 'message_stop') {
          stopped = true;
        } else if (event === 'error') {
          const { error } = decodeEvent(data, streamEventSchemas.error, event);
          const detail = error.message ? `: ${error.message}` : '';
          throw new ProviderError(
            kindForErrorType(error.type),
            `${provider} failed mid-stream (${error.type})${detail}`,
          );
        }
      }
      if (!stopped) {
        throw new ProviderError('BAD_RESPONSE', `${provider}: stream ended before message_stop`);
      }
      if (inputTokens === undefined || outputTokens === undefined) {
        throw new ProviderError('BAD_RESPONSE', `${provider}: stream carried no usage`);
      }
      yield { type: 'done', finishReason, usage: { inputTokens, outputTokens } };
    },

    async embed() {
      throw new ProviderError('BAD_REQUEST', 'Anthropic has no embeddings API');
    },

    close: () => http.close(),
  };
}
