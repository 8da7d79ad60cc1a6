import type { Queryable } from '../../../lib/db/index.js';
import {
  BUCKET_BOUNDS_MS,
  bucketOf,
  emptyHistogram,
  type Histogram,
} from '../service/usage/histogram.js';

export type UsageOutcome = 'SUCCEEDED' | 'FAILED' | 'CANCELLED' | 'REFUSED';
export type UsageKind = 'CHAT' | 'STREAM' | 'EMBEDDING';
export type UsageGrain = 'HOUR' | 'DAY';

/** One call that reached the saga, as usage_records keeps it. */
export interface UsageRecord {
  /** The generation's id, or the call's own: a second write of one call is a no-op. */
  callId: string;
  teamId: string;
  apiKeyId: string | null;
  userId: string | null;
  kind: UsageKind;
  route: string;
  modelId: string;
  /** The provider (deployment) that answered; null when none did. */
  providerId: string | null;
  priceVersion: number | null;
  inputTokens: number;
  outputTokens: number;
  /** µcr the call was priced at (what the saga asked the ledger for). */
  cost: bigint;
  latencyMs: number;
  /** Streams only: the first delta's delay. */
  ttftMs: number | null;
  outcome: UsageOutcome;
  cached: boolean;
  requestId: string;
  createdAt: Date;
}

/** Sums and histograms of some calls: what a rollup row holds. */
export interface UsageSums {
  requests: number;
  inputTokens: number;
  outputTokens: number;
  cost: bigint;
  latency: Histogram;
  ttft: Histogram;
}

const COLUMNS = [
  'call_id',
  'team_id',
  'api_key_id',
  'user_id',
  'kind',
  'route',
  'model_id',
  'provider_id',
  'price_version',
  'input_tokens',
  'output_tokens',
  'cost',
  'latency_ms',
  'ttft_ms',
  'outcome',
  'cached',
  'request_id',
  'created_at',
];

const valuesOf = (r: UsageRecord) => [
  r.callId,
  r.teamId,
  r.apiKeyId,
  r.userId,
  r.kind,
  r.route,
  r.modelId,
  r.providerId,
  r.priceVersion,
  r.inputTokens,
  r.outputTokens,
  r.cost.toString(),
  Math.round(r.latencyMs),
  r.ttftMs === null ? null : Math.round(r.ttftMs),
  r.outcome,
  r.cached,
  r.requestId,
  r.createdAt,
];

/** `n` rows of `width` placeholders each: ($1, $2), ($3, $4), ... */
function placeholders(n: number, width: number, casts: Record<number, string> = {}) {
  return Array.from(
    { length: n },
    (_, row) =>
      `(${Array.from({ length: width }, (_, c) => `$${row * width + c + 1}${casts[c] ?? ''}`).join(', ')})`,
  ).join(', ');
}

/** The start of the hour or UTC day `at` falls in. */
export function bucketStart(at: Date, grain: UsageGrain): Date {
  const d = new Date(at);
  d.setUTCMinutes(0, 0, 0);
  if (grain === 'DAY') d.setUTCHours(0);
  return d;
}

const emptySums = (): UsageSums => ({
  requests: 0,
  inputTokens: 0,
  outputTokens: 0,
  cost: 0n,
  latency: emptyHistogram(),
  ttft: emptyHistogram(),
});

function addRecord(sums: UsageSums, r: UsageRecord) {
  sums.requests += 1;
  sums.inputTokens += r.inputTokens;
  sums.outputTokens += r.outputTokens;
  sums.cost += r.cost;
  sums.latency[bucketOf(r.latencyMs)]! += 1;
  if (r.ttftMs !== null) sums.ttft[bucketOf(r.ttftMs)]! += 1;
}

