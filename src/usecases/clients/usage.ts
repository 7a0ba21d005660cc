import { authorize, type Principal } from '../../domain/access.js';
import { managed } from './admin.js';
import { invalidField } from '../../domain/errors.js';
import {
  cachingWarning,
  DAY_MS,
  hourOf,
  usageBuckets,
  type CachingWarning,
  type Door,
  type Granularity,
  type UsageBucket,
} from '../../domain/usage.js';
import type { ClientStore, Clock, UsageStore } from '../ports.js';

/** The longest span one read of usage may cover: the charts' 30 days, and a quarter for a report. */
export const MAX_USAGE_SPAN_DAYS = 92;

export interface UsageDeps {
  clients: Pick<ClientStore, 'findById'>;
  usageStore: Pick<UsageStore, 'forClients'>;
  clock: Clock;
}

function checkSpan(from: number, to: number): void {
  if (!Number.isFinite(from) || !Number.isFinite(to)) throw invalidField('from', 'and to must be instants');
  if (to <= from) throw invalidField('to', 'must be after from');
  if (to - from > MAX_USAGE_SPAN_DAYS * DAY_MS)
    throw invalidField('from', `must be at most ${MAX_USAGE_SPAN_DAYS} days before to`);
}

/**
 * A client's usage from `from` to `to` (epoch ms), per hour or UTC day and door (spec §11). Each
 * hour whose start lies in the span counts whole, the hour holding `from` included: the current
 * hour is there as soon as a flush has written it.
 */
export async function clientUsage(
  deps: UsageDeps,
  id: string,
  from: number,
  to: number,
  granularity: Granularity,
): Promise<UsageBucket[]> {
  checkSpan(from, to);
  return bucketsOf(deps, id, from, to, granularity);
}

async function bucketsOf(
  deps: UsageDeps,
  id: string,
  from: number,
  to: number,
  granularity: Granularity,
): Promise<UsageBucket[]> {
  return usageBuckets(await deps.usageStore.forClients([id], hourOf(from), to), granularity);
}

/** `clientUsage` for a caller who may read the client (the audit trail's rule). */
export async function clientUsageFor(
  deps: UsageDeps,
  caller: Principal,
  id: string,
  from: number,
  to: number,
  granularity: Granularity,
): Promise<UsageBucket[]> {
  authorize(caller, 'read');
  checkSpan(from, to);
  await managed(deps, caller, 'read', id);
  return bucketsOf(deps, id, from, to, granularity);
}

/**
 * Whether, in the last 24 hours, the client asked for far more tokens than their lifetime needs
 * (domain/usage.ts `cachingWarning`), for a caller who may read it. `ttlOf`: each door's lifetime.
 */
export async function cachingWarningFor(
  deps: UsageDeps,
  caller: Principal,
  id: string,
  ttlOf: (door: Door) => number | null,
): Promise<CachingWarning | null> {
  await managed(deps, caller, 'read', id);
  const now = deps.clock.now();
  const rows = await deps.usageStore.forClients([id], hourOf(now - DAY_MS), now + 1);
  return cachingWarning(rows, ttlOf);
}
