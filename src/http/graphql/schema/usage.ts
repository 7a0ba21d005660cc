import type { Config } from '../../../config.js';
import type {
  CachingWarning as CachingWarningShape,
  Door,
  UsageBucket as UsageBucketShape,
} from '../../../domain/usage.js';
import { cachingWarningFor, clientUsageFor } from '../../../usecases/clients/usage.js';
import { principal } from '../bearer.js';
import { builder } from '../builder.js';
import { guarded } from '../errors.js';
import { Client } from './client.js';
import { DateTime } from './date-time.js';

/* Usage and quotas (spec §11) on a client: what it asked for, what failed, and its limits. */

const UsageGranularity = builder.enumType('UsageGranularity', {
  values: { HOUR: { value: 'hour' }, DAY: { value: 'day', description: 'UTC days.' } } as const,
});

interface FailureShape {
  code: string;
  count: number;
}

const UsageFailure = builder.objectRef<FailureShape>('UsageFailure').implement({
  description: 'Failed attempts of one domain code (invalid_client, rate_limited, …).',
  fields: (t) => ({ code: t.exposeString('code'), count: t.exposeInt('count') }),
});

const UsageBucket = builder.objectRef<UsageBucketShape>('UsageBucket').implement({
  description: 'What one client came to at one door in one hour or day.',
  fields: (t) => ({
    start: t.field({ type: DateTime, resolve: (b) => b.start }),
    door: t.exposeString('door'),
    issued: t.exposeInt('issued', { description: 'Access tokens issued.' }),
    checks: t.exposeInt('checks', { description: "Protected-endpoint checks of the client's tokens." }),
    failures: t.field({
      type: [UsageFailure],
      resolve: (b) => Object.entries(b.failures).map(([code, count]) => ({ code, count: count ?? 0 })),
    }),
  }),
});

const CachingWarning = builder.objectRef<CachingWarningShape>('CachingWarning').implement({
  description:
    'The busiest hour of the last 24 in which the client asked for far more tokens than their lifetime needs: ' +
    'it does not cache them.',
  fields: (t) => ({
    hour: t.field({ type: DateTime, resolve: (w) => w.hour }),
    door: t.exposeString('door'),
    issued: t.exposeInt('issued'),
    ttlSeconds: t.exposeInt('ttlSeconds', { nullable: true, description: "The door's token lifetime; null: none." }),
  }),
});

/** A door's token lifetime, as the caching rule weighs it (forward-auth issues none). */
export function doorTtl(config: Pick<Config, 'ttl'>, door: Door): number | null {
  switch (door) {
    case 'oauth2':
      return config.ttl.oauth2Access;
    case 'forward-auth':
      return null;
    default:
      return config.ttl[door];
  }
}

builder.objectFields(Client, (t) => ({
  tokensPerMinute: t.exposeInt('tokensPerMinute', {
    nullable: true,
    description: 'Its token quota; null: none. Over it every door answers rate_limited (429, Retry-After).',
  }),
  burst: t.exposeInt('burst', {
    nullable: true,
    description: 'Tokens it may be issued at once under its quota; null: as many as tokensPerMinute.',
  }),
  usage: t.field({
    type: [UsageBucket],
    description:
      'Its usage per period and door, oldest first; periods with nothing counted are absent. The span is at ' +
      'most 92 days; counts reach it at most a minute after the fact.',
    args: {
      from: t.arg({ type: DateTime, required: true }),
      to: t.arg({ type: DateTime, required: true }),
      granularity: t.arg({ type: UsageGranularity, required: true, defaultValue: 'hour' }),
    },
    resolve: (c, { from, to, granularity }, ctx) =>
      guarded(async () =>
        clientUsageFor(ctx.deps, await principal(ctx), c.id, from.getTime(), to.getTime(), granularity),
      ),
  }),
  cachingWarning: t.field({
    type: CachingWarning,
    nullable: true,
    description: 'Set when, in the last 24 hours, it asked for a token per call instead of reusing each.',
    resolve: (c, _args, ctx) =>
      guarded(async () => cachingWarningFor(ctx.deps, await principal(ctx), c.id, (door) => doorTtl(ctx.config, door))),
  }),
}));
