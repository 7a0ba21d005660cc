/**
 * The exact token request of each door in test mode (README, spec §3), as the playground shows
 * it (curl, fetch) and sends it: one description, so what is shown is what runs.
 */
export type Door = 'v1' | 'v2' | 'oauth2' | 'common' | 'graphql';

export const DOORS: ReadonlyArray<{ door: Door; label: string }> = [
  { door: 'v1', label: 'v1' },
  { door: 'v2', label: 'v2' },
  { door: 'oauth2', label: 'oauth2' },
  { door: 'common', label: 'common' },
  { door: 'graphql', label: 'GraphQL' },
];

export interface Credentials {
  clientId: string;
  clientSecret: string;
  scope: string;
  /** The API's identifier (the token's `aud`); empty, the default API. */
  audience: string;
}

export interface BuiltRequest {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
  /** The access token in this door's success body, if there is one. */
  tokenOf: (body: unknown) => string | undefined;
}

const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();
const path = (o: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), o);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** RFC 6749 §2.3.1 / Appendix B: each part form-encoded, then base64 of `id:secret` as UTF-8. */
export function basic(id: string, secret: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  const bytes = new TextEncoder().encode(`${enc(id)}:${enc(secret)}`);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return `Basic ${btoa(bin)}`;
}

const ISSUE_TOKEN = `mutation IssueToken($input: IssueTokenInput!) {
  issueToken(input: $input) {
    __typename
    ... on TokenGrant { accessToken tokenType expiresIn scope }
    ... on Error { code message }
  }
}`;

export function buildRequest(door: Door, origin: string, c: Credentials): BuiltRequest {
  const scope = c.scope.trim();
  const audience = c.audience.trim();
  // Every door takes `audience`; oauth2 spells it as RFC 8707 does, `resource`.
  const aud: Record<string, string> = audience ? { audience } : {};
  const scoped: Record<string, string> = scope ? { scope } : {};
  const FORM = 'application/x-www-form-urlencoded';
  const JSON_TYPE = 'application/json';
  switch (door) {
    case 'v1':
      return {
        url: `${origin}/test/v1/auth/token`,
        method: 'POST',
        headers: { 'Content-Type': FORM },
        body: form({ client_id: c.clientId, client_secret: c.clientSecret, ...scoped, ...aud }),
        tokenOf: (b) => str(path(b, 'data', 'access_token')),
      };
    case 'v2':
      return {
        url: `${origin}/test/v2/credentials/oauth/token`,
        method: 'POST',
        headers: { 'Content-Type': JSON_TYPE },
        body: JSON.stringify({ clientId: c.clientId, clientSecret: c.clientSecret, ...scoped, ...aud }),
        tokenOf: (b) => str(path(b, 'accessToken')),
      };
    case 'oauth2':
      return {
        url: `${origin}/test/api/v1/oauth2/token`,
        method: 'POST',
        headers: { 'Content-Type': FORM, Authorization: basic(c.clientId, c.clientSecret) },
        body: form({ grant_type: 'client_credentials', ...scoped, ...(audience ? { resource: audience } : {}) }),
        tokenOf: (b) => str(path(b, 'access_token')),
      };
    case 'common':
      return {
        url: `${origin}/test/api/v1/client/token`,
        method: 'POST',
        headers: { 'Content-Type': JSON_TYPE },
        body: JSON.stringify({ client_id: c.clientId, client_secret: c.clientSecret, ...aud }),
        tokenOf: (b) => str(path(b, 'data', 'access_token')),
      };
    case 'graphql':
      return {
        url: `${origin}/test/graphql`,
        method: 'POST',
        headers: { 'Content-Type': JSON_TYPE },
        body: JSON.stringify({
          query: ISSUE_TOKEN,
          variables: { input: { clientId: c.clientId, clientSecret: c.clientSecret, ...scoped, ...aud } },
        }),
        tokenOf: (b) => str(path(b, 'data', 'issueToken', 'accessToken')),
      };
  }
}

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export function asCurl(r: BuiltRequest): string {
  const lines = [`curl -s -X ${r.method} ${shellQuote(r.url)}`];
  for (const [k, v] of Object.entries(r.headers)) lines.push(`  -H ${shellQuote(`${k}: ${v}`)}`);
  lines.push(`  --data-raw ${shellQuote(r.body)}`);
  return lines.join(' \\\n');
}

export function asFetch(r: BuiltRequest): string {
  return `const res = await fetch(${JSON.stringify(r.url)}, {
  method: ${JSON.stringify(r.method)},
  headers: ${JSON.stringify(r.headers, null, 2).replace(/\n/g, '\n  ')},
  body: ${JSON.stringify(r.body)},
});
console.log(res.status, await res.json());`;
}

/** A JWT's header and claims, decoded (not verified: the server did that). */
export function decodeJwt(token: string): { header: unknown; claims: unknown } | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const part = (s: string): unknown => {
    const b64 = s
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(s.length / 4) * 4, '=');
    const bin = atob(b64);
    const bytes = Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  };
  try {
    return { header: part(parts[0]!), claims: part(parts[1]!) };
  } catch {
    return null;
  }
}
