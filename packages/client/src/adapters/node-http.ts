import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccessTokenClaims } from '../verifier/claims.js';
import type { Verifier } from '../verifier/index.js';
import { decide, type GuardOptions } from './decide.js';

/**
 * For a plain `node:http` server: resolves to the claims, or answers the request (401, 403 with
 * an RFC 6750 `WWW-Authenticate`, or 503) and resolves to undefined.
 *
 *     const guard = nodeHttpGuard(verifier, { scope: 'invoices:read' });
 *     createServer(async (req, res) => {
 *       const claims = await guard(req, res);
 *       if (!claims) return;
 *       …
 *     });
 */
export function nodeHttpGuard(
  verifier: Verifier,
  options: GuardOptions = {},
): (req: IncomingMessage, res: ServerResponse) => Promise<AccessTokenClaims | undefined> {
  return async (req, res) => {
    const d = await decide(verifier, req.headers.authorization, req.socket.remoteAddress, options);
    if (d.ok) return d.claims;
    res.writeHead(d.status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...d.headers });
    res.end(JSON.stringify(d.body));
    return undefined;
  };
}
