import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatCount } from '../usage';

/**
 * Usage drawn with uPlot (canvas: a 720-point month or a page of sparklines costs nothing). A
 * canvas says nothing to a screen reader and a colour says nothing to some eyes, so each chart is
 * a role="img" with a sentence summing it up, its series differ by dash pattern as well as colour,
 * and its legend names each in text; the numbers themselves are in the page's figures table.
 * Colours are read off styles.css's custom properties when drawn, and drawn again when the
 * reader's light or dark preference changes.
 */

/** Dash patterns, in CSS pixels: solid, dashed, dotted, dash-dot, long dash, sparse dots. */
const DASHES: readonly number[][] = [[], [8, 4], [2, 3], [10, 3, 2, 3], [14, 5], [1, 5]];
const COLOURS = 5;

export const dashOf = (i: number): number[] => DASHES[i % DASHES.length]!;
/** The class naming series i's colour (`--chart-N`), for the legend's samples. */
export const colourClass = (i: number): string => `chart-${(i % COLOURS) + 1}`;

export interface ChartSeries {
  label: string;
  counts: readonly number[];
}

/** The reader's colour scheme, followed live: the canvas must be drawn again when it changes. */
function useScheme(): 'light' | 'dark' {
  const query = '(prefers-color-scheme: dark)';
  const [dark, setDark] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const m = window.matchMedia(query);
    const on = () => setDark(m.matches);
    m.addEventListener('change', on);
    return () => m.removeEventListener('change', on);
  }, []);
  return dark ? 'dark' : 'light';
}

const cssVar = (name: string): string => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

/**
 * A uPlot in `box`, as wide as the box, remade when `key` changes: a string naming everything
 * `make` and `data` are made of (the numbers, the colour scheme, the size).
 */
function usePlot(
  box: React.RefObject<HTMLDivElement | null>,
  make: (width: number) => uPlot.Options,
  data: uPlot.AlignedData,
  key: string,
): void {
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` names what `make` and `data` are made of
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const plot = new uPlot(make(Math.max(el.clientWidth, 50)), data, el);
    const resize = new ResizeObserver(() => {
      const width = Math.max(el.clientWidth, 50);
      if (width !== plot.width) plot.setSize({ width, height: plot.height });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [key]);
}

const xsOf = (starts: readonly number[]): number[] => starts.map((s) => s / 1000);

/** A line chart of counts per period, with axes, a text legend and a summing-up label. */
export function UsageChart({
  label,
  starts,
  series,
  tick,
  utc = false,
  height = 220,
}: {
  /** The chart's text alternative (describeSeries). */
  label: string;
  starts: readonly number[];
  series: readonly ChartSeries[];
  /** A time-axis tick's words, from epoch ms (the figures table's words, so both agree). */
  tick: (at: number) => string;
  /** Periods are UTC days: the axis is placed in UTC, as the server sums them. */
  utc?: boolean;
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const scheme = useScheme();
  usePlot(
    box,
    (width) => {
      const fg = cssVar('--muted');
      const grid = cssVar('--line');
      const axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
      return {
        width,
        height,
        legend: { show: false },
        cursor: { show: false },
        scales: { y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.1))] } },
        ...(utc ? { tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC') } : {}),
        axes: [
          { ...axis, values: (_u, splits) => splits.map((v) => tick(v * 1000)) },
          {
            ...axis,
            // Counts are whole: no 2.5 tokens on the axis.
            values: (_u, splits) => splits.map((v) => (Number.isInteger(v) ? formatCount(v) : '')),
          },
        ],
        series: [
          {},
          ...series.map((s, i) => ({
            label: s.label,
            stroke: cssVar(`--${colourClass(i)}`),
            width: 2,
            dash: dashOf(i),
            points: { show: starts.length <= 31 },
          })),
        ],
      };
    },
    [xsOf(starts), ...series.map((s) => [...s.counts])],
    // `tick` follows the range, and so do `starts`.
    JSON.stringify([starts, series, scheme, height, utc]),
  );
  return (
    <figure className="chart">
      <div ref={box} role="img" aria-label={label} className="chart-canvas" />
      <figcaption>
        <ul className="legend">
          {series.map((s, i) => (
            <li key={s.label}>
              <svg width="36" height="10" aria-hidden="true" className={colourClass(i)}>
                <line x1="0" y1="5" x2="36" y2="5" strokeWidth="2" strokeDasharray={dashOf(i).join(' ') || undefined} />
              </svg>
              {s.label}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}

/** A small line with no axes (the clients list): its label carries the number. */
export function Sparkline({
  label,
  starts,
  counts,
}: {
  label: string;
  starts: readonly number[];
  counts: readonly number[];
}) {
  const box = useRef<HTMLDivElement>(null);
  const scheme = useScheme();
  usePlot(
    box,
    (width) => ({
      width,
      height: 28,
      legend: { show: false },
      cursor: { show: false },
      padding: [3, 2, 3, 2],
      scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      axes: [{ show: false }, { show: false }],
      series: [{}, { stroke: cssVar('--chart-1'), width: 1.5, points: { show: false } }],
    }),
    [xsOf(starts), [...counts]],
    JSON.stringify([starts, counts, scheme]),
  );
  return <div ref={box} role="img" aria-label={label} className="sparkline" />;
}
