import { INTERNAL_TOKEN_HEADER } from '../../lib/auth/internal-token.js';
import { countTokens } from './providers/token-count.js';
import { startEmulatedStack, type EmulatedStack } from '../../test/support/emulated-deployments.js';
import { eventually } from '../../test/support/eventually.js';
import { expectNoErrors } from '../../test/support/graphql-client.js';
import { teamKey } from '../../test/support/identities.js';
import { TEST_ADMIN_KEY } from '../../test/support/stack.js';
import { GENERATE } from '../../test/support/inference-documents.js';
import { chargesOf } from '../../test/support/money-probe.js';
import { countWords, type ProviderEmulator } from '../../test/support/provider-emulators.js';
import { createRecordingLogger } from '../../test/support/recording-logger.js';
import { subscribeOverSse, type StreamResult } from '../../test/support/subgraph-stream.js';
import { STORE_MODES } from '../../test/support/test-env.js';
import { typed } from '../../test/support/typed-document.js';
import { STACK_START_TIMEOUT_MS } from '../../test/support/timeouts.js';

/*
 * generateStream on the inference subgraph, reached as the gateway reaches it (POST with
 * `accept: text/event-stream` and an internal token), over the real catalog, policy and wallet,
 * with emulated providers: the events, and what the ledger charged however the stream ended.
 */

interface Event {
  __typename: 'GenerationDelta' | 'GenerationCompleted' | 'GenerationFailed';
  generationId?: string;
  text?: string;
  outputTokens?: number;
  code?: string;
  generation?: {
    id: string;
    text: string;
    finishReason: string;
    cost: string;
    chargeStatus: string;
    usage: { inputTokens: number; outputTokens: number };
    attempts: Array<{ outcome: string; model: { id: string } }>;
  };
}
type Payload = { generateStream: Event };

const STREAM = `subscription($i: GenerateInput!) { generateStream(input: $i) {
  __typename
  ... on GenerationDelta { generationId text outputTokens }
  ... on GenerationCompleted { generation { ...G } }
  ... on GenerationFailed { code message generation { ...G } } } }
fragment G on Generation { id text finishReason cost chargeStatus
  usage { inputTokens outputTokens } attempts { outcome model { id } } }`;

const SET_QUOTA = `mutation($t: ID!, $i: QuotaInput!) { setQuota(teamId: $t, input: $i) { id } }`;
const TOKENS_PER_DAY = typed<
  { team: { rateLimitStatus: { tokensPerDay: { limit: number; remaining: number } | null } } },
  { t: string }
>(`query($t: ID!) { team(id: $t) { rateLimitStatus { tokensPerDay { limit remaining } } } }`);
const OPEN_STREAMS = typed<
  {
    team: {
      rateLimitStatus: {
        concurrentStreams: { limit: number; open: number; remaining: number } | null;
      };
    };
  },
  { t: string }
>(
  `query($t: ID!) { team(id: $t) { rateLimitStatus { concurrentStreams { limit open remaining } } } }`,
);
const LONG_REPLY = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
const PROMPT = 'Tell me something long';
/** The emulated deployments' price: 1 µcr per input token, 2 per output token. */
const costOf = (usage: { inputTokens: number; outputTokens: number }) =>
  String(usage.inputTokens + 2 * usage.outputTokens);
/** The value of the series `name` whose labels include all of `labels`, in a /metrics scrape. */
const seriesValue = (scrape: string, name: string, labels: Record<string, string>) => {
  const line = scrape
    .split('\n')
    .find(
      (l) =>
        l.startsWith(`${name}{`) &&
        Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)),
    );
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
};
const events = (results: Array<StreamResult<Payload>>) =>
  results.map((r) => {
    expect(r.errors).toBeUndefined();
    return r.data!.generateStream;
  });

