import type { Queryable } from '../../../lib/db/index.js';
import { BUCKET_BOUNDS_MS, type Histogram } from '../service/usage/histogram.js';

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
  /** The team prompt the call rendered; absent or null when it named none (decision 98). */
  promptId?: string | null;
  promptVersion?: number | null;
  /** A flow step's run hold and step key; absent or null for any other call (decision 100). */
  flowHoldId?: string | null;
  flowStepKey?: string | null;
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
  'prompt_id',
  'prompt_version',
  'flow_hold_id',
  'flow_step_key',
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
  r.promptId ?? null,
  r.promptVersion ?? null,
  r.flowHoldId ?? null,
  r.flowStepKey ?? null,
];

/** The start of the hour or UTC day `at` falls in. */
export function bucketStart(at: Date, grain: UsageGrain): Date {
  const d = new Date(at);
  d.setUTCMinutes(0, 0, 0);
  if (grain === 'DAY') d.setUTCHours(0);
  return d;
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

// Whole ms fall in bucket i when they pass i bounds (histogram.ts's bucketOf): width_bucket
// counts the thresholds at or below the value.
const THRESHOLDS = `ARRAY[${BUCKET_BOUNDS_MS.filter(Number.isFinite)
  .map((bound) => bound + 1)
  .join(', ')}]`;
const histogramOf = (column: string) =>
  BUCKET_BOUNDS_MS.map(
    (_, i) => `count(*) FILTER (WHERE width_bucket(${column}, ${THRESHOLDS}) = ${i})`,
  );

/** The measures of the usage_records rows of one group, in MEASURE_COLUMNS' order. */
export const RECORD_MEASURES = [
  'count(*)',
  'sum(input_tokens)',
  'sum(output_tokens)',
  'sum(cost)',
  ...histogramOf('latency_ms'),
  ...histogramOf('ttft_ms'),
].join(', ');

/** The rollup tables: their keys (grain and bucket first, '' for no key or no user). */
export type RollupScope = 'team' | 'org' | 'principal';
const ROLLUPS: Record<
  RollupScope,
  { table: string; keys: string[]; select: (b: string) => string }
> = {
  team: {
    table: 'usage_team_rollups',
    keys: ['grain', 'team_id', 'bucket', 'model_id', 'api_key_id', 'user_id', 'outcome'],
    select: (b) =>
      `team_id, ${b}, model_id, coalesce(api_key_id, ''), coalesce(user_id, ''), outcome`,
  },
  org: {
    table: 'usage_org_rollups',
    keys: ['grain', 'bucket', 'model_id', 'outcome'],
    select: (b) => `${b}, model_id, outcome`,
  },
  principal: {
    table: 'usage_principal_rollups',
    keys: ['grain', 'bucket', 'api_key_id', 'user_id'],
    select: (b) => `${b}, coalesce(api_key_id, ''), coalesce(user_id, '')`,
  },
};

/**
 * `INSERT ... SELECT` of the rollup rows of `scope` at `grain` made from the records in `source`
 * (a table or CTE with usage_records' columns), adding to rows already there.
 */
export function rollupUpsertSql(source: string, grain: UsageGrain, scope: RollupScope) {
  const { table, keys, select } = ROLLUPS[scope];
  const bucket = `date_trunc('${grain.toLowerCase()}', created_at, 'UTC')`;
  const add = MEASURE_COLUMNS.map((c) => `${c} = t.${c} + excluded.${c}`).join(', ');
  const positions = keys
    .slice(1)
    .map((_, i) => i + 2)
    .join(', ');
  // In key order: concurrent folds (replicas, or a report's beside a replica's) lock shared
  // rollup rows in the same order, so they wait for each other instead of deadlocking.
  return `INSERT INTO ${table} AS t (${keys.join(', ')}, ${MEASURE_COLUMNS.join(', ')})
    SELECT '${grain}', ${select(bucket)}, ${RECORD_MEASURES} FROM ${source}
    GROUP BY ${positions} ORDER BY ${positions}
    ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${add}`;
}

const TYPES = [
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'integer',
  'bigint',
  'bigint',
  'bigint',
  'integer',
  'integer',
  'text',
  'boolean',
  'text',
  'timestamptz',
  'text',
  'integer',
  'text',
  'text',
];
/**
 * One statement (one round trip, atomic without a transaction): the records not there yet are
 * inserted, each with a row in usage_rollup_pending, which the rollup folder turns into rollups
 * later (decision 105). The records come as one array per column, so every batch size sends the
 * same text, which the driver prepares once per connection (planning it is most of its cost).
 */
const INSERT_SQL = `WITH v AS (
    SELECT * FROM unnest(${TYPES.map((type, i) => `$${i + 1}::${type}[]`).join(', ')})
    AS v (${COLUMNS.join(', ')})),
  fresh AS (
    INSERT INTO usage_records (${COLUMNS.join(', ')}) SELECT * FROM v
    ON CONFLICT (call_id) DO NOTHING RETURNING call_id),
  pending AS (INSERT INTO usage_rollup_pending SELECT call_id FROM fresh)
  SELECT count(*) AS inserted FROM fresh`;

/**
 * One statement: up to $1 pending records are taken (their pending rows deleted) and added to the
 * six rollups (team, org and principal; hour and day), so a record is added once whichever
 * replica folds it. `wait` false skips records another fold has locked; true waits for that fold
 * to commit (whose records are then gone from the queue).
 */
const foldSql = (wait: boolean) => `WITH taken AS (
    DELETE FROM usage_rollup_pending WHERE call_id IN (
      SELECT call_id FROM usage_rollup_pending ORDER BY call_id LIMIT $1
      FOR UPDATE${wait ? '' : ' SKIP LOCKED'})
    RETURNING call_id),
  fresh AS (SELECT r.* FROM usage_records r JOIN taken USING (call_id)),
  team_hour AS (${rollupUpsertSql('fresh', 'HOUR', 'team')}),
  team_day AS (${rollupUpsertSql('fresh', 'DAY', 'team')}),
  org_hour AS (${rollupUpsertSql('fresh', 'HOUR', 'org')}),
  org_day AS (${rollupUpsertSql('fresh', 'DAY', 'org')}),
  principal_hour AS (${rollupUpsertSql('fresh', 'HOUR', 'principal')}),
  principal_day AS (${rollupUpsertSql('fresh', 'DAY', 'principal')})
  SELECT count(*) AS folded FROM taken`;
const FOLD_SKIPPING_SQL = foldSql(false);
const FOLD_WAITING_SQL = foldSql(true);

/** The usage tables' writes (store/migrations.ts 002, 003, 005 and 006). */
export function createUsageRows(db: Queryable) {
  return {
    /** Inserts `records` not there yet, each queued for the rollups; returns how many. */
    async insert(records: UsageRecord[]): Promise<number> {
      if (records.length === 0) return 0;
      const values = records.map(valuesOf);
      const { rows } = await db.query<{ inserted: string }>(
        INSERT_SQL,
        COLUMNS.map((_, c) => values.map((row) => row[c])),
      );
      return Number(rows[0]!.inserted);
    },

    /**
     * Adds up to `most` queued records to the rollups and takes them off the queue; returns how
     * many. `wait`: also those another fold is adding now, once it commits (see foldSql).
     */
    async fold(most: number, wait = false): Promise<number> {
      const { rows } = await db.query<{ folded: string }>(
        wait ? FOLD_WAITING_SQL : FOLD_SKIPPING_SQL,
        [most],
      );
      return Number(rows[0]!.folded);
    },

    /**
     * Deletes raw records older than `before` that are in the rollups (rollups are kept); returns
     * how many.
     */
    async pruneRecords(before: Date): Promise<number> {
      const { rowCount } = await db.query(
        `DELETE FROM usage_records r WHERE created_at < $1
         AND NOT EXISTS (SELECT 1 FROM usage_rollup_pending p WHERE p.call_id = r.call_id)`,
        [before],
      );
      return rowCount;
    },
  };
}
