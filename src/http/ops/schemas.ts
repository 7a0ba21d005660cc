import { response } from '../schemas.js';

export const healthzSchema = {
  tags: ['ops'],
  operationId: 'healthz',
  summary: 'Liveness: the process is up',
  response: {
    200: response('Up.', {
      type: 'object',
      required: ['status'],
      properties: { status: { type: 'string', const: 'ok' } },
    }),
  },
};

export const readyzSchema = {
  tags: ['ops'],
  operationId: 'readyz',
  summary: 'Readiness: the database answers and the process is not shutting down',
  description: 'A load balancer stops sending work on 503 (during shutdown, or when the database does not answer).',
  response: {
    200: response('Ready.', {
      type: 'object',
      required: ['status'],
      properties: { status: { type: 'string', const: 'ready' } },
    }),
    503: response('Not ready.', {
      type: 'object',
      required: ['status'],
      properties: { status: { type: 'string', enum: ['shutting_down', 'database_unavailable'] } },
    }),
  },
};

export const metricsSchema = {
  tags: ['ops'],
  operationId: 'metrics',
  summary: 'Prometheus metrics',
  description: 'The Prometheus text format; the issuance counter is `tollgate_tokens_issued_total{door,mode}`.',
  response: {
    200: {
      description: 'The metrics.',
      content: { 'text/plain': { schema: { type: 'string' } } },
    },
    503: {
      description: 'With WORKERS > 1, while a worker is starting: try again after `Retry-After` seconds.',
      content: { 'text/plain': { schema: { type: 'string' } } },
    },
  },
};

/** `GET /`: links to the documentation and endpoints. */
export const homeSchema = {
  tags: ['docs'],
  operationId: 'home',
  summary: 'Links to the documentation and endpoints',
  description: 'An HTML page of links; the same links as JSON for `Accept: application/json`.',
  response: {
    200: {
      description: 'The links.',
      content: {
        'text/html': { schema: { type: 'string' } },
        'application/json': {
          schema: {
            type: 'object',
            required: ['name', 'links'],
            properties: {
              name: { type: 'string' },
              links: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['href', 'title'],
                  properties: { href: { type: 'string' }, title: { type: 'string' } },
                },
              },
            },
          },
        },
      },
    },
  },
};
