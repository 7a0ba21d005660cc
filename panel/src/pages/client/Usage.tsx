import { useEffect, useState } from 'react';
import { gql, messageOf, type Client } from '../../api';
import { CachingNote } from '../../components/CachingNote';
import { ErrorText } from '../../components/ErrorText';
import { UsageChart } from '../../components/UsageChart';
import { navigate, useLocation } from '../../router';
import {
  describeSeries,
  formatCount,
  periodLabel,
  RANGES,
  seriesOf,
  tickLabel,
  USAGE_FIELDS,
  windowOf,
  type CachingWarning,
  type Range,
  type Series,
  type UsageBucket,
} from '../../usage';
import { clientPath } from './tabs';

const USAGE = `query Usage($id: ID!, $from: DateTime!, $to: DateTime!, $granularity: UsageGranularity!) {
  client(id: $id) { usage(from: $from, to: $to, granularity: $granularity) { ${USAGE_FIELDS} } }
}`;

/** What was read, with the range it was read for: the page shows only a range's own numbers. */
interface Loaded {
  range: Range;
  series: Series;
}

/**
 * What the client asked for, summed over the doors: tokens issued, and failed attempts by reason,
 * over the last 24 hours, 7 days or 30 days (the range is in the address, `?range=7d`). Each
 * chart's numbers are in a table behind "Show figures".
 */
export function Usage({ client }: { client: Client & { cachingWarning: CachingWarning | null } }) {
  const { query } = useLocation();
  const range = RANGES.find((r) => r.key === query.get('range')) ?? RANGES[0];
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    const w = windowOf(range, Date.now());
    setError(null);
    gql<{ client: { usage: UsageBucket[] } | null }>(
      USAGE,
      { id: client.id, from: w.from, to: w.to, granularity: w.granularity },
      client.mode,
    )
      .then((d) => live && setLoaded({ range, series: seriesOf(w.starts, d.client?.usage ?? []) }))
      .catch((e: unknown) => live && setError(messageOf(e)));
    return () => {
      live = false;
    };
  }, [range, client.id, client.mode]);

  const choose = (key: string) =>
    navigate(`${clientPath(client.id, 'usage')}${key === RANGES[0].key ? '' : `?range=${key}`}`, { replace: true });
  const shown = loaded?.range === range ? loaded.series : null;

  return (
    <section aria-labelledby="tab-h">
      <h2 id="tab-h">Usage</h2>
      <CachingNote warning={client.cachingWarning} />
      <fieldset className="mode-switch">
        <legend>Range</legend>
        {RANGES.map((r) => (
          <label key={r.key} className={r.key === range.key ? 'on' : undefined}>
            <input
              type="radio"
              name="usage-range"
              value={r.key}
              checked={r.key === range.key}
              onChange={() => choose(r.key)}
            />
            {r.label}
          </label>
        ))}
      </fieldset>
      <p className="hint">
        Summed over every door{range.granularity === 'DAY' ? ', by UTC day' : ', by hour'}; counts arrive within a
        minute.
      </p>
      <ErrorText error={error} />
      {shown === null ? (
        !error && <p role="status">Loading…</p>
      ) : (
        <>
          <UsageSection
            id="issued"
            title="Tokens issued"
            range={range}
            series={shown}
            lines={[{ label: 'Issued', counts: shown.issued }]}
          />
          <UsageSection
            id="failures"
            title="Failures by reason"
            range={range}
            series={shown}
            lines={shown.failures.map((f) => ({ label: f.code, counts: f.counts }))}
            empty="No failed attempts in this range."
          />
        </>
      )}
    </section>
  );
}

function UsageSection({
  id,
  title,
  range,
  series,
  lines,
  empty,
}: {
  id: string;
  title: string;
  range: Range;
  series: Series;
  lines: Array<{ label: string; counts: readonly number[] }>;
  empty?: string;
}) {
  const label = describeSeries(title, range, series.starts, lines, id === 'failures');
  return (
    <section aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>{title}</h3>
      {lines.length === 0 ? (
        <p>{empty}</p>
      ) : (
        <>
          <UsageChart
            label={label}
            starts={series.starts}
            series={lines}
            tick={(at) => tickLabel(at, range)}
            utc={range.granularity === 'DAY'}
          />
          <details className="figures">
            <summary>
              Show figures<span className="visually-hidden">: {title.toLowerCase()}</span>
            </summary>
            <div className="table-box">
              <table>
                <caption>
                  {title}, {range.words}
                  {range.granularity === 'DAY' ? ' (UTC days)' : ''}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">{range.granularity === 'DAY' ? 'Day' : 'Hour'}</th>
                    {lines.map((l) => (
                      <th scope="col" key={l.label} className="num">
                        {l.label}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {series.starts.map((s, i) => (
                    <tr key={s}>
                      <th scope="row">
                        <time dateTime={new Date(s).toISOString()}>{periodLabel(s, range)}</time>
                      </th>
                      {lines.map((l) => (
                        <td key={l.label} className="num">
                          {formatCount(l.counts[i] ?? 0)}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      )}
    </section>
  );
}
