import {
  DIALECTS,
  exchangeRequest,
  parseError,
  parseGrant,
  refreshRequest,
  type ClientAuth,
  type Dialect,
  type ExchangeInput,
  type Grant,
  type WireRequest,
} from './dialects.js';
import { redact, TollgateError } from './errors.js';
import {
  backgroundRetryDelay,
  DEFAULT_JITTER_SECONDS,
  DEFAULT_MARGIN_SECONDS,
  parseRetryAfter,
  scheduleToken,
  type RefreshPolicy,
} from './policy.js';
import { sharedTokenCache, TokenCache, type CachedToken, type Slot } from './token-cache.js';
import { authorizedFetch, type FetchInput } from './authorized-fetch.js';

export interface TokenSourceOptions {
  /** The dialect's token endpoint, e.g. `https://tollgate.example/api/v1/oauth2/token`. */
  tokenUrl: string | URL;
  clientId: string;
  clientSecret: string;
  dialect: Dialect;
  /**
   * The API the tokens are for: its identifier (an absolute URI), which becomes the tokens' `aud`.
   * Sent as RFC 8707 `resource` on oauth2 (the refresh too) and as `audience` on v1, v2 and
   * common. Omitted, the deployment's default API (`TOKEN_AUDIENCE`, else the issuer). One source
   * per API: each has its own cache entry, so two APIs never share a token.
   */
  audience?: string;
  /**
   * Space-separated or a list; omitted, everything the client may have: its every scope at the
   * default API, every permission of its grant at a named one.
   */
  scope?: string | readonly string[];
  /** oauth2: HTTP Basic (`client_secret_basic`, the default) or the body (`client_secret_post`). */
  clientAuth?: ClientAuth;
  /** oauth2: where refresh tokens are spent; by default the token URL's sibling `…/refresh`. */
  refreshUrl?: string | URL;
  /** A token is never handed out with less than this left (default 30 s, at most ¼ of its life). */
  marginSeconds?: number;
  /** Refresh-ahead window before the margin (default 60 s, at most ¼ of the token's life). */
  jitterSeconds?: number;
  /** Per token request (default 10 s). */
  timeoutSeconds?: number;
  /** Default: one cache per process. */
  cache?: TokenCache;
  /** Default: the global `fetch`. */
  fetch?: typeof globalThis.fetch;
  /** Default: `Math.random`, for the jitter. */
  random?: () => number;
}

/** A sent token request and what it brought. */
interface Answer {
  grant: Grant;
  sentAt: number;
}

const normaliseScope = (scope: string | readonly string[] | undefined): string =>
  [...new Set((typeof scope === 'string' ? scope.split(' ') : (scope ?? [])).filter((s) => s !== ''))].sort().join(' ');

/** Errors that say the refresh token itself is no good, so it is not tried again. */
const DEAD_REFRESH = new Set(['invalid_grant', 'invalid_client', 'invalid_token']);

/** Errors after which the server told us to wait: falling back to another request would not. */
const isWaitOrder = (e: unknown): e is TollgateError =>
  e instanceof TollgateError && (e.code === 'rate_limited' || e.code === 'unavailable') && e.retryAfter !== undefined;

function requireText(name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`TokenSource: ${name} must be a non-empty string`);
  return value;
}

/**
 * Access tokens for one client at one API, the way seed 001 asks every caller to handle them: cached,
 * renewed ahead of expiry, renewed with the refresh token on the oauth2 dialect (falling back to
 * the full exchange), and renewed once on a 401.
 *
 * - {@link getToken} answers from the cache while the token has more than its margin left; in
 *   the jitter window before the margin it still answers at once and renews in the background.
 * - Concurrent calls share one request; a failure is thrown to every caller waiting on it and
 *   never remembered, except a `Retry-After`: until then no request is sent.
 * - The secret is held in a private field and never appears in an error, a log or `inspect`.
 */
export class TokenSource {
  readonly dialect: Dialect;
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly scope: string;
  /** The API the tokens are for; undefined for the default API. */
  readonly audience: string | undefined;
  readonly #secret: string;
  readonly #clientAuth: ClientAuth;
  readonly #refreshUrl: string | undefined;
  readonly #policy: RefreshPolicy;
  readonly #timeoutMs: number;
  readonly #fetch: typeof globalThis.fetch;
  readonly #random: () => number;
  readonly #cache: TokenCache;
  readonly #key: string;

