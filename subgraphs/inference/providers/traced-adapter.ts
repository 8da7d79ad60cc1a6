import {
  SpanKind,
  contextWith,
  failSpan,
  inSpan,
  startSpan,
  withContext,
  type Attributes,
  type Span,
} from '../../../lib/tracing/spans.js';
import type {
  ChatRequest,
  ChatStreamChunk,
  FinishReason,
  ProviderAdapter,
  ProviderKind,
  ProviderSpec,
  TokenUsage,
} from './types.js';

/** OpenTelemetry's `gen_ai.provider.name` for each kind (its well-known values where one fits). */
const PROVIDER_NAMES: Record<ProviderKind, string> = {
  OPENAI_COMPATIBLE: 'openai',
  ANTHROPIC: 'anthropic',
  LOCAL: 'modelgraph.local',
};

/** What every span of one provider carries: who was called, and where. */
function providerAttributes(spec: ProviderSpec): Attributes {
  const name = PROVIDER_NAMES[spec.kind];
  const host = spec.baseUrl ? new URL(spec.baseUrl) : undefined;
  return {
    'gen_ai.provider.name': name,
    // The older name of the same fact; trace backends of 2025 still read it.
    'gen_ai.system': name,
    'modelgraph.provider.id': spec.id,
    ...(host ? { 'server.address': host.hostname } : {}),
    ...(host?.port ? { 'server.port': Number(host.port) } : {}),
  };
}

const chatAttributes = (spec: ProviderSpec, request: ChatRequest): Attributes => ({
  ...providerAttributes(spec),
  'gen_ai.operation.name': 'chat',
  'gen_ai.request.model': request.model,
  'gen_ai.request.max_tokens': request.maxTokens,
  ...(request.temperature === undefined
    ? {}
    : { 'gen_ai.request.temperature': request.temperature }),
});

function recordAnswer(span: Span, usage: TokenUsage, finishReason: FinishReason, model?: string) {
  span.setAttributes({
    'gen_ai.usage.input_tokens': usage.inputTokens,
    'gen_ai.usage.output_tokens': usage.outputTokens,
    'gen_ai.response.finish_reasons': [finishReason.toLowerCase()],
    ...(model ? { 'gen_ai.response.model': model } : {}),
  });
}

/**
 * The stream's chunks, in a span that ends with the stream (done, failed, or left by the caller).
 * Each step of the adapter's stream runs with the span active, so its HTTP call carries it.
 */
async function* tracedStream(
  span: Span,
  open: () => AsyncIterable<ChatStreamChunk>,
): AsyncGenerator<ChatStreamChunk> {
  const spanContext = contextWith(span);
  let iterator: AsyncIterator<ChatStreamChunk> | undefined;
  let finished = false;
  try {
    iterator = withContext(spanContext, open)[Symbol.asyncIterator]();
    for (;;) {
      const next = await withContext(spanContext, () => iterator!.next());
      if (next.done) break;
      if (next.value.type === 'done') recordAnswer(span, next.value.usage, next.value.finishReason);
      yield next.value;
    }
    finished = true;
  } catch (error) {
    finished = true;
    failSpan(span, error);
    throw error;
  } finally {
    // A caller that leaves mid-stream ends up here: the adapter's stream is closed as a
    // `for await` would close it.
    if (!finished) await iterator?.return?.();
    span.end();
  }
}

/**
 * `adapter` with a GenAI client span per call (OpenTelemetry's generative AI conventions): the
 * operation, the provider, the model asked for and the one that answered, the token usage the call
 * is charged for, and why it stopped. The adapter's own HTTP call runs under the span, so the
 * provider gets its trace context. Never the prompt or the answer: they are the caller's.
 */
export function tracedAdapter(adapter: ProviderAdapter, spec: ProviderSpec): ProviderAdapter {
  return {
    kind: adapter.kind,
    chat: (request, options) =>
      inSpan(
        `chat ${request.model}`,
        { kind: SpanKind.CLIENT, attributes: chatAttributes(spec, request) },
        async (span) => {
          const result = await adapter.chat(request, options);
          recordAnswer(span, result.usage, result.finishReason, result.model);
          return result;
        },
      ),
    chatStream: (request, options) =>
      tracedStream(
        startSpan(`chat ${request.model}`, {
          kind: SpanKind.CLIENT,
          attributes: { ...chatAttributes(spec, request), 'gen_ai.request.stream': true },
        }),
        () => adapter.chatStream(request, options),
      ),
    embed: (request, options) =>
      inSpan(
        `embeddings ${request.model}`,
        {
          kind: SpanKind.CLIENT,
          attributes: {
            ...providerAttributes(spec),
            'gen_ai.operation.name': 'embeddings',
            'gen_ai.request.model': request.model,
          },
        },
        async (span) => {
          const result = await adapter.embed(request, options);
          span.setAttribute('gen_ai.usage.input_tokens', result.usage.inputTokens);
          return result;
        },
      ),
    close: () => adapter.close(),
  };
}
