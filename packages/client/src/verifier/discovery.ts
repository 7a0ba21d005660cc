import { TollgateError } from '../errors.js';
import { getJson, type Http } from './http.js';

/** The parts of RFC 8414 metadata a verifier uses. */
export interface ServerMetadata {
  issuer: string;
  jwks_uri?: string;
  introspection_endpoint?: string;
}

/**
 * Authorization server metadata, fetched once and kept; a failed fetch is not kept, so the next
 * verification tries again. Tollgate serves it at `{issuer}/.well-known/oauth-authorization-server`
 * for both modes (spec §3 oauth2), test mode's issuer being `ISSUER/test`.
 * @see RFC 8414 §3
 */
export class Discovery {
  #value: ServerMetadata | undefined;
  #pending: Promise<ServerMetadata> | undefined;

  constructor(
    readonly issuer: string,
    private readonly http: Http,
  ) {}

  get(): Promise<ServerMetadata> {
    if (this.#value) return Promise.resolve(this.#value);
    this.#pending ??= this.#load().finally(() => (this.#pending = undefined));
    return this.#pending;
  }

  async #load(): Promise<ServerMetadata> {
    const body = await getJson(this.http, `${this.issuer}/.well-known/oauth-authorization-server`);
    // RFC 8414 §3.3: the metadata must name the issuer it was fetched for, or it is not used.
    if (body.issuer !== this.issuer) {
      throw new TollgateError(
        'invalid_response',
        `Discovery names issuer ${JSON.stringify(body.issuer)}, not ${JSON.stringify(this.issuer)}`,
      );
    }
    const url = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
    const jwksUri = url(body.jwks_uri);
    const introspection = url(body.introspection_endpoint);
    this.#value = {
      issuer: this.issuer,
      ...(jwksUri === undefined ? {} : { jwks_uri: jwksUri }),
      ...(introspection === undefined ? {} : { introspection_endpoint: introspection }),
    };
    return this.#value;
  }
}
