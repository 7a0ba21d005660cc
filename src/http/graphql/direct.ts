import { processRegularResult, type GraphQLParams } from 'graphql-yoga';
import type { GraphQLServerContext } from './context.js';
import type { Yoga } from './yoga.js';

/**
 * The media type yoga itself picks for these exact `Accept` values (absent means any; of two
 * equal ones, yoga takes the first). A test holds each to what yoga's own negotiation answers.
 */
export const SIMPLE_ACCEPT = new Map<string | undefined, string>([
  [undefined, 'application/json'],
  ['*/*', 'application/json'],
  ['application/json', 'application/json'],
  ['application/graphql-response+json', 'application/graphql-response+json'],
  ['application/graphql-response+json, application/json', 'application/graphql-response+json'],
  ['application/json, application/graphql-response+json', 'application/json'],
]);

const PARAM_NAMES = new Set(['query', 'variables', 'operationName', 'extensions']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optional = (v: unknown, ok: (v: unknown) => boolean): boolean => v === undefined || v === null || ok(v);

export interface DirectRequest {
  params: GraphQLParams;
  mediaType: string;
}

/**
 * Whether a POSTed JSON body can skip yoga's Fetch-API layer: a single operation whose params are
 * all well-formed, asked for with a plain `Accept`. Anything else (batches, odd params, content
 * negotiation with q-values) takes the full yoga path, which answers it.
 */
export function directRequest(body: unknown, accept: string | undefined): DirectRequest | undefined {
  const mediaType = SIMPLE_ACCEPT.get(accept);
  if (mediaType === undefined || !isObject(body) || typeof body.query !== 'string') return undefined;
  for (const key in body) if (!PARAM_NAMES.has(key)) return undefined;
  if (!optional(body.variables, isObject) || !optional(body.extensions, isObject)) return undefined;
  if (!optional(body.operationName, (v) => typeof v === 'string')) return undefined;
  return { params: body as GraphQLParams, mediaType };
}

export interface DirectAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Catches the answer `processRegularResult` would build as a Fetch Response. */
class CapturedResponse implements DirectAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  constructor(
    readonly body: string,
    init: { status?: number; headers?: Record<string, string> },
  ) {
    this.status = init.status ?? 200;
    this.headers = init.headers ?? {};
  }
}
const CAPTURE = { Response: CapturedResponse };

/**
 * Runs one operation through yoga's own params handling (its checks, envelop's parse and
 * validation caches, masking, every plugin) and its own result processor, without building a
 * Fetch Request and Response around it. The profile put that wrapping at a third of a GraphQL
 * request. The request yoga sees is only its method: nothing of ours reads more.
 */
export async function answerDirect(
  yoga: Yoga,
  { params, mediaType }: DirectRequest,
  serverContext: GraphQLServerContext,
): Promise<DirectAnswer> {
  const request = { method: 'POST' } as Request;
  const result = await yoga.getResultForParams({ params, request }, serverContext);
  return processRegularResult(
    result as Parameters<typeof processRegularResult>[0],
    CAPTURE as never,
    mediaType,
  ) as unknown as DirectAnswer;
}
