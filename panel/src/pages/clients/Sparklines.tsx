import { useEffect, useState } from 'react';
import { gql, type Mode } from '../../api';
import { Sparkline } from '../../components/UsageChart';
import { formatCount, RANGES, seriesOf, windowOf, type UsageBucket } from '../../usage';

const DAY = RANGES[0];

export interface Spark {
  starts: number[];
  issued: number[];
}

/**
 * Tokens issued over the last 24 hours by each client of the page shown, in one request (one
 * aliased `client` field each): a page is at most 20 clients, never the whole list.
 */
export function useSparks(ids: readonly string[], mode: Mode): Map<string, Spark> | null {
  const key = ids.join(' ');
  const [sparks, setSparks] = useState<{ key: string; map: Map<string, Spark> } | null>(null);
  useEffect(() => {
    if (key === '') return;
    let live = true;
    const list = key.split(' ');
    const w = windowOf(DAY, Date.now());
    const vars = list.map((_, i) => `$id${i}: ID!`).join(', ');
    const fields = list
      .map(
        (_, i) =>
          `c${i}: client(id: $id${i}) { id usage(from: $from, to: $to, granularity: HOUR) { start door issued checks failures { code count } } }`,
      )
      .join('\n');
    const variables: Record<string, unknown> = { from: w.from, to: w.to };
    list.forEach((id, i) => {
      variables[`id${i}`] = id;
    });
    gql<Record<string, { id: string; usage: UsageBucket[] } | null>>(
      `query Sparks($from: DateTime!, $to: DateTime!, ${vars}) {\n${fields}\n}`,
      variables,
      mode,
    )
      .then((d) => {
        if (!live) return;
        const map = new Map<string, Spark>();
        for (const c of Object.values(d)) {
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
