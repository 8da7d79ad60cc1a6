import type { Queryable } from '../../../lib/db/index.js';
import { BUCKET_BOUNDS_MS } from '../service/usage/histogram.js';
import {
  MEASURE_COLUMNS,
  type UsageGrain,
  type UsageOutcome,
  type UsageSums,
} from './usage-rows.js';

export type UsageDimension = 'MODEL' | 'API_KEY' | 'USER' | 'OUTCOME';

/** What a report reads: one team's rollups, or every team's (`teamId` null). */
export interface RollupQuery {
  grain: UsageGrain;
  teamId: string | null;
  from: Date;
  to: Date;
  groupBy: UsageDimension[];
  /** Points read at most (the report refuses one that has more). @default all */
  limit?: number;
  /**
   * False: one point per group for the whole range (its `bucket` the first bucket it has), for a
   * report whose client asked only for totals. @default true
   */
  perBucket?: boolean;
}

/** One bucket of one group: the sums of every rollup row it merges. */
export interface RollupPoint {
  bucket: Date;
  modelId: string | null;
  apiKeyId: string | null;
  userId: string | null;
  outcome: UsageOutcome | null;
  sums: UsageSums;
}

const COLUMN_OF: Record<UsageDimension, string> = {
  MODEL: 'model_id',
  API_KEY: 'api_key_id',
  USER: 'user_id',
  OUTCOME: 'outcome',
};

/** The narrow org-wide rollups, with the dimensions each holds (store/migrations.ts). */
const ORG_WIDE_TABLES: ReadonlyArray<[string, readonly UsageDimension[]]> = [
  ['usage_org_rollups', ['MODEL', 'OUTCOME']],
  ['usage_principal_rollups', ['API_KEY', 'USER']],
];

/**
 * The table a report reads: a team's own rows; org-wide, the first narrow table that holds every
 * dimension asked for; else every team's rows (a key or user crossed with a model or outcome,
 * whose groups are about as many as those rows: decision 96).
 */
export function rollupTableFor(q: Pick<RollupQuery, 'teamId' | 'groupBy'>): string {
  if (q.teamId !== null) return 'usage_team_rollups';
  const narrow = ORG_WIDE_TABLES.find(([, held]) => q.groupBy.every((d) => held.includes(d)));
  return narrow ? narrow[0] : 'usage_team_rollups';
}

interface PointRow {
  bucket: Date;
  model_id?: string;
  api_key_id?: string;
  user_id?: string;
  outcome?: UsageOutcome;
  [measure: string]: string | Date | undefined;
}

/** Every measure column summed: histograms merge bucket by bucket. */
const SUMS = MEASURE_COLUMNS.map((c) => `sum(${c}) AS ${c}`).join(', ');

const orNull = (value: string | undefined) => (value === undefined || value === '' ? null : value);

/**
 * The usage rollups' reads: never the raw records. `catchUp` resolves once every committed record
 * is in the rollups (the rollup folder's), so a report counts every call answered before it.
 */
export function createUsageRollups(db: Queryable, catchUp?: () => Promise<void>) {
  return {
    /** Every bucket of every group with calls in [from, to), merged in the database. */
    async points(q: RollupQuery): Promise<RollupPoint[]> {
      await catchUp?.();
      const dims = q.groupBy.map((d) => COLUMN_OF[d]);
      const params: unknown[] = [q.grain, q.from, q.to];
      const teamFilter = q.teamId === null ? '' : `AND team_id = $${params.push(q.teamId)}`;
      const perBucket = q.perBucket ?? true;
      // `grain` is one value here: grouping by it alone gives no row for an empty range.
      const groups = [perBucket ? 'bucket' : 'grain', ...dims].join(', ');
      const { rows } = await db.query<PointRow>(
        `SELECT ${perBucket ? 'bucket' : 'min(bucket) AS bucket'}, ${dims.map((d) => `${d}, `).join('')}${SUMS}
         FROM ${rollupTableFor(q)}
         WHERE grain = $1 AND bucket >= $2 AND bucket < $3 ${teamFilter}
         GROUP BY ${groups}
         ORDER BY 1${q.limit === undefined ? '' : ` LIMIT $${params.push(q.limit)}`}`,
        params,
      );
      return rows.map((r) => ({
        bucket: new Date(r.bucket),
        modelId: orNull(r.model_id),
        apiKeyId: orNull(r.api_key_id),
        userId: orNull(r.user_id),
        outcome: r.outcome ?? null,
        sums: {
          requests: Number(r.requests),
          inputTokens: Number(r.input_tokens),
          outputTokens: Number(r.output_tokens),
          cost: BigInt(r.cost as string),
          latency: BUCKET_BOUNDS_MS.map((_, i) => Number(r[`lat_${i}`])),
          ttft: BUCKET_BOUNDS_MS.map((_, i) => Number(r[`ttft_${i}`])),
        },
      }));
    },
  };
}

export type UsageRollups = ReturnType<typeof createUsageRollups>;
