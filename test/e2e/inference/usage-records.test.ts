import { expectErrorCode, expectNoErrors } from '../../support/graphql-client.js';
import { startEmulatedStack, type EmulatedStack } from '../../support/emulated-deployments.js';
import { createCallingTeam, GENERATE, type CallingTeam } from '../../support/inference-setup.js';
import { TEST_ADMIN_KEY } from '../../support/stack.js';
import { subscribeWithSse } from '../../support/stream-clients.js';
import { STORE_MODES } from '../../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../../support/timeouts.js';
import { typed } from '../../support/typed-document.js';

interface Stats {
  requests: number;
  inputTokens: number;
  cost: string;
  latencyMs: { p50: number; p99: number } | null;
  timeToFirstTokenMs: { p50: number } | null;
}
interface Report {
  totals: Stats;
  series: Array<{
    group: { modelId: string | null; apiKeyId: string | null; outcome: string | null };
    totals: Stats;
    points: Array<{ start: string; stats: Stats }>;
  }>;
}

const STATS = 'requests inputTokens cost latencyMs { p50 p99 } timeToFirstTokenMs { p50 }';
const USAGE = typed<{ usage: Report }, Record<string, unknown>>(
  `query($team: ID, $from: DateTime!, $to: DateTime!, $g: UsageGranularity!, $by: [UsageDimension!]!) {
    usage(teamId: $team, from: $from, to: $to, granularity: $g, groupBy: $by) {
      totals { ${STATS} }
      series { group { modelId apiKeyId outcome } totals { ${STATS} } points { start stats { ${STATS} } } }
    } }`,
);
const EMBED = typed<{ embed: { cost: string } }, { m: string; t: string[] }>(
  `mutation($m: ID!, $t: [String!]!) { embed(input: { model: $m, texts: $t }) { cost } }`,
);
const STREAM = `subscription($i: GenerateInput!) { generateStream(input: $i) {
  __typename ... on GenerationCompleted { generation { cost } } } }`;

const DAY = 86_400_000;
const midnight = (ms: number) => new Date(Math.floor(ms / DAY) * DAY).toISOString();

