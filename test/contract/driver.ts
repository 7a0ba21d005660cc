import type { Response } from 'light-my-request';
import { expect } from 'vitest';
import type { DomainErrorCode } from '../../src/domain/errors.js';
import type { Mode } from '../../src/domain/mode.js';
import type { Harness } from '../support/harness.js';

export interface Credentials {
  clientId?: unknown;
  clientSecret?: unknown;
  scope?: unknown;
  /** One value, or several (each sent: a repeated form field, a JSON array). */
  audience?: string | string[];
  /** RFC 8707 `resource`, where the door has it (oauth2). */
  resource?: string | string[];
}

export interface RawBody {
  label: string;
  payload: string | Buffer;
  contentType?: string;
}

/**
 * How the contract suite talks to one door: build a request from credentials, send raw bytes,
 * and check a success or an error against the door's wire contract, written out here by hand
 * from spec §3 (not read from the code's tables, so the two check each other).
 */
export interface DoorDriver {
  name: string;
  /** Wire names of the credential fields, for the invalid_request cases. */
  fields: { clientId: string; clientSecret: string; scope: string };
  /** Whether two `audience` values can be sent at all (GraphQL's `audience` is one String). */
  repeatsAudience: boolean;
  /** Whether the door takes RFC 8707 `resource` (oauth2). */
  takesResource: boolean;
  /** `expires_in` of a token when the door's own lifetime applies (null: the token has no `exp`). */
  defaultExpiresIn: number | null;
  /** Paths under the door that must answer not_found in its envelope. */
  unknownPaths: string[];
  issue(h: Harness, mode: Mode, creds: Credentials, remoteAddress?: string): Promise<Response>;
  raw(h: Harness, mode: Mode, body: RawBody): Promise<Response>;
  /** Bodies this door must refuse with invalid_request. */
  garbage(valid: { clientId: string; clientSecret: string }): RawBody[];
  /** Checks a success and returns the access token. */
  expectToken(res: Response, expected: { scope: string; expiresIn?: number | null }): string;
  expectError(res: Response, code: DomainErrorCode, opts?: { field?: string }): void;
}

export const pathOf = (mode: Mode, path: string): string => (mode === 'test' ? `/test${path}` : path);

export const formEncode = (creds: Credentials): string => {
  const p = new URLSearchParams();
  if (creds.clientId !== undefined) p.append('client_id', String(creds.clientId));
  if (creds.clientSecret !== undefined) p.append('client_secret', String(creds.clientSecret));
  if (creds.scope !== undefined) p.append('scope', String(creds.scope));
  for (const a of values(creds.audience)) p.append('audience', a);
  for (const r of values(creds.resource)) p.append('resource', r);
  return p.toString();
};

/** The values of a field that may be repeated. */
export const values = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

/** A JSON body's `audience`: one string, or an array for several. */
export const jsonAudience = (creds: Credentials): Record<string, unknown> =>
  creds.audience === undefined ? {} : { audience: creds.audience };

export const BIG = 'a'.repeat(3 * 1024 * 1024);

export function expectNoStore(res: Response): void {
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers.pragma).toBe('no-cache');
}
