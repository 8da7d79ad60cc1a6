/** How the OpenAI-compatible adapter fails, and how it holds its connections. */
import { Agent, type Dispatcher } from 'undici';
import { startOpenAiEmulator } from '../../../test/support/provider-emulators.js';
import {
  collectStream,
  nextTurn,
  providerErrorOf,
  refusedOrigin,
  useEmulatedAdapter,
} from '../../../test/support/provider-call-helpers.js';
import { createOpenAiCompatibleAdapter } from './openai-compatible.js';
import type { ChatRequest } from './types.js';

const API_KEY = 'sk-test-0123456789abcdef';
const MESSAGES = [
  { role: 'system' as const, content: 'You are terse.' },
  { role: 'user' as const, content: 'Say hello to the emulator please' },
];
const REQUEST: ChatRequest = { model: 'gpt-test', messages: MESSAGES, maxTokens: 64 };
const call = () => ({ signal: AbortSignal.timeout(5_000) });

const emulated = useEmulatedAdapter(startOpenAiEmulator, createOpenAiCompatibleAdapter, API_KEY);

describe('errors', () => {
  it.each([
    [{ status: 500 }, 'SERVER_ERROR', 500],
    [{ status: 503 }, 'SERVER_ERROR', 503],
    [{ status: 401 }, 'AUTH', 401],
    [{ status: 403 }, 'AUTH', 403],
    [{ status: 400 }, 'BAD_REQUEST', 400],
    [{ status: 404 }, 'BAD_REQUEST', 404],
    [{ status: 429 }, 'RATE_LIMITED', 429],
    [{ malformed: true }, 'BAD_RESPONSE', undefined],
    [{ body: '{"choices": []}' }, 'BAD_RESPONSE', undefined],
    [
      { body: '{"choices": [{"message": {"content": 3}}], "usage": {}}' },
      'BAD_RESPONSE',
      undefined,
    ],
    [{ dropConnection: true }, 'NETWORK', undefined],
  ])('%j → %s', async (fault, kind, status) => {
    emulated.emulator.failNext(fault);
    const error = await providerErrorOf(emulated.adapter.chat(REQUEST, call()));
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
  });

  it('reads Retry-After in seconds', async () => {
    emulated.emulator.failNext({ status: 429, retryAfter: '2' });
    const error = await providerErrorOf(emulated.adapter.chat(REQUEST, call()));
    expect(error).toMatchObject({ kind: 'RATE_LIMITED', retryAfterMs: 2000, retryable: true });
  });

  it('reads Retry-After as an HTTP date', async () => {
    emulated.emulator.failNext({
      status: 429,
      retryAfter: new Date(Date.now() + 30_000).toUTCString(),
    });
    const error = await providerErrorOf(emulated.adapter.chat(REQUEST, call()));
    expect(error.retryAfterMs).toBeGreaterThan(27_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(30_000);
  });

  it('prefers retry-after-ms to Retry-After', async () => {
    emulated.emulator.failNext({ status: 429, retryAfterMs: 1500, retryAfter: '9' });
    const error = await providerErrorOf(emulated.adapter.chat(REQUEST, call()));
    expect(error.retryAfterMs).toBe(1500);
  });

  it('has no retryAfterMs when the provider sent none', async () => {
    emulated.emulator.failNext({ status: 429 });
    expect(
      (await providerErrorOf(emulated.adapter.chat(REQUEST, call()))).retryAfterMs,
    ).toBeUndefined();
  });

  it('maps a wrong key to AUTH and never repeats the key', async () => {
    const wrong = createOpenAiCompatibleAdapter({
      baseUrl: emulated.emulator.baseUrl,
      apiKey: 'sk-wrong',
    });
    try {
      const error = await providerErrorOf(wrong.chat(REQUEST, call()));
      expect(error).toMatchObject({ kind: 'AUTH', status: 401, retryable: false });
      expect(error.message).not.toContain('sk-wrong');
    } finally {
      await wrong.close();
    }
  });

  it('includes the provider message, with the key removed should it echo it', async () => {
    emulated.emulator.failNext({
      status: 400,
      message: `max_tokens is too large for key ${API_KEY}`,
    });
    const error = await providerErrorOf(emulated.adapter.chat(REQUEST, call()));
    expect(error.message).toContain('max_tokens is too large');
    expect(error.message).not.toContain(API_KEY);
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

  it('fails with TIMEOUT, saying so, when the caller aborts', async () => {
    emulated.emulator.configure({ latencyMs: 2_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await providerErrorOf(
      emulated.adapter.chat(REQUEST, { signal: controller.signal }),
    );
    expect(error.kind).toBe('TIMEOUT');
    expect(error.message).toMatch(/aborted/);
  });

  it('fails with NETWORK when nothing listens', async () => {
    const nowhere = createOpenAiCompatibleAdapter({
      baseUrl: `${await refusedOrigin()}/v1`,
      apiKey: API_KEY,
    });
    try {
      const error = await providerErrorOf(nowhere.chat(REQUEST, call()));
      expect(error.kind).toBe('NETWORK');
      expect(error.message).toContain('ECONNREFUSED');
    } finally {
      await nowhere.close();
    }
  });
});

describe('connections', () => {
  // A fresh adapter: the shared one's pool holds several clients by now (opened by back-to-back
  // and aborted calls), and which of them takes a call is undici's business.
  it('reuses one connection for sequential calls, error answers and streams included', async () => {
    const fresh = createOpenAiCompatibleAdapter({
      baseUrl: emulated.emulator.baseUrl,
      apiKey: API_KEY,
    });
    try {
      await fresh.chat(REQUEST, call());
      await nextTurn();
      // Bigger than undici buffers unread: left unread, it would hold its connection.
      const message = 'x'.repeat(256 * 1024);
      emulated.emulator.failNext({ status: 500, body: JSON.stringify({ error: { message } }) });
      await providerErrorOf(fresh.chat(REQUEST, call()));
      await nextTurn();
      // A pause before the body ends: stopping at [DONE] would leave the connection half-read.
      emulated.emulator.configure({ chunkDelayMs: 5 });
      await collectStream(fresh.chatStream(REQUEST, call()));
      emulated.emulator.configure({ chunkDelayMs: 0 });
      await nextTurn();
      await fresh.embed({ model: 'embed-test', inputs: ['x'] }, call());
      await nextTurn();
      await fresh.chat(REQUEST, call());
    } finally {
      await fresh.close();
    }
    const ports = emulated.emulator.requests.map((r) => r.remotePort);
    expect(ports).toHaveLength(5);
    expect(new Set(ports).size).toBe(1);
  });

  it('needs no more than two connections for back-to-back calls', async () => {
    const fresh = createOpenAiCompatibleAdapter({
      baseUrl: emulated.emulator.baseUrl,
      apiKey: API_KEY,
    });
    try {
      for (let i = 0; i < 6; i++) {
        if (i % 2) emulated.emulator.failNext({ status: 503 });
        await fresh.chat(REQUEST, call()).catch(() => undefined);
        await collectStream(fresh.chatStream(REQUEST, call()));
      }
    } finally {
      await fresh.close();
    }
    expect(emulated.emulator.requests).toHaveLength(12);
    expect(new Set(emulated.emulator.requests.map((r) => r.remotePort)).size).toBeLessThanOrEqual(
      2,
    );
  });

  it('sends through a dispatcher it is given and leaves it open on close', async () => {
    let dispatched = 0;
    const agent = new Agent();
    const counting: Dispatcher = agent.compose((dispatch) => (options, handler) => {
      dispatched += 1;
      return dispatch(options, handler);
    });
    const first = createOpenAiCompatibleAdapter({
      baseUrl: emulated.emulator.baseUrl,
      apiKey: API_KEY,
      dispatcher: counting,
    });
    await first.chat(REQUEST, call());
    await first.close();
    const second = createOpenAiCompatibleAdapter({
      baseUrl: emulated.emulator.baseUrl,
      apiKey: API_KEY,
      dispatcher: counting,
    });
    await second.chat(REQUEST, call());
    await second.close();
    await agent.close();
    expect(dispatched).toBe(2);
  });
});
