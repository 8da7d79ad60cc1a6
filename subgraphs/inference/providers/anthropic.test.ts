import {
  DEFAULT_REPLY,
  expectedChatUsage,
  startAnthropicEmulator,
} from '../../../test/support/provider-emulators.js';
import {
  collectStream,
  nextTurn,
  providerErrorOf,
  refusedOrigin,
  useEmulatedAdapter,
} from '../../../test/support/provider-call-helpers.js';
import { ANTHROPIC_VERSION, createAnthropicAdapter } from './anthropic.js';
import type { ChatRequest } from './types.js';

const API_KEY = 'sk-ant-test-0123456789';
const MESSAGES = [
  { role: 'system' as const, content: 'You are terse.' },
  { role: 'system' as const, content: 'Answer in English.' },
  { role: 'user' as const, content: 'Say hello' },
  { role: 'assistant' as const, content: 'Hello?' },
  { role: 'user' as const, content: 'To the emulator please' },
];
const REQUEST: ChatRequest = { model: 'claude-test', messages: MESSAGES, maxTokens: 64 };
const call = () => ({ signal: AbortSignal.timeout(5_000) });

const emulated = useEmulatedAdapter(startAnthropicEmulator, createAnthropicAdapter, API_KEY);

describe('chat', () => {
  it('sends system messages as `system`, with the key and version headers', async () => {
    const result = await emulated.adapter.chat({ ...REQUEST, temperature: 0.3 }, call());

    expect(result).toEqual({
      text: DEFAULT_REPLY,
      finishReason: 'STOP',
      model: REQUEST.model,
      usage: expectedChatUsage(MESSAGES),
    });
    const [sent] = emulated.emulator.requests;
    expect(sent?.path).toBe('/v1/messages');
    expect(sent?.headers['x-api-key']).toBe(API_KEY);
    expect(sent?.headers['anthropic-version']).toBe(ANTHROPIC_VERSION);
    expect(sent?.headers.authorization).toBeUndefined();
    expect(sent?.body).toEqual({
      model: 'claude-test',
      max_tokens: 64,
      system: 'You are terse.\n\nAnswer in English.',
      messages: MESSAGES.filter((m) => m.role !== 'system'),
      temperature: 0.3,
    });
  });

  it('sends neither `system` nor `temperature` when there are none', async () => {
    await emulated.adapter.chat(
      { ...REQUEST, messages: [{ role: 'user', content: 'Hi' }] },
      call(),
    );
    expect(Object.keys(emulated.emulator.requests[0]?.body ?? {}).sort()).toEqual([
      'max_tokens',
      'messages',
      'model',
    ]);
  });

  it('joins the text blocks of the answer', async () => {
    const body = JSON.stringify({
      content: [
        { type: 'text', text: 'Part one. ' },
        { type: 'tool_use', id: 't', name: 'lookup', input: {} },
        { type: 'text', text: 'Part two.' },
      ],
      stop_reason: 'end_turn',
      usage: { input_tokens: 3, output_tokens: 4 },
    });
    emulated.emulator.failNext({ body });
    const result = await emulated.adapter.chat(REQUEST, call());
    expect(result.text).toBe('Part one. Part two.');
    expect(result.usage).toEqual({ inputTokens: 3, outputTokens: 4 });
  });

  it('reports LENGTH when max_tokens cuts the answer', async () => {
    const result = await emulated.adapter.chat({ ...REQUEST, maxTokens: 2 }, call());
    expect(result).toEqual({
      text: 'Hello from ',
      finishReason: 'LENGTH',
      model: REQUEST.model,
      usage: expectedChatUsage(MESSAGES, DEFAULT_REPLY, 2),
    });
  });

  it.each([
    ['stop_sequence', 'STOP'],
    ['end_turn', 'STOP'],
    ['max_tokens', 'LENGTH'],
    ['refusal', 'CONTENT_FILTER'],
    ['tool_use', 'TOOL_CALLS'],
    ['pause_turn', 'OTHER'],
  ])('maps stop_reason %s to %s', async (raw, ours) => {
    emulated.emulator.configure({ finishReason: raw });
    expect((await emulated.adapter.chat(REQUEST, call())).finishReason).toBe(ours);
  });
});

