import { EventEmitter } from 'node:events';
import type { Worker } from 'node:cluster';
import { describe, expect, it, vi } from 'vitest';
import { serveClusterMetrics, type ClusterHub } from '../../src/infra/cluster-metrics.js';

/** node:cluster as the primary sees it: workers by id, and their messages and exits as events. */
function fakeCluster() {
  const hub = new EventEmitter() as EventEmitter & { workers: Record<number, Worker> };
  hub.workers = {};
  const add = (id: number, connected = true) => {
    const worker = { id, isConnected: () => connected, send: vi.fn() } as unknown as Worker & {
      send: ReturnType<typeof vi.fn>;
    };
    hub.workers[id] = worker;
    return worker;
  };
  const exit = (worker: Worker) => {
    delete hub.workers[worker.id];
    hub.emit('exit', worker, 1, null);
  };
  return { hub: hub as unknown as ClusterHub, emit: hub.emit.bind(hub), add, exit };
}

const READY = { type: 'tollgate:metrics:ready' };
const ask = (id: number) => ({ type: 'tollgate:metrics', id });
const settled = () => new Promise((r) => setImmediate(r));

describe('the primary gathering every worker’s metrics', () => {
  it('answers at once that the metrics are unavailable while a connected worker has not said it is ready', async () => {
    const c = fakeCluster();
    const aggregator = { clusterMetrics: vi.fn(async () => 'tollgate_up 1\n') };
    serveClusterMetrics(c.hub, aggregator);
    const one = c.add(1);
    const two = c.add(2);
    c.emit('message', one, READY);
    c.emit('message', one, ask(7));
    await settled();
    expect(aggregator.clusterMetrics).not.toHaveBeenCalled();
    expect(one.send).toHaveBeenCalledWith({ type: 'tollgate:metrics:answer', id: 7, error: 'a worker is starting' });

    c.emit('message', two, READY);
    c.emit('message', one, ask(8));
    await settled();
    expect(aggregator.clusterMetrics).toHaveBeenCalledTimes(1);
    expect(one.send).toHaveBeenLastCalledWith({ type: 'tollgate:metrics:answer', id: 8, body: 'tollgate_up 1\n' });
  });

  it('waits again for a worker forked after another exited, and ignores a worker no longer connected', async () => {
    const c = fakeCluster();
    const aggregator = { clusterMetrics: vi.fn(async () => 'x 1\n') };
    serveClusterMetrics(c.hub, aggregator);
    const one = c.add(1);
    const two = c.add(2);
    c.emit('message', one, READY);
    c.emit('message', two, READY);
    c.exit(two);
    const three = c.add(3);
    c.emit('message', one, ask(1));
    await settled();
    expect(one.send).toHaveBeenLastCalledWith({
      type: 'tollgate:metrics:answer',
      id: 1,
      error: 'a worker is starting',
    });

    c.emit('message', three, READY);
    c.add(4, false); // exiting: the aggregator does not ask it either
    c.emit('message', one, ask(2));
    await settled();
    expect(one.send).toHaveBeenLastCalledWith({ type: 'tollgate:metrics:answer', id: 2, body: 'x 1\n' });
  });

  it('answers a gathering under way as soon as a worker exits, and only once', async () => {
    const c = fakeCluster();
    let finish: (body: string) => void = () => undefined;
    serveClusterMetrics(c.hub, { clusterMetrics: () => new Promise<string>((r) => (finish = r)) });
    const one = c.add(1);
    const two = c.add(2);
    c.emit('message', one, READY);
    c.emit('message', two, READY);
    c.emit('message', one, ask(5));
    await settled();
    expect(one.send).not.toHaveBeenCalled();
    c.exit(two);
    expect(one.send).toHaveBeenCalledWith({ type: 'tollgate:metrics:answer', id: 5, error: 'a worker exited' });
    finish('late 1\n');
    await settled();
    expect(one.send).toHaveBeenCalledTimes(1);
  });

  it('passes the aggregator’s failure on as the answer’s error', async () => {
    const c = fakeCluster();
    serveClusterMetrics(c.hub, { clusterMetrics: async () => Promise.reject(new Error('Operation timed out.')) });
    const one = c.add(1);
    c.emit('message', one, READY);
    c.emit('message', one, ask(3));
    await settled();
    expect(one.send).toHaveBeenCalledWith({ type: 'tollgate:metrics:answer', id: 3, error: 'Operation timed out.' });
  });
});
