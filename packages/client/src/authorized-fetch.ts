/** What `fetch` takes as its first argument (Node's types have no DOM `RequestInfo`). */
export type FetchInput = Parameters<typeof globalThis.fetch>[0];

/** What {@link authorizedFetch} needs of a token source. */
export interface BearerSource {
  getToken(): Promise<string>;
  invalidate(accessToken: string): void;
}

/**
 * Bodies that fetch can send a second time as they are. A stream is read by the first send and
 * is gone; buffering every upload to make it replayable would cost memory nobody asked for.
 */
function isReplayableBody(body: RequestInit['body']): boolean {
  if (body === undefined || body === null) return true;
  return (
    typeof body === 'string' ||
    body instanceof URLSearchParams ||
    body instanceof Blob ||
    body instanceof FormData ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body)
  );
}

/** The same request with `Authorization: Bearer <token>` in place of any it had. @see RFC 6750 §2.1 */
function withBearer(input: FetchInput, init: RequestInit | undefined, token: string): RequestInit {
  const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
  headers.set('authorization', `Bearer ${token}`);
  return { ...init, headers };
}

const discard = async (res: Response): Promise<void> => {
  await res.body?.cancel().catch(() => undefined);
};

/**
 * Seed 001, "Handle 401 gracefully": send with the current token; on a 401, drop that token, get
 * a fresh one (refresh token first, then the full exchange) and send once more when the body can
 * be replayed. A second 401 is the answer. A failure to get a token is thrown as the
 * TollgateError that says why (for instance `invalid_client` after the secret was rotated).
 * @see RFC 6750 §3.1 (`invalid_token` is answered with 401)
 */
export async function authorizedFetch(
  source: BearerSource,
  send: typeof globalThis.fetch,
  input: FetchInput,
  init?: RequestInit,
): Promise<Response> {
  const request = input instanceof Request ? input : undefined;
  const ownBody = request !== undefined && init?.body === undefined;
  const replayable = ownBody ? !request.bodyUsed : isReplayableBody(init?.body);
  // A Request's body is consumed by the first send: the retry sends a clone made before it.
  const spare = ownBody && replayable && request.body !== null ? request.clone() : input;

  const token = await source.getToken();
  const first = await send(input, withBearer(input, init, token));
  if (first.status !== 401) return first;
  source.invalidate(token);
  if (!replayable) return first;
  let fresh: string;
  try {
    fresh = await source.getToken();
  } finally {
    await discard(first);
  }
  return send(spare, withBearer(spare, init, fresh));
}
