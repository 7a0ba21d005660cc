import { createHash } from 'node:crypto';
import { auditEvent, type Actor } from '../domain/audit.js';
import { checkOrgId } from '../domain/client.js';
import { DomainError, invalidField } from '../domain/errors.js';
import { newOperatorId } from '../domain/ids.js';
import {
  checkPasswordShape,
  normaliseEmail,
  parseRole,
  SETUP_TTL_MS,
  toOperatorView,
  type Operator,
  type OperatorView,
} from '../domain/operator.js';
import { hashImportedSecret } from '../domain/secrets.js';
import type { PanelDeps } from './panel-sessions.js';

/*
 * Operators of the developer panel, managed from the CLI on the database host (spec §6, §7):
 * there is never an open setup page, only one-time links made here.
 */

type OperatorDeps = Pick<PanelDeps, 'operators' | 'clock' | 'random' | 'panel'>;

export interface SetupLink {
  link: string;
  expiresAt: number;
}

const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('base64url');

/**
 * A new one-time link for the operator (null: the first admin), valid 24 hours; earlier links of the operator stop
 * working.
 */
async function issueSetupLink(deps: OperatorDeps, operatorId: string | null): Promise<SetupLink> {
  const token = deps.random.bytes(32).toString('base64url');
  const now = deps.clock.now();
  const expiresAt = now + SETUP_TTL_MS;
  await deps.operators.putSetupToken({ hash: hashToken(token), operatorId, createdAt: now, expiresAt });
  // In the fragment, so the token is never sent in a request line, a log or a Referer.
  return { link: `${deps.panel.issuer}/panel/setup#token=${token}`, expiresAt };
}

export interface NewOperator {
  email: string;
  role: string;
  orgId: string | null;
  /** Set now (`--password-stdin`); absent, a setup link is made instead. */
  password?: string;
}

/** `tollgate users create`. A developer needs an organisation: it sees that organisation's clients alone. */
export async function createOperator(
  deps: OperatorDeps,
  input: NewOperator,
  actor: Actor,
): Promise<{ operator: OperatorView; setup?: SetupLink }> {
  const email = normaliseEmail(input.email);
  const role = parseRole(input.role);
  const orgId = input.orgId === null ? null : checkOrgId(input.orgId);
  if (role === 'developer' && orgId === null)
    throw invalidField('org', 'is required for a developer (it sees its organisation’s clients)');
  if (input.password !== undefined) checkPasswordShape(input.password);
  const now = deps.clock.now();
  const operator: Operator = {
    id: newOperatorId(deps.random.bytes(16)),
    email,
    role,
    orgId,
    enabled: true,
    passwordHash: input.password === undefined ? null : await hashImportedSecret(input.password, deps.random.bytes(16)),
    totpSecretSealed: null,
    totpEnabled: false,
    totpLastStep: 0,
    recoveryCodeHashes: [],
    createdAt: now,
    updatedAt: now,
  };
  const inserted = await deps.operators.insert(operator, (_b, o) => [
    auditEvent(actor, 'operator.created', null, now, { operator: o.email, role: o.role, orgId: o.orgId }),
  ]);
  if (!inserted) throw invalidField('email', 'already belongs to an operator');
  return {
    operator: toOperatorView(operator),
    ...(input.password === undefined ? { setup: await issueSetupLink(deps, operator.id) } : {}),
  };
}

export async function listOperators(deps: Pick<PanelDeps, 'operators'>): Promise<OperatorView[]> {
  return (await deps.operators.list()).map(toOperatorView);
}

async function byEmail(deps: Pick<PanelDeps, 'operators'>, email: string): Promise<Operator> {
  const found = await deps.operators.findByEmail(normaliseEmail(email));
  if (!found) throw new DomainError('not_found', 'No such operator');
  return found;
}

