import { useMemo } from 'react';
import type { UsageDimension, UsageGranularity } from '../generated/graphql';
import { DataTable } from '../parts/data-table';
import { METRICS, bucketStarts, metricLines, type UsageData } from './metrics';
import { bucketLabel } from './range';
import { UsageChart } from './usage-chart';

/** One section per metric: its chart and, beside it, the table of the same figures. */
export function UsageTables({
  usage,
  range,
  granularity,
  groupBy,
}: {
  usage: UsageData;
  range: { from: string; to: string };
  granularity: UsageGranularity;
  groupBy: UsageDimension;
}) {
  const starts = useMemo(() => bucketStarts(usage), [usage]);
  const sections = useMemo(
    () => METRICS.map((metric) => ({ metric, lines: metricLines(usage, groupBy, metric, starts) })),
    [usage, groupBy, starts],
  );
  const by = groupBy === 'MODEL' ? 'model' : 'API key';
  return (
    <>
      {sections.map(({ metric, lines }) => (
        <section key={metric.id} className="usage-metric" aria-labelledby={`usage-${metric.id}`}>
          <h2 id={`usage-${metric.id}`}>
            {metric.title} ({metric.unit})
          </h2>
          <UsageChart
            label={`${metric.title} per ${granularity === 'HOUR' ? 'hour' : 'day'} by ${by}, as a line chart over time in UTC; the table beside it lists the same figures.`}
            range={range}
            granularity={granularity}
            starts={starts}
            lines={lines}
          />
          <DataTable
            testId={`usage-table-${metric.id}`}
            caption={`${metric.title} in ${metric.unit}, by ${by}`}
            rows={starts.map((start, i) => ({ start, i }))}
            rowKey={(row) => row.start}
            columns={[
              {
                header: granularity === 'HOUR' ? 'Hour (UTC)' : 'Day (UTC)',
                rowHeader: true,
                cell: (row) => bucketLabel(row.start, granularity),
              },
              ...lines.map((line) => ({
                header: line.label,
                cell: (row: { i: number }) => figure(line.values[row.i]),
              })),
            ]}
          />
        </section>
      ))}
    </>
  );
}

function figure(value: number | null | undefined): string {
  return value === null || value === undefined
    ? '–'
    : value.toLocaleString('en-US', { maximumFractionDigits: 6 });
}
