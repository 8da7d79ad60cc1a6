/**
 * The built-in `local` provider: offline and deterministic, for demos and tests. It serves the
 * `echo-chat` model (echo-chat.ts) and hashed embeddings (hash-embedding.ts), and reports usage
 * with the same tokenizer the saga estimates with, so holds and charges can be checked exactly.
 */
import { countChatTokens, countTokens } from '../token-count.js';
import {
  ProviderError,
  type CallOptions,
  type ChatRequest,
  type ChatResult,
  type ChatStreamChunk,
  type EmbedRequest,
  type EmbedResult,
  type ProviderAdapter,
} from '../types.js';
import { ECHO_CHAT_MODEL, echoAnswer, splitIntoDeltas } from './echo-chat.js';
import { hashEmbedding } from './hash-embedding.js';

export interface LocalAdapterOptions {
  /**
   * The embedding models served, by provider model name, with the length of their vectors. The
   * request names only the model, so the dimensions come from here (the catalog's
   * `embeddingDimensions` for each local embedding model).
   * @default { 'hash-embed': 256 }
   */
  embeddingDimensions?: Readonly<Record<string, number>>;
}

export const DEFAULT_EMBEDDING_DIMENSIONS: Readonly<Record<string, number>> = { 'hash-embed': 256 };

// Long only as a factory: it wires or returns short methods, each read on its own.
export function createLocalAdapter(options: LocalAdapterOptions = {}): ProviderAdapter {
  const dimensionsByModel = new Map(
    Object.entries(options.embeddingDimensions ?? DEFAULT_EMBEDDING_DIMENSIONS),
  );
  for (const [model, dimensions] of dimensionsByModel) {
    if (!Number.isInteger(dimensions) || dimensions < 1) {
      throw new RangeError(
        `local: ${model} needs a positive integer of dimensions, not ${dimensions}`,
      );
    }
  }

  const answer = (request: ChatRequest, signal: AbortSignal) => {
    throwIfAborted(signal);
    if (request.model !== ECHO_CHAT_MODEL) {
      throw new ProviderError('BAD_REQUEST', `local: no chat model named ${request.model}`);
    }
    if (request.messages.length === 0) {
      throw new ProviderError('BAD_REQUEST', 'local: a chat needs at least one message');
    }
    if (!Number.isInteger(request.maxTokens) || request.maxTokens < 1) {
      throw new ProviderError('BAD_REQUEST', 'local: maxTokens must be a positive integer');
    }
    const { text, finishReason } = echoAnswer(request.messages, request.maxTokens);
    const usage = {
      inputTokens: countChatTokens(request.messages, request),
      outputTokens: countTokens(text),
    };
    return { text, finishReason, usage } satisfies ChatResult;
  };

  return {
    kind: 'LOCAL',

    async chat(request: ChatRequest, { signal }: CallOptions): Promise<ChatResult> {
      return answer(request, signal);
    },

    async *chatStream(
      request: ChatRequest,
      { signal }: CallOptions,
    ): AsyncIterable<ChatStreamChunk> {
      const { text, finishReason, usage } = answer(request, signal);
      for (const delta of splitIntoDeltas(text)) {
        // A consumer may be slow; the deadline can pass between pieces.
        throwIfAborted(signal);
        yield { type: 'delta', text: delta };
      }
      throwIfAborted(signal);
      yield { type: 'done', finishReason, usage };
    },

    async embed(request: EmbedRequest, { signal }: CallOptions): Promise<EmbedResult> {
      throwIfAborted(signal);
      const dimensions = dimensionsByModel.get(request.model);
      if (dimensions === undefined) {
        throw new ProviderError('BAD_REQUEST', `local: no embedding model named ${request.model}`);
      }
      let inputTokens = 0;
      const vectors = request.inputs.map((input) => {
        inputTokens += countTokens(input);
        return hashEmbedding(input, dimensions);
      });
      return { vectors, usage: { inputTokens } };
    },

    async close(): Promise<void> {},
  };
}

/** The signal carries the attempt's timeout and the request's deadline, so an abort is a TIMEOUT. */
function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) {
    throw new ProviderError('TIMEOUT', 'local: the call was aborted', { cause: signal.reason });
  }
}