/** Groups `records` by `keyOf` (sorted keys: concurrent writers lock rollup rows in one order). */
function groupSums(records: UsageRecord[], keyOf: (r: UsageRecord) => unknown[]) {
  const groups = new Map<string, { key: unknown[]; sums: UsageSums }>();
  for (const r of records) {
    const key = keyOf(r);
    const id = JSON.stringify(key);
    let group = groups.get(id);
    if (!group) groups.set(id, (group = { key, sums: emptySums() }));
    addRecord(group.sums, r);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, g]) => g);
}

/** A rollup row's measure columns: sums, then one column per latency and TTFT bucket. */
export const MEASURE_COLUMNS = [
  'requests',
  'input_tokens',
  'output_tokens',
  'cost',
  ...BUCKET_BOUNDS_MS.map((_, i) => `lat_${i}`),
  ...BUCKET_BOUNDS_MS.map((_, i) => `ttft_${i}`),
];
const ADD_MEASURES = MEASURE_COLUMNS.map((c) => `${c} = t.${c} + excluded.${c}`).join(', ');
const measuresOf = (s: UsageSums) => [
  s.requests,
  s.inputTokens,
  s.outputTokens,
  s.cost.toString(),
  ...s.latency,
  ...s.ttft,
];

async function upsertRollups(
  tx: Queryable,
  table: 'usage_team_rollups' | 'usage_org_rollups',
  keyColumns: string[],
  groups: Array<{ key: unknown[]; sums: UsageSums }>,
) {
  const width = keyColumns.length + MEASURE_COLUMNS.length;
  const casts = { [keyColumns.indexOf('bucket')]: '::timestamptz' };
  await tx.query(
    `INSERT INTO ${table} AS t (${keyColumns.join(', ')}, ${MEASURE_COLUMNS.join(', ')})
     VALUES ${placeholders(groups.length, width, casts)}
     ON CONFLICT (${keyColumns.join(', ')}) DO UPDATE SET ${ADD_MEASURES}`,
    groups.flatMap((g) => [...g.key, ...measuresOf(g.sums)]),
  );
}

const GRAINS: UsageGrain[] = ['HOUR', 'DAY'];

/** The usage tables' writes (store/migrations.ts 002). */
export function createUsageRows(db: Queryable) {
  return {
    /**
     * Inserts `records` that are not there yet and adds exactly those to the hourly and daily
     * rollups; run it in one transaction so a record and its rollups are written together.
     */
    async insert(records: UsageRecord[]): Promise<number> {
      if (records.length === 0) return 0;
      const { rows } = await db.query<{ call_id: string }>(
        `INSERT INTO usage_records (${COLUMNS.join(', ')})
         VALUES ${placeholders(records.length, COLUMNS.length)}
         ON CONFLICT (call_id) DO NOTHING RETURNING call_id`,
        records.flatMap(valuesOf),
      );
      const inserted = new Set(rows.map((r) => r.call_id));
      const fresh = records.filter((r) => inserted.has(r.callId));
      if (fresh.length === 0) return 0;
      for (const grain of GRAINS) {
        const team = groupSums(fresh, (r) => [
          grain,
          r.teamId,
          bucketStart(r.createdAt, grain).toISOString(),
          r.modelId,
          r.apiKeyId ?? '',
          r.userId ?? '',
          r.outcome,
        ]);
        await upsertRollups(
          db,
          'usage_team_rollups',
          ['grain', 'team_id', 'bucket', 'model_id', 'api_key_id', 'user_id', 'outcome'],
          team,
        );
        const org = groupSums(fresh, (r) => [
          grain,
          bucketStart(r.createdAt, grain).toISOString(),
          r.modelId,
          r.outcome,
        ]);
        await upsertRollups(
          db,
          'usage_org_rollups',
          ['grain', 'bucket', 'model_id', 'outcome'],
          org,
        );
      }
      return fresh.length;
    },

    /** Deletes raw records older than `before` (rollups are kept); returns how many. */
    async pruneRecords(before: Date): Promise<number> {
      const { rowCount } = await db.query('DELETE FROM usage_records WHERE created_at < $1', [
        before,
      ]);
      return rowCount;
    },
  };
}
