import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import type { Store } from '../usecases/ports.js';

/** What one request spent waiting on the store: summed over its calls (overlapping calls add up). */
export interface StoreTime {
  ms: number;
  calls: number;
}

const current = new AsyncLocalStorage<StoreTime>();

/** Runs `fn` (and everything it starts) counting store time into `into`. */
export function countStoreTime<T>(into: StoreTime, fn: () => T): T {
  return current.run(into, fn);
}

const PORTS: ReadonlySet<PropertyKey> = new Set([
  'clients',
  'apis',
  'lockout',
  'tokens',
  'audit',
  'idempotency',
  'keys',
  'operators',
  'sessions',
  'usage',
  'quotas',
] satisfies ReadonlyArray<keyof Store>);

/** A port whose methods add the time their promises take to the request's StoreTime, if any. */
function timedPort<P extends object>(port: P): P {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(port, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      let fn = wrapped.get(name);
      if (fn === undefined) {
        const method = value as (...args: unknown[]) => unknown;
        fn = function timed(...args: unknown[]): unknown {
          const into = current.getStore();
          // Called on the port itself: its own calls to its other methods are not counted twice.
          if (into === undefined) return method.apply(target, args);
          const started = performance.now();
          const result = method.apply(target, args);
          if (!(result instanceof Promise)) return result;
          into.calls++;
          const stop = () => {
            into.ms += performance.now() - started;
          };
          result.then(stop, stop);
          return result;
        };
        wrapped.set(name, fn);
      }
      return fn;
    },
  });
}

/**
 * The store with every port timed; ping, purge, backup and close are the store's own and pass
 * through. Only installed when tracing is on: otherwise the ports are the store's, unwrapped.
 */
export function timedStore(store: Store): Store {
  const ports = new Map<PropertyKey, object>();
  return new Proxy(store, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value === 'function') return (value as (...a: unknown[]) => unknown).bind(target);
      if (!PORTS.has(name) || typeof value !== 'object' || value === null) return value;
      let port = ports.get(name);
      if (port === undefined) {
        port = timedPort(value);
        ports.set(name, port);
      }
      return port;
    },
  });
}
