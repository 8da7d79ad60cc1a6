/**
 * The adapter for OpenAI's chat completions and embeddings wire format, which OpenAI, Azure
 * OpenAI's v1 API, vLLM and Ollama all speak.
 */
import { z } from 'zod';
import { createProviderHttp, decodeJson, type HttpAdapterOptions } from './http-call.js';
import {
  openAiMessage,
  openAiToolFields,
  toolCallDeltasOf,
  toolCallDeltasSchema,
  toolCallsOf,
  toolCallsSchema,
} from './openai-tools.js';
import {
  ProviderError,
  type ChatRequest,
  type ChatStreamChunk,
  type FinishReason,
  type ProviderAdapter,
  type TokenUsage,
} from './types.js';

const usageSchema = z.object({
  prompt_tokens: z.number().int().nonnegative(),
  completion_tokens: z.number().int().nonnegative(),
});

const chatResponseSchema = z.object({
  choices: z
    .array(
      z.object({
        // null when the model refused or only called tools: there is no text to return.
        message: z.object({ content: z.string().nullish(), tool_calls: toolCallsSchema }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
  usage: usageSchema,
  model: z.string().nullish(),
});

const streamChunkSchema = z.object({
  // Azure sends a first chunk with no choices (prompt filter results), and the usage chunk has none.
  choices: z
    .array(
      z.object({
        delta: z
          .object({ content: z.string().nullish(), tool_calls: toolCallDeltasSchema })
          .nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .nullish(),
  usage: usageSchema.nullish(),
  // vLLM and OpenAI report a failure after the stream started as a chunk carrying `error`.
  error: z.object({ message: z.string().nullish() }).nullish(),
});

const embeddingsResponseSchema = z.object({
  data: z.array(z.object({ index: z.number().int(), embedding: z.array(z.number()) })),
  usage: z.object({ prompt_tokens: z.number().int().nonnegative() }),
});

/** OpenAI's `finish_reason` in our words; anything newer is OTHER. */
export function mapOpenAiFinishReason(reason: string | null | undefined): FinishReason {
  if (reason === 'stop') return 'STOP';
  if (reason === 'length') return 'LENGTH';
  // function_call: the deprecated single-function form of the same thing.
  if (reason === 'tool_calls' || reason === 'function_call') return 'TOOL_CALLS';
  if (reason === 'content_filter') return 'CONTENT_FILTER';
  return 'OTHER';
}

const toUsage = (usage: z.infer<typeof usageSchema>): TokenUsage => ({
  inputTokens: usage.prompt_tokens,
  outputTokens: usage.completion_tokens,
});

// Long only as a factory: it wires or returns short methods, each read on its own.
export function createOpenAiCompatibleAdapter(options: HttpAdapterOptions): ProviderAdapter {
  const provider = `OpenAI-compatible provider (${new URL(options.baseUrl).host})`;
  const http = createProviderHttp({
    provider,
    baseUrl: options.baseUrl,
    headers: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {},
    secret: options.apiKey,
    dispatcher: options.dispatcher,
  });

  const chatBody = (request: ChatRequest) => ({
    model: request.model,
    messages: request.messages.map(openAiMessage),
    max_tokens: request.maxTokens,
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...openAiToolFields(request),
  });

  return {
    kind: 'OPENAI_COMPATIBLE',

    async chat(request, { signal }) {
      const response = await http.postJson(
        '/chat/completions',
        chatBody(request),
        chatResponseSchema,
        signal,
      );
      const [choice] = response.choices;
      const toolCalls = toolCallsOf(choice?.message.tool_calls);
      return {
        ...(toolCalls.length > 0 ? { toolCalls } : {}),
        text: choice?.message.content ?? '',
        finishReason: mapOpenAiFinishReason(choice?.finish_reason),
        ...(response.model ? { model: response.model } : {}),
        usage: toUsage(response.usage),
      };
    },

    async *chatStream(request, { signal }): AsyncGenerator<ChatStreamChunk> {
      const body = { ...chatBody(request), stream: true, stream_options: { include_usage: true } };
      let finishReason: FinishReason = 'OTHER';
      let usage: TokenUsage | undefined;
      let done = false;
      // Reads to the end of the body even after [DONE], so the connection goes back to the pool.
      for await (const event of http.postEventStream('/chat/completions', body, signal)) {
        if (done) continue;
        if (event.data === '[DONE]') {
          done = true;
          continue;
        }
        const chunk = decodeJson(event.data, streamChunkSchema, `${provider}: stream chunk`);
        if (chunk.error) {
          const detail = chunk.error.message ? `: ${chunk.error.message}` : '';
          throw new ProviderError('SERVER_ERROR', `${provider} failed mid-stream${detail}`);
        }
        const choice = chunk.choices?.[0];
        if (choice?.delta?.content) yield { type: 'delta', text: choice.delta.content };
        for (const delta of toolCallDeltasOf(choice?.delta?.tool_calls)) {
          yield { type: 'toolCall', delta };
        }
        if (choice?.finish_reason) finishReason = mapOpenAiFinishReason(choice.finish_reason);
        if (chunk.usage) usage = toUsage(chunk.usage);
      }
      if (!done) throw new ProviderError('BAD_RESPONSE', `${provider}: stream ended before [DONE]`);
      if (!usage) {
        throw new ProviderError(
          'BAD_RESPONSE',
          `${provider}: stream carried no usage (does it support stream_options.include_usage?)`,
        );
      }
      yield { type: 'done', finishReason, usage };
    },

    async embed(request, { signal }) {
      // OpenAI rejects an empty input list; the answer to it is known.
      if (request.inputs.length === 0) return { vectors: [], usage: { inputTokens: 0 } };
      const response = await http.postJson(
        '/embeddings',
        { model: request.model, input: request.inputs },
        embeddingsResponseSchema,
        signal,
      );
      const vectors: number[][] = new Array(request.inputs.length);
      for (const { index, embedding } of response.data) {
        if (index < 0 || index >= vectors.length || vectors[index]) {
          throw new ProviderError('BAD_RESPONSE', `${provider}: embedding index ${index} is wrong`);
        }
        vectors[index] = embedding;
      }
      if (response.data.length !== vectors.length) {
        throw new ProviderError(
          'BAD_RESPONSE',
          `${provider}: ${response.data.length} embeddings for ${vectors.length} inputs`,
        );
      }
      return { vectors, usage: { inputTokens: response.usage.prompt_tokens } };
    },

    close: () => http.close(),
  };
}