describe('chatStream', () => {
  it('streams deltas that make up the answer, then usage in the done chunk', async () => {
    const chunks = await collectStream(emulated.adapter.chatStream(REQUEST, call()));

    const deltas = chunks.filter((c) => c.type === 'delta');
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.map((c) => c.text).join('')).toBe(DEFAULT_REPLY);
    expect(chunks.at(-1)).toEqual({
      type: 'done',
      finishReason: 'STOP',
      usage: expectedChatUsage(MESSAGES),
    });
    expect(emulated.emulator.requests[0]?.body).toMatchObject({
      stream: true,
      system: expect.any(String),
    });
  });

  it('takes output tokens from message_delta and reports LENGTH', async () => {
    emulated.emulator.configure({ usage: { inputTokens: 900, outputTokens: 3 } });
    const chunks = await collectStream(
      emulated.adapter.chatStream({ ...REQUEST, maxTokens: 3 }, call()),
    );
    expect(chunks.at(-1)).toEqual({
      type: 'done',
      finishReason: 'LENGTH',
      usage: { inputTokens: 900, outputTokens: 3 },
    });
  });

  it('maps an in-stream overloaded error to SERVER_ERROR', async () => {
    emulated.emulator.failNext({
      streamError: { afterDeltas: 2, status: 529, message: 'Overloaded' },
    });
    const error = await providerErrorOf(
      collectStream(emulated.adapter.chatStream(REQUEST, call())),
    );
    expect(error.kind).toBe('SERVER_ERROR');
    expect(error.message).toContain('overloaded_error');
  });

  it('maps an in-stream rate limit error to RATE_LIMITED', async () => {
    emulated.emulator.failNext({ streamError: { afterDeltas: 0, status: 429 } });
    const error = await providerErrorOf(
      collectStream(emulated.adapter.chatStream(REQUEST, call())),
    );
    expect(error.kind).toBe('RATE_LIMITED');
  });

  it('fails with BAD_RESPONSE on a broken event', async () => {
    emulated.emulator.failNext({ malformed: true });
    const error = await providerErrorOf(
      collectStream(emulated.adapter.chatStream(REQUEST, call())),
    );
    expect(error.kind).toBe('BAD_RESPONSE');
  });

  it('fails with NETWORK when the connection drops mid-stream', async () => {
    emulated.emulator.failNext({ cutStreamAfterDeltas: 1 });
    const seen: string[] = [];
    const error = await providerErrorOf(
      (async () => {
        for await (const c of emulated.adapter.chatStream(REQUEST, call())) {
          if (c.type === 'delta') seen.push(c.text);
        }
      })(),
    );
    expect(error.kind).toBe('NETWORK');
    expect(seen).toEqual(['Hello ']);
  });

  it('fails with TIMEOUT when the deadline passes mid-stream', async () => {
    emulated.emulator.configure({ chunkDelayMs: 1_000 });
    const started = Date.now();
    const signal = AbortSignal.timeout(150);
    const error = await providerErrorOf(
      collectStream(emulated.adapter.chatStream(REQUEST, { signal })),
    );
    expect(error.kind).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(900);
  });
});

describe('embed', () => {
  it('fails with BAD_REQUEST without a request', async () => {
    const error = await providerErrorOf(
      emulated.adapter.embed({ model: 'm', inputs: ['a'] }, call()),
    );
    expect(error).toMatchObject({
      kind: 'BAD_REQUEST',
      message: 'Anthropic has no embeddings API',
    });
    expect(emulated.emulator.requests).toHaveLength(0);
  });
});

