import { readFileSync } from 'node:fs';
import type { Fetcher } from '@apollo/utils.fetcher';
import { Supergraph } from '@apollo/federation-internals';
import { Histogram, Registry } from 'prom-client';
import { createErrorFormatter } from '../../lib/errors.js';
import { INTERNAL_TOKEN_HEADER } from '../../lib/auth/internal-token.js';
import type { Principal } from '../../lib/auth/principal.js';
import { createRecordingLogger } from '../../test/support/recording-logger.js';
import { orgAdmin, teamKey } from '../../test/support/identities.js';
import type { GatewayContext } from '../context.js';
import type { AnsweredOperation } from '../plugins/audit-report.js';
import { DEFAULT_OPERATION_LIMITS, operationLimits } from '../plugins/operation-limits.js';
import { createDirectRunner } from './direct-runner.js';
import { OpenAiError } from './errors.js';
import { CHAT, MODELS, SINGLE_SUBGRAPH_OPERATIONS } from './operations.js';
import { rejectionOf } from '../../test/support/thrown.js';

const sdl = readFileSync(new URL('../../schema/supergraph.graphql', import.meta.url), 'utf8');
const apiSchema = Supergraph.build(sdl).apiSchema().toGraphQLJSSchema();
const INFERENCE_URL = 'http://inference.test/graphql';

const input = {
  model: 'local/echo-chat',
  messages: [{ role: 'USER', content: 'Hello' }],
  maxTokens: 8,
};
const generation = {
  id: 'gen-1',
  model: { id: 'local/echo-chat' },
  text: 'Echo: Hello',
  toolCalls: [],
  finishReason: 'STOP',
  usage: { inputTokens: 3, outputTokens: 3, totalTokens: 6 },
  createdAt: '2026-12-08T00:00:00.000Z',
};

interface Sent {
  url: string;
  headers: Record<string, string>;
  body: { query: string; variables: Record<string, unknown>; operationName: string };
}

/** A runner over the committed supergraph whose inference answers `answer` (or throws). */
function setup(
  answer: () => Response | Promise<Response>,
  principal: Principal = teamKey('t1', ['models:invoke'] as never),
) {
  const registry = new Registry();
  const histogram = (name: string, labelNames: string[]) =>
    new Histogram({ name, help: name, labelNames, registers: [registry] });
  const sent: Sent[] = [];
  const recorded: unknown[] = [];
  const audited: AnsweredOperation[] = [];
  const fallbacks: string[] = [];
  const log = createRecordingLogger();
  const fetcher = (async (url: string, init: RequestInit) => {
    sent.push({
      url,
      headers: init.headers as Record<string, string>,
      body: JSON.parse(String(init.body)) as Sent['body'],
    });
    return answer();
  }) as unknown as Fetcher;
  const runner = createDirectRunner({
    operations: SINGLE_SUBGRAPH_OPERATIONS,
    fallback: async (_context, query) => {
      fallbacks.push(query);
      return { fromApollo: true } as never;
    },
    limits: operationLimits(DEFAULT_OPERATION_LIMITS, { production: true }),
    subgraphUrl: (name) => (name === 'inference' ? INFERENCE_URL : undefined),
    fetcher,
    formatError: createErrorFormatter({ production: true }),
    fetchDuration: histogram('fetch_seconds', ['subgraph', 'operation']) as never,
    operationDuration: histogram('operation_seconds', ['operation', 'outcome']) as never,
    usage: { record: (operation) => void recorded.push(operation) },
    audit: (operation) => void audited.push(operation),
  });
  runner.useSupergraph({ apiSchema, coreSupergraphSdl: sdl });
  const context: GatewayContext = {
    principal,
    requestId: 'req-1',
    logger: log.logger,
    internalToken: async () => 'internal-token',
    operationLabel: 'unresolved',
  };
  const operations = async () =>
    (await registry.getSingleMetric('operation_seconds')!.get()).values.filter(
      (v) => (v as { metricName?: string }).metricName === 'operation_seconds_count',
    );
  return { runner, context, sent, recorded, audited, fallbacks, log, operations };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

async function refusal(promise: Promise<unknown>): Promise<OpenAiError> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(OpenAiError);
  return error as OpenAiError;
}

