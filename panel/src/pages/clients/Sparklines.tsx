import { useEffect, useState } from 'react';
import { gql, type Mode } from '../../api';
import { Sparkline } from '../../components/UsageChart';
import { formatCount, RANGES, seriesOf, windowOf, type UsageBucket } from '../../usage';

const DAY = RANGES[0];

export interface Spark {
  starts: number[];
  issued: number[];
}

const SPARK = `query Spark($id: ID!, $from: DateTime!, $to: DateTime!) {
  client(id: $id) { id usage(from: $from, to: $to, granularity: HOUR) { start door issued checks failures { code count } } }
}`;

/**
 * Tokens issued over the last 24 hours by each client of the page shown, a request each, sent
 * together: a page is at most 20 clients, never the whole list.
 */
export function useSparks(ids: readonly string[], mode: Mode): Map<string, Spark> | null {
  const key = ids.join(' ');
  const [sparks, setSparks] = useState<{ key: string; map: Map<string, Spark> } | null>(null);
  useEffect(() => {
    if (key === '') return;
    let live = true;
    const w = windowOf(DAY, Date.now());
    Promise.all(
      key
        .split(' ')
        .map((id) =>
          gql<{ client: { id: string; usage: UsageBucket[] } | null }>(SPARK, { id, from: w.from, to: w.to }, mode),
        ),
    )
      .then((answers) => {
        if (!live) return;
        const map = new Map<string, Spark>();
        for (const { client: c } of answers) {
          if (c) map.set(c.id, { starts: w.starts, issued: seriesOf(w.starts, c.usage).issued });
        }
        setSparks({ key, map });
      })
      // A sparkline is a glance, not the page: without it the list still stands.
      .catch(() => live && setSparks({ key, map: new Map() }));
    return () => {
      live = false;
    };
  }, [key, mode]);
  return sparks?.key === key ? sparks.map : null;
}

/** One client's last 24 hours in the list: the line, its total in words. */
export function ClientSpark({ name, spark }: { name: string; spark: Spark | undefined | null }) {
  if (spark === null) return <span className="muted">…</span>;
  if (spark === undefined) return <span className="muted">—</span>;
  const total = spark.issued.reduce((a, b) => a + b, 0);
  return (
    <Sparkline
      label={`Tokens issued by ${name}, last 24 hours: ${formatCount(total)}`}
      starts={spark.starts}
      counts={spark.issued}
    />
  );
}
