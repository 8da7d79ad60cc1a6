import { GraphQLError } from 'graphql';
import type { RollupPoint, RollupQuery, UsageRollups } from '../../store/usage-rollups.js';
import { emptyHistogram } from './histogram.js';
import { MAX_REPORT_POINTS, usageReport } from './usage-report.js';

/** Rollups that answer `count` points for any query, and remember the queries. */
function rollupsWith(count: number) {
  const queries: RollupQuery[] = [];
  const rollups = {
    points: async (q: RollupQuery): Promise<RollupPoint[]> => {
      queries.push(q);
      return Array.from({ length: Math.min(count, q.limit ?? count) }, (_, i) => ({
        bucket: new Date(Date.UTC(2026, 0, 1) + (i % 30) * 86_400_000),
        modelId: `model-${Math.floor(i / 30)}`,
        apiKeyId: null,
        userId: null,
        outcome: null,
        sums: {
          requests: 1,
          inputTokens: 1,
          outputTokens: 1,
          cost: 1n,
          latency: emptyHistogram(),
          ttft: emptyHistogram(),
        },
      }));
    },
  } as unknown as UsageRollups;
  return { rollups, queries };
}

const args = {
  from: new Date('2026-01-01T00:00:00Z'),
  to: new Date('2026-01-31T00:00:00Z'),
  granularity: 'DAY' as const,
  groupBy: ['MODEL' as const],
};

describe('usage report size', () => {
  it('builds a report of up to MAX_REPORT_POINTS points, reading one more to tell', async () => {
    const { rollups, queries } = rollupsWith(MAX_REPORT_POINTS);
    const report = await usageReport(rollups, args);
    expect(report.totals.requests).toBe(MAX_REPORT_POINTS);
    expect(queries[0]!.limit).toBe(MAX_REPORT_POINTS + 1);
  });

  it('refuses a larger one with BAD_USER_INPUT before building it', async () => {
    const { rollups } = rollupsWith(MAX_REPORT_POINTS * 3);
    const refused = await usageReport(rollups, args).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(GraphQLError);
    expect((refused as GraphQLError).extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'groupBy',
      most: MAX_REPORT_POINTS,
    });
  });

  it('without points, reads one row per series for the whole range and caps series the same way', async () => {
    const { rollups, queries } = rollupsWith(50);
    const report = await usageReport(rollups, args, { points: false });
    expect(queries[0]).toMatchObject({ perBucket: false, limit: MAX_REPORT_POINTS + 1 });
    expect(report.series.every((s) => s.points.length === 0)).toBe(true);
    expect(report.totals.requests).toBe(50);
    const { rollups: many } = rollupsWith(MAX_REPORT_POINTS + 5);
    await expect(usageReport(many, args, { points: false })).rejects.toThrow(/series/);
  });
});
