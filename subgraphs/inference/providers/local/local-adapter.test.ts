import { countChatTokens, countTokens } from '../token-count.js';
import {
  ProviderError,
  type ChatRequest,
  type ChatStreamChunk,
  type ProviderErrorKind,
} from '../types.js';
import { echoReply } from './echo-chat.js';
import { hashEmbedding } from './hash-embedding.js';
import { createLocalAdapter } from './local-adapter.js';

const live = () => ({ signal: new AbortController().signal });
const aborted = () => ({ signal: AbortSignal.abort(new Error('deadline passed')) });

const request = (overrides: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'echo-chat',
  messages: [
    { role: 'system', content: 'You are a helpful assistant.' },
    { role: 'user', content: 'Tell me something about cats and the mats they sit on.' },
  ],
  maxTokens: 256,
  ...overrides,
});

async function collect(stream: AsyncIterable<ChatStreamChunk>): Promise<ChatStreamChunk[]> {
  const chunks: ChatStreamChunk[] = [];
  for await (const chunk of stream) {
    chunks.push(chunk);
  }
  return chunks;
}

async function expectProviderError(promise: Promise<unknown>, kind: ProviderErrorKind) {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ProviderError);
  expect(error).toMatchObject({ kind });
}

const cosine = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * b[i], 0);

describe('local adapter: chat', () => {
  const adapter = createLocalAdapter();

  it('is a LOCAL provider', async () => {
    expect(adapter.kind).toBe('LOCAL');
    await expect(adapter.close()).resolves.toBeUndefined();
  });

  it('answers by the echo algorithm, the same every time, whatever the temperature', async () => {
    const first = await adapter.chat(request(), live());
    expect(first.text).toBe(echoReply(request().messages));
    expect(first.finishReason).toBe('STOP');
    await expect(adapter.chat(request(), live())).resolves.toEqual(first);
    await expect(adapter.chat(request({ temperature: 1.5 }), live())).resolves.toEqual(first);
  });

  it('reports usage as the tokenizer counts it', async () => {
    const result = await adapter.chat(request(), live());
    expect(result.usage).toEqual({
      inputTokens: countChatTokens(request().messages),
      outputTokens: countTokens(result.text),
    });
    const hello = await adapter.chat(
      request({ messages: [{ role: 'user', content: 'hello world' }] }),
      live(),
    );
    // 2 content tokens + 4 for the message + 3 to prime the reply.
    expect(hello.usage.inputTokens).toBe(9);
  });

  it('cuts the reply to maxTokens and finishes with LENGTH', async () => {
    const whole = await adapter.chat(request(), live());
    const cut = await adapter.chat(request({ maxTokens: 6 }), live());
    expect(cut.finishReason).toBe('LENGTH');
    expect(cut.usage.outputTokens).toBe(6);
    expect(countTokens(cut.text)).toBe(6);
    expect(whole.text.startsWith(cut.text)).toBe(true);
    expect(cut.text.length).toBeLessThan(whole.text.length);

    const exact = await adapter.chat(request({ maxTokens: whole.usage.outputTokens }), live());
    expect(exact).toEqual(whole);
  });

  it('rejects what a provider would reject as a bad request', async () => {
    await expectProviderError(adapter.chat(request({ model: 'gpt-4o' }), live()), 'BAD_REQUEST');
    await expectProviderError(
      adapter.chat(request({ model: 'hash-embed' }), live()),
      'BAD_REQUEST',
    );
    await expectProviderError(adapter.chat(request({ messages: [] }), live()), 'BAD_REQUEST');
    await expectProviderError(adapter.chat(request({ maxTokens: 0 }), live()), 'BAD_REQUEST');
    await expectProviderError(adapter.chat(request({ maxTokens: 2.5 }), live()), 'BAD_REQUEST');
  });

  it('fails with a retryable TIMEOUT when the signal has already aborted', async () => {
    const error = await adapter.chat(request(), aborted()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ kind: 'TIMEOUT', retryable: true });
    expect((error as ProviderError).cause).toEqual(new Error('deadline passed'));
  });
});

