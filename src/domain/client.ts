import { DomainError, invalidField } from './errors.js';
import { ipInList } from './ip.js';
import type { Mode } from './mode.js';

/** How a client's secret is stored: never the secret itself. */
export type SecretHash = string;

export interface Client {
  id: string;
  name: string;
  mode: Mode;
  scopes: string[];
  orgId: string | null;
  /** CIDRs; empty means any address. */
  allowedIps: string[];
  enabled: boolean;
  secretGeneration: number;
  secretHash: SecretHash;
  /** The secret replaced by the last rotation, honoured (with its tokens) until `graceUntil`. */
  previousSecretHash: SecretHash | null;
  /** Epoch milliseconds; null when the last rotation had no grace. */
  graceUntil: number | null;
  createdAt: number;
  updatedAt: number;
  /** When a token was last issued to it (recorded at most once a minute per process); null: never. */
  lastUsedAt: number | null;
  /** Tokens it may be issued a minute (spec §11); null: no quota, and no cost on the hot path. */
  tokensPerMinute: number | null;
  /** Tokens it may be issued at once under its quota; null: `tokensPerMinute`. */
  burst: number | null;
}

/**
 * What a caller may see of a client: no hash, and of the last rotation's grace only whether it
 * still runs, as read at `now` (see `graceEndsAt`).
 */
export type ClientView = Omit<Client, 'secretHash' | 'previousSecretHash' | 'graceUntil'> & {
  /** When the previous secret and its tokens stop working (epoch ms); null when no grace runs. */
  graceEndsAt: number | null;
};

/** The client as a caller may see it, read at `now`. */
export const toView = (
  { secretHash: _s, previousSecretHash: _p, graceUntil, ...view }: Client,
  now: number,
): ClientView => ({ ...view, graceEndsAt: graceEndsAt({ graceUntil }, now) });

/**
 * When the previous secret, and the tokens of its generation, stop working: the end of a grace
 * still running at `now`, else null (no grace, or it is over). The same instant
 * `acceptsGeneration` honours.
 */
export function graceEndsAt(client: Pick<Client, 'graceUntil'>, now: number): number | null {
  const until = client.graceUntil ?? null;
  return until !== null && now < until ? until : null;
}

/**
 * A view's grace as it stands at `now`: a view read earlier (an idempotent answer replayed, or
 * one stored before views carried the grace) may hold an end that has passed since, or none.
 */
export const viewGraceEndsAt = (view: Pick<ClientView, 'graceEndsAt'>, now: number): number | null =>
  graceEndsAt({ graceUntil: view.graceEndsAt ?? null }, now);

/** The generations whose tokens are still honoured at `now`. */
export function acceptsGeneration(client: Client, generation: number, now: number): boolean {
  if (generation === client.secretGeneration) return true;
  return generation === client.secretGeneration - 1 && client.graceUntil !== null && now < client.graceUntil;
}

/**
 * Whether a change of `enabled` ends the client's tokens: only a disable of an enabled client.
 * Disable means dead (spec §4: a token issued before a disable stays dead after an enable), and
 * a second disable finds them dead already: it bumps no generation and records nothing.
 */
export const disableEndsTokens = (before: Pick<Client, 'enabled'>, enabled: boolean | undefined): boolean =>
  enabled === false && before.enabled;

/**
 * Spec §2 step 4: a client with an allowlist is served only from inside it. Checked after the
 * secret (or the token), so the answer is no oracle to someone without one.
 */
export function checkSourceAllowed(client: Pick<Client, 'allowedIps'>, sourceIp: string): void {
  if (client.allowedIps.length > 0 && !ipInList(sourceIp, client.allowedIps)) {
    throw new DomainError('access_denied', 'Requests from this address are not allowed for this client');
  }
}

// Shape limits of seed 000, applied to every door so one client works everywhere.
export const CLIENT_ID_MIN = 5;
export const CLIENT_ID_MAX = 120;
export const SECRET_MIN = 10;
export const SECRET_MAX = 255;
export const NAME_MAX = 200;

// Printable ASCII only: no control characters, nothing a log line could be forged with. Ids
// hold no spaces; secrets are RFC 6749 Appendix A VSCHAR (0x20–0x7E), the space included.
const PRINTABLE = /^[\x21-\x7E]+$/;
const VSCHAR = /^[\x20-\x7E]+$/;

/** Whether a value has the shape of a client secret (spec §1: 10–255 VSCHAR). */
export const isSecretShape = (value: string): boolean =>
  value.length >= SECRET_MIN && value.length <= SECRET_MAX && VSCHAR.test(value);

/** Checks a presented credential's shape; the message never echoes the value. */
export function checkCredentialShape(field: 'client_id' | 'client_secret', value: string): void {
  const [min, max] = field === 'client_id' ? [CLIENT_ID_MIN, CLIENT_ID_MAX] : [SECRET_MIN, SECRET_MAX];
  if (value.length < min || value.length > max) throw invalidField(field, `must be ${min}–${max} characters`);
  if (field === 'client_id' && !PRINTABLE.test(value))
    throw invalidField(field, 'must be printable ASCII without spaces');
  if (field === 'client_secret' && !VSCHAR.test(value)) throw invalidField(field, 'must be printable ASCII');
}

export function checkClientName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > NAME_MAX || /[\x00-\x1F\x7F]/.test(trimmed)) {
    throw invalidField('name', `must be 1–${NAME_MAX} characters without control characters`);
  }
  return trimmed;
}

const ORG_ID = /^[A-Za-z0-9._:-]{1,120}$/;
export function checkOrgId(orgId: string): string {
  if (!ORG_ID.test(orgId)) throw invalidField('org_id', 'must be 1–120 of A-Z a-z 0-9 . _ : -');
  return orgId;
}