describe('errors', () => {
  it.each([
    [{ status: 500 }, 'SERVER_ERROR', 500],
    [{ status: 529 }, 'SERVER_ERROR', 529],
    [{ status: 401 }, 'AUTH', 401],
    [{ status: 403 }, 'AUTH', 403],
    [{ status: 400 }, 'BAD_REQUEST', 400],
    [{ status: 413 }, 'BAD_REQUEST', 413],
    [{ status: 429 }, 'RATE_LIMITED', 429],
    [{ malformed: true }, 'BAD_RESPONSE', undefined],
    [{ body: '{"type": "message", "content": "not a list"}' }, 'BAD_RESPONSE', undefined],
    [{ dropConnection: true }, 'NETWORK', undefined],
  ])('%j → %s', async (fault, kind, status) => {
    emulated.emulator.failNext(fault);
    const error = await providerErrorOf(emulated.adapter.chat(REQUEST, call()));
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
  });

  it('includes Anthropic’s error message', async () => {
    emulated.emulator.failNext({ status: 400, message: 'messages: roles must alternate' });
    const error = await providerErrorOf(emulated.adapter.chat(REQUEST, call()));
    expect(error.message).toContain('messages: roles must alternate');
  });

  it.each<[string, object, number]>([
    ['Retry-After seconds', { retryAfter: '7' }, 7000],
    ['retry-after-ms', { retryAfterMs: '350' }, 350],
  ])('reads %s on a 429', async (_, headers, expected) => {
    emulated.emulator.failNext({ status: 429, ...headers });
    const error = await providerErrorOf(emulated.adapter.chat(REQUEST, call()));
    expect(error).toMatchObject({ kind: 'RATE_LIMITED', retryAfterMs: expected });
  });

  it('reads Retry-After as an HTTP date', async () => {
    emulated.emulator.failNext({
      status: 429,
      retryAfter: new Date(Date.now() + 60_000).toUTCString(),
    });
    const error = await providerErrorOf(emulated.adapter.chat(REQUEST, call()));
    expect(error.retryAfterMs).toBeGreaterThan(57_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it.each([
    ['a wrong key', 'sk-ant-wrong'],
    ['no key', ''],
  ])('maps %s to AUTH without repeating it', async (_, apiKey) => {
    const other = createAnthropicAdapter({ baseUrl: emulated.emulator.baseUrl, apiKey });
    try {
      const error = await providerErrorOf(other.chat(REQUEST, call()));
      expect(error).toMatchObject({ kind: 'AUTH', status: 401 });
      if (apiKey) expect(error.message).not.toContain(apiKey);
      expect(emulated.emulator.requests[0]?.headers['x-api-key']).toBe(apiKey || undefined);
    } finally {
      await other.close();
    }
  });

  it('fails with TIMEOUT soon after the signal times out', async () => {
    emulated.emulator.failNext({ timeout: true });
    const started = Date.now();
    const error = await providerErrorOf(
      emulated.adapter.chat(REQUEST, { signal: AbortSignal.timeout(150) }),
    );
    expect(error.kind).toBe('TIMEOUT');
    expect(error.message).toMatch(/timed out/);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('fails with NETWORK when nothing listens', async () => {
    const nowhere = createAnthropicAdapter({ baseUrl: await refusedOrigin(), apiKey: API_KEY });
    try {
      const error = await providerErrorOf(nowhere.chat(REQUEST, call()));
      expect(error.kind).toBe('NETWORK');
    } finally {
      await nowhere.close();
    }
  });
});

describe('connections', () => {
  it('reuses one connection for sequential calls, error answers and streams included', async () => {
    const fresh = createAnthropicAdapter({ baseUrl: emulated.emulator.baseUrl, apiKey: API_KEY });
    try {
      await fresh.chat(REQUEST, call());
      await nextTurn();
      emulated.emulator.failNext({ status: 529 });
      await providerErrorOf(fresh.chat(REQUEST, call()));
      await nextTurn();
      // A pause before the body ends: stopping at message_stop would leave it half-read.
      emulated.emulator.configure({ chunkDelayMs: 5 });
      await collectStream(fresh.chatStream(REQUEST, call()));
      emulated.emulator.configure({ chunkDelayMs: 0 });
      await nextTurn();
      await fresh.chat(REQUEST, call());
    } finally {
      await fresh.close();
    }
    const ports = emulated.emulator.requests.map((r) => r.remotePort);
    expect(ports).toHaveLength(4);
    expect(new Set(ports).size).toBe(1);
  });
});
