import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { TollgateError } from '../errors.js';
import { getJson, type Http } from './http.js';

export interface KeySetPolicy {
  /** After a fetch, an unknown `kid` causes no new one for this long. */
  cooldownMs: number;
  /** Keys older than this are fetched again on the next verification (removals take effect). */
  maxAgeMs: number;
}

type LocalSet = ReturnType<typeof createLocalJWKSet>;

const isNoMatchingKey = (e: unknown): boolean => (e as { code?: unknown } | null)?.code === 'ERR_JWKS_NO_MATCHING_KEY';

/**
 * The issuer's signing keys, from `jwks_uri`, kept in memory. A token signed with a key we do
 * not hold (`tollgate keys rotate` made a new one) makes us fetch the set again, but at most once
 * per cooldown, so made-up `kid`s cannot turn every request into a JWKS fetch. When a refetch
 * for age fails, the keys we hold are used until one succeeds.
 * @see RFC 7517 §5, RFC 8414 §2 (`jwks_uri`), RFC 7515 §4.1.4 (`kid`)
 */
export class KeySet {
  #set: LocalSet | undefined;
  #fetchedAt = -Infinity;
  #pending: Promise<LocalSet> | undefined;
  /** How many times the set was fetched; for tests and metrics. */
  fetches = 0;

  constructor(
    private readonly jwksUri: () => Promise<string>,
    private readonly http: Http,
    private readonly policy: KeySetPolicy,
  ) {}

  /** The key resolver jose's `jwtVerify` calls with the token's protected header. */
  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    const set = await this.#current();
    try {
      return await set(header, token);
    } catch (e) {
      if (!isNoMatchingKey(e) || Date.now() - this.#fetchedAt < this.policy.cooldownMs) throw e;
      return (await this.#load())(header, token);
    }
  };

  async #current(): Promise<LocalSet> {
    if (this.#set && Date.now() - this.#fetchedAt < this.policy.maxAgeMs) return this.#set;
    try {
      return await this.#load();
    } catch (e) {
      if (this.#set) return this.#set;
      throw e;
    }
  }

  #load(): Promise<LocalSet> {
    this.#pending ??= (async () => {
      try {
        const body = await getJson(this.http, await this.jwksUri());
        if (!Array.isArray(body.keys)) throw new TollgateError('invalid_response', 'The JWKS has no "keys" array');
        this.#set = createLocalJWKSet(body as unknown as JSONWebKeySet);
        return this.#set;
      } finally {
        // Failed attempts count too: a JWKS endpoint that is down is not hammered either.
        this.#fetchedAt = Date.now();
        this.fetches++;
        this.#pending = undefined;
      }
    })();
    return this.#pending;
  }
}
