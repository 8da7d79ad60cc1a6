/**
 * An Anthropic Messages API emulator: `POST /v1/messages` as JSON, or with `stream: true` as the
 * named SSE events message_start, content_block_start, ping, content_block_delta,
 * content_block_stop, message_delta and message_stop; `{type: 'error', error: {type, message}}`
 * error bodies (529 is `overloaded_error`). Requires `anthropic-version` like the real API.
 */
import { planAnthropicAnswer, toolUseBlocks, toolUseEvents } from './anthropic-tool-calls.js';
import { countWords, replyPieces } from './deterministic-answers.js';
import { callTokens } from './tool-answers.js';
import {
  startEmulator,
  type Dialect,
  type EmulatorOptions,
  type Exchange,
  type ProviderEmulator,
} from './emulator-core.js';

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  529: 'overloaded_error',
};

type Content = string | { type: string; text?: string }[];

const isContent = (content: unknown): content is Content =>
  typeof content === 'string' ||
  (Array.isArray(content) && content.every((b) => typeof b?.type === 'string'));

const contentWords = (content: Content): number =>
  typeof content === 'string'
    ? countWords(content)
    : content.reduce((sum, block) => sum + countWords(block.text ?? ''), 0);

const messages = async (exchange: Exchange) => {
  const { body, settings, headers } = exchange;
  if (!headers['anthropic-version']) {
    return exchange.error(400, 'anthropic-version: header is required');
  }
  if (typeof body.model !== 'string') return exchange.error(400, 'model: Field required');
  if (
    typeof body.max_tokens !== 'number' ||
    !Number.isInteger(body.max_tokens) ||
    body.max_tokens < 1
  ) {
    return exchange.error(400, 'max_tokens: Field required');
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return exchange.error(400, 'messages: at least one message is required');
  }
  for (const [i, m] of body.messages.entries()) {
    if (m?.role !== 'user' && m?.role !== 'assistant') {
      return exchange.error(
        400,
        `messages.${i}.role: Unexpected role "${m?.role}". The Messages API accepts a top-level \`system\` parameter, not "system" as an input message role.`,
      );
    }
    if (!isContent(m.content))
      return exchange.error(400, `messages.${i}.content: Input should be a valid list`);
  }
  if (body.system !== undefined && !isContent(body.system)) {
    return exchange.error(400, 'system: Input should be a valid string');
  }

  const plan = planAnthropicAnswer(body);
  if ('error' in plan) return exchange.error(400, plan.error);
  const { calls } = plan;
  // A turn that calls tools has no text here (Claude may write some first; the emulator does not).
  const { pieces, truncated } = replyPieces(
    calls.length > 0 ? '' : settings.reply,
    body.max_tokens,
  );
  const inputWords =
    (body.system === undefined ? 0 : contentWords(body.system)) +
    // Every message's content passed isContent() above.
    body.messages.reduce((sum, m) => sum + contentWords(m.content as Content), 0);
  const usage = {
    input_tokens: settings.usage?.inputTokens ?? inputWords,
    output_tokens: settings.usage?.outputTokens ?? pieces.length + callTokens(calls),
  };
  const stopReason =
    settings.finishReason ??
    (calls.length > 0 ? 'tool_use' : truncated ? 'max_tokens' : 'end_turn');
  const message = {
    id: `msg_emulator_${exchange.sequence}`,
    type: 'message',
    role: 'assistant',
    model: body.model,
    content:
      calls.length > 0
        ? toolUseBlocks(calls, exchange.sequence)
        : [{ type: 'text', text: pieces.join('') }],
    stop_reason: stopReason,
    stop_sequence: null,
    usage,
  };
  if (body.stream !== true) return exchange.json(200, message);

  const stream = exchange.eventStream();
  const send = (event: string, data: object) => stream.send({ type: event, ...data }, event);
  const start = {
    ...message,
    content: [],
    stop_reason: null,
    usage: { ...usage, output_tokens: 1 },
  };
  if (!(await send('message_start', { message: start }))) return;
  if (calls.length > 0) {
    if (!(await send('ping', {}))) return;
    for (const [event, data] of toolUseEvents(calls, exchange.sequence, 0)) {
      if (!(await send(event, data))) return;
    }
    return finish();
  }
  const block = { type: 'text', text: '' };
  if (!(await send('content_block_start', { index: 0, content_block: block }))) return;
  if (!(await send('ping', {}))) return;
  for (const [i, piece] of pieces.entries()) {
    if (exchange.fault?.cutStreamAfterDeltas === i) return stream.cut();
    const failure = exchange.fault?.streamError;
    if (failure?.afterDeltas === i) {
      const status = failure.status ?? 500;
      const body = exchange.errorBody(status, failure.message ?? `Emulated ${status}`);
      await stream.send(body, 'error');
      return stream.end();
    }
    const delta = { type: 'text_delta', text: piece };
    if (!(await send('content_block_delta', { index: 0, delta }))) return;
  }
  if (!(await send('content_block_stop', { index: 0 }))) return;
  return finish();

  async function finish() {
    const final = {
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: usage.output_tokens },
    };
    if (!(await send('message_delta', final))) return;
    if (await send('message_stop', {})) stream.end();
  }
};

const anthropicDialect: Dialect = {
  basePath: '',
  routes: { 'POST /v1/messages': messages },
  checkKey(headers, apiKey) {
    if (!headers['x-api-key']) return 'x-api-key header is required';
    return headers['x-api-key'] === apiKey ? undefined : 'invalid x-api-key';
  },
  errorBody(status, message) {
    const type = ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
    return { type: 'error', error: { type, message } };
  },
  brokenEvent:
    'event: content_block_delta\ndata: {"type": "content_block_delta", "delta": {"te\n\n',
};

/** Starts an Anthropic emulator on 127.0.0.1; its `baseUrl` is the origin, like api.anthropic.com. */
export function startAnthropicEmulator(options?: EmulatorOptions): Promise<ProviderEmulator> {
  return startEmulator(anthropicDialect, options);
}
