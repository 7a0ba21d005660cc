import { parseCookie, stringifySetCookie } from 'cookie';
import type { Session } from '../../domain/operator.js';

/*
 * The panel's session cookie (spec §7): opaque, HttpOnly, SameSite=Strict, Path=/ (the live and
 * the test GraphQL paths both need it). Behind https it is Secure and takes the `__Host-` prefix,
 * which browsers only accept from a secure origin with no Domain, so no sibling host can plant it.
 */

export const cookieName = (secure: boolean): string => (secure ? '__Host-tollgate_session' : 'tollgate_session');

/** The session cookie of a request's `Cookie` header, if any. */
export function sessionCookieOf(header: string | undefined, secure: boolean): string | undefined {
  if (header === undefined) return undefined;
  const value = parseCookie(header)[cookieName(secure)];
  return value === undefined || value === '' ? undefined : value;
}

export function sessionSetCookie(value: string, session: Session, secure: boolean): string {
  return stringifySetCookie({
    name: cookieName(secure),
    value,
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    secure,
    maxAge: Math.floor((session.expiresAt - session.createdAt) / 1000),
  });
}

export const clearSessionCookie = (secure: boolean): string =>
  stringifySetCookie({
    name: cookieName(secure),
    value: '',
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    secure,
    maxAge: 0,
  });

/** The headers the panel sends on every request; yoga's own CSRF header is taken as the same. */
export const CSRF_HEADERS = ['x-tollgate-csrf', 'x-graphql-yoga-csrf'] as const;

/**
 * Whether a request is the panel's own: a CSRF header, and an `Origin` (required on POST) that
 * is the issuer's or this very host's.
 */
export function isSameOrigin(
  req: { method: string; headers: Record<string, string | string[] | undefined> },
  issuer: string,
): boolean {
  if (!CSRF_HEADERS.some((h) => req.headers[h] !== undefined)) return false;
  const origin = req.headers.origin;
  if (origin === undefined) return req.method === 'GET' || req.method === 'HEAD';
  if (typeof origin !== 'string') return false;
  if (origin === new URL(issuer).origin) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
