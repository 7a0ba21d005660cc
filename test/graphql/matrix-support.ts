import type { Response } from 'light-my-request';
import { expect } from 'vitest';
import type { Mode } from '../../src/domain/mode.js';
import { harness, type Harness } from '../support/harness.js';
import { makeOperator, panel, signedIn } from './panel-support.js';
import { gql, tokenFor } from './support.js';

/* What the role-matrix tests share: who asks, how each of them calls GraphQL, and how an answer reads. */

export type Org = 'acme' | 'globex' | null;

export interface PrincipalSpec {
  name: string;
  /** A panel operator (session cookie) or a client (Bearer token of a client in the address's mode). */
  kind: 'operator' | 'client';
  role?: 'admin' | 'developer' | 'viewer';
  scopes?: string[];
  orgId: Org;
}

export const MODES: Mode[] = ['live', 'test'];

/** The email an operator principal signs in with. */
export const operatorEmail = (p: PrincipalSpec): string => `${p.role}@${p.orgId ?? 'deployment'}.example`;

/** The actor an answered change by `p` is recorded under: the operator's panel email, or a GraphQL client. */
export const recordedActor = (p: PrincipalSpec): string =>
  p.kind === 'operator' ? `panel:${operatorEmail(p)}` : 'graphql:';

/** A harness whose lockout never trips, however many refusals a matrix provokes. */
export const matrixHarness = (): Promise<Harness> =>
  harness({ LOCKOUT_MAX_FAILURES: '1000', LOCKOUT_MAX_FAILURES_PER_IP: '100000' });

export type Caller = (address: Mode, query: string, variables: Record<string, unknown>) => Promise<Response>;

/**
 * Each principal, made real: an operator signed in to the panel, or a client of each mode with a
 * token of its own. `creds` holds the clients' credentials, by `name/mode`.
 */
export async function principalCallers(
  h: Harness,
  principals: readonly PrincipalSpec[],
): Promise<{ callers: Map<string, Caller>; creds: Map<string, { id: string; secret: string }> }> {
  const callers = new Map<string, Caller>();
  const creds = new Map<string, { id: string; secret: string }>();
  for (const p of principals) {
    if (p.kind === 'operator') {
      const email = operatorEmail(p);
      await makeOperator(h, email, p.role!, p.orgId);
      const cookie = await signedIn(h, email);
      callers.set(p.name, (address, q, v) => panel(h, q, v, { cookie, mode: address }));
      continue;
    }
    const tokens = new Map<Mode, string>();
    for (const mode of MODES) {
      const c = await h.client({ name: p.name, mode, scopes: p.scopes!, orgId: p.orgId });
      creds.set(`${p.name}/${mode}`, c);
      tokens.set(mode, await tokenFor(h, c));
    }
    callers.set(p.name, (address, q, v) => gql(h, q, v, { mode: address, token: tokens.get(address)! }));
  }
  return { callers, creds };
}

/** The `extensions.code` of the one error, or `ok` with the data. */
export function outcome(res: Response): { code: string; data?: Record<string, unknown> } {
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json();
  if (body.errors) {
    expect(body.errors, res.body).toHaveLength(1);
    return { code: body.errors[0].extensions.code };
  }
  return { code: 'ok', data: body.data };
}
