import { vi } from 'vitest';

/** One request as the fake endpoint saw it. */
export interface Seen {
  url: string;
  path: string;
  method: string;
  headers: Headers;
  body: string;
  /** Date.now() when the request arrived. */
  at: number;
}

export type Handler = (req: Seen, n: number) => Response | Promise<Response>;

/**
 * A `fetch` answered by a handler in the test, recording every request; the token source under
 * test gets it through its `fetch` option. Nothing leaves the process.
 */
export function fakeFetch(handler: Handler): { fetch: typeof globalThis.fetch; seen: Seen[] } {
  const seen: Seen[] = [];
  const fetch = async (input: Parameters<typeof globalThis.fetch>[0], init?: RequestInit): Promise<Response> => {
    const req = new Request(input, init);
    const s: Seen = {
      url: req.url,
      path: new URL(req.url).pathname,
      method: req.method,
      headers: req.headers,
      body: await req.text(),
      at: Date.now(),
    };
    seen.push(s);
    return handler(s, seen.length);
  };
  return { fetch: fetch as typeof globalThis.fetch, seen };
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

/** The oauth2 door's success body (spec §3 oauth2), numbered so tests can tell tokens apart. */
export const oauth2Grant = (n: number, expiresIn: number | null = 900, refresh = true): Response =>
  json(200, {
    access_token: `at-${n}`,
    ...(refresh ? { refresh_token: `rt-${n}` } : {}),
    token_type: 'Bearer',
    expires_in: expiresIn,
    scope: '',
  });

/** Lets queued promise callbacks and I/O-free work settle (real setImmediate: only Date is faked). */
export const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

/** Fake clock: only Date is replaced, so the source's Date.now() is ours and nothing else changes. */
export const START = Date.UTC(2030, 0, 1);
export function useFakeClock(): void {
  vi.useFakeTimers({ toFake: ['Date'], now: START });
}
export const at = (ms: number): void => {
  vi.setSystemTime(START + ms);
};
