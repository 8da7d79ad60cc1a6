import { badUserInput } from '../../../../lib/errors.js';
import type {
  QueryUsageArgs,
  UsageReport,
  UsageSeries,
  UsageStats,
} from '../../generated/resolvers-types.js';
import type { UsageDimension, UsageRollups } from '../../store/usage-rollups.js';
import { bucketStart, type UsageGrain, type UsageSums } from '../../store/usage-rows.js';
import { addHistogram, emptyHistogram, percentilesOf } from './histogram.js';

/** The longest range a report may span, in days, per granularity. */
export const MAX_RANGE_DAYS: Record<UsageGrain, number> = { HOUR: 31, DAY: 366 };

const DAY_MS = 86_400_000;

/**
 * Points (one bucket of one group) a report may hold: a larger one is refused before it is
 * built, since it would take a replica's memory and seconds of CPU (an org-wide report by key
 * and model over 30 days at 10 million records holds hundreds of thousands).
 */
export const MAX_REPORT_POINTS = 20_000;

/** Refuses a range that is empty, too long, or does not fall on bucket starts (BAD_USER_INPUT). */
export function checkUsageRange(from: Date, to: Date, grain: UsageGrain): void {
  if (!(from < to)) throw badUserInput('`from` must be before `to`.', { field: 'from' });
  for (const [field, at] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (bucketStart(at, grain).getTime() !== at.getTime()) {
      throw badUserInput(
        `\`${field}\` must be the start of ${grain === 'HOUR' ? 'an hour' : 'a UTC day'}.`,
        { field },
      );
    }
  }
  const most = MAX_RANGE_DAYS[grain];
  if (to.getTime() - from.getTime() > most * DAY_MS) {
    throw badUserInput(`A ${grain} report spans at most ${most} days.`, { field: 'to', most });
  }
}

const statsOf = (s: UsageSums): UsageStats => ({
  requests: s.requests,
  inputTokens: s.inputTokens,
  outputTokens: s.outputTokens,
  cost: s.cost,
  latencyMs: percentilesOf(s.latency),
  timeToFirstTokenMs: percentilesOf(s.ttft),
});

const emptySums = (): UsageSums => ({
  requests: 0,
  inputTokens: 0,
  outputTokens: 0,
  cost: 0n,
  latency: emptyHistogram(),
  ttft: emptyHistogram(),
});

function addSums(into: UsageSums, from: UsageSums) {
  into.requests += from.requests;
  into.inputTokens += from.inputTokens;
  into.outputTokens += from.outputTokens;
  into.cost += from.cost;
  addHistogram(into.latency, from.latency);
  addHistogram(into.ttft, from.ttft);
}

/**
 * The `usage` report: the range checked, the rollups' points read (merged per bucket and group in
 * the database), then series per group with their totals, largest cost first. Without `points`
 * (the client selected no series' points), one row per group is read and the series carry
 * totals only, so a table of 800 keys is 800 rows, not 800 × days.
 */
export async function usageReport(
  rollups: UsageRollups,
  args: QueryUsageArgs,
  options: { points: boolean } = { points: true },
): Promise<UsageReport> {
  const grain = args.granularity;
  const groupBy = [...new Set(args.groupBy ?? [])] as UsageDimension[];
  checkUsageRange(args.from, args.to, grain);
  const points = await rollups.points({
    grain,
    teamId: args.teamId ?? null,
    from: args.from,
    to: args.to,
    groupBy,
    limit: MAX_REPORT_POINTS + 1,
    perBucket: options.points,
  });
  if (points.length > MAX_REPORT_POINTS) {
    throw badUserInput(
      options.points
        ? `This report would hold more than ${MAX_REPORT_POINTS} points: shorten the range, use DAY, or group by fewer dimensions.`
        : `This report would hold more than ${MAX_REPORT_POINTS} series: group by fewer dimensions.`,
      { field: 'groupBy', most: MAX_REPORT_POINTS },
    );
  }
  const total = emptySums();
  const groups = new Map<string, { series: UsageSeries; sums: UsageSums }>();
  for (const p of points) {
    const group = {
      modelId: p.modelId,
      apiKeyId: p.apiKeyId,
      userId: p.userId,
      outcome: p.outcome,
    };
    const id = JSON.stringify(group);
    let entry = groups.get(id);
    if (!entry) {
      entry = { series: { group, totals: statsOf(emptySums()), points: [] }, sums: emptySums() };
      groups.set(id, entry);
    }
    if (options.points) entry.series.points.push({ start: p.bucket, stats: statsOf(p.sums) });
    addSums(entry.sums, p.sums);
    addSums(total, p.sums);
  }
  const series = [...groups.values()]
    .map(({ series: s, sums }) => ({ ...s, totals: statsOf(sums) }))
    .sort((a, b) => (b.totals.cost > a.totals.cost ? 1 : b.totals.cost < a.totals.cost ? -1 : 0));
  return {
    from: args.from,
    to: args.to,
    granularity: grain,
    groupBy,
    totals: statsOf(total),
    series,
  };
}