describe.each(STORE_MODES)('generateStream on the inference subgraph (%s stores)', (mode) => {
  let emulated: EmulatedStack;
  const recording = createRecordingLogger();
  let model: string;
  let emulator: ProviderEmulator;
  let invoker: ReturnType<typeof teamKey>;

  const open = async (input: Record<string, unknown>, principal = invoker) =>
    subscribeOverSse<Payload>(
      emulated.stack.subgraphUrls.inference!,
      await emulated.stack.internalToken(principal),
      STREAM,
      { i: { model, messages: [{ role: 'USER', content: PROMPT }], maxTokens: 100, ...input } },
    );
  const usageLines = (finishReason: string) =>
    recording.lines.filter((l) => l.event === 'usage' && l.finishReason === finishReason);
  const setQuota = async (input: Record<string, number | null>) =>
    expectNoErrors(
      await emulated.stack.request(SET_QUOTA, {
        token: TEST_ADMIN_KEY,
        variables: { t: emulated.team.teamId, i: input },
      }),
    );
  /** The team's newest charge: a stream is charged as a SPEND against the team's credit lease. */
  const latestEntry = async () =>
    (await chargesOf(emulated.team)).entries.find(
      (e) => e.kind === 'SPEND' || e.kind === 'CAPTURE',
    );

  beforeAll(async () => {
    emulated = await startEmulatedStack(mode, {
      team: 'Streamers',
      logger: recording.logger,
      settings: {
        retryBaseMs: 5,
        catalogCacheMs: 0,
        policyCacheMs: 0,
        streamIdleTimeoutMs: 2_000,
        streamHeartbeatMs: 100,
      },
    });
    const deployment = await emulated.deployments.deploy('stream-a');
    ({ modelId: model, emulator } = deployment);
    invoker = teamKey(emulated.team.teamId, ['inference:invoke', 'models:read']);
  }, STACK_START_TIMEOUT_MS);
  afterAll(() => emulated?.stop());
  beforeEach(() => emulator.reset());

  it('sends deltas in order, then the generation, charged the usage the provider reported', async () => {
    emulator.configure({ reply: 'one two three four' });
    const stream = await open({});
    expect(stream.status).toBe(200);
    expect(stream.contentType).toContain('text/event-stream');
    const { results, completed } = await stream.readAll();
    expect(completed).toBe(true);
    const all = events(results);
    const deltas = all.slice(0, -1);
    const last = all.at(-1)!;
    // Each delta carries the running count of output tokens: the tokenizer's count of the text
    // so far (the trailing space a token of its own until the next word takes it).
    expect(deltas.map((e) => [e.__typename, e.text, e.outputTokens])).toEqual([
      ['GenerationDelta', 'one ', countTokens('one ')],
      ['GenerationDelta', 'two ', countTokens('one two ')],
      ['GenerationDelta', 'three ', countTokens('one two three ')],
      ['GenerationDelta', 'four', countTokens('one two three four')],
    ]);
    expect(last.__typename).toBe('GenerationCompleted');
    const generation = last.generation!;
    expect(deltas.every((d) => d.generationId === generation.id)).toBe(true);
    expect(generation).toMatchObject({
      text: 'one two three four',
      finishReason: 'STOP',
      usage: { inputTokens: countWords(PROMPT), outputTokens: 4 },
      cost: costOf({ inputTokens: countWords(PROMPT), outputTokens: 4 }),
      chargeStatus: 'CHARGED',
    });
    expect(emulator.requests).toHaveLength(1);
    expect(emulator.requests[0]!.body).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(await latestEntry()).toMatchObject({ kind: 'SPEND', amount: generation.cost });
  });

  it('charges generate and generateStream of the same request identically', async () => {
    const input = { messages: [{ role: 'USER', content: 'same request twice' }], maxTokens: 30 };
    const { results } = await (await open(input)).readAll();
    const streamed = events(results).at(-1)!.generation!;
    const { generate } = expectNoErrors(
      await emulated.team.call(GENERATE, { i: { model, ...input } }),
    );
    expect(generate.cost).toBe(streamed.cost);
    expect(generate.usage).toMatchObject(streamed.usage);
    expect(generate.text).toBe(streamed.text);
  });

  it('refuses a principal without inference:invoke before any provider call', async () => {
    const reader = teamKey(emulated.team.teamId, ['models:read']);
    const { results, completed } = await (await open({}, reader)).readAll();
    expect(completed).toBe(true);
    expect(results).toHaveLength(1);
    expect(results[0]!.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(emulator.requests).toHaveLength(0);
  });

  it('stops the provider when the client leaves, and charges what was delivered (CANCELLED)', async () => {
    emulator.configure({ reply: LONG_REPLY, chunkDelayMs: 100 });
    const stream = await open({});
    const first = [await stream.nextResult(), await stream.nextResult()].map(
      (r) => r!.data!.generateStream,
    );
    expect(first.map((e) => e.__typename)).toEqual(['GenerationDelta', 'GenerationDelta']);
    stream.close();
    const [line] = await eventually(
      'the usage event of the cancelled stream',
      () => {
        const lines = usageLines('CANCELLED');
        return lines.length > 0 ? lines : undefined;
      },
      { timeoutMs: 10_000 },
    );
    // The emulator sees the close a moment after the usage line is written (a busy machine
    // showed the gap), so wait for it: closed by us before it had written the whole reply.
    const request = await eventually(
      'the provider request was closed',
      () => (emulator.requests[0]?.closedAt ? emulator.requests[0] : undefined),
      { timeoutMs: 10_000 },
    );
    expect(request.answered).toBe(false);
    const delivered = line!.outputTokens as number;
    expect(delivered).toBeGreaterThanOrEqual(2);
    expect(delivered).toBeLessThan(40);
    expect(line).toMatchObject({ inputTokens: expect.any(Number), chargeStatus: 'CHARGED' });
    const charged = costOf({ inputTokens: line!.inputTokens as number, outputTokens: delivered });
    expect(line!.cost).toBe(charged);
    expect(await latestEntry()).toMatchObject({ kind: 'SPEND', amount: charged });
  });

  it('stops the provider call and charges nothing when the client leaves before the first token', async () => {
    emulator.configure({ latencyMs: 2_000 });
    const before = await latestEntry();
    const stream = await open({ maxTokens: 11 });
    expect(stream.status).toBe(200);
    await eventually('the provider was called', () => emulator.requests[0], { timeoutMs: 5_000 });
    stream.close();
    const request = await eventually(
      'the provider request was closed',
      () => (emulator.requests[0]?.closedAt ? emulator.requests[0] : undefined),
      { timeoutMs: 5_000 },
    );
    // Its slice of the lease went back: no charge was written.
    expect(await latestEntry()).toEqual(before);
    expect(request.answered).toBe(false);
    expect(emulator.requests).toHaveLength(1);
  });

  it.each([
    ['cut off', { cutStreamAfterDeltas: 3 }],
    ['failing mid-stream', { streamError: { afterDeltas: 3, status: 500 } }],
  ])(
    'ends a stream the provider broke off (%s) with PROVIDER_STREAM_INTERRUPTED, delivered charged, no retry',
    async (_name, fault) => {
      emulator.configure({ reply: LONG_REPLY });
      emulator.failNext(fault);
      const { results, completed } = await (await open({})).readAll();
      expect(completed).toBe(true);
      const all = events(results);
      expect(all.map((e) => e.__typename)).toEqual([
        'GenerationDelta',
        'GenerationDelta',
        'GenerationDelta',
        'GenerationFailed',
      ]);
      const failed = all.at(-1)!;
      expect(failed.code).toBe('PROVIDER_STREAM_INTERRUPTED');
      expect(failed.generation).toMatchObject({
        text: 'word0 word1 word2 ',
        finishReason: 'INTERRUPTED',
        chargeStatus: 'CHARGED',
      });
      const usage = failed.generation!.usage;
      expect(usage.outputTokens).toBeGreaterThanOrEqual(3);
      expect(failed.generation!.cost).toBe(costOf(usage));
      expect(emulator.requests).toHaveLength(1);
    },
  );

  it('falls back before the first token', async () => {
    const broken = await emulated.deployments.deploy('stream-broken', {
      emulator: { faultEvery: { status: 500 } },
    });
    const alias = await emulated.deployments.route('stream-fallback', 'FALLBACK', [
      broken,
      { emulator, modelId: model, providerId: 'stream-a' },
    ]);
    const { results } = await (await open({ model: alias })).readAll();
    const all = events(results);
    const completed = all.at(-1)!;
    expect(completed.__typename).toBe('GenerationCompleted');
    expect(completed.generation!.attempts.map((a) => [a.model.id, a.outcome])).toEqual([
      [broken.modelId, 'FAILED'],
      [broken.modelId, 'FAILED'],
      [model, 'SUCCEEDED'],
    ]);
    expect(broken.emulator.requests).toHaveLength(2);
    expect(emulator.requests).toHaveLength(1);
  });

  it('replays a finished stream for a retry with its idempotency key, without a provider call', async () => {
    const input = { idempotencyKey: `stream-${mode}` };
    const first = events((await (await open(input)).readAll()).results);
    const again = events((await (await open(input)).readAll()).results);
    expect(emulator.requests).toHaveLength(1);
    const original = first.at(-1)!.generation!;
    expect(again.map((e) => e.__typename)).toEqual(['GenerationDelta', 'GenerationCompleted']);
    expect(again[0]!.text).toBe(original.text);
    expect(again[0]!.outputTokens).toBe(original.usage.outputTokens);
    expect(again.at(-1)!.generation).toEqual(original);
  });

  it('keeps a charged partial run for its key: CONFLICT while it runs, replayed after', async () => {
    emulator.configure({ reply: LONG_REPLY, chunkDelayMs: 100 });
    const input = { idempotencyKey: `partial-${mode}` };
    const first = await open(input);
    expect((await first.nextResult())!.data!.generateStream.__typename).toBe('GenerationDelta');
    const running = await (await open(input)).readAll();
    expect(running.results[0]!.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT' });
    first.close();
    const replayed = await eventually(
      'the partial run is kept for its key',
      async () => {
        const again = events((await (await open(input)).readAll()).results);
        return again.at(-1)?.generation?.finishReason === 'CANCELLED' ? again : undefined;
      },
      { timeoutMs: 10_000 },
    );
    expect(replayed.map((e) => e.__typename)).toEqual(['GenerationDelta', 'GenerationCompleted']);
    expect(replayed.at(-1)!.generation).toMatchObject({ chargeStatus: 'CHARGED' });
    expect(emulator.requests).toHaveLength(1);
  });

  it('settles the tokens per day with the real count, not the reserved worst case', async () => {
    const limit = 100_000;
    await setQuota({ tokensPerDay: limit });
    try {
      const { results } = await (await open({ maxTokens: 4_000 })).readAll();
      const { usage } = events(results).at(-1)!.generation!;
      const status = expectNoErrors(
        await emulated.team.call(TOKENS_PER_DAY, { t: emulated.team.teamId }),
      ).team.rateLimitStatus.tokensPerDay!;
      const used = limit - status.remaining;
      // The window refills while we look, so `used` may be a little less than the real count,
      // but never near the 4,000 tokens reserved.
      expect(used).toBeGreaterThan(0);
      expect(used).toBeLessThanOrEqual(usage.inputTokens + usage.outputTokens);
    } finally {
      await setQuota({});
    }
  });

  it('refuses with PROVIDER_ERROR when no provider opens the stream, nothing charged', async () => {
    const before = await latestEntry();
    emulator.failNext({ status: 500 }, { status: 500 });
    const { results, completed } = await (await open({ maxTokens: 7 })).readAll();
    expect(completed).toBe(true);
    expect(results).toHaveLength(1);
    expect(results[0]!.errors?.[0]?.extensions).toMatchObject({
      code: 'PROVIDER_ERROR',
      attempts: [
        expect.objectContaining({ outcome: 'FAILED', httpStatus: 500 }),
        expect.objectContaining({ outcome: 'FAILED', httpStatus: 500 }),
      ],
    });
    expect(emulator.requests).toHaveLength(2);
    // The call's slice of the lease went back to it: no new ledger entry at all.
    expect(await latestEntry()).toEqual(before);
  });

  it("refuses a stream over the team's maxConcurrentStreams, shows it open in rateLimitStatus, and takes one again once a stream ends", async () => {
    const setStreams = (n: number | null) => setQuota({ maxConcurrentStreams: n });
    const openStreams = async () =>
      expectNoErrors(await emulated.team.call(OPEN_STREAMS, { t: emulated.team.teamId })).team
        .rateLimitStatus.concurrentStreams;
    expect(await openStreams()).toBeNull();
    await setStreams(1);
    try {
      expect(await openStreams()).toEqual({ limit: 1, open: 0, remaining: 1 });
      emulator.configure({ reply: LONG_REPLY, chunkDelayMs: 100 });
      const first = await open({});
      expect((await first.nextResult())!.data!.generateStream.__typename).toBe('GenerationDelta');
      expect(await openStreams()).toEqual({ limit: 1, open: 1, remaining: 0 });
      const refused = await (await open({})).readAll();
      expect(refused.results).toHaveLength(1);
      expect(refused.results[0]!.errors?.[0]?.extensions).toMatchObject({
        code: 'RATE_LIMITED',
        quotaField: 'maxConcurrentStreams',
      });
      expect(emulator.requests).toHaveLength(1);
      first.close();
      await eventually(
        'a stream is let through once the first has ended',
        async () => {
          const next = await open({ maxTokens: 2 });
          const { results } = await next.readAll();
          return results.at(-1)?.data?.generateStream.__typename === 'GenerationCompleted'
            ? true
            : undefined;
        },
        { timeoutMs: 10_000 },
      );
      expect(await openStreams()).toEqual({ limit: 1, open: 0, remaining: 1 });
    } finally {
      await setStreams(null);
    }
  });

  it('ends a stream whose provider goes silent past the idle timeout, delivered charged', async () => {
    // The suite's idle timeout is 2 s; the emulator waits 3 s after each word.
    emulator.configure({ reply: 'slow words here', chunkDelayMs: 3_000 });
    const { results, completed } = await (await open({})).readAll();
    expect(completed).toBe(true);
    const all = events(results);
    expect(all.map((e) => e.__typename)).toEqual(['GenerationDelta', 'GenerationFailed']);
    expect(all[1]!.code).toBe('PROVIDER_STREAM_INTERRUPTED');
    expect(all[1]!.generation).toMatchObject({ text: 'slow ', finishReason: 'INTERRUPTED' });
    expect(all[1]!.generation!.cost).toBe(costOf(all[1]!.generation!.usage));
  });

  it('sends heartbeats while nothing else is ready', async () => {
    // The suite's heartbeat is 100 ms; the provider answers after 500.
    emulator.configure({ latencyMs: 500 });
    const response = await fetch(emulated.stack.subgraphUrls.inference!, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        [INTERNAL_TOKEN_HEADER]: await emulated.stack.internalToken(invoker),
      },
      body: JSON.stringify({
        query: STREAM,
        variables: { i: { model, messages: [{ role: 'USER', content: PROMPT }] } },
      }),
    });
    const body = await response.text();
    expect(body.indexOf(':\n\n')).toBeGreaterThanOrEqual(0);
    expect(body.indexOf(':\n\n')).toBeLessThan(body.indexOf('event: next'));
    expect(body.endsWith('event: complete\ndata:\n\n')).toBe(true);
  });

  it.each([
    ['a document that does not parse', 'subscription {', 'GRAPHQL_PARSE_FAILED'],
    [
      'an invalid document',
      'subscription { generateStream { nope } }',
      'GRAPHQL_VALIDATION_FAILED',
    ],
    ['a query', '{ __typename }', 'BAD_REQUEST'],
  ])('answers %s with 400 and a coded error', async (_name, query, code) => {
    const stream = await subscribeOverSse(
      emulated.stack.subgraphUrls.inference!,
      await emulated.stack.internalToken(invoker),
      query,
    );
    expect(stream.status).toBe(400);
    const { errors } = stream.refusal as { errors: Array<{ extensions: { code: string } }> };
    expect(errors.length).toBeGreaterThan(0);
    expect(new Set(errors.map((e) => e.extensions.code))).toEqual(new Set([code]));
  });

  it('answers 401 without an internal token', async () => {
    const stream = await subscribeOverSse(emulated.stack.subgraphUrls.inference!, 'forged', STREAM);
    expect(stream.status).toBe(401);
  });

  it('exports open and settled streams, and times streams apart, on /metrics', async () => {
    const scrape = async () =>
      (await fetch(emulated.stack.subgraphUrls.inference!.replace('/graphql', '/metrics'))).text();
    const openNow = async () => seriesValue(await scrape(), 'inference_open_streams', {});
    expect((await (await open({})).readAll()).completed).toBe(true);
    emulator.configure({ reply: LONG_REPLY, chunkDelayMs: 100 });
    const stream = await open({});
    expect((await stream.nextResult())!.data!.generateStream.__typename).toBe('GenerationDelta');
    expect(await openNow()).toBe(1);
    stream.close();
    await eventually(
      'the left stream is settled',
      async () => ((await openNow()) === 0 ? true : undefined),
      { timeoutMs: 10_000 },
    );
    const metrics = await scrape();
    const settled = (finishReason: string) =>
      seriesValue(metrics, 'inference_streams_total', { model, finish_reason: finishReason });
    expect(settled('STOP')).toBeGreaterThanOrEqual(1);
    expect(settled('CANCELLED')).toBeGreaterThanOrEqual(1);
    // Each stream is one HTTP request under its own route label: 499 when the client left.
    const streamRequests = (status: string) =>
      seriesValue(metrics, 'modelgraph_http_request_duration_seconds_count', {
        route: '/graphql (stream)',
        status,
      });
    expect(streamRequests('200')).toBeGreaterThanOrEqual(1);
    expect(streamRequests('499')).toBeGreaterThanOrEqual(1);
    // And one operation, timed to its start.
    expect(
      seriesValue(metrics, 'modelgraph_graphql_operation_duration_seconds_count', {
        operation: 'anonymous',
        outcome: 'ok',
      }),
    ).toBeGreaterThanOrEqual(2);
  });

  it('ends open streams when the server stops: a started one delivered charged, one still opening SERVICE_UNAVAILABLE with nothing charged', async () => {
    emulator.configure({ reply: LONG_REPLY, chunkDelayMs: 100 });
    const stream = await open({});
    expect((await stream.nextResult())!.data!.generateStream.__typename).toBe('GenerationDelta');
    // The second stream's provider never answers: it is still opening when the server stops.
    emulator.failNext({ timeout: true });
    const opening = await open({ maxTokens: 9 });
    await eventually('the second stream reached its provider', () => emulator.requests[1], {
      timeoutMs: 5_000,
    });
    const usageBefore = recording.lines.filter((l) => l.event === 'usage').length;
    const stopping = emulated.stack.stopSubgraph('inference');
    const [{ results, completed }, refused] = await Promise.all([
      stream.readAll(),
      opening.readAll(),
    ]);
    await stopping;
    expect(completed).toBe(true);
    const last = events(results).at(-1)!;
    expect(last.__typename).toBe('GenerationFailed');
    expect(last.code).toBe('SERVICE_UNAVAILABLE');
    expect(last.generation!.finishReason).toBe('INTERRUPTED');
    expect(last.generation!.cost).toBe(costOf(last.generation!.usage));
    expect(last.generation!.usage.outputTokens).toBeLessThan(40);

    expect(refused.completed).toBe(true);
    expect(refused.results).toHaveLength(1);
    expect(refused.results[0]!.errors?.map((e) => e.extensions?.code)).toEqual([
      'SERVICE_UNAVAILABLE',
    ]);
    // Its provider request was stopped, not left to the emulator's hang.
    expect(emulator.requests[1]!.closedAt).toBeDefined();
    // The started stream is the newest charge: the one still opening was charged nothing.
    expect(await latestEntry()).toMatchObject({ kind: 'SPEND', amount: last.generation!.cost });
    // One usage event, the started stream's: the one still opening used nothing.
    const usageAfter = recording.lines.filter((l) => l.event === 'usage').slice(usageBefore);
    expect(usageAfter.map((l) => l.finishReason)).toEqual(['INTERRUPTED']);
  });
});
