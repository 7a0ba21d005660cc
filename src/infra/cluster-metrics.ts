import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import type { Metrics } from './metrics.js';

const ASK = 'tollgate:metrics';
const ANSWER = 'tollgate:metrics:answer';
/** A worker's word that its registry now answers the aggregator. */
const READY = 'tollgate:metrics:ready';

interface Answer {
  type: typeof ANSWER;
  id: number;
  body?: string;
  error?: string;
}

/** Why the metrics of every worker cannot be had right now; `/metrics` answers 503 with Retry-After. */
export class MetricsUnavailable extends Error {}

/** What the primary needs of node:cluster (a test hands in its own). */
export type ClusterHub = Pick<typeof cluster, 'on' | 'workers'>;

/** What the primary needs of prom-client's aggregator. */
export interface Aggregator {
  clusterMetrics(): Promise<string>;
}

/**
 * In the primary: answers a worker's request for the metrics of every worker, gathered with
 * prom-client's AggregatorRegistry (counters summed, histograms merged). The aggregator waits for
 * every connected worker, so a worker that is still starting, or one that died before the
 * primary noticed, would leave the scrape hanging for five seconds before it failed. So while any
 * connected worker has not said it is ready the answer is at once that the metrics are
 * unavailable, and a gathering under way when a worker exits is answered so at that moment.
 */
export function serveClusterMetrics(
  hub: ClusterHub = cluster,
  aggregator: Aggregator = new AggregatorRegistry(),
): void {
  const ready = new Set<number>();
  const gathering = new Set<() => void>();
  const starting = (): boolean => Object.values(hub.workers ?? {}).some((w) => w?.isConnected() && !ready.has(w.id));
  hub.on('exit', (worker: Worker) => {
    ready.delete(worker.id);
    for (const fail of [...gathering]) fail();
  });
  hub.on('message', (worker: Worker, msg: { type?: string; id?: number }) => {
    if (msg?.type === READY) {
      ready.add(worker.id);
      return;
    }
    if (msg?.type !== ASK || typeof msg.id !== 'number') return;
    const id = msg.id;
    let answered = false;
    const answer = (a: Pick<Answer, 'body' | 'error'>): void => {
      if (answered) return;
      answered = true;
      gathering.delete(fail);
      worker.send({ type: ANSWER, id, ...a } satisfies Answer);
    };
    const fail = (): void => answer({ error: 'a worker exited' });
    if (starting()) return answer({ error: 'a worker is starting' });
    gathering.add(fail);
    aggregator.clusterMetrics().then(
      (body) => answer({ body }),
      (e: unknown) => answer({ error: e instanceof Error ? e.message : String(e) }),
    );
  });
}

/** In a worker: offers its registry to the aggregator, and asks the primary for the total. */
export function clusterMetricsGatherer(metrics: Metrics): () => Promise<{ contentType: string; body: string }> {
  // Constructing one attaches prom-client's listener that answers the primary's collection.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([metrics.registry]);
  process.send?.({ type: READY });
  let next = 0;
  const waiting = new Map<number, (a: Answer) => void>();
  process.on('message', (msg: Answer) => {
    if (msg?.type === ANSWER) waiting.get(msg.id)?.(msg);
  });
  return () =>
    new Promise((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new MetricsUnavailable('the primary did not answer'));
      }, 5000);
      waiting.set(id, (a) => {
        clearTimeout(timer);
        waiting.delete(id);
        if (a.body === undefined) reject(new MetricsUnavailable(a.error ?? 'no answer'));
        else resolve({ contentType: metrics.registry.contentType, body: a.body });
      });
      process.send!({ type: ASK, id });
    });
}