  constructor(options: TokenSourceOptions) {
    if (!(DIALECTS as readonly string[]).includes(options.dialect)) {
      throw new TypeError(`TokenSource: dialect must be one of ${DIALECTS.join(', ')}`);
    }
    this.dialect = options.dialect;
    this.tokenUrl = new URL(options.tokenUrl).toString();
    this.clientId = requireText('clientId', options.clientId);
    this.#secret = requireText('clientSecret', options.clientSecret);
    this.scope = normaliseScope(options.scope);
    this.audience = options.audience === undefined ? undefined : requireText('audience', options.audience);
    this.#clientAuth = options.clientAuth ?? 'basic';
    this.#refreshUrl = options.refreshUrl === undefined ? undefined : new URL(options.refreshUrl).toString();
    this.#policy = {
      marginMs: (options.marginSeconds ?? DEFAULT_MARGIN_SECONDS) * 1000,
      jitterMs: (options.jitterSeconds ?? DEFAULT_JITTER_SECONDS) * 1000,
    };
    this.#timeoutMs = (options.timeoutSeconds ?? 10) * 1000;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#random = options.random ?? Math.random;
    this.#cache = options.cache ?? sharedTokenCache;
    this.#key = TokenCache.key({
      tokenUrl: this.tokenUrl,
      dialect: this.dialect,
      clientId: this.clientId,
      audience: this.audience ?? '',
      scope: this.scope,
      clientSecret: this.#secret,
    });
  }

  /** Looked up on every use, so a cleared cache is seen by every source. */
  get #slot(): Slot {
    return this.#cache.slot(this.#key);
  }

  /**
   * A Bearer access token with more than its margin left: the cached one, or a new one.
   * @throws {TollgateError} with the door's code when no token could be had
   */
  async getToken(): Promise<string> {
    const slot = this.#slot;
    const token = slot.token;
    const now = Date.now();
    if (token && now < token.usableUntil) {
      const waiting = (slot.backgroundAfter ?? -Infinity) > now || (slot.blocked?.until ?? -Infinity) > now;
      if (now >= token.refreshFrom && !slot.inflight && !waiting) {
        // Refresh ahead: this caller keeps the good token; a failure only delays the next try.
        this.#renew().catch(() => {
          slot.backgroundAfter = Date.now() + backgroundRetryDelay(Date.now(), token.usableUntil);
        });
      }
      return token.accessToken;
    }
    return (await this.#renew()).accessToken;
  }

  /**
   * Marks a token the API refused as unusable, so the next {@link getToken} replaces it. A token
   * that is no longer the cached one (a concurrent caller already replaced it) is left alone.
   */
  invalidate(accessToken: string): void {
    const token = this.#slot.token;
    if (token && token.accessToken === accessToken) {
      this.#slot.token = { ...token, usableUntil: -Infinity, refreshFrom: -Infinity };
    }
  }

  /**
   * `fetch` with `Authorization: Bearer …`. On a 401 the token is replaced (refresh token first
   * on oauth2, then the full exchange) and the request is sent once more if its body can be sent
   * again; a second 401 is returned as it is.
   * @see RFC 6750 §2.1, §3.1
   */
  fetch(input: FetchInput, init?: RequestInit): Promise<Response> {
    return authorizedFetch(this, this.#fetch, input, init);
  }

  /** The one renewal in flight, or a new one. */
  #renew(): Promise<CachedToken> {
    const slot = this.#slot;
    if (slot.inflight) return slot.inflight;
    const blocked = slot.blocked;
    if (blocked && Date.now() < blocked.until) {
      const left = Math.ceil((blocked.until - Date.now()) / 1000);
      return Promise.reject(
        new TollgateError(
          blocked.code,
          `The ${this.dialect} token endpoint asked to wait; ${left} s left before the next request`,
          {
            status: blocked.status,
            retryAfter: left,
          },
        ),
      );
    }
    const p = this.#obtain().finally(() => {
      if (slot.inflight === p) slot.inflight = undefined;
    });
    slot.inflight = p;
    return p;
  }

  async #obtain(): Promise<CachedToken> {
    const slot = this.#slot;
    const previous = slot.token;
    try {
      let answer: Answer | undefined;
      // Seed 001: a refresh answers without a new refresh token; the one spent stays good.
      let keptRefreshToken: string | undefined;
      if (this.dialect === 'oauth2' && previous?.refreshToken !== undefined) {
        answer = await this.#refresh(previous.refreshToken);
        if (answer) keptRefreshToken = previous.refreshToken;
      }
      answer ??= await this.#send(exchangeRequest(this.dialect, this.tokenUrl, this.#input()));
      const refreshToken = answer.grant.refreshToken ?? keptRefreshToken;
      const schedule = scheduleToken(answer.sentAt, answer.grant.expiresIn, this.#policy, this.#random);
      if (Date.now() >= schedule.usableUntil) {
        throw new TollgateError(
          'invalid_response',
          `The ${this.dialect} token endpoint answered with a token already inside its expiry margin`,
        );
      }
      const token: CachedToken = {
        accessToken: answer.grant.accessToken,
        ...(refreshToken === undefined ? {} : { refreshToken }),
        ...schedule,
      };
      slot.token = token;
      slot.backgroundAfter = undefined;
      slot.blocked = undefined;
      return token;
    } catch (e) {
      if (isWaitOrder(e)) slot.blocked = { until: Date.now() + e.retryAfter! * 1000, code: e.code, status: e.status };
      throw e;
    }
  }

  /**
   * Seed 001: renew with the refresh token; when that fails, the caller falls back to the full
   * exchange (undefined here), unless the server said to wait.
   */
  async #refresh(refreshToken: string): Promise<Answer | undefined> {
    try {
      return await this.#send(refreshRequest(this.tokenUrl, this.#refreshUrl, refreshToken, this.#input()));
    } catch (e) {
      if (isWaitOrder(e)) throw e;
      const slot = this.#slot;
      if (e instanceof TollgateError && DEAD_REFRESH.has(e.code) && slot.token?.refreshToken === refreshToken) {
        const { refreshToken: _dead, ...rest } = slot.token;
        slot.token = rest;
      }
      return undefined;
    }
  }

  #input(): ExchangeInput {
    return {
      clientId: this.clientId,
      clientSecret: this.#secret,
      clientAuth: this.#clientAuth,
      ...(this.scope === '' ? {} : { scope: this.scope }),
      ...(this.audience === undefined ? {} : { audience: this.audience }),
    };
  }

  /** Sends one token request; a failure becomes a {@link TollgateError} without any secret in it. */
  async #send(req: WireRequest): Promise<Answer> {
    const secrets = [this.#secret, this.#slot.token?.refreshToken];
    const url = new URL(req.url);
    const where = `${this.dialect} token request to ${url.origin}${url.pathname}`;
    const sentAt = Date.now();
    let res: Response;
    let text: string;
    try {
      // Redirects are not followed: a 307 would carry the secret in the body to another address.
      res = await this.#fetch(req.url, {
        method: 'POST',
        headers: req.headers,
        body: req.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      text = await res.text();
    } catch (e) {
      throw new TollgateError(
        'network_error',
        redact(`The ${where} failed: ${e instanceof Error ? e.message : String(e)}`, secrets),
      );
    }
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (res.status >= 200 && res.status < 300) {
      const grant = parseGrant(this.dialect, body);
      if (!grant)
        throw new TollgateError(
          'invalid_response',
          `The ${where} answered ${res.status} without a Bearer token in the ${this.dialect} shape`,
          { status: res.status },
        );
      return { grant, sentAt };
    }
    if (res.status >= 300 && res.status < 400) {
      throw new TollgateError(
        'invalid_response',
        `The ${where} was redirected (HTTP ${res.status}); configure the endpoint's final URL`,
        { status: res.status },
      );
    }
    const wire = parseError(this.dialect, res.status, body);
    const retryAfter = parseRetryAfter(res.headers.get('retry-after'), Date.now()) ?? wire.retryDelay;
    throw new TollgateError(
      wire.code,
      redact(`The ${where} failed with ${wire.code} (HTTP ${res.status}): ${wire.message}`, secrets),
      {
        status: res.status,
        ...(retryAfter === undefined ? {} : { retryAfter }),
      },
    );
  }
}
