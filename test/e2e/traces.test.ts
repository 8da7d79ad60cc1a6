import { Writable } from 'node:stream';
import { context, propagation, trace } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  NodeTracerProvider,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-node';
import { createLogger } from '../../lib/logging.js';
import {
  startEmulatedStack,
  type Deployment,
  type EmulatedStack,
} from '../support/emulated-deployments.js';
import { eventually } from '../support/eventually.js';
import { expectNoErrors } from '../support/graphql-client.js';
import { GENERATE } from '../support/inference-documents.js';
import { STORE_MODES } from '../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../support/timeouts.js';

// Real stores when this run has them: Redis commands only have spans on a real Redis.
const mode = STORE_MODES.includes('real') ? 'real' : 'embedded';
const REQUEST_ID = 'traced-0123456789abcdef';
const SETTLED = { timeoutMs: 10_000, intervalMs: 20 };

const serviceOf = (span: ReadableSpan) => span.attributes['modelgraph.service'];
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

/**
 * One paid chat call through the real gateway is one trace: every service runs in this process
 * (as under `npm start`), so one in-memory exporter sees the spans of all of them, linked only by
 * the trace context each call carries (the services' own HTTP entry extracts it).
 */
describe(`one trace per request (${mode} stores)`, () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const lines: Array<Record<string, unknown>> = [];
  let platform: EmulatedStack;
  let deployment: Deployment;
  let spans: ReadableSpan[];
  let root: ReadableSpan;

  beforeAll(async () => {
    provider.register();
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    platform = await startEmulatedStack(mode, {
      team: 'Traced',
      logger: createLogger({ service: 'test', level: 'debug', destination: sink }),
    });
    deployment = await platform.deployments.deploy('traced-openai');
    // The team's first paid call: inference takes a credit lease from the wallet for it.
    const answer = expectNoErrors(
      await platform.stack.request(GENERATE, {
        token: platform.team.key,
        variables: {
          i: {
            model: deployment.modelId,
            messages: [{ role: 'USER', content: 'Hello there' }],
            maxTokens: 20,
          },
        },
        headers: { 'x-request-id': REQUEST_ID },
      }),
    );
    expect(answer.generate.chargeStatus).toBe('CHARGED');
  }, STACK_START_TIMEOUT_MS);

  afterAll(async () => {
    await platform?.stop();
    await provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });

  it('starts at the gateway and reaches inference, policy and wallet, each a child of its caller', async () => {
    root = await eventually(
      'the gateway span of the call',
      () =>
        exporter
          .getFinishedSpans()
          .find(
            (s) =>
              s.attributes['modelgraph.request_id'] === REQUEST_ID && serviceOf(s) === 'gateway',
          ),
      SETTLED,
    );
    expect(parentOf(root)).toBeUndefined();
    const traceId = root.spanContext().traceId;
    // Subgraphs may finish their spans after the gateway has answered, and a span ends before
    // its parent does: wait until every span but the gateway's has its parent in the trace.
    spans = await eventually(
      'the spans of inference, policy and wallet, each with its parent',
      () => {
        const mine = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
        const ids = new Set(mine.map((s) => s.spanContext().spanId));
        const services = new Set(mine.map(serviceOf));
        const whole = mine.every((s) => s === root || ids.has(parentOf(s)!));
        const reached = ['inference', 'policy', 'wallet'].every((s) => services.has(s));
        return whole && reached ? mine : undefined;
      },
      SETTLED,
    );
    const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    // One root: the gateway's server span.
    const roots = spans.filter((s) => !byId.has(parentOf(s)!));
    expect(roots.map((s) => s.spanContext().spanId)).toEqual([root.spanContext().spanId]);
    const ancestors = (span: ReadableSpan) => {
      const chain: ReadableSpan[] = [];
      for (let at = byId.get(parentOf(span)!); at; at = byId.get(parentOf(at)!)) chain.push(at);
      return chain;
    };
    const server = (service: string) =>
      spans.filter((s) => serviceOf(s) === service && s.attributes['http.route'] === '/graphql');
    const [inference] = server('inference');
    expect(ancestors(inference!).map((s) => s.name)).toEqual(
      expect.arrayContaining(['gateway.fetch', 'gateway.execute', 'gateway.request', root.name]),
    );
    // Policy (the access check) and wallet (the credit lease) are called by inference.
    for (const callee of ['policy', 'wallet']) {
      const [span] = server(callee).filter((s) => ancestors(s).includes(inference!));
      expect(span).toBeDefined();
    }
  });

  it('has a GenAI client span for the provider call, whose context the provider got', () => {
    const chat = spans.find((s) => s.attributes['gen_ai.operation.name'] === 'chat');
    expect(chat).toBeDefined();
    const [sent] = deployment.emulator.requests;
    const model = (sent?.body as { model?: unknown } | undefined)?.model;
    expect(chat!.attributes).toMatchObject({
      'gen_ai.provider.name': 'openai',
      'gen_ai.system': 'openai',
      'gen_ai.request.model': model,
      // The emulator answers with the model it was asked for.
      'gen_ai.response.model': model,
      'gen_ai.request.max_tokens': 20,
      'gen_ai.response.finish_reasons': ['stop'],
      'modelgraph.provider.id': 'traced-openai',
    });
    expect(chat!.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
    expect(chat!.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    // Inside inference's request, and the provider's request carried the span as its parent.
    const inference = spans.find((s) => serviceOf(s) === 'inference');
    expect(inference).toBeDefined();
    expect(chat!.spanContext().traceId).toBe(root.spanContext().traceId);
    const { traceId, spanId } = chat!.spanContext();
    expect(sent?.headers.traceparent).toBe(`00-${traceId}-${spanId}-01`);
  });

  it('has spans for the statements and commands the call ran', () => {
    const systems = new Set(spans.map((s) => s.attributes['db.system.name']));
    expect(systems).toContain(mode === 'real' ? 'postgresql' : 'pglite');
    if (mode === 'real') expect(systems).toContain('redis');
    // Statements carry their text with placeholders, never their parameters.
    const statements = spans.filter((s) => s.attributes['db.query.text']);
    expect(JSON.stringify(statements.map((s) => s.attributes))).not.toContain('Hello there');
  });

  it('writes the trace id on the log lines of the request', async () => {
    const traceId = root.spanContext().traceId;
    const logged = await eventually(
      'inference logged the request',
      () => {
        const mine = lines.filter((l) => l.requestId === REQUEST_ID);
        return mine.some((l) => l.service === 'inference') ? mine : undefined;
      },
      SETTLED,
    );
    for (const line of logged) expect(line.traceId).toBe(traceId);
  });
});
