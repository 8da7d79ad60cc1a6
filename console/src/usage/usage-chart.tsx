import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { UsageGranularity } from '../generated/graphql';
import type { Line } from './metrics';

/** Line colours, distinguishable and dark enough on white. */
const COLOURS = ['#0b5cad', '#b3261e', '#1f7a3a', '#7a4bb3', '#a05a00', '#00707a'];
const HEIGHT = 220;

const seconds = (iso: string) => Date.parse(iso) / 1000;
const tick = (value: number) => value.toLocaleString('en-US', { maximumSignificantDigits: 3 });
/** uPlot places time ticks on the boundaries of this zone: UTC days and hours, as the tables. */
const utc = (ts: number) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC');

/**
 * A time tick in UTC, as the tables write it: `12-07` for days; `14:00` for hours, with the date
 * below it at each UTC midnight.
 */
function timeTick(at: number, granularity: UsageGranularity): string {
  const iso = new Date(at * 1000).toISOString();
  const day = iso.slice(5, 10);
  if (granularity === 'DAY') return day;
  const time = iso.slice(11, 16);
  return time === '00:00' ? `${time}\n${day}` : time;
}

/**
 * A uPlot line chart of `lines` over `starts`, across the whole `range` (buckets without calls
 * have no point), its time axis in UTC like the tables. The canvas is an image to assistive
 * technology, named by `label`; the figures themselves are in the table beside it. The ticks
 * drawn last are on `data-x-ticks` (a canvas has no text to read).
 */
export function UsageChart({
  label,
  range,
  granularity,
  starts,
  lines,
}: {
  label: string;
  range: { from: string; to: string };
  granularity: UsageGranularity;
  starts: string[];
  lines: Line[];
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current!;
    const chart = new uPlot(
      {
        width: element.clientWidth,
        height: HEIGHT,
        legend: { show: false },
        tzDate: utc,
        scales: { x: { time: true, range: [seconds(range.from), seconds(range.to)] } },
        axes: [
          {
            label: granularity === 'HOUR' ? 'Hour (UTC)' : 'Day (UTC)',
            space: granularity === 'HOUR' ? 60 : 50,
            values: (_chart, splits) => {
              const ticks = splits.map((split) => timeTick(split, granularity));
              element.dataset.xTicks = ticks.join(' ');
              return ticks;
            },
          },
          { size: 80, values: (_chart, splits) => splits.map(tick) },
        ],
        series: [
          {},
          ...lines.map((line, i) => ({
            label: line.label,
            stroke: COLOURS[i % COLOURS.length],
            width: 2,
            points: { show: true },
            spanGaps: true,
          })),
        ],
      },
      [starts.map(seconds), ...lines.map((line) => line.values)],
      element,
    );
    const resize = new ResizeObserver(() =>
      chart.setSize({ width: element.clientWidth, height: HEIGHT }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [range.from, range.to, granularity, starts, lines]);
  return <div ref={box} className="chart" role="img" aria-label={label} />;
}