/** `tollgate users disable`: signs the operator out everywhere and keeps them out. */
export async function disableOperator(deps: OperatorDeps, email: string, actor: Actor): Promise<OperatorView> {
  const op = await byEmail(deps, email);
  const now = deps.clock.now();
  const done = await deps.operators.update(
    op.id,
    { enabled: false },
    now,
    (_b, o) => [auditEvent(actor, 'operator.disabled', null, now, { operator: o.email })],
    {
      endSessions: true,
    },
  );
  if (!done) throw new DomainError('not_found', 'No such operator');
  return toOperatorView(done);
}

/**
 * `tollgate users reset`: for a lost password or authenticator. The password and TOTP are
 * cleared, every session ends, and a new setup link is the only way back in.
 */
export async function resetOperator(
  deps: OperatorDeps,
  email: string,
  actor: Actor,
): Promise<{ operator: OperatorView; setup: SetupLink }> {
  const op = await byEmail(deps, email);
  const now = deps.clock.now();
  const done = await deps.operators.update(
    op.id,
    { passwordHash: null, totpSecretSealed: null, totpEnabled: false, recoveryCodeHashes: [] },
    now,
    (_b, o) => [auditEvent(actor, 'operator.reset', null, now, { operator: o.email })],
    { endSessions: true },
  );
  if (!done) throw new DomainError('not_found', 'No such operator');
  return { operator: toOperatorView(done), setup: await issueSetupLink(deps, op.id) };
}

/** At start-up: with no operator at all, a link for the first admin; otherwise nothing. */
export async function firstAdminLink(deps: OperatorDeps): Promise<SetupLink | undefined> {
  if ((await deps.operators.count()) > 0) return undefined;
  return issueSetupLink(deps, null);
}

export interface SetupInput {
  token: string;
  /** Only the first admin's link asks for it: other links belong to an operator already. */
  email: string | null;
  password: string;
}

const badLink = (): DomainError =>
  new DomainError('invalid_request', 'This setup link is not valid: it was used, replaced or has expired', {
    field: 'token',
  });

/** Following a setup link: the password is set (or the first admin made) and the link is spent. */
export async function completeSetup(deps: OperatorDeps, input: SetupInput, sourceIp: string): Promise<OperatorView> {
  checkPasswordShape(input.password);
  if (!/^[A-Za-z0-9_-]{43}$/.test(input.token)) throw badLink();
  const email = input.email === null || input.email.trim() === '' ? null : normaliseEmail(input.email);
  const now = deps.clock.now();
  const link = await deps.operators.takeSetupToken(hashToken(input.token), now);
  if (!link) throw badLink();
  const passwordHash = await hashImportedSecret(input.password, deps.random.bytes(16));
  if (link.operatorId === null) {
    if (email === null) {
      // Put the link back: asking for the missing field must not spend it.
      await deps.operators.putSetupToken(link);
      throw invalidField('email', 'is required to set up the first admin');
    }
    const admin: Operator = {
      id: newOperatorId(deps.random.bytes(16)),
      email,
      role: 'admin',
      orgId: null,
      enabled: true,
      passwordHash,
      totpSecretSealed: null,
      totpEnabled: false,
      totpLastStep: 0,
      recoveryCodeHashes: [],
      createdAt: now,
      updatedAt: now,
    };
    const actor: Actor = { kind: 'panel', id: email, sourceIp };
    const made = await deps.operators.insertFirst(admin, (_b, o) => [
      auditEvent(actor, 'operator.created', null, now, {
        operator: o.email,
        role: 'admin',
        orgId: null,
        via: 'first-admin link',
      }),
    ]);
    if (!made)
      throw new DomainError('invalid_request', 'There is an operator already; ask an admin for an account', {
        field: 'token',
      });
    return toOperatorView(admin);
  }
  const op = await deps.operators.findById(link.operatorId);
  if (!op?.enabled) throw badLink();
  const actor: Actor = { kind: 'panel', id: op.email, sourceIp };
  const done = await deps.operators.update(
    op.id,
    { passwordHash },
    now,
    (_b, o) => [auditEvent(actor, 'operator.setup', null, now, { operator: o.email })],
    { endSessions: true },
  );
  if (!done) throw badLink();
  return toOperatorView(done);
}
