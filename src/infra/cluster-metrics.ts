import cluster from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import type { Metrics } from './metrics.js';

const ASK = 'tollgate:metrics';
const ANSWER = 'tollgate:metrics:answer';

interface Answer {
  type: typeof ANSWER;
  id: number;
  body?: string;
  error?: string;
}

/**
 * In the primary: answers a worker's request for the metrics of every worker, gathered with
 * prom-client's AggregatorRegistry (counters summed, histograms merged).
 */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, msg: { type?: string; id?: number }) => {
    if (msg?.type !== ASK || typeof msg.id !== 'number') return;
    const id = msg.id;
    aggregator.clusterMetrics().then(
      (body) => worker.send({ type: ANSWER, id, body } satisfies Answer),
      (e: unknown) => worker.send({ type: ANSWER, id, error: String(e) } satisfies Answer),
    );
  });
}

/** In a worker: offers its registry to the aggregator, and asks the primary for the total. */
export function clusterMetricsGatherer(metrics: Metrics): () => Promise<{ contentType: string; body: string }> {
  // Constructing one attaches prom-client's listener that answers the primary's collection.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([metrics.registry]);
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
        reject(new Error('the primary did not answer for the metrics'));
      }, 5000);
      waiting.set(id, (a) => {
        clearTimeout(timer);
        waiting.delete(id);
        if (a.body === undefined) reject(new Error(a.error ?? 'metrics unavailable'));
        else resolve({ contentType: metrics.registry.contentType, body: a.body });
      });
      process.send!({ type: ASK, id });
    });
}
