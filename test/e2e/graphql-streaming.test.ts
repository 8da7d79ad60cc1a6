import {
  startEmulatedStack,
  type Deployment,
  type EmulatedStack,
} from '../support/emulated-deployments.js';
import { eventually } from '../support/eventually.js';
import {
  subscribeWithApollo,
  subscribeWithSse,
  type StreamOutcome,
  type StreamRecording,
  type Subscribe,
} from '../support/stream-clients.js';
import { STORE_MODES } from '../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../support/timeouts.js';

const STREAM = `subscription Stream($i: GenerateInput!) {
  generateStream(input: $i) {
    __typename
    ... on GenerationDelta { generationId text }
    ... on GenerationCompleted {
      generation { id text finishReason cost usage { inputTokens outputTokens } }
    }
    ... on GenerationFailed { code message generation { text finishReason cost } }
  }
}`;

/** Twelve words, one streamed delta each, `CHUNK_DELAY_MS` apart: a client can leave mid-reply. */
const REPLY = 'one two three four five six seven eight nine ten eleven twelve';
const CHUNK_DELAY_MS = 100;
const WAIT = { timeoutMs: 20_000, intervalMs: 20 };

type Event = {
  __typename: string;
  text?: string;
  code?: string;
  generation?: Record<string, unknown>;
};
const eventOf = (outcome: StreamOutcome) =>
  (outcome.data as { generateStream?: Event } | undefined)?.generateStream;
const deltas = (recording: StreamRecording) =>
  recording.outcomes.map(eventOf).filter((e) => e?.__typename === 'GenerationDelta');

const clients: Array<[string, Subscribe]> = [
  ['@apollo/client (multipart)', subscribeWithApollo],
  ['graphql-sse', subscribeWithSse],
];

