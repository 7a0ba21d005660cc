import type { Response } from 'light-my-request';
import { expect } from 'vitest';
import type { Mode } from '../../src/domain/mode.js';
import { createOperator } from '../../src/usecases/operators.js';
import type { Harness } from '../support/harness.js';

export const PASSWORD = 'correct horse battery staple';
export const ORIGIN = 'http://tollgate.test';

/** The panel's own request: JSON, the CSRF header, this origin, and the session cookie when given. */
export function panel(
  h: Harness,
  query: string,
  variables: Record<string, unknown> = {},
  opts: { cookie?: string; mode?: Mode; headers?: Record<string, string>; remoteAddress?: string } = {},
): Promise<Response> {
  return h.app.inject({
    method: 'POST',
    url: opts.mode === 'test' ? '/test/graphql' : '/graphql',
    headers: {
      'content-type': 'application/json',
      host: 'tollgate.test',
      origin: ORIGIN,
      'x-tollgate-csrf': '1',
      ...(opts.cookie ? { cookie: opts.cookie } : {}),
      ...opts.headers,
    },
    payload: JSON.stringify({ query, variables }),
    ...(opts.remoteAddress ? { remoteAddress: opts.remoteAddress } : {}),
  });
}

export const SIGN_IN =
  'mutation($input: SignInInput!) { signIn(input: $input) { totpRequired session { expiresAt totpEnrollmentRequired operator { email role orgId } } } }';

/** An operator made through the core, as `tollgate users create --password-stdin` does. */
export async function makeOperator(
  h: Harness,
  email: string,
  role: 'admin' | 'developer' | 'viewer',
  orgId: string | null = null,
): Promise<void> {
  await createOperator(h.services.deps, { email, role, orgId, password: PASSWORD }, { kind: 'cli', id: 'test' });
}

/** Signs in and returns the `Cookie` header value the browser would send back. */
export async function signedIn(
  h: Harness,
  email: string,
  opts: { remoteAddress?: string; code?: string } = {},
): Promise<string> {
  const res = await panel(
    h,
    SIGN_IN,
    { input: { email, password: PASSWORD, ...(opts.code ? { code: opts.code } : {}) } },
    opts,
  );
  expect(res.json().errors, JSON.stringify(res.json())).toBeUndefined();
  const set = res.headers['set-cookie'];
  expect(typeof set).toBe('string');
  return (set as string).split(';')[0]!;
}
