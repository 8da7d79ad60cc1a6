import type { ConsoleUsageQuery, UsageDimension } from '../generated/graphql';

export type UsageData = ConsoleUsageQuery['usage'];
export type Stats = UsageData['totals'];
type Group = UsageData['series'][number]['group'];

/** One line of a chart: a series' figure per bucket (null where it has none). */
export interface Line {
  label: string;
  values: Array<number | null>;
}

/** A chart of the usage screen: what it plots of each bucket's stats, per series. */
export interface Metric {
  id: string;
  title: string;
  unit: string;
  /** The figures of one stats record, one per line a series draws (latency draws p50 and p95). */
  lines: Array<{ suffix: string; value: (stats: Stats | undefined) => number | null }>;
}

const count = (value: (s: Stats) => number) => (s: Stats | undefined) => (s ? value(s) : 0);

export const METRICS: Metric[] = [
  {
    id: 'cost',
    title: 'Cost',
    unit: 'credits',
    lines: [{ suffix: '', value: count((s) => Number(s.cost) / 1_000_000) }],
  },
  {
    id: 'tokens',
    title: 'Tokens',
    unit: 'tokens',
    lines: [{ suffix: '', value: count((s) => s.inputTokens + s.outputTokens) }],
  },
  {
    id: 'requests',
    title: 'Requests',
    unit: 'calls',
    lines: [{ suffix: '', value: count((s) => s.requests) }],
  },
  {
    id: 'latency',
    title: 'Latency',
    unit: 'ms',
    lines: [
      { suffix: ' p50', value: (s) => s?.latencyMs?.p50 ?? null },
      { suffix: ' p95', value: (s) => s?.latencyMs?.p95 ?? null },
    ],
  },
];

/** Every bucket start any series has a point in, oldest first. */
export function bucketStarts(usage: UsageData): string[] {
  const starts = new Set(usage.series.flatMap((s) => s.points.map((p) => p.start)));
  return [...starts].sort((a, b) => Date.parse(a) - Date.parse(b));
}

/** The name of a series: its model, or its key (calls made by people have none). */
export function seriesLabel(group: Group, groupBy: UsageDimension): string {
  if (groupBy === 'MODEL') return group.modelId ?? 'no model';
  return group.apiKeyId ? `key ${group.apiKeyId}` : 'people (no key)';
}

/** The lines `metric` draws over `starts`: one per series (two for latency). */
export function metricLines(
  usage: UsageData,
  groupBy: UsageDimension,
  metric: Metric,
  starts: string[],
): Line[] {
  return usage.series.flatMap((series) => {
    const byStart = new Map(series.points.map((p) => [p.start, p.stats]));
    return metric.lines.map((line) => ({
      label: `${seriesLabel(series.group, groupBy)}${line.suffix}`,
      values: starts.map((start) => line.value(byStart.get(start))),
    }));
  });
}
