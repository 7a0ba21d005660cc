/**
 * Usage as the charts show it (spec §11): the server's buckets (per period per door, empty
 * periods absent) summed over doors and zero-filled over a range, and the words that sum a
 * series up for a screen reader, the figures table and the no-cache warning.
 */
export type Granularity = 'HOUR' | 'DAY';

export interface UsageFailure {
  code: string;
  count: number;
}
export interface UsageBucket {
  start: string;
  door: string;
  issued: number;
  checks: number;
  failures: UsageFailure[];
}
export interface CachingWarning {
  hour: string;
  door: string;
  issued: number;
  ttlSeconds: number | null;
}

export const USAGE_FIELDS = 'start door issued checks failures { code count }';
export const CACHING_FIELDS = 'cachingWarning { hour door issued ttlSeconds }';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * The ranges offered. Seven days are read by the hour: 168 points are nothing to draw, and a
 * client's daily rhythm (a busy hour each morning) is what a week shows that its daily sums
 * hide; thirty days are read by the UTC day, as the server sums them.
 */
export const RANGES = [
  { key: '24h', label: '24 hours', words: 'last 24 hours', granularity: 'HOUR', periods: 24 },
  { key: '7d', label: '7 days', words: 'last 7 days', granularity: 'HOUR', periods: 168 },
  { key: '30d', label: '30 days', words: 'last 30 days', granularity: 'DAY', periods: 30 },
] as const satisfies ReadonlyArray<{
  key: string;
  label: string;
  words: string;
  granularity: Granularity;
  periods: number;
}>;
export type Range = (typeof RANGES)[number];
export type RangeKey = Range['key'];

export interface Window {
  /** Each period's start, epoch ms, oldest first; the last holds `now`. */
  starts: number[];
  from: string;
  to: string;
  granularity: Granularity;
}

const floorTo = (at: number, size: number): number => at - (((at % size) + size) % size);

/** The periods of a range ending with the one that holds `now` (UTC hours or UTC days). */
export function windowOf(range: Pick<Range, 'granularity' | 'periods'>, now: number): Window {
  const size = range.granularity === 'HOUR' ? HOUR_MS : DAY_MS;
  const last = floorTo(now, size);
  const starts = Array.from({ length: range.periods }, (_, i) => last - (range.periods - 1 - i) * size);
  return {
    starts,
    from: new Date(starts[0]!).toISOString(),
    to: new Date(last + size).toISOString(),
    granularity: range.granularity,
  };
}

/** A range's numbers, summed over doors, one per period (zero where nothing was counted). */
export interface Series {
  starts: number[];
  issued: number[];
  /** Failure codes, the most frequent first, each with one count per period. */
  failures: Array<{ code: string; counts: number[] }>;
}

export function seriesOf(starts: readonly number[], buckets: readonly UsageBucket[]): Series {
  const index = new Map(starts.map((s, i) => [s, i]));
  const issued = starts.map(() => 0);
  const byCode = new Map<string, number[]>();
  for (const b of [...buckets].sort((x, y) => Date.parse(x.start) - Date.parse(y.start))) {
    const i = index.get(Date.parse(b.start));
    if (i === undefined) continue;
    issued[i]! += b.issued;
    for (const f of b.failures) {
      let counts = byCode.get(f.code);
      if (!counts) {
        counts = starts.map(() => 0);
        byCode.set(f.code, counts);
      }
      counts[i]! += f.count;
    }
  }
  const total = (counts: number[]) => counts.reduce((a, b) => a + b, 0);
  const failures = [...byCode]
    .map(([code, counts]) => ({ code, counts }))
    .sort((a, b) => total(b.counts) - total(a.counts) || (a.code < b.code ? -1 : 1));
  return { starts: [...starts], issued, failures };
}

/** Numbers as the panel's English writes them: 3,600. */
export const formatCount = (n: number): string => n.toLocaleString('en-US');

const pad = (n: number): string => String(n).padStart(2, '0');
/** An hour's start as the reader's clock shows it: 14:00. */
const clock = (d: Date): string => `${pad(d.getHours())}:${pad(d.getMinutes())}`;
const dayOf = (d: Date, timeZone?: string): string =>
  d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', ...(timeZone ? { timeZone } : {}) });

/** A period's name: "14:00" within a day, "7 Dec 14:00" within a week, "7 Dec" for a UTC day. */
export function periodLabel(start: number, range: Pick<Range, 'granularity' | 'periods'>): string {
  const d = new Date(start);
  if (range.granularity === 'DAY') return dayOf(d, 'UTC');
  return range.periods <= 24 ? clock(d) : `${dayOf(d)} ${clock(d)}`;
}

/** A tick of a chart's time axis: "14:00" within a day; "7 Dec" at the midnights of a week; UTC days. */
export function tickLabel(at: number, range: Pick<Range, 'granularity' | 'periods'>): string {
  const d = new Date(at);
  if (range.granularity === 'DAY') return dayOf(d, 'UTC');
  if (range.periods > 24 && d.getHours() === 0 && d.getMinutes() === 0) return dayOf(d);
  return clock(d);
}

/**
 * A chart's text alternative: "Tokens issued, last 24 hours: 120 in all, most 60 at 14:00";
 * with `named` (failures, whose series are reasons), each series named and summed in turn.
 */
export function describeSeries(
  title: string,
  range: Range,
  starts: readonly number[],
  series: ReadonlyArray<{ label: string; counts: readonly number[] }>,
  named = false,
): string {
  const head = `${title}, ${range.words}`;
  if (series.length === 0 || series.every((s) => s.counts.every((c) => c === 0))) return `${head}: none`;
  const one = (counts: readonly number[]): string => {
    const total = counts.reduce((a, b) => a + b, 0);
    let top = 0;
    for (let i = 1; i < counts.length; i++) if (counts[i]! > counts[top]!) top = i;
    if (total === 0) return 'none';
    const when = periodLabel(starts[top]!, range);
    return `${formatCount(total)} in all, most ${formatCount(counts[top]!)} ${range.granularity === 'DAY' ? 'on' : 'at'} ${when}`;
  };
  if (series.length === 1 && !named) return `${head}: ${one(series[0]!.counts)}`;
  return `${head}: ${series.map((s) => `${s.label} ${one(s.counts)}`).join('; ')}`;
}

/** A token lifetime as an adjective: "1-hour", "15-minute", "90-second", "2-day". */
export function lifetimeWords(seconds: number): string {
  const units: Array<[number, string]> = [
    [86_400, 'day'],
    [3_600, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, unit] of units) if (seconds >= size && seconds % size === 0) return `${seconds / size}-${unit}`;
  return `${formatCount(seconds)}-second`;
}

/** The no-cache warning's first sentence, from the server's finding. */
export function cachingSentence(w: CachingWarning): string {
  const asked = `it asked for ${formatCount(w.issued)} tokens in an hour`;
  return w.ttlSeconds === null
    ? `This client does not cache its tokens: ${asked}, though they never expire.`
    : `This client does not cache its tokens: ${asked} with a ${lifetimeWords(w.ttlSeconds)} lifetime.`;
}
