import { codeForStatus } from '../dialects.js';
import { TollgateError } from '../errors.js';

export interface Http {
  fetch: typeof globalThis.fetch;
  timeoutMs: number;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined when the body was empty or not JSON. */
  body: unknown;
}

/**
 * One request to Tollgate on the verifier's behalf. A network failure is `network_error`: the
 * verifier could not decide, which is not the same as a bad token.
 */
export async function call(http: Http, url: string, init: RequestInit): Promise<HttpAnswer> {
  let res: Response;
  let text: string;
  try {
    res = await http.fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(http.timeoutMs) });
    text = await res.text();
  } catch (e) {
    throw new TollgateError(
      'network_error',
      `Request to ${new URL(url).origin}${new URL(url).pathname} failed: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, body };
}

/** A GET that must answer 200 with a JSON object (discovery, JWKS). */
export async function getJson(http: Http, url: string): Promise<Record<string, unknown>> {
  const answer = await call(http, url, { headers: { accept: 'application/json' } });
  if (answer.status !== 200) {
    // A busy or failing server is worth another try later; any other status is a wrong URL.
    const code = answer.status >= 500 || answer.status === 429 ? codeForStatus(answer.status) : 'invalid_response';
    throw new TollgateError(code, `GET ${url} answered HTTP ${answer.status}`, {
      status: answer.status,
    });
  }
  if (typeof answer.body !== 'object' || answer.body === null || Array.isArray(answer.body)) {
    throw new TollgateError('invalid_response', `GET ${url} did not answer with a JSON object`, {
      status: answer.status,
    });
  }
  return answer.body as Record<string, unknown>;
}