describe.each(STORE_MODES)('usage records and the usage query (%s stores)', (mode) => {
  let emulated: EmulatedStack;
  let team: CallingTeam;
  let other: CallingTeam;
  let chatModel: string;
  let embedModel: string;
  const costs: bigint[] = [];
  // Two whole UTC days around now: calls made near midnight still fall inside.
  const range = { from: midnight(Date.now() - DAY), to: midnight(Date.now() + DAY) };
  const ask = (content: string, extra: Record<string, unknown> = {}) => ({
    i: { model: chatModel, messages: [{ role: 'USER', content }], maxTokens: 16, ...extra },
  });

  beforeAll(async () => {
    emulated = await startEmulatedStack(mode, { team: 'Usage A' });
    team = emulated.team;
    other = await createCallingTeam(emulated.stack, { name: 'Usage B' });
    chatModel = (await emulated.deployments.deploy('usage-chat')).modelId;
    embedModel = (
      await emulated.deployments.deploy('usage-embed', {
        capability: 'EMBEDDING',
        maxBatchSize: 64,
      })
    ).modelId;
    const failing = await emulated.deployments.deploy('usage-broken', {
      emulator: { faultEvery: { status: 500 } },
    });

    const paid = async (p: Promise<{ body: { data?: { generate: { cost: string } } | null } }>) =>
      costs.push(BigInt((await p).body.data!.generate.cost));
    // A provider's answer, then the same deterministic call from the cache.
    await paid(team.call(GENERATE, ask('Count to three', { temperature: 0 })));
    const cached = expectNoErrors(
      await team.call(GENERATE, ask('Count to three', { temperature: 0 })),
    );
    expect(cached.generate.cached).toBe(true);
    // An idempotent retry gets the stored answer: the same call, not a second one.
    await paid(team.call(GENERATE, ask('Once only', { idempotencyKey: 'usage-once' })));
    expectNoErrors(await team.call(GENERATE, ask('Once only', { idempotencyKey: 'usage-once' })));
    // Failed at the provider, and refused before any provider.
    expectErrorCode(
      await team.call(GENERATE, {
        i: { model: failing.modelId, messages: [{ role: 'USER', content: 'x' }], maxTokens: 4 },
      }),
      'PROVIDER_ERROR',
    );
    expectErrorCode(
      await team.call(GENERATE, {
        i: { model: 'no-such/model', messages: [{ role: 'USER', content: 'x' }] },
      }),
      'NOT_FOUND',
    );
    const stream = subscribeWithSse(emulated.stack.url, team.key, STREAM, ask('Stream it'));
    await stream.ended;
    const completed = stream.outcomes.at(-1)?.data as {
      generateStream: { generation: { cost: string } };
    };
    costs.push(BigInt(completed.generateStream.generation.cost));
    const embedded = expectNoErrors(await team.call(EMBED, { m: embedModel, t: ['a', 'b c'] }));
    costs.push(BigInt(embedded.embed.cost));
  }, STACK_START_TIMEOUT_MS);
  afterAll(() => emulated?.stop());

  const usage = (token: string, variables: Record<string, unknown>) =>
    emulated.stack.request(USAGE, { token, variables: { ...range, ...variables } });

  it('keeps exactly one record per call that reached the saga, each with its outcome', async () => {
    const { rows } = await emulated.stack.dbs.inference.query<{
      kind: string;
      outcome: string;
      cached: boolean;
      n: string;
    }>(
      `SELECT kind, outcome, cached, count(*) AS n FROM usage_records WHERE team_id = $1
       GROUP BY kind, outcome, cached ORDER BY kind, outcome, cached`,
      [team.teamId],
    );
    expect(rows.map((r) => [r.kind, r.outcome, r.cached, Number(r.n)])).toEqual([
      ['CHAT', 'FAILED', false, 1],
      ['CHAT', 'REFUSED', false, 1],
      ['CHAT', 'SUCCEEDED', false, 2],
      ['CHAT', 'SUCCEEDED', true, 1],
      ['EMBEDDING', 'SUCCEEDED', false, 1],
      ['STREAM', 'SUCCEEDED', false, 1],
    ]);
  });

  it('reports the team’s calls by outcome and model, with what was charged and percentiles', async () => {
    const byOutcome = expectNoErrors(
      await usage(team.key, { team: team.teamId, g: 'DAY', by: ['OUTCOME'] }),
    ).usage;
    expect(byOutcome.totals.requests).toBe(7);
    expect(BigInt(byOutcome.totals.cost)).toBe(costs.reduce((a, b) => a + b, 0n));
    expect(byOutcome.totals.latencyMs!.p99).toBeGreaterThanOrEqual(byOutcome.totals.latencyMs!.p50);
    expect(byOutcome.totals.timeToFirstTokenMs).not.toBeNull();
    expect(
      Object.fromEntries(byOutcome.series.map((s) => [s.group.outcome, s.totals.requests])),
    ).toEqual({ SUCCEEDED: 5, FAILED: 1, REFUSED: 1 });

    const byModel = expectNoErrors(
      await usage(team.key, { team: team.teamId, g: 'HOUR', by: ['MODEL', 'API_KEY'] }),
    ).usage;
    const embedSeries = byModel.series.find((s) => s.group.modelId === embedModel)!;
    expect(embedSeries.group.apiKeyId).toBe(team.keyId);
    expect(embedSeries.totals).toMatchObject({ requests: 1, timeToFirstTokenMs: null });
    expect(embedSeries.points[0]!.start).toMatch(/:00:00(\.000)?Z$/);
    const chat = byModel.series.find((s) => s.group.modelId === chatModel)!;
    expect(chat.totals.requests).toBe(4);
    expect(chat.points.reduce((n, p) => n + p.stats.requests, 0)).toBe(4);
  });

  it('org-wide for organization admins, from whichever rollup a groupBy reads', async () => {
    const byModel = expectNoErrors(await usage(TEST_ADMIN_KEY, { g: 'DAY', by: ['MODEL'] })).usage;
    const byKey = expectNoErrors(await usage(TEST_ADMIN_KEY, { g: 'DAY', by: ['API_KEY'] })).usage;
    expect(byModel.totals.requests).toBe(7);
    expect(byKey.totals).toEqual(byModel.totals);
    expect(byKey.series.map((s) => s.group.apiKeyId)).toEqual([team.keyId]);
    // By key and user from the principal rollups, by key and model from every team's rows: the
    // same calls whichever table a groupBy reads.
    for (const by of [['USER'], ['API_KEY', 'USER'], ['API_KEY', 'MODEL']]) {
      const report = expectNoErrors(await usage(TEST_ADMIN_KEY, { g: 'HOUR', by })).usage;
      expect([by, report.totals]).toEqual([by, byModel.totals]);
    }
    const teamB = expectNoErrors(
      await usage(TEST_ADMIN_KEY, { team: other.teamId, g: 'DAY', by: [] }),
    );
    expect(teamB.usage).toMatchObject({ totals: { requests: 0, latencyMs: null }, series: [] });
  });

  it('another team’s usage, or the organization’s, is FORBIDDEN to a team’s key', async () => {
    expectErrorCode(await usage(other.key, { team: team.teamId, g: 'DAY', by: [] }), 'FORBIDDEN');
    expectErrorCode(await usage(other.key, { g: 'DAY', by: [] }), 'FORBIDDEN');
    expectErrorCode(await usage(team.key, { g: 'DAY', by: ['API_KEY'] }), 'FORBIDDEN');
    expectErrorCode(await usage(team.key, { g: 'DAY', by: ['USER'] }), 'FORBIDDEN');
  });

  it('refuses empty, misaligned and too long ranges with BAD_USER_INPUT', async () => {
    const ask = (variables: Record<string, unknown>) =>
      usage(team.key, { team: team.teamId, by: [], ...variables });
    expectErrorCode(await ask({ g: 'DAY', to: range.from }), 'BAD_USER_INPUT');
    expectErrorCode(await ask({ g: 'HOUR', from: '2026-12-01T10:30:00Z' }), 'BAD_USER_INPUT');
    expectErrorCode(await ask({ g: 'DAY', from: '2026-12-01T10:00:00Z' }), 'BAD_USER_INPUT');
    expectErrorCode(await ask({ g: 'HOUR', from: '2026-01-01T00:00:00Z' }), 'BAD_USER_INPUT');
  });
});
