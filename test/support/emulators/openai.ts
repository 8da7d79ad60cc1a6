/**
 * An OpenAI API emulator: `POST /v1/chat/completions` (JSON, and SSE `data:` chunks ending in
 * `data: [DONE]` when `stream: true`, with a usage chunk when `stream_options.include_usage`) and
 * `POST /v1/embeddings`, with OpenAI's `{error: {message, type, param, code}}` error bodies.
 */
import { countWords, emulatorEmbedding, replyPieces } from './deterministic-answers.js';
import { planOpenAiAnswer, toolCallDeltas, toolCallsJson } from './openai-tool-calls.js';
import { callTokens } from './tool-answers.js';
import {
  startEmulator,
  type Dialect,
  type EmulatorOptions,
  type Exchange,
  type ProviderEmulator,
} from './emulator-core.js';

const ERROR_TYPES: Record<number, [type: string, code: string | null]> = {
  400: ['invalid_request_error', null],
  401: ['invalid_request_error', 'invalid_api_key'],
  403: ['permission_denied', 'unsupported_country_region_territory'],
  404: ['invalid_request_error', 'unknown_url'],
  429: ['requests', 'rate_limit_exceeded'],
};

const isChatMessage = (m: { role?: unknown; content?: unknown } | null) =>
  typeof m?.role === 'string' && (typeof m.content === 'string' || m.content === null);

const chatCompletions = async (exchange: Exchange) => {
  const { body, settings } = exchange;
  if (typeof body.model !== 'string')
    return exchange.error(400, "Missing required parameter: 'model'.");
  if (
    !Array.isArray(body.messages) ||
    body.messages.length === 0 ||
    !body.messages.every(isChatMessage)
  ) {
    return exchange.error(
      400,
      "Invalid value for 'messages': expected a non-empty array of messages.",
    );
  }
  const plan = planOpenAiAnswer(body, settings.reply);
  if ('error' in plan) return exchange.error(400, plan.error);
  const { calls } = plan;
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  // A turn that calls tools has no text.
  const replied = replyPieces(calls.length > 0 ? '' : (plan.json ?? settings.reply), maxTokens);
  const { pieces, truncated } = replied;
  const usage = {
    prompt_tokens:
      settings.usage?.inputTokens ??
      body.messages.reduce((sum, m) => sum + countWords(String(m.content ?? '')), 0),
    completion_tokens: settings.usage?.outputTokens ?? pieces.length + callTokens(calls),
    total_tokens: 0,
  };
  usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
  const finishReason =
    settings.finishReason ?? (calls.length > 0 ? 'tool_calls' : truncated ? 'length' : 'stop');
  const id = `chatcmpl-emulator-${exchange.sequence}`;
  const created = Math.floor(Date.now() / 1000);

  if (body.stream !== true) {
    return exchange.json(200, {
      id,
      object: 'chat.completion',
      created,
      model: body.model,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: calls.length > 0 ? null : pieces.join(''),
            refusal: null,
            ...(calls.length > 0 ? { tool_calls: toolCallsJson(calls, exchange.sequence) } : {}),
          },
          logprobs: null,
          finish_reason: finishReason,
        },
      ],
      usage,
      system_fingerprint: 'fp_emulator',
    });
  }

  const withUsage = body.stream_options?.include_usage === true;
  const chunk = (choices: unknown[], extra: object = {}) => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model: body.model,
    system_fingerprint: 'fp_emulator',
    choices,
    ...(withUsage ? { usage: null } : {}),
    ...extra,
  });
  const delta = (d: object, finish: string | null = null) =>
    chunk([{ index: 0, delta: d, logprobs: null, finish_reason: finish }]);
  const stream = exchange.eventStream();
  if (!(await stream.send(delta({ role: 'assistant', content: '', refusal: null })))) return;
  for (const [i, piece] of pieces.entries()) {
    if (exchange.fault?.cutStreamAfterDeltas === i) return stream.cut();
    const failure = exchange.fault?.streamError;
    if (failure?.afterDeltas === i) {
      const status = failure.status ?? 500;
      await stream.send(exchange.errorBody(status, failure.message ?? `Emulated ${status}`));
      return stream.end();
    }
    if (!(await stream.send(delta({ content: piece })))) return;
  }
  for (const piece of toolCallDeltas(calls, exchange.sequence)) {
    if (!(await stream.send(delta({ tool_calls: [piece] })))) return;
  }
  if (!(await stream.send(delta({}, finishReason)))) return;
  if (withUsage && !(await stream.send(chunk([], { usage })))) return;
  if (await stream.send('[DONE]')) stream.end();
};

const embeddings = (exchange: Exchange) => {
  const { body, settings } = exchange;
  const inputs: unknown = typeof body.input === 'string' ? [body.input] : body.input;
  if (typeof body.model !== 'string')
    return exchange.error(400, "Missing required parameter: 'model'.");
  if (
    !Array.isArray(inputs) ||
    inputs.length === 0 ||
    !inputs.every((i) => typeof i === 'string')
  ) {
    return exchange.error(400, "'input' : input must be a string or a non-empty array of strings.");
  }
  const dimensions = body.dimensions ?? settings.embeddingDimensions;
  const data = (inputs as string[]).map((text, index) => ({
    object: 'embedding',
    index,
    embedding: emulatorEmbedding(text, dimensions),
  }));
  if (settings.embeddingOrder === 'reversed') data.reverse();
  const words = (inputs as string[]).reduce((sum, text) => sum + countWords(text), 0);
  const promptTokens = settings.usage?.inputTokens ?? words;
  exchange.json(200, {
    object: 'list',
    data,
    model: body.model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  });
};

const openAiDialect: Dialect = {
  basePath: '/v1',
  routes: {
    'POST /v1/chat/completions': chatCompletions,
    'POST /v1/embeddings': embeddings,
  },
  checkKey(headers, apiKey) {
    if (!headers.authorization) {
      return "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
    }
    return headers.authorization === `Bearer ${apiKey}` ? undefined : 'Incorrect API key provided.';
  },
  errorBody(status, message) {
    const [type, code] =
      ERROR_TYPES[status] ??
      (status >= 500 ? ['server_error', null] : ['invalid_request_error', null]);
    return { error: { message, type, param: null, code } };
  },
  brokenEvent: 'data: {"id": "chatcmpl-broken", "choices": [{"delta": {"content": "Hel\n\n',
};

/** Starts an OpenAI emulator on 127.0.0.1; its `baseUrl` ends in `/v1` like OpenAI's. */
export function startOpenAiEmulator(options?: EmulatorOptions): Promise<ProviderEmulator> {
  return startEmulator(openAiDialect, options);
}
