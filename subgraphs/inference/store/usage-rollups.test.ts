import { runMigrations, type Db } from '../../../lib/db/index.js';
import { createTestDatabase, type TestDatabase } from '../../../test/support/stores.js';
import { STORE_MODES } from '../../../test/support/test-env.js';
import { prepareInferenceStore } from '../server.js';
import { inferenceMigrations } from './migrations.js';
import { createUsageRollups, rollupTableFor, type UsageDimension } from './usage-rollups.js';
import {
  bucketStart,
  createUsageRows,
  rollupUpsertSql,
  type UsageGrain,
  type UsageOutcome,
  type UsageRecord,
} from './usage-rows.js';

const DAY = 86_400_000;
const START = new Date('2026-12-04T00:00:00Z').getTime();
const DIMENSIONS: UsageDimension[] = ['MODEL', 'API_KEY', 'USER', 'OUTCOME'];
/** Every groupBy the API offers: each subset of the four dimensions. */
const GROUP_BYS = Array.from({ length: 16 }, (_, mask) =>
  DIMENSIONS.filter((_, i) => mask & (1 << i)),
);
const OUTCOMES: UsageOutcome[] = ['SUCCEEDED', 'FAILED', 'CANCELLED', 'REFUSED'];

/**
 * Records over three days for three teams: each by one of the team's two keys or one of two
 * people, and `user:both` in two teams (a person's org-wide series merges them).
 */
function records(count: number): UsageRecord[] {
  let seed = 7;
  const next = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed % n;
  };
  return Array.from({ length: count }, (_, i) => {
    const team = `team-${next(3)}`;
    const who = next(4);
    const user = who === 3 ? 'user:both' : `user:${team}-${who}`;
    return {
      callId: `call-${i}`,
      teamId: team,
      apiKeyId: who < 2 ? `${team}-key-${who}` : null,
      userId: who < 2 ? null : user,
      kind: i % 3 === 0 ? 'STREAM' : 'CHAT',
      route: `m${next(3)}`,
      modelId: `m${next(3)}`,
      providerId: 'p1',
      priceVersion: 1,
      inputTokens: next(500),
      outputTokens: next(300),
      cost: BigInt(next(100_000)),
      latencyMs: next(4000),
      ttftMs: i % 3 === 0 ? next(500) : null,
      outcome: OUTCOMES[next(4)]!,
      cached: false,
      requestId: `req-${i}`,
      createdAt: new Date(START + next(3 * DAY)),
    };
  });
}

const DIMENSION_OF: Record<UsageDimension, (r: UsageRecord) => string | null> = {
  MODEL: (r) => r.modelId,
  API_KEY: (r) => r.apiKeyId,
  USER: (r) => r.userId,
  OUTCOME: (r) => r.outcome,
};

/** What a report must say, worked out from the records alone: per bucket and group. */
function expected(all: UsageRecord[], grain: UsageGrain, teamId: string | null, by: string[]) {
  const sums = new Map<string, [number, number, number, bigint, number]>();
  for (const r of all.filter((r) => teamId === null || r.teamId === teamId)) {
    const group = (by as UsageDimension[]).map((d) => DIMENSION_OF[d](r));
    const key = JSON.stringify([bucketStart(r.createdAt, grain).toISOString(), ...group]);
    const s = sums.get(key) ?? [0, 0, 0, 0n, 0];
    sums.set(key, [
      s[0] + 1,
      s[1] + r.inputTokens,
      s[2] + r.outputTokens,
      s[3] + r.cost,
      s[4] + (r.ttftMs === null ? 0 : 1),
    ]);
  }
  return [...sums].sort(([a], [b]) => a.localeCompare(b));
}

/** Folds every queued record (what a report's catch-up does); returns how many. */
async function foldQueued(db: Db): Promise<number> {
  let total = 0;
  for (let n = -1; n !== 0; total += n) n = await createUsageRows(db).fold(1000, true);
  return total;
}

const readRollups = (db: Db) => createUsageRollups(db, () => foldQueued(db).then(() => undefined));

async function reported(db: Db, grain: UsageGrain, teamId: string | null, by: UsageDimension[]) {
  const points = await readRollups(db).points({
    grain,
    teamId,
    from: new Date(START),
    to: new Date(START + 3 * DAY),
    groupBy: by,
  });
  const column = { MODEL: 'modelId', API_KEY: 'apiKeyId', USER: 'userId', OUTCOME: 'outcome' };
  return points
    .map((p) => {
      const group = by.map((d) => p[column[d] as 'modelId']);
      const { requests, inputTokens, outputTokens, cost, latency, ttft } = p.sums;
      // Every call is in exactly one latency bucket; streams in one TTFT bucket.
      expect(latency.reduce((a, b) => a + b, 0)).toBe(requests);
      const ttfts = ttft.reduce((a, b) => a + b, 0);
      return [
        JSON.stringify([p.bucket.toISOString(), ...group]),
        [requests, inputTokens, outputTokens, cost, ttfts],
      ] as [string, [number, number, number, bigint, number]];
    })
    .sort(([a], [b]) => a.localeCompare(b));
}

