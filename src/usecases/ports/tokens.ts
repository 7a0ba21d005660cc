import type { Target } from '../../domain/api.js';
import type { Client } from '../../domain/client.js';
import type { RefreshRecord } from '../../domain/refresh.js';
import type { ApiRef } from './apis.js';

/* Refresh tokens, revocations and the one read of the Bearer check. */

/** Token state: revocations and refresh tokens. Access tokens themselves are never stored. */
export interface TokenStore {
  /**
   * The client a token names and whether its `jti` is revoked, in one indexed read; with `target`,
   * the API the token names and the client's grant for it, in that same read.
   */
  bearerState(
    clientId: string,
    jti: string,
    target?: ApiRef,
  ): Promise<{ client: Client | undefined; revoked: boolean; target?: Target | undefined }>;
  /** `expiresAt` null: a token without `exp`, revoked for good. Revoking twice is one revocation. */
  revokeAccessToken(jti: string, clientId: string, expiresAt: number | null, now: number): Promise<void>;
  /** Resolves once the row is durable (within the store's documented trade-off). */
  saveRefreshToken(record: RefreshRecord): Promise<void>;
  findRefreshToken(hash: string): Promise<RefreshRecord | undefined>;
  deleteRefreshToken(hash: string): Promise<void>;
}
