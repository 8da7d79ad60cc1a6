import OpenAI from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { eventually } from '../../support/eventually.js';
import { createCallingTeam } from '../../support/inference-setup.js';
import { watchMoney } from '../../support/money-probe.js';
import {
  chatCost,
  openAiClient,
  startOpenAiStack,
  type OpenAiStack,
} from '../../support/openai-sdk.js';
import { DEFAULT_REPLY, expectedChatUsage } from '../../support/provider-emulators.js';
import { STORE_MODES } from '../../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../../support/timeouts.js';

const LONG_REPLY = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
const WEATHER_TOOL = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, days: { type: 'integer' } },
      required: ['city', 'days'],
    },
  },
};

async function collect(stream: AsyncIterable<ChatCompletionChunk>) {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}
const textOf = (chunks: ChatCompletionChunk[]) =>
  chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');

/**
 * `stream: true` through the openai SDK: OpenAI's chunks over the gateway's own streaming path,
 * paid exactly as the provider reported, with usage only for callers who asked for it.
 */
describe.each(STORE_MODES)(
  'streamed /v1/chat/completions with the openai SDK (%s stores)',
  (mode) => {
    let s: OpenAiStack;
    beforeAll(async () => {
      s = await startOpenAiStack(mode, 'Streaming SDK users');
    }, STACK_START_TIMEOUT_MS);
    afterAll(() => s?.stop());
    beforeEach(() => s.chat.emulator.reset());
    const ask = (content: string) => ({
      model: s.chat.modelId,
      messages: [{ role: 'user' as const, content }],
    });

    it('streams a role chunk, the text, a finish chunk and, when asked, the usage', async () => {
      const money = await watchMoney(s.stack, s.team, [s.chat.modelId]);
      const { data, response } = await s.client.chat.completions
        .create({ ...ask('Stream it'), stream: true, stream_options: { include_usage: true } })
        .withResponse();
      const chunks = await collect(data);
      const generationId = response.headers.get('x-modelgraph-generation-id');
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(new Set(chunks.map((c) => c.id))).toEqual(new Set([`chatcmpl-${generationId}`]));
      expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
      expect(chunks[0]!.choices[0]!.delta).toEqual({ role: 'assistant', content: '' });
      expect(textOf(chunks)).toBe(DEFAULT_REPLY);
      const finish = chunks.filter((c) => c.choices[0]?.finish_reason);
      expect(finish.map((c) => c.choices[0]!.finish_reason)).toEqual(['stop']);
      const last = chunks[chunks.length - 1]!;
      const usage = expectedChatUsage([{ content: 'Stream it' }]);
      expect(last).toMatchObject({
        choices: [],
        usage: {
          prompt_tokens: usage.inputTokens,
          completion_tokens: usage.outputTokens,
          total_tokens: usage.inputTokens + usage.outputTokens,
        },
      });
      expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
      await money.expectAgrees(chatCost(last.usage!));
    });

    it('strips the usage chunk for a caller who did not ask, though the provider was asked', async () => {
      const money = await watchMoney(s.stack, s.team, [s.chat.modelId]);
      const chunks = await collect(
        await s.client.chat.completions.create({ ...ask('No usage please'), stream: true }),
      );
      expect(textOf(chunks)).toBe(DEFAULT_REPLY);
      expect(chunks.every((c) => c.choices.length === 1 && c.usage === undefined)).toBe(true);
      expect(s.chat.emulator.requests[0]!.body).toMatchObject({
        stream: true,
        stream_options: { include_usage: true },
      });
      const usage = expectedChatUsage([{ content: 'No usage please' }]);
      await money.expectAgrees(
        chatCost({ prompt_tokens: usage.inputTokens, completion_tokens: usage.outputTokens }),
      );
    });

    it('streams tool-call pieces that add up to the tool call the plain answer has', async () => {
      const request = {
        ...ask('Weather in Oslo for 3 days?'),
        tools: [WEATHER_TOOL],
        tool_choice: { type: 'function' as const, function: { name: 'get_weather' } },
      };
      const plain = await s.client.chat.completions.create(request);
      const chunks = await collect(
        await s.client.chat.completions.create({ ...request, stream: true }),
      );
      const calls = new Map<number, { id?: string; name?: string; arguments: string }>();
      for (const piece of chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? [])) {
        const call = calls.get(piece.index) ?? { arguments: '' };
        if (piece.id) call.id = piece.id;
        if (piece.function?.name) call.name = piece.function.name;
        call.arguments += piece.function?.arguments ?? '';
        calls.set(piece.index, call);
      }
      const expected = plain.choices[0]!.message.tool_calls!.map((call) => {
        if (call.type !== 'function') throw new Error('not a function call');
        return { id: call.id, name: call.function.name, arguments: call.function.arguments };
      });
      expect(
        [...calls.values()].map(({ name, arguments: args }) => ({ name, arguments: args })),
      ).toEqual(expected.map(({ name, arguments: args }) => ({ name, arguments: args })));
      expect(chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []).length).toBeGreaterThan(
        expected.length,
      );
      expect(chunks.find((c) => c.choices[0]?.finish_reason)!.choices[0]!.finish_reason).toBe(
        'tool_calls',
      );
    });

    it('refuses before the first byte with a plain HTTP error, not a stream', async () => {
      const broke = await createCallingTeam(s.stack, {
        name: `Broke streamer ${mode}`,
        credits: '0',
      });
      const client = openAiClient(s.stack.gatewayBase, broke.key);
      const refused = await client.chat.completions
        .create({ ...ask('Hello'), stream: true })
        .catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(OpenAI.APIError);
      expect(refused).toMatchObject({ status: 402, code: 'insufficient_quota' });
      expect(s.chat.emulator.requests).toHaveLength(0);
    });

    it('a provider that breaks off ends the stream with an error event; the text sent is paid', async () => {
      const before = await s.team.balance();
      s.chat.emulator.configure({ reply: LONG_REPLY });
      s.chat.emulator.failNext({ streamError: { afterDeltas: 3 } });
      const chunks: ChatCompletionChunk[] = [];
      const stream = await s.client.chat.completions.create({ ...ask('Break off'), stream: true });
      const failure = await (async () => {
        for await (const chunk of stream) chunks.push(chunk);
      })().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(OpenAI.APIError);
      expect(textOf(chunks)).toBe('word0 word1 word2 ');
      expect(chunks.some((c) => c.choices[0]?.finish_reason)).toBe(false);
      await eventually(
        'the delivered text is charged',
        async () =>
          BigInt((await s.team.balance()).posted) < BigInt(before.posted) ? true : undefined,
        { timeoutMs: 10_000 },
      );
    });

    it('a client that leaves stops the provider call before the reply is done', async () => {
      const chunkDelayMs = 100;
      s.chat.emulator.configure({ reply: LONG_REPLY, chunkDelayMs });
      const stream = await s.client.chat.completions.create({ ...ask('Long one'), stream: true });
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta.content) break; // the SDK aborts the request
      }
      const request = await eventually(
        'the provider call is closed',
        () => (s.chat.emulator.requests[0]?.closedAt ? s.chat.emulator.requests[0] : undefined),
        { timeoutMs: 10_000 },
      );
      // Closed by us before the emulator had written the whole reply.
      expect(request.answered).toBe(false);
    });

    // Last: it stops the gateway.
    it('a gateway that stops ends an open stream with an error event, not silently', async () => {
      s.chat.emulator.configure({ reply: LONG_REPLY, chunkDelayMs: 100 });
      const stream = await s.client.chat.completions.create({
        ...ask('Until shutdown'),
        stream: true,
      });
      const chunks: ChatCompletionChunk[] = [];
      const failure = await (async () => {
        for await (const chunk of stream) {
          chunks.push(chunk);
          if (chunks.length === 2) void s.stack.gateway.stop();
        }
      })().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(OpenAI.APIError);
      expect((failure as Error).message).toMatch(/shutting down/);
      expect(chunks.some((c) => c.choices[0]?.finish_reason)).toBe(false);
    });
  },
);