describe('the table a usage report reads', () => {
  it('org-wide: by model or outcome the org rollups, by key or user the principal rollups', () => {
    const org = (groupBy: UsageDimension[]) => rollupTableFor({ teamId: null, groupBy });
    expect(org([])).toBe('usage_org_rollups');
    expect(org(['MODEL', 'OUTCOME'])).toBe('usage_org_rollups');
    expect(org(['API_KEY'])).toBe('usage_principal_rollups');
    expect(org(['USER', 'API_KEY'])).toBe('usage_principal_rollups');
    expect(org(['API_KEY', 'MODEL'])).toBe('usage_team_rollups');
    expect(rollupTableFor({ teamId: 't', groupBy: ['API_KEY'] })).toBe('usage_team_rollups');
  });
});

describe.each(STORE_MODES)('usage rollups against the records (%s database)', (mode) => {
  let database: TestDatabase;
  let db: Db;
  beforeEach(async () => {
    database = await createTestDatabase(mode);
    db = await database.open('inference');
  }, 60_000);
  afterEach(() => database.drop());

  it('every groupBy, team and org-wide, hourly and daily, sums and counts the records', async () => {
    await prepareInferenceStore(db);
    const all = records(600);
    const rows = createUsageRows(db);
    // In batches, one of them repeated: a second write of a call adds nothing.
    for (let i = 0; i < all.length; i += 150) await rows.insert(all.slice(i, i + 150));
    expect(await rows.insert(all.slice(0, 150))).toBe(0);
    for (const grain of ['HOUR', 'DAY'] as const) {
      for (const teamId of ['team-1', null]) {
        for (const by of GROUP_BYS) {
          const want = expected(all, grain, teamId, by);
          expect([grain, teamId, by, await reported(db, grain, teamId, by)]).toEqual([
            grain,
            teamId,
            by,
            want,
          ]);
        }
      }
    }
    // Totals only (perBucket false): one row per group, the sum of its buckets.
    for (const by of GROUP_BYS) {
      const perBucket = await reported(db, 'DAY', null, by);
      const totals = new Map<string, bigint>();
      for (const [key, [requests]] of perBucket) {
        const group = JSON.stringify(JSON.parse(key).slice(1));
        totals.set(group, (totals.get(group) ?? 0n) + BigInt(requests));
      }
      const whole = await readRollups(db).points({
        grain: 'DAY',
        teamId: null,
        from: new Date(START),
        to: new Date(START + 3 * DAY),
        groupBy: by,
        perBucket: false,
      });
      const column = { MODEL: 'modelId', API_KEY: 'apiKeyId', USER: 'userId', OUTCOME: 'outcome' };
      expect(
        new Map(
          whole.map((p) => [
            JSON.stringify(by.map((d) => p[column[d] as 'modelId'])),
            BigInt(p.sums.requests),
          ]),
        ),
      ).toEqual(totals);
    }
    // A person in two teams is one org-wide series.
    const both = (await reported(db, 'DAY', null, ['USER'])).filter(([k]) =>
      k.includes('user:both'),
    );
    expect(both.map(([, s]) => s[0]).reduce((a, b) => a + b, 0)).toBe(
      all.filter((r) => r.userId === 'user:both').length,
    );
  });

  it('pruning records past retention leaves every rollup, the principal ones too', async () => {
    await prepareInferenceStore(db);
    const all = records(200);
    const rows = createUsageRows(db);
    await rows.insert(all);
    // Records still queued for the rollups are kept: they would be lost from every report.
    expect(await rows.pruneRecords(new Date(START + 3 * DAY))).toBe(0);
    const before = await reported(db, 'DAY', null, ['API_KEY', 'USER']);
    expect(await rows.pruneRecords(new Date(START + 3 * DAY))).toBe(all.length);
    expect(await reported(db, 'DAY', null, ['API_KEY', 'USER'])).toEqual(before);
    expect(await reported(db, 'HOUR', 'team-2', ['MODEL', 'USER'])).toEqual(
      expected(all, 'HOUR', 'team-2', ['MODEL', 'USER']),
    );
  });

  it('a record is in the rollups once it is folded, exactly once under concurrent folds', async () => {
    await prepareInferenceStore(db);
    const all = records(900);
    const rows = createUsageRows(db);
    await Promise.all([0, 300, 600].map((i) => rows.insert(all.slice(i, i + 300))));
    const sum = async (table: string) =>
      Number(
        (await db.query<{ n: string | null }>(`SELECT sum(requests) AS n FROM ${table}`)).rows[0]!
          .n ?? 0,
      );
    // Nothing is added before a fold (the path's statement only queues).
    expect(await sum('usage_team_rollups')).toBe(0);
    // Six folders of 40 at a time, as replicas would (each skipping the others' records), then
    // one that waits for any still running, as a report does.
    const skipping = async () => {
      let taken = 0;
      for (let n = -1; n !== 0; taken += n) n = await rows.fold(40);
      return taken;
    };
    const taken = await Promise.all([...Array.from({ length: 6 }, skipping), foldQueued(db)]);
    expect(taken.reduce((a, b) => a + b, 0)).toBe(all.length);
    const queued = await db.query<{ n: string }>('SELECT count(*) AS n FROM usage_rollup_pending');
    expect(Number(queued.rows[0]!.n)).toBe(0);
    // Hour and day rows: every record twice in each table.
    for (const table of ['usage_team_rollups', 'usage_org_rollups', 'usage_principal_rollups']) {
      expect([table, await sum(table)]).toEqual([table, 2 * all.length]);
    }
    expect(await reported(db, 'HOUR', 'team-1', ['MODEL', 'API_KEY'])).toEqual(
      expected(all, 'HOUR', 'team-1', ['MODEL', 'API_KEY']),
    );
    // A record written again is not queued again.
    expect(await rows.insert(all.slice(0, 10))).toBe(0);
    expect(await foldQueued(db)).toBe(0);
  });

  it('a waiting fold returns only after a fold holding records has committed them', async () => {
    await prepareInferenceStore(db);
    // The first 250 by call id on the first day, the rest on the third: the two folds below
    // share no rollup row, so only the queue's row locks can make the second one wait.
    const all = records(400).map((r, i) => ({
      ...r,
      callId: `${i < 250 ? 'a' : 'b'}-${i}`,
      createdAt: new Date(START + (i < 250 ? 0 : 2 * DAY) + (i % 24) * 3_600_000),
    }));
    const rows = createUsageRows(db);
    await rows.insert(all);
    // A fold in a transaction kept open holds its 250 records; the embedded store has one
    // connection and queues the waiting fold behind the transaction, as PostgreSQL's locks do.
    let held!: () => void;
    const holding = new Promise<void>((resolve) => (held = resolve));
    let commit!: () => void;
    const committing = new Promise<void>((resolve) => (commit = resolve));
    const holder = db.transaction(async (tx) => {
      const taken = await createUsageRows(tx).fold(250);
      held();
      await committing;
      return taken;
    });
    await holding;
    let waited: number | undefined;
    const waiting = foldQueued(db).then((n) => (waited = n));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(waited).toBeUndefined();
    commit();
    expect(await holder).toBe(250);
    await waiting;
    expect(waited).toBe(150);
    expect(await reported(db, 'DAY', null, [])).toEqual(expected(all, 'DAY', null, []));
  });

  it('migration 004 fills the principal rollups from the team rollups already there', async () => {
    await runMigrations(db, inferenceMigrations.slice(0, 2));
    const all = records(200);
    await db.query(
      `INSERT INTO usage_records SELECT * FROM json_populate_recordset(null::usage_records, $1)`,
      [
        JSON.stringify(
          all.map((r) => ({
            call_id: r.callId,
            team_id: r.teamId,
            api_key_id: r.apiKeyId,
            user_id: r.userId,
            kind: r.kind,
            route: r.route,
            model_id: r.modelId,
            provider_id: r.providerId,
            price_version: r.priceVersion,
            input_tokens: r.inputTokens,
            output_tokens: r.outputTokens,
            cost: r.cost.toString(),
            latency_ms: r.latencyMs,
            ttft_ms: r.ttftMs,
            outcome: r.outcome,
            cached: r.cached,
            request_id: r.requestId,
            created_at: r.createdAt.toISOString(),
          })),
        ),
      ],
    );
    for (const grain of ['HOUR', 'DAY'] as const) {
      await db.query(rollupUpsertSql('usage_records', grain, 'team'));
    }
    await prepareInferenceStore(db);
    for (const grain of ['HOUR', 'DAY'] as const) {
      expect(await reported(db, grain, null, ['API_KEY'])).toEqual(
        expected(all, grain, null, ['API_KEY']),
      );
    }
  });
});