describe('the direct runner of /v1 operations', () => {
  it('sends a chat completion to inference with the internal token, counts and times it', async () => {
    const s = setup(() => json({ data: { generate: generation } }));
    const data = await s.runner.run<{ generate: typeof generation }>(s.context, CHAT, { input });
    expect(data.generate).toEqual(generation);
    expect(s.sent).toHaveLength(1);
    expect(s.sent[0]!.url).toBe(INFERENCE_URL);
    expect(s.sent[0]!.headers[INTERNAL_TOKEN_HEADER]).toBe('internal-token');
    expect(s.sent[0]!.headers['x-request-id']).toBe('req-1');
    expect(s.sent[0]!.body).toEqual({
      query: CHAT,
      variables: { input },
      operationName: 'OpenAiChatCompletion',
    });
    expect(s.recorded).toHaveLength(1);
    expect(s.context.operationLabel).toBe('OpenAiChatCompletion');
    expect(await s.operations()).toEqual([
      expect.objectContaining({
        labels: { operation: 'OpenAiChatCompletion', outcome: 'ok' },
        value: 1,
      }),
    ]);
    expect(s.fallbacks).toEqual([]);
  });

  it('leaves an operation that needs several subgraphs to Apollo', async () => {
    const s = setup(() => json({}));
    expect(await s.runner.run(s.context, MODELS, {})).toEqual({ fromApollo: true });
    expect(s.sent).toEqual([]);
  });

  it('refuses what the API schema refuses before any fetch: an inaccessible input field, a NUL byte', async () => {
    const s = setup(() => json({ data: { generate: generation } }));
    const hidden = await refusal(
      s.runner.run(s.context, CHAT, {
        input: { ...input, flowStep: { runId: 'r', stepKey: 'k' } },
      }),
    );
    expect(hidden.status).toBe(400);
    expect(hidden.message).toMatch(/flowStep/);
    const nul = await refusal(
      s.runner.run(s.context, CHAT, {
        input: { ...input, messages: [{ role: 'USER', content: 'a\u0000b' }] },
      }),
    );
    expect(nul.status).toBe(400);
    expect(nul.message).toMatch(/NUL byte/);
    expect(s.sent).toEqual([]);
    expect(s.recorded).toEqual([]);
  });

  it('answers the subgraph’s coded refusal, and audits a FORBIDDEN', async () => {
    const s = setup(() =>
      json({
        data: null,
        errors: [
          {
            message: 'No access to this team.',
            path: ['generate'],
            extensions: { code: 'FORBIDDEN' },
          },
        ],
      }),
    );
    const error = await refusal(s.runner.run(s.context, CHAT, { input }));
    expect(error.status).toBe(403);
    expect(error.message).toBe('No access to this team.');
    expect(s.audited).toEqual([
      expect.objectContaining({
        requestId: 'req-1',
        operationName: 'OpenAiChatCompletion',
        errors: [expect.objectContaining({ extensions: { code: 'FORBIDDEN' } })],
      }),
    ]);
    expect(await s.operations()).toEqual([
      expect.objectContaining({ labels: { operation: 'OpenAiChatCompletion', outcome: 'error' } }),
    ]);
  });

  it('hands an admin’s successful mutation to the audit', async () => {
    const s = setup(() => json({ data: { generate: generation } }), orgAdmin());
    await s.runner.run(s.context, CHAT, { input });
    expect(s.audited).toEqual([
      expect.objectContaining({ principal: expect.objectContaining({ kind: orgAdmin().kind }) }),
    ]);
    expect(s.audited[0]!.operation?.operation).toBe('mutation');
  });

  it('masks a fault in production and logs it; an unreachable or broken subgraph is unavailable', async () => {
    const fault = setup(() =>
      json({
        errors: [{ message: 'secret detail', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
      }),
    );
    const masked = await refusal(fault.runner.run(fault.context, CHAT, { input }));
    expect(masked.status).toBe(500);
    expect(masked.message).not.toMatch(/secret/);
    expect(fault.log.errors()).toEqual([expect.objectContaining({ msg: 'operation error' })]);

    const down = setup(() => Promise.reject(new TypeError('fetch failed')));
    expect((await refusal(down.runner.run(down.context, CHAT, { input }))).status).toBe(503);
    const broken = setup(() => new Response('<html>bad gateway</html>', { status: 502 }));
    expect((await refusal(broken.runner.run(broken.context, CHAT, { input }))).status).toBe(503);
    expect(await broken.operations()).toEqual([
      expect.objectContaining({ labels: { operation: 'OpenAiChatCompletion', outcome: 'fault' } }),
    ]);
  });
});