describe.each(STORE_MODES)('GraphQL subscriptions through the gateway (%s stores)', (mode) => {
  let emulated: EmulatedStack;
  let streamer: Deployment;
  let asked = 0;
  /** A fresh prompt each time, so no answer is shared or cached. */
  const ask = (extra: Record<string, unknown> = {}) => ({
    i: {
      model: streamer.modelId,
      messages: [{ role: 'USER', content: `Count for me, please (${++asked})` }],
      maxTokens: 50,
      ...extra,
    },
  });
  const url = () => emulated.stack.url;
  const key = () => emulated.team.key;
  const lastRequest = () => streamer.emulator.requests.at(-1)!;

  beforeAll(async () => {
    emulated = await startEmulatedStack(mode, { team: 'Streaming callers' });
    streamer = await emulated.deployments.deploy('streamer', {
      emulator: { reply: REPLY, chunkDelayMs: CHUNK_DELAY_MS },
    });
  }, STACK_START_TIMEOUT_MS);
  afterAll(() => emulated?.stop());

  describe.each(clients)('%s', (_name, subscribe) => {
    it('receives deltas as the provider writes them, then GenerationCompleted with usage and cost', async () => {
      const before = streamer.emulator.requests.length;
      const recording = subscribe(url(), key(), STREAM, ask());
      await eventually(
        'a first delta',
        () => (deltas(recording).length > 0 ? true : undefined),
        WAIT,
      );
      // The provider is still writing: the delta was relayed, not buffered to the end.
      expect(streamer.emulator.requests).toHaveLength(before + 1);
      expect(lastRequest().closedAt).toBeUndefined();
      await recording.ended;
      const events = recording.outcomes.map(eventOf);
      expect(recording.outcomes.filter((o) => o.errors || o.thrown)).toEqual([]);
      const last = events.at(-1)!;
      expect(last.__typename).toBe('GenerationCompleted');
      const generation = last.generation as {
        text: string;
        finishReason: string;
        cost: string;
        usage: { inputTokens: number; outputTokens: number };
      };
      expect(
        deltas(recording)
          .map((d) => d!.text)
          .join(''),
      ).toBe(generation.text);
      expect(generation.text.trim()).toBe(REPLY);
      expect(generation.finishReason).toBe('STOP');
      expect(generation.usage.outputTokens).toBeGreaterThan(0);
      expect(BigInt(generation.cost)).toBeGreaterThan(0n);
      // Timed apart from /graphql's plain requests.
      const metrics = await (await fetch(`${emulated.stack.gatewayBase}/metrics`)).text();
      expect(metrics).toMatch(
        /modelgraph_http_request_duration_seconds_count\{[^}]*route="\/graphql \(stream\)",status="200"[^}]*\} [1-9]/,
      );
    });

    it('answers a call without a key as unauthenticated, and never calls the provider', async () => {
      const before = streamer.emulator.requests.length;
      const recording = subscribe(url(), undefined, STREAM, ask());
      await recording.ended;
      expect(recording.outcomes).toHaveLength(1);
      expect(recording.outcomes[0]!.thrown?.message ?? '').toMatch(/401/);
      expect(streamer.emulator.requests).toHaveLength(before);
    });

    it('refuses an unknown field with a validation error at once', async () => {
      const recording = subscribe(
        url(),
        key(),
        'subscription($i: GenerateInput!) { generateStream(input: $i) { ... on GenerationDelta { nonsense } } }',
        ask(),
      );
      await recording.ended;
      expect(codes(recording)).toContain('GRAPHQL_VALIDATION_FAILED');
    });

    it('refuses a field of another subgraph, saying subscriptions are served by inference alone', async () => {
      const before = streamer.emulator.requests.length;
      const recording = subscribe(
        url(),
        key(),
        `subscription($i: GenerateInput!) { generateStream(input: $i) {
          ... on GenerationCompleted { generation { model { displayName } } } } }`,
        ask(),
      );
      await recording.ended;
      expect(codes(recording)).toContain('GRAPHQL_VALIDATION_FAILED');
      expect(messages(recording)).toMatch(/served by the inference subgraph alone/);
      expect(streamer.emulator.requests).toHaveLength(before);
    });

    it('applies the operation limits (aliases)', async () => {
      const aliases = Array.from({ length: 31 }, (_, n) => `a${n}: text`).join(' ');
      const recording = subscribe(
        url(),
        key(),
        `subscription($i: GenerateInput!) { generateStream(input: $i) { ... on GenerationDelta { ${aliases} } } }`,
        ask(),
      );
      await recording.ended;
      expect(codes(recording)).toContain('GRAPHQL_VALIDATION_FAILED');
    });

    it('closes the provider call as soon as the client leaves', async () => {
      const recording = subscribe(url(), key(), STREAM, ask());
      await eventually(
        'a first delta',
        () => (deltas(recording).length > 0 ? true : undefined),
        WAIT,
      );
      const request = lastRequest();
      recording.stop();
      await eventually('the provider call closed', () => request.closedAt, WAIT);
      // Closed by us before the emulator had written every word (however slow the machine).
      expect(request.answered).toBe(false);
    });
  });

  it('tells a client that sent a subscription as plain JSON which Accept headers to use', async () => {
    const response = await fetch(url(), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        authorization: `Bearer ${key()}`,
      },
      body: JSON.stringify({ query: STREAM, variables: ask() }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as {
      errors: Array<{ message: string; extensions: { code: string } }>;
    };
    expect(body.errors[0]!.extensions.code).toBe('BAD_REQUEST');
    expect(body.errors[0]!.message).toMatch(
      /multipart\/mixed;subscriptionSpec="1.0".*text\/event-stream/,
    );
  });

  it('still answers queries sent with a streaming Accept header', async () => {
    const response = await fetch(url(), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream, application/json',
        authorization: `Bearer ${key()}`,
      },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('speaks both wire formats as written: SSE over GET (as curl sends it) and multipart', async () => {
    const authorization = `Bearer ${key()}`;
    const search = new URLSearchParams({ query: STREAM, variables: JSON.stringify(ask()) });
    const sse = await fetch(`${url()}?${search}`, {
      headers: { accept: 'text/event-stream', authorization, 'x-request-id': 'wire-format-sse' },
    });
    expect(sse.status).toBe(200);
    expect(sse.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(sse.headers.get('x-request-id')).toBe('wire-format-sse');
    const text = await sse.text();
    expect(text.startsWith(':\n\n')).toBe(true);
    expect(text).toMatch(
      /^event: next\ndata: \{"data":\{"generateStream":\{"__typename":"GenerationDelta"/m,
    );
    expect(text.endsWith('event: complete\ndata:\n\n')).toBe(true);

    const multipart = await fetch(url(), {
      method: 'POST',
      headers: {
        accept: 'multipart/mixed;subscriptionSpec="1.0", application/json',
        'content-type': 'application/json',
        authorization,
      },
      body: JSON.stringify({ query: STREAM, variables: ask() }),
    });
    expect(multipart.headers.get('content-type')).toBe(
      'multipart/mixed;boundary="graphql";subscriptionSpec="1.0"',
    );
    const parts = (await multipart.text()).split('\r\n--graphql');
    expect(parts[0]).toBe('');
    expect(parts.at(-1)).toBe('--\r\n');
    const payloads = parts.slice(1, -1).map((part) => {
      const [head, json] = part.split('\r\n\r\n');
      expect(head).toBe('\r\ncontent-type: application/json');
      return JSON.parse(json!) as { payload?: { data: { generateStream: Event } } };
    });
    expect(payloads[0]).toEqual({});
    expect(payloads.at(-1)!.payload!.data.generateStream.__typename).toBe('GenerationCompleted');
  });

  // Last: it stops this stack's gateway.
  it('gateway stop ends open streams of both protocols with a terminal SERVICE_UNAVAILABLE', async () => {
    streamer.emulator.configure({ chunkDelayMs: 500 });
    const open = clients.map(([, subscribe]) => subscribe(url(), key(), STREAM, ask()));
    await eventually(
      'a first delta on each stream',
      () => (open.every((r) => deltas(r).length > 0) ? true : undefined),
      WAIT,
    );
    await emulated.stack.gateway.stop();
    await Promise.all(open.map((r) => r.ended));
    for (const recording of open) {
      expect(codes(recording)).toContain('SERVICE_UNAVAILABLE');
      expect(
        recording.outcomes.map(eventOf).some((e) => e?.__typename === 'GenerationCompleted'),
      ).toBe(false);
    }
  });
});

function codes(recording: StreamRecording): string[] {
  return recording.outcomes.flatMap((o) => [
    ...(o.errors ?? []).map((e) => e.code ?? ''),
    ...(o.thrown?.codes ?? []),
  ]);
}

function messages(recording: StreamRecording): string {
  return recording.outcomes
    .flatMap((o) => [...(o.errors ?? []).map((e) => e.message), o.thrown?.message ?? ''])
    .join('\n');
}
