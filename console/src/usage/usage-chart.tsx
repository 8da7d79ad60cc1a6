import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Line } from './metrics';

/** Line colours, distinguishable and dark enough on white. */
const COLOURS = ['#0b5cad', '#b3261e', '#1f7a3a', '#7a4bb3', '#a05a00', '#00707a'];
const HEIGHT = 220;

const seconds = (iso: string) => Date.parse(iso) / 1000;
const tick = (value: number) => value.toLocaleString('en-US', { maximumSignificantDigits: 3 });

/**
 * A uPlot line chart of `lines` over `starts`, across the whole `range` (buckets without calls
 * have no point). The canvas is an image to assistive technology, named by `label`; the figures
 * themselves are in the table beside it.
 */
export function UsageChart({
  label,
  range,
  starts,
  lines,
}: {
  label: string;
  range: { from: string; to: string };
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
        scales: { x: { time: true, range: [seconds(range.from), seconds(range.to)] } },
        axes: [{}, { size: 80, values: (_chart, splits) => splits.map(tick) }],
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
  }, [range.from, range.to, starts, lines]);
  return <div ref={box} className="chart" role="img" aria-label={label} />;
}
