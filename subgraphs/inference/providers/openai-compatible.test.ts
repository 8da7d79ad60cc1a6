import {
  DEFAULT_REPLY,
  emulatorEmbedding,
  expectedChatUsage,
  startOpenAiEmulator,
} from '../../../test/support/provider-emulators.js';
import {
  collectStream,
  providerErrorOf,
  useEmulatedAdapter,
} from '../../../test/support/provider-call-helpers.js';
import { createOpenAiCompatibleAdapter } from './openai-compatible.js';
import type { ChatRequest, ChatStreamChunk } from './types.js';

const API_KEY = 'sk-test-0123456789abcdef';
const MESSAGES = [
  { role: 'system' as const, content: 'You are terse.' },
  { role: 'user' as const, content: 'Say hello to the emulator please' },
];
const REQUEST: ChatRequest = { model: 'gpt-test', messages: MESSAGES, maxTokens: 64 };
const call = () => ({ signal: AbortSignal.timeout(5_000) });

const emulated = useEmulatedAdapter(startOpenAiEmulator, createOpenAiCompatibleAdapter, API_KEY);

describe('chat', () => {
  it('sends the messages with the key and returns text, finish reason and usage', async () => {
    const result = await emulated.adapter.chat({ ...REQUEST, temperature: 0.2 }, call());

    expect(result).toEqual({
      text: DEFAULT_REPLY,
      finishReason: 'STOP',
      // The model that answered, as the provider says (the emulator echoes the one asked for).
      model: REQUEST.model,
      usage: expectedChatUsage(MESSAGES),
    });
    const [sent] = emulated.emulator.requests;
    expect(sent?.method).toBe('POST');
    expect(sent?.path).toBe('/v1/chat/completions');
    expect(sent?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(sent?.body).toEqual({
      model: 'gpt-test',
      messages: MESSAGES,
      max_tokens: 64,
      temperature: 0.2,
    });
  });

  it('leaves temperature out when the request has none', async () => {
    await emulated.adapter.chat(REQUEST, call());
    expect(emulated.emulator.requests[0]?.body).not.toHaveProperty('temperature');
  });

  it('reports LENGTH and the provider usage when max_tokens cuts the answer', async () => {
    const result = await emulated.adapter.chat({ ...REQUEST, maxTokens: 2 }, call());
    expect(result.text).toBe('Hello from ');
    expect(result.finishReason).toBe('LENGTH');
    expect(result.usage).toEqual(expectedChatUsage(MESSAGES, DEFAULT_REPLY, 2));
  });

  it.each([
    ['content_filter', 'CONTENT_FILTER'],
    ['tool_calls', 'TOOL_CALLS'],
    ['something_new', 'OTHER'],
    ['stop', 'STOP'],
  ])('maps finish_reason %s to %s', async (raw, ours) => {
    emulated.emulator.configure({ finishReason: raw });
    expect((await emulated.adapter.chat(REQUEST, call())).finishReason).toBe(ours);
  });

  it('charges what the provider reports, not what it would count', async () => {
    emulated.emulator.configure({ usage: { inputTokens: 1234, outputTokens: 56 } });
    const { usage } = await emulated.adapter.chat(REQUEST, call());
    expect(usage).toEqual({ inputTokens: 1234, outputTokens: 56 });
  });

  it('keeps the query of an Azure-style base URL', async () => {
    const azure = createOpenAiCompatibleAdapter({
      baseUrl: `${emulated.emulator.baseUrl}/?api-version=2024-10-21`,
      apiKey: API_KEY,
    });
    try {
      await azure.chat(REQUEST, call());
      expect(emulated.emulator.requests[0]?.path).toBe(
        '/v1/chat/completions?api-version=2024-10-21',
      );
    } finally {
      await azure.close();
    }
  });

  it('sends no Authorization header when the key is empty (local vLLM, Ollama)', async () => {
    emulated.emulator.configure({ apiKey: undefined });
    const keyless = createOpenAiCompatibleAdapter({
      baseUrl: emulated.emulator.baseUrl,
      apiKey: '',
    });
    try {
      await keyless.chat(REQUEST, call());
      await keyless.embed({ model: 'embed-test', inputs: ['a'] }, call());
      expect(emulated.emulator.requests.map((r) => r.headers.authorization)).toEqual([
        undefined,
        undefined,
      ]);
    } finally {
      await keyless.close();
    }
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
    expect(chunks.filter((c) => c.type === 'done')).toHaveLength(1);
    expect(emulated.emulator.requests[0]?.body).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 64,
    });
  });

  it('reports LENGTH when the answer is cut', async () => {
    const chunks = await collectStream(
      emulated.adapter.chatStream({ ...REQUEST, maxTokens: 3 }, call()),
    );
    expect(chunks.at(-1)).toMatchObject({ type: 'done', finishReason: 'LENGTH' });
    expect(chunks.at(-1)).toHaveProperty('usage.outputTokens', 3);
  });

  it('fails before any chunk when the provider answers with an error status', async () => {
    emulated.emulator.failNext({ status: 429, retryAfter: '3' });
    const error = await providerErrorOf(
      collectStream(emulated.adapter.chatStream(REQUEST, call())),
    );
    expect(error).toMatchObject({ kind: 'RATE_LIMITED', status: 429, retryAfterMs: 3000 });
  });

  it('fails with BAD_RESPONSE on a broken data line', async () => {
    emulated.emulator.failNext({ malformed: true });
    const error = await providerErrorOf(
      collectStream(emulated.adapter.chatStream(REQUEST, call())),
    );
    expect(error.kind).toBe('BAD_RESPONSE');
  });

  it('fails with NETWORK when the connection drops mid-stream, after the deltas it got', async () => {
    emulated.emulator.failNext({ cutStreamAfterDeltas: 2 });
    const seen: ChatStreamChunk[] = [];
    const error = await providerErrorOf(
      (async () => {
        for await (const chunk of emulated.adapter.chatStream(REQUEST, call())) seen.push(chunk);
      })(),
    );
    expect(error.kind).toBe('NETWORK');
    expect(seen.map((c) => c.type === 'delta' && c.text).join('')).toBe('Hello from ');
  });

  it('fails with SERVER_ERROR when the provider reports an error mid-stream', async () => {
    emulated.emulator.failNext({
      streamError: { afterDeltas: 1, message: 'The server had an error' },
    });
    const error = await providerErrorOf(
      collectStream(emulated.adapter.chatStream(REQUEST, call())),
    );
    expect(error.kind).toBe('SERVER_ERROR');
    expect(error.message).toContain('The server had an error');
  });

  it('fails with TIMEOUT when the deadline passes mid-stream', async () => {
    emulated.emulator.configure({ chunkDelayMs: 1_000 });
    const started = Date.now();
    const error = await providerErrorOf(
      collectStream(emulated.adapter.chatStream(REQUEST, { signal: AbortSignal.timeout(150) })),
    );
    expect(error.kind).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('lets a consumer stop early, and the adapter still works afterwards', async () => {
    for await (const chunk of emulated.adapter.chatStream(REQUEST, call())) {
      if (chunk.type === 'delta') break;
    }
    expect((await emulated.adapter.chat(REQUEST, call())).text).toBe(DEFAULT_REPLY);
  });
});

describe('embed', () => {
  it('returns vectors in input order however the provider orders them, with usage', async () => {
    emulated.emulator.configure({ embeddingOrder: 'reversed', embeddingDimensions: 4 });
    const inputs = ['first text', 'second', 'the third text here'];

    const result = await emulated.adapter.embed({ model: 'embed-test', inputs }, call());

    expect(result.vectors).toEqual(inputs.map((text) => emulatorEmbedding(text, 4)));
    expect(result.usage).toEqual({ inputTokens: 7 });
    const [sent] = emulated.emulator.requests;
    expect(sent?.path).toBe('/v1/embeddings');
    expect(sent?.body).toEqual({ model: 'embed-test', input: inputs });
    expect(sent?.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  it('answers an empty input list without a request', async () => {
    const result = await emulated.adapter.embed({ model: 'embed-test', inputs: [] }, call());
    expect(result).toEqual({ vectors: [], usage: { inputTokens: 0 } });
    expect(emulated.emulator.requests).toHaveLength(0);
  });

  it('fails with BAD_RESPONSE when an input has no embedding', async () => {
    const body = JSON.stringify({
      data: [{ index: 0, embedding: [1, 2] }],
      usage: { prompt_tokens: 2, total_tokens: 2 },
    });
    emulated.emulator.failNext({ body });
    const error = await providerErrorOf(
      emulated.adapter.embed({ model: 'e', inputs: ['a', 'b'] }, call()),
    );
    expect(error.kind).toBe('BAD_RESPONSE');
  });
});