describe('local adapter: chatStream', () => {
  const adapter = createLocalAdapter();

  it.each([256, 6])('streams what chat answers, in pieces (maxTokens %i)', async (maxTokens) => {
    const answer = await adapter.chat(request({ maxTokens }), live());
    const chunks = await collect(adapter.chatStream(request({ maxTokens }), live()));

    const deltas = chunks.slice(0, -1);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.every((chunk) => chunk.type === 'delta')).toBe(true);
    expect(deltas.map((chunk) => (chunk.type === 'delta' ? chunk.text : '')).join('')).toBe(
      answer.text,
    );
    expect(chunks.at(-1)).toEqual({
      type: 'done',
      finishReason: answer.finishReason,
      usage: answer.usage,
    });
  });

  it('fails before the first chunk when the signal has already aborted', async () => {
    await expectProviderError(collect(adapter.chatStream(request(), aborted())), 'TIMEOUT');
  });

  it('stops with TIMEOUT when the signal aborts mid-stream', async () => {
    const controller = new AbortController();
    const received: ChatStreamChunk[] = [];
    const streaming = (async () => {
      for await (const chunk of adapter.chatStream(request(), { signal: controller.signal })) {
        received.push(chunk);
        controller.abort();
      }
    })();
    await expectProviderError(streaming, 'TIMEOUT');
    expect(received).toHaveLength(1);
  });

  it('rejects an unknown model', async () => {
    await expectProviderError(
      collect(adapter.chatStream(request({ model: 'x' }), live())),
      'BAD_REQUEST',
    );
  });

  it('pauses between words when told to, and an abort ends the pause', async () => {
    // A pause far longer than the test: the next word can only come if the pause is skipped.
    const slow = createLocalAdapter({ streamDelayMs: 600_000 });
    const controller = new AbortController();
    const words = slow.chatStream(request(), { signal: controller.signal })[Symbol.asyncIterator]();
    expect(await words.next()).toMatchObject({ value: { type: 'delta', text: 'Echo: ' } });
    let settled = false;
    const next = words.next().finally(() => {
      settled = true;
    });
    for (let i = 0; i < 20; i += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    controller.abort();
    await expectProviderError(next, 'TIMEOUT');
  });
});

describe('local adapter: embed', () => {
  const adapter = createLocalAdapter();
  const inputs = ['the cat sat on the mat', 'the cat sat on a mat', 'quarterly revenue grew', ''];

  it('gives one unit vector of 256 dimensions per input, in input order', async () => {
    const { vectors } = await adapter.embed({ model: 'hash-embed', inputs }, live());
    expect(vectors).toEqual(inputs.map((input) => hashEmbedding(input, 256)));
    for (const vector of vectors.slice(0, 3)) {
      expect(vector).toHaveLength(256);
      expect(Math.sqrt(cosine(vector, vector))).toBeCloseTo(1, 12);
    }
    const reversed = await adapter.embed(
      { model: 'hash-embed', inputs: [...inputs].reverse() },
      live(),
    );
    expect(reversed.vectors).toEqual([...vectors].reverse());
  });

  it('gives similar texts closer vectors than unrelated ones', async () => {
    const { vectors } = await adapter.embed({ model: 'hash-embed', inputs }, live());
    const [cat, similar, unrelated] = vectors;
    expect(cosine(cat, similar)).toBeGreaterThan(cosine(cat, unrelated) + 0.5);
  });

  it('gives an empty text the zero vector and counts it as no tokens', async () => {
    const result = await adapter.embed({ model: 'hash-embed', inputs: [''] }, live());
    expect(result).toEqual({ vectors: [new Array(256).fill(0)], usage: { inputTokens: 0 } });
  });

  it('reports the tokens of all inputs as usage', async () => {
    const { usage } = await adapter.embed({ model: 'hash-embed', inputs }, live());
    expect(usage.inputTokens).toBe(inputs.reduce((sum, input) => sum + countTokens(input), 0));
    expect(usage.inputTokens).toBe(6 + 7 + 3);
  });

  it('serves the embedding models it is configured with, at their dimensions', async () => {
    const custom = createLocalAdapter({ embeddingDimensions: { 'hash-embed-64': 64 } });
    const { vectors } = await custom.embed({ model: 'hash-embed-64', inputs: ['hello'] }, live());
    expect(vectors[0]).toHaveLength(64);
    await expectProviderError(
      custom.embed({ model: 'hash-embed', inputs: ['hello'] }, live()),
      'BAD_REQUEST',
    );
    expect(() => createLocalAdapter({ embeddingDimensions: { bad: 0 } })).toThrow(RangeError);
    expect(() => createLocalAdapter({ embeddingDimensions: { bad: 1.5 } })).toThrow(RangeError);
  });

  it('rejects an unknown model, inherited object keys included', async () => {
    for (const model of ['echo-chat', 'text-embedding-3-small', 'constructor']) {
      await expectProviderError(adapter.embed({ model, inputs: ['x'] }, live()), 'BAD_REQUEST');
    }
  });

  it('fails with TIMEOUT when the signal has already aborted', async () => {
    await expectProviderError(adapter.embed({ model: 'hash-embed', inputs }, aborted()), 'TIMEOUT');
  });
});
