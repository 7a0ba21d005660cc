import type { FastifyRequest } from 'fastify';
import { DomainError } from '../../domain/errors.js';
import { authorizationOf } from '../door.js';
import { optionalString, type WireBody } from '../form.js';

export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post';

/** The client credentials a request presented, and how. */
export interface PresentedClient {
  method: ClientAuthMethod;
  clientId: string;
  clientSecret: string;
  /** HTTP Basic: the secret as sent, when form-decoding changed it (either may match). */
  rawSecret?: string;
}

/** Parameters that carry a credential or a token, and so may never ride in a URL. */
const SECRET_PARAMETERS = ['client_id', 'client_secret', 'refresh_token', 'token', 'client_assertion'] as const;

/** RFC 7617 §2: `Basic` (any case), then one token68. */
const BASIC = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i;

const malformedBasic = (): DomainError =>
  new DomainError('invalid_request', 'authorization is not a valid HTTP Basic credential', { field: 'authorization' });

/**
 * Credentials may only travel in the body or the Authorization header: a URL ends up in logs,
 * proxies and browser history.
 * @see RFC 6749 §2.3.1, RFC 9700 §4.3.2 (tokens in URLs)
 */
export function refuseSecretsInQuery(req: FastifyRequest): void {
  const query = req.query;
  if (query === null || typeof query !== 'object') return;
  for (const name of SECRET_PARAMETERS) {
    if (Object.hasOwn(query, name)) {
      throw new DomainError('invalid_request', `${name} must be sent in the request body, not the query string`, {
        field: name,
      });
    }
  }
}

/**
 * Appendix B: each part was `application/x-www-form-urlencoded` before it was joined with `:`.
 * Many clients send the raw value instead, so decoding is lenient: a `%` not followed by two hex
 * digits stays a `%`, and escapes that do not make UTF-8 leave the part as it was sent.
 */
function formDecode(part: string): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' ').replace(/%(?![0-9A-Fa-f]{2})/g, '%25'));
  } catch {
    return part;
  }
}

/**
 * Reads an `Authorization: Basic` header: base64 of `form(client_id) ":" form(client_secret)`.
 * Another scheme is an unsupported authentication method (`invalid_client`); a Basic header
 * that does not decode is a malformed request.
 * @see RFC 6749 §2.3.1 and Appendix B, RFC 7617 §2
 */
export function parseBasic(header: string): { clientId: string; clientSecret: string; rawSecret?: string } {
  const m = BASIC.exec(header);
  if (!m) {
    if (/^Basic(?: |$)/i.test(header)) throw malformedBasic();
    throw new DomainError(
      'invalid_client',
      'Unsupported client authentication method: use HTTP Basic or the request body',
    );
  }
  const b64 = m[1]!;
  const bytes = Buffer.from(b64, 'base64');
  // Node's decoder skips what it cannot read; only a canonical encoding is accepted.
  if (b64.length % 4 !== 0 || bytes.toString('base64') !== b64) throw malformedBasic();
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw malformedBasic();
  }
  const colon = text.indexOf(':');
  if (colon < 0) throw malformedBasic();
  const clientId = formDecode(text.slice(0, colon));
  const rawSecret = text.slice(colon + 1);
  const clientSecret = formDecode(rawSecret);
  if (clientId === '') throw new DomainError('invalid_request', 'client_id is required', { field: 'client_id' });
  if (clientSecret === '')
    throw new DomainError('invalid_request', 'client_secret is required', { field: 'client_secret' });
  return rawSecret === clientSecret ? { clientId, clientSecret } : { clientId, clientSecret, rawSecret };
}

/**
 * The client authentication of a request: HTTP Basic (`client_secret_basic`) or the body
 * (`client_secret_post`), never both (the query string is refused for the whole door by
 * {@link refuseSecretsInQuery}). A `client_id` in the body
 * beside Basic is allowed only when it names the same client. Returns undefined when the request
 * carries no client authentication at all; the caller decides whether that is allowed.
 * @see RFC 6749 §2.3 ("MUST NOT use more than one authentication method"), §2.3.1
 */
export function presentedClient(req: FastifyRequest, body: WireBody): PresentedClient | undefined {
  // An empty parameter is an omitted one (RFC 6749 §3.1).
  const bodyId = optionalString(body, 'client_id') || undefined;
  const bodySecret = optionalString(body, 'client_secret') || undefined;
  const header = authorizationOf(req);
  if (header !== undefined && header.trim() !== '') {
    const basic = parseBasic(header);
    if (bodySecret !== undefined) {
      throw new DomainError(
        'invalid_request',
        'Use one client authentication method: HTTP Basic or client_secret in the body, not both',
        {
          field: 'client_secret',
        },
      );
    }
    if (bodyId !== undefined && bodyId !== basic.clientId) {
      throw new DomainError('invalid_request', 'client_id in the body does not match the HTTP Basic credentials', {
        field: 'client_id',
      });
    }
    return { method: 'client_secret_basic', ...basic };
  }
  if (bodyId === undefined && bodySecret === undefined) return undefined;
  if (bodyId === undefined) throw new DomainError('invalid_request', 'client_id is required', { field: 'client_id' });
  if (bodySecret === undefined)
    throw new DomainError('invalid_request', 'client_secret is required', { field: 'client_secret' });
  return { method: 'client_secret_post', clientId: bodyId, clientSecret: bodySecret };
}

/**
 * As {@link presentedClient}, for endpoints that need a client: none at all is `invalid_client`
 * ("no client authentication included").
 * @see RFC 6749 §5.2
 */
export function requiredClient(req: FastifyRequest, body: WireBody): PresentedClient {
  const client = presentedClient(req, body);
  if (!client)
    throw new DomainError(
      'invalid_client',
      'Client authentication is required: use HTTP Basic or client_id and client_secret in the body',
    );
  return client;
}
