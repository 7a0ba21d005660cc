import { createGraphQLError } from 'graphql-yoga';
import { builder } from '../builder.js';

/** RFC 3339 date-time in UTC (`2025-01-31T12:00:00.000Z`). */
export const DateTime = builder.scalarType('DateTime', {
  description: 'An RFC 3339 date-time in UTC, e.g. 2025-01-31T12:00:00.000Z.',
  serialize: (value) => new Date(value).toISOString(),
  parseValue: (value) => {
    const d = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? new Date(value) : new Date(NaN);
    if (Number.isNaN(d.getTime())) throw createGraphQLError('DateTime must be an RFC 3339 date-time string');
    return d;
  },
});
