import type { AccessTokenClaims } from '../verifier/claims.js';
import type { Verifier } from '../verifier/index.js';
import { decide, type GuardOptions } from './decide.js';

/** The parts of an Express request the guard reads and writes (no dependency on express). */
export interface ExpressRequestLike {
  headers: { authorization?: string | string[] | undefined };
  ip?: string | undefined;
  tollgate?: AccessTokenClaims;
}

/** The parts of an Express response the guard uses. */
export interface ExpressResponseLike {
  status(code: number): ExpressResponseLike;
  setHeader(name: string, value: string): unknown;
  json(body: unknown): unknown;
}

/**
 * Express middleware: sets `req.tollgate` to the claims and calls `next()`, or answers 401/403
 * with an RFC 6750 `WWW-Authenticate` (503 when Tollgate could not be asked).
 *
 *     app.get('/invoices', expressGuard(verifier, { scope: 'invoices:read' }), handler);
 */
export function expressGuard(
  verifier: Verifier,
  options: GuardOptions = {},
): (req: ExpressRequestLike, res: ExpressResponseLike, next: (err?: unknown) => void) => void {
  return (req, res, next) => {
    decide(verifier, req.headers.authorization, req.ip, options).then((d) => {
      if (d.ok) {
        req.tollgate = d.claims;
        next();
        return;
      }
      res.setHeader('cache-control', 'no-store');
      for (const [name, value] of Object.entries(d.headers)) res.setHeader(name, value);
      res.status(d.status).json(d.body);
    }, next);
  };
}
