import type { FastifyServerOptions } from 'fastify';

/**
 * Fastify's pino logger with nothing secret in it: request lines carry the path without its
 * query string, and any header or body field that can hold a credential is censored.
 */
export function loggerOptions(
  level: string,
  format: 'json' | 'pretty' = 'json',
): NonNullable<FastifyServerOptions['logger']> {
  return {
    level,
    // Pretty lines for a person at a terminal (pino-pretty, a development dependency, in a
    // worker thread); JSON lines, one per event, everywhere else and always in production.
    ...(format === 'pretty'
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } }
      : {}),
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'headers.authorization',
        '*.client_secret',
        '*.clientSecret',
        '*.refresh_token',
        '*.access_token',
        '*.accessToken',
        '*.token',
      ],
      censor: '[redacted]',
    },
    serializers: {
      req: (req: { method: string; url: string; ip?: string }) => ({
        method: req.method,
        url: req.url.split('?')[0],
        remoteAddress: req.ip,
      }),
    },
  };
}
