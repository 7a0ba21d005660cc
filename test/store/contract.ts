import { copyFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/domain/audit.js';
import type { Client } from '../../src/domain/client.js';
import type { Operator, Session } from '../../src/domain/operator.js';
import { lockoutKeys, refreshLockoutKeys, type LockoutPolicy } from '../../src/domain/lockout.js';
import type { Api, Grant } from '../../src/domain/api.js';
import type { RefreshRecord } from '../../src/domain/refresh.js';
import type { ClientPatch, SetupToken, Store, StoredSigningKey } from '../../src/usecases/ports.js';
import { tempDir } from '../support/process.js';

/** How the suite gets a fresh, empty store of one kind, and what that kind can do. */
export interface StoreFactory {
  name: string;
  open(): Promise<Store>;
  /** Whether `backup` makes a copy (and what reopens it), or refuses. */
  backup: { reopen(file: string): Promise<Store> } | 'refused';
}

const T0 = Date.UTC(2026, 0, 1);
const POLICY: LockoutPolicy = { maxFailures: 5, maxFailuresPerIp: 50, windowSeconds: 900, lockSeconds: 900 };
const RETENTION = { lockout: POLICY, auditRetentionDays: 30, usageRetentionDays: 90 };

const client = (over: Partial<Client> = {}): Client => ({
  id: 'cl_live_contract0000000000000000',
  name: 'contract',
  mode: 'live',
  scopes: ['read', 'write'],
  orgId: null,
  allowedIps: [],
  enabled: true,
  secretGeneration: 1,
  secretHash: 'hash-1',
  previousSecretHash: null,
  graceUntil: null,
  createdAt: T0,
  updatedAt: T0,
  lastUsedAt: null,
  tokensPerMinute: null,
  burst: null,
  ...over,
});

const event = (
  clientId: string | null,
  action: AuditEvent['action'],
  at = T0,
  detail: Record<string, unknown> = {},
): AuditEvent => ({
  at,
  actor: 'cli:contract',
  action,
  clientId,
  sourceIp: null,
  detail,
});

const refresh = (hash: string, over: Partial<RefreshRecord> = {}): RefreshRecord => ({
  hash,
  clientId: 'cl_live_contract0000000000000000',
  mode: 'live',
  generation: 1,
  audience: null,
  scopes: ['read'],
  expiresAt: T0 + 60_000,
  createdAt: T0,
  ...over,
});

const signingKey = (kid: string, mode: 'live' | 'test', createdAt: number): StoredSigningKey => ({
  kid,
  mode,
  alg: 'ES256',
  publicJwk: JSON.stringify({ kty: 'EC', kid }),
  privateJwkEnc: `sealed-${kid}`,
  current: true,
  createdAt,
});

const operator = (over: Partial<Operator> = {}): Operator => ({
  id: 'op_contract_1',
  email: 'ada@example.com',
  role: 'admin',
  orgId: null,
  enabled: true,
  passwordHash: null,
  totpSecretSealed: null,
  totpEnabled: false,
  totpLastStep: 0,
  recoveryCodeHashes: [],
  createdAt: T0,
  updatedAt: T0,
  ...over,
});

const opEvent = (action: AuditEvent['action'], at = T0, detail: Record<string, unknown> = {}): AuditEvent => ({
  at,
  actor: 'panel:ada@example.com',
  action,
  clientId: null,
  sourceIp: '192.0.2.1',
  detail,
});

const session = (idHash: string, over: Partial<Session> = {}): Session => ({
  idHash,
  operatorId: 'op_contract_1',
  createdAt: T0,
  lastSeenAt: T0,
  expiresAt: T0 + 8 * 3600_000,
  ...over,
});

const setupToken = (hash: string, over: Partial<SetupToken> = {}): SetupToken => ({
  hash,
  operatorId: 'op_contract_1',
  createdAt: T0,
  expiresAt: T0 + 86_400_000,
  ...over,
});

const auditFault = (): never => {
  throw new Error('audit write failed');
};

/**
 * One contract for every store (docs/architecture.md: one suite, many stores): each port method, and the
 * promises the core builds on — atomic lockout counting, one winner of an idempotency claim,
 * no change without its audit row, no lost rotation.
 */
export function describeStoreContract(factory: StoreFactory): void {
  describe(`store contract: ${factory.name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory.open();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('clients', () => {
      it('stores a client with its audit events and reads it back whole', async () => {
        const c = client({ orgId: 'org_1', allowedIps: ['10.0.0.0/8', '2001:db8::/32'], scopes: ['a:b', 'c'] });
        await store.clients.insert(c, (row) => [event(row.id, 'client.created')]);
        expect(await store.clients.findById(c.id)).toEqual(c);
        expect(await store.clients.findById('cl_live_nobody')).toBeUndefined();
        expect((await store.audit.list({ limit: 10 })).map((e) => [e.action, e.clientId])).toEqual([
          ['client.created', c.id],
        ]);
        expect(await store.clients.count()).toBe(1);
      });

      it('reads a credential check in one go: the client and both lockout counters', async () => {
        const keys = lockoutKeys(client().id, '192.0.2.7');
        expect(await store.clients.findForCheck(client().id, keys)).toEqual({
          client: undefined,
          lockout: { pair: undefined, ip: undefined },
        });
        await store.clients.insert(client(), () => []);
        await store.lockout.settle(keys, false, T0, POLICY);
        expect(await store.clients.findForCheck(client().id, keys)).toEqual({
          client: client(),
          lockout: {
            pair: { failures: 1, windowStart: T0, lockedUntil: 0 },
            ip: { failures: 1, windowStart: T0, lockedUntil: 0 },
          },
        });
      });

      it('answers many credential reads at once, each with its own client and counters', async () => {
        for (let i = 0; i < 10; i++)
          await store.clients.insert(client({ id: `cl_live_many${i}`, name: `many ${i}` }), () => []);
        await store.lockout.settle(lockoutKeys('cl_live_many3', '192.0.2.8'), false, T0, POLICY);
        const reads = await Promise.all(
          Array.from({ length: 30 }, (_, i) =>
            store.clients.findForCheck(
              i % 15 < 10 ? `cl_live_many${i % 15}` : `cl_live_none${i}`,
              lockoutKeys(`cl_live_many${i % 15}`, i % 2 ? '192.0.2.8' : '192.0.2.9'),
            ),
          ),
        );
        reads.forEach((r, i) => {
          expect(r.client?.name).toBe(i % 15 < 10 ? `many ${i % 15}` : undefined);
          expect(r.lockout.ip?.failures).toBe(i % 2 ? 1 : undefined);
          expect(r.lockout.pair?.failures).toBe(i % 15 === 3 && i % 2 ? 1 : undefined);
        });
      });

      it('refuses a second client with the same id, leaving the first and no audit row', async () => {
        await store.clients.insert(client(), () => []);
        await expect(
          store.clients.insert(client({ name: 'other' }), (row) => [event(row.id, 'client.created')]),
        ).rejects.toThrow();
        expect((await store.clients.findById(client().id))?.name).toBe('contract');
        expect(await store.audit.list({ limit: 10 })).toEqual([]);
      });

      it('inserts a first client only while there is none, one of many racing', async () => {
        const made = await Promise.all(
          Array.from({ length: 5 }, (_, i) =>
            store.clients.insertFirst(client({ id: `cl_test_first${i}` }), (row) => [event(row.id, 'client.created')]),
          ),
        );
        expect(made.filter(Boolean)).toHaveLength(1);
        expect(await store.clients.count()).toBe(1);
        expect(await store.audit.list({ limit: 10 })).toHaveLength(1);
      });

      it('writes no client when its audit events cannot be written', async () => {
        await expect(store.clients.insert(client(), auditFault)).rejects.toThrow('audit write failed');
        expect(await store.clients.findById(client().id)).toBeUndefined();
        expect(await store.clients.count()).toBe(0);
      });

      it('updates the given fields, judging the audit events on the row as it was and as it is', async () => {
        await store.clients.insert(client(), () => []);
        const seen: Array<[string, string]> = [];
        const after = await store.clients.update(
          client().id,
          { name: 'renamed', scopes: ['x'], allowedIps: ['10.1.0.0/16'], orgId: 'org_9', enabled: false },
          T0 + 5,
          (before, now) => {
            seen.push([before.name, now.name]);
            return [event(now.id, 'client.updated', T0 + 5, { fields: ['name'] })];
          },
        );
        expect(seen).toEqual([['contract', 'renamed']]);
        expect(after).toEqual(
          client({
            name: 'renamed',
            scopes: ['x'],
            allowedIps: ['10.1.0.0/16'],
            orgId: 'org_9',
            enabled: false,
            updatedAt: T0 + 5,
          }),
        );
        expect(await store.clients.findById(client().id)).toEqual(after);
        expect((await store.audit.list({ clientId: client().id, limit: 5 }))[0]?.detail).toEqual({ fields: ['name'] });
      });

      it('decides a patch given as a function on the row the writing transaction reads: disables at once end tokens once', async () => {
        await store.clients.insert(client(), () => []);
        const seen: boolean[] = [];
        const disable = (before: Client): ClientPatch => {
          seen.push(before.enabled);
          return before.enabled ? { enabled: false, endTokens: true } : { enabled: false };
        };
        const answers = await Promise.all(
          [1, 2, 3].map((i) => store.clients.update(client().id, disable, T0 + i, () => [])),
        );
        expect(seen.sort()).toEqual([false, false, true]);
        expect(answers.map((c) => c?.secretGeneration)).toEqual([2, 2, 2]);
        expect(await store.clients.findById(client().id)).toMatchObject({ enabled: false, secretGeneration: 2 });
      });

      it('leaves everything as it was when an update cannot be audited', async () => {
        await store.clients.insert(client(), () => []);
        await expect(store.clients.update(client().id, { enabled: false }, T0 + 1, auditFault)).rejects.toThrow(
          'audit write failed',
        );
        expect(await store.clients.findById(client().id)).toEqual(client());
      });

      it('answers undefined for an update or rotation of no client, writing nothing', async () => {
        let asked = false;
        const audit = () => {
          asked = true;
          return [];
        };
        expect(await store.clients.update('cl_live_nobody', { name: 'x' }, T0, audit)).toBeUndefined();
        expect(
          await store.clients.rotateSecret('cl_live_nobody', { secretHash: 'h', graceUntil: null }, T0, audit),
        ).toBeUndefined();
        expect(asked).toBe(false);
        expect(await store.clients.count()).toBe(0);
      });

      it('rotates: new hash, generation bumped, the previous hash kept only with a grace', async () => {
        await store.clients.insert(client(), () => []);
        const graced = await store.clients.rotateSecret(
          client().id,
          { secretHash: 'hash-2', graceUntil: T0 + 3600_000 },
          T0 + 10,
          (r) => [event(r.id, 'client.rotated', T0 + 10, { generation: r.secretGeneration })],
        );
        expect(graced).toEqual(
          client({
            secretHash: 'hash-2',
            previousSecretHash: 'hash-1',
            graceUntil: T0 + 3600_000,
            secretGeneration: 2,
            updatedAt: T0 + 10,
          }),
        );
        const plain = await store.clients.rotateSecret(
          client().id,
          { secretHash: 'hash-3', graceUntil: null },
          T0 + 20,
          () => [],
        );
        expect(plain).toMatchObject({
          secretHash: 'hash-3',
          previousSecretHash: null,
          graceUntil: null,
          secretGeneration: 3,
        });
        expect(await store.clients.findById(client().id)).toEqual(plain);
        expect((await store.audit.list({ clientId: client().id, limit: 5 })).map((e) => e.detail)).toEqual([
          { generation: 2 },
        ]);
      });

      it('keeps the secret when a rotation cannot be audited', async () => {
        await store.clients.insert(client(), () => []);
        await expect(
          store.clients.rotateSecret(client().id, { secretHash: 'hash-2', graceUntil: null }, T0, auditFault),
        ).rejects.toThrow();
        expect(await store.clients.findById(client().id)).toEqual(client());
      });

      it('loses no rotation among concurrent ones: generations strictly increase, one each', async () => {
        await store.clients.insert(client(), () => []);
        const generations = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            store.clients
              .rotateSecret(client().id, { secretHash: `hash-r${i}`, graceUntil: null }, T0 + i, () => [])
              .then((r) => r!.secretGeneration),
          ),
        );
        expect([...generations].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
        expect((await store.clients.findById(client().id))?.secretGeneration).toBe(21);
      });

      it('deletes a client with its audit row, answering the row as it was', async () => {
        await store.clients.insert(client(), () => []);
        const seen: Client[] = [];
        const deleted = await store.clients.delete(client().id, T0 + 7, (row) => {
          seen.push(row);
          return [event(row.id, 'client.deleted', T0 + 7, { name: row.name })];
        });
        expect(deleted).toEqual(client());
        expect(seen).toEqual([client()]);
        expect(await store.clients.findById(client().id)).toBeUndefined();
        expect(await store.clients.count()).toBe(0);
        expect((await store.tokens.bearerState(client().id, 'jti-1')).client).toBeUndefined();
        expect(
          (await store.audit.list({ clientId: client().id, limit: 5 })).map((e) => [e.action, e.at, e.detail]),
        ).toEqual([['client.deleted', T0 + 7, { name: 'contract' }]]);
      });

      it('answers undefined for a delete of no client, writing nothing; ids are matched exactly', async () => {
        await store.clients.insert(client(), () => []);
        let asked = false;
        const audit = () => {
          asked = true;
          return [event('x', 'client.deleted')];
        };
        expect(await store.clients.delete('cl_live_nobody', T0, audit)).toBeUndefined();
        expect(await store.clients.delete(client().id.slice(0, -1), T0, audit)).toBeUndefined();
        expect(await store.clients.delete(client().id.toUpperCase(), T0, audit)).toBeUndefined();
        expect(asked).toBe(false);
        expect(await store.clients.count()).toBe(1);
        expect(await store.audit.list({ limit: 10 })).toEqual([]);
      });

      it('keeps the client when its deletion cannot be audited', async () => {
        await store.clients.insert(client(), () => []);
        await expect(store.clients.delete(client().id, T0, auditFault)).rejects.toThrow('audit write failed');
        expect(await store.clients.findById(client().id)).toEqual(client());
        expect(await store.audit.list({ limit: 10 })).toEqual([]);
      });

      it('lists in byte order of ids, after a cursor, within a limit', async () => {
        const ids = ['cl_test_b', 'cl_live_b', 'cl_live_a', 'cl_live_C', 'cl_test_a'];
        for (const id of ids)
          await store.clients.insert(client({ id, mode: id.startsWith('cl_live') ? 'live' : 'test' }), () => []);
        expect((await store.clients.list({ limit: 10 })).map((c) => c.id)).toEqual([
          'cl_live_C',
          'cl_live_a',
          'cl_live_b',
          'cl_test_a',
          'cl_test_b',
        ]);
        expect((await store.clients.list({ limit: 2, afterId: 'cl_live_a' })).map((c) => c.id)).toEqual([
          'cl_live_b',
          'cl_test_a',
        ]);
        expect((await store.clients.list({ limit: 10, afterId: 'cl_test_' })).map((c) => c.id)).toEqual([
          'cl_test_a',
          'cl_test_b',
        ]);
        expect(await store.clients.count()).toBe(5);
      });

      it('records the later of two uses, with no audit row, no generation or updatedAt change', async () => {
        await store.clients.insert(client(), () => []);
        await store.clients.markUsed(client().id, T0 + 10);
        expect((await store.clients.findById(client().id))?.lastUsedAt).toBe(T0 + 10);
        await store.clients.markUsed(client().id, T0 + 5);
        expect((await store.clients.findById(client().id))?.lastUsedAt).toBe(T0 + 10);
        await Promise.all([T0 + 30, T0 + 20, T0 + 40, T0 + 15].map((at) => store.clients.markUsed(client().id, at)));
        expect(await store.clients.findById(client().id)).toEqual(client({ lastUsedAt: T0 + 40 }));
        expect((await store.clients.list({ limit: 10 }))[0]?.lastUsedAt).toBe(T0 + 40);
        expect((await store.tokens.bearerState(client().id, 'jti-x')).client?.lastUsedAt).toBe(T0 + 40);
        await expect(store.clients.markUsed('cl_live_nobody', T0)).resolves.toBeUndefined();
        expect(await store.audit.list({ limit: 10 })).toEqual([]);
        expect(await store.clients.count()).toBe(1);
      });

      it('lists by organisation and by a literal, case-insensitive search of id or name, in byte order, paged', async () => {
        const rows: Array<[string, string, string | null]> = [
          ['cl_live_a', 'Alpha 100%', 'org_1'],
          ['cl_live_b', 'beta_x', 'org_2'],
          ['cl_live_C', 'gamma', 'org_1'],
          ['cl_live_d', 'betaQx 100 x', null],
          ['cl_live_e', 'back\\slash', 'org_1'],
          ['cl_test_a', 'ALPHAbet', 'org_1'],
        ];
        for (const [id, name, orgId] of rows)
          await store.clients.insert(
            client({ id, name, orgId, mode: id.startsWith('cl_live') ? 'live' : 'test' }),
            () => [],
          );
        const ids = async (page: Parameters<Store['clients']['list']>[0]) =>
          (await store.clients.list(page)).map((c) => c.id);
        expect(await ids({ limit: 10, orgId: 'org_1' })).toEqual(['cl_live_C', 'cl_live_a', 'cl_live_e', 'cl_test_a']);
        expect(await ids({ limit: 10, orgId: 'org_' })).toEqual([]);
        expect(await ids({ limit: 10, search: 'alpha' })).toEqual(['cl_live_a', 'cl_test_a']);
        expect(await ids({ limit: 10, search: 'ALPHA' })).toEqual(['cl_live_a', 'cl_test_a']);
        // The id too, case-insensitively.
        expect(await ids({ limit: 10, search: 'LIVE_C' })).toEqual(['cl_live_C']);
        // `_` and `%` are characters, not wildcards: 'betaQx 100 x' matches neither.
        expect(await ids({ limit: 10, search: 'a_x' })).toEqual(['cl_live_b']);
        expect(await ids({ limit: 10, search: '0%' })).toEqual(['cl_live_a']);
        expect(await ids({ limit: 10, search: '%' })).toEqual(['cl_live_a']);
        expect(await ids({ limit: 10, search: 'k\\s' })).toEqual(['cl_live_e']);
        expect(await ids({ limit: 10, search: 'nothing' })).toEqual([]);
        // Filters combine, and page after a cursor.
        expect(await ids({ limit: 10, orgId: 'org_1', search: 'a' })).toEqual([
          'cl_live_C',
          'cl_live_a',
          'cl_live_e',
          'cl_test_a',
        ]);
        expect(await ids({ limit: 2, orgId: 'org_1', search: 'a' })).toEqual(['cl_live_C', 'cl_live_a']);
        expect(await ids({ limit: 2, orgId: 'org_1', search: 'a', afterId: 'cl_live_a' })).toEqual([
          'cl_live_e',
          'cl_test_a',
        ]);
        expect(await ids({ limit: 10, search: 'x', afterId: 'cl_live_b' })).toEqual(['cl_live_d']);
        expect(await ids({ limit: 10, orgId: 'org_2', afterId: 'cl_live_b' })).toEqual([]);
      });
    });

    describe('operators', () => {
      it('stores an operator with its audit events and reads it back whole, by id and by email', async () => {
        const o = operator({
          role: 'developer',
          orgId: 'org_1',
          passwordHash: 'scrypt$x',
          totpSecretSealed: 'sealed',
          totpEnabled: true,
          totpLastStep: 12,
          recoveryCodeHashes: ['r1', 'r2'],
        });
        const seen: Array<[Operator | undefined, Operator]> = [];
        expect(
          await store.operators.insert(o, (before, after) => {
            seen.push([before, after]);
            return [opEvent('operator.created', T0, { email: after.email })];
          }),
        ).toBe(true);
        expect(seen).toEqual([[undefined, o]]);
        expect(await store.operators.findById(o.id)).toEqual(o);
        expect(await store.operators.findByEmail(o.email)).toEqual(o);
        expect(await store.operators.findByEmail('ADA@example.com')).toBeUndefined();
        expect(await store.operators.findById('op_nobody')).toBeUndefined();
        expect(await store.operators.count()).toBe(1);
        expect((await store.audit.list({ limit: 10 })).map((e) => [e.action, e.clientId, e.detail])).toEqual([
          ['operator.created', null, { email: o.email }],
        ]);
      });

      it('refuses a taken email with false, writing nothing and asking no audit', async () => {
        await store.operators.insert(operator(), () => [opEvent('operator.created')]);
        let asked = false;
        const taken = await store.operators.insert(operator({ id: 'op_contract_2', role: 'viewer' }), () => {
          asked = true;
          return [opEvent('operator.created')];
        });
        expect(taken).toBe(false);
        expect(asked).toBe(false);
        expect(await store.operators.findById('op_contract_2')).toBeUndefined();
        expect((await store.operators.findByEmail(operator().email))?.role).toBe('admin');
        expect(await store.operators.count()).toBe(1);
        expect(await store.audit.list({ limit: 10 })).toHaveLength(1);
      });

      it('gives a contested email to one of many racing inserts', async () => {
        const made = await Promise.all(
          Array.from({ length: 5 }, (_, i) =>
            store.operators.insert(operator({ id: `op_race_${i}` }), () => [opEvent('operator.created')]),
          ),
        );
        expect(made.filter(Boolean)).toHaveLength(1);
        expect(await store.operators.count()).toBe(1);
        expect(await store.audit.list({ limit: 10 })).toHaveLength(1);
      });

      it('lists every operator in byte order of email', async () => {
        for (const [id, email] of [
          ['op_1', 'zed@example.com'],
          ['op_2', 'Bob@example.com'],
          ['op_3', 'amy@example.com'],
        ] as const) {
          await store.operators.insert(operator({ id, email }), () => []);
        }
        expect((await store.operators.list()).map((o) => o.email)).toEqual([
          'Bob@example.com',
          'amy@example.com',
          'zed@example.com',
        ]);
        expect(await store.operators.count()).toBe(3);
      });

      it('inserts a first operator only while there is none', async () => {
        expect(await store.operators.insertFirst(operator(), () => [opEvent('operator.created')])).toBe(true);
        let asked = false;
        const second = await store.operators.insertFirst(
          operator({ id: 'op_second', email: 'second@example.com' }),
          () => {
            asked = true;
            return [];
          },
        );
        expect(second).toBe(false);
        expect(asked).toBe(false);
        expect(await store.operators.findById('op_second')).toBeUndefined();
        expect(await store.operators.count()).toBe(1);
        expect(await store.audit.list({ limit: 10 })).toHaveLength(1);
      });

      it('inserts exactly one first operator of many racing, with its audit row', async () => {
        const made = await Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            store.operators.insertFirst(operator({ id: `op_first_${i}`, email: `first${i}@example.com` }), () => [
              opEvent('operator.created'),
            ]),
          ),
        );
        expect(made.filter(Boolean)).toHaveLength(1);
        expect(await store.operators.count()).toBe(1);
        expect(await store.audit.list({ limit: 10 })).toHaveLength(1);
      });

      it('writes no operator when its audit events cannot be written', async () => {
        await expect(store.operators.insert(operator(), auditFault)).rejects.toThrow('audit write failed');
        await expect(store.operators.insertFirst(operator(), auditFault)).rejects.toThrow('audit write failed');
        expect(await store.operators.count()).toBe(0);
        expect(await store.operators.findByEmail(operator().email)).toBeUndefined();
        expect(await store.audit.list({ limit: 10 })).toEqual([]);
        // The email is free again.
        expect(await store.operators.insert(operator(), () => [])).toBe(true);
      });

      it('updates the given fields, judging the audit events on the row as it was and as it is, sessions kept', async () => {
        await store.operators.insert(operator({ recoveryCodeHashes: ['r1'] }), () => []);
        await store.sessions.insert(session('s1'));
        const seen: Array<[string, string]> = [];
        const patch = {
          role: 'developer',
          orgId: 'org_7',
          enabled: false,
          passwordHash: 'scrypt$new',
          totpSecretSealed: 'sealed-2',
          totpEnabled: true,
          recoveryCodeHashes: ['a', 'b'],
        } as const;
        const after = await store.operators.update(
          operator().id,
          { ...patch, recoveryCodeHashes: [...patch.recoveryCodeHashes] },
          T0 + 5,
          (before, now) => {
            seen.push([before!.role, now.role]);
            return [opEvent('operator.disabled', T0 + 5, { fields: ['role', 'enabled'] })];
          },
        );
        const expected = operator({ ...patch, recoveryCodeHashes: ['a', 'b'], updatedAt: T0 + 5 });
        expect(after).toEqual(expected);
        expect(seen).toEqual([['admin', 'developer']]);
        expect(await store.operators.findById(operator().id)).toEqual(expected);
        expect((await store.audit.list({ limit: 10 })).map((e) => [e.action, e.detail])).toEqual([
          ['operator.disabled', { fields: ['role', 'enabled'] }],
        ]);
        // Without endSessions the session lives on, and reads the operator as it is now.
        expect(await store.sessions.find('s1')).toEqual({ session: session('s1'), operator: expected });
        // Back to null, and a partial patch leaves the other fields alone.
        const cleared = await store.operators.update(
          operator().id,
          { orgId: null, passwordHash: null, totpSecretSealed: null, recoveryCodeHashes: [] },
          T0 + 6,
          () => [],
        );
        expect(cleared).toEqual({
          ...expected,
          orgId: null,
          passwordHash: null,
          totpSecretSealed: null,
          recoveryCodeHashes: [],
          updatedAt: T0 + 6,
        });
      });

      it('with endSessions, ends every session of the operator in the same write, and only theirs', async () => {
        await store.operators.insert(operator(), () => []);
        await store.operators.insert(operator({ id: 'op_other', email: 'other@example.com' }), () => []);
        await store.sessions.insert(session('s1'));
        await store.sessions.insert(session('s2'));
        await store.sessions.insert(session('s3', { operatorId: 'op_other' }));
        const after = await store.operators.update(
          operator().id,
          { passwordHash: 'scrypt$reset' },
          T0 + 1,
          () => [opEvent('operator.reset', T0 + 1)],
          { endSessions: true },
        );
        expect(after?.passwordHash).toBe('scrypt$reset');
        expect(await store.sessions.find('s1')).toBeUndefined();
        expect(await store.sessions.find('s2')).toBeUndefined();
        expect((await store.sessions.find('s3'))?.operator.id).toBe('op_other');
        expect((await store.audit.list({ limit: 10 })).map((e) => e.action)).toEqual(['operator.reset']);
      });

      it('leaves the operator and its sessions as they were when an update cannot be audited', async () => {
        await store.operators.insert(operator(), () => []);
        await store.sessions.insert(session('s1'));
        await expect(
          store.operators.update(operator().id, { enabled: false }, T0 + 1, auditFault, { endSessions: true }),
        ).rejects.toThrow('audit write failed');
        expect(await store.operators.findById(operator().id)).toEqual(operator());
        expect(await store.sessions.find('s1')).toEqual({ session: session('s1'), operator: operator() });
        expect(await store.audit.list({ limit: 10 })).toEqual([]);
      });

      it('answers undefined for an update of no operator, writing nothing', async () => {
        let asked = false;
        const audit = () => {
          asked = true;
          return [opEvent('operator.disabled')];
        };
        expect(
          await store.operators.update('op_nobody', { enabled: false }, T0, audit, { endSessions: true }),
        ).toBeUndefined();
        expect(asked).toBe(false);
        expect(await store.audit.list({ limit: 10 })).toEqual([]);
      });

      it('accepts a TOTP step only when it is later than the last accepted one', async () => {
        await store.operators.insert(operator({ totpLastStep: 100 }), () => []);
        expect(await store.operators.advanceTotpStep(operator().id, 100)).toBe(false);
        expect(await store.operators.advanceTotpStep(operator().id, 99)).toBe(false);
        expect(await store.operators.advanceTotpStep(operator().id, 101)).toBe(true);
        expect(await store.operators.advanceTotpStep(operator().id, 101)).toBe(false);
        expect(await store.operators.advanceTotpStep(operator().id, 100)).toBe(false);
        expect(await store.operators.advanceTotpStep(operator().id, 105)).toBe(true);
        expect((await store.operators.findById(operator().id))?.totpLastStep).toBe(105);
        expect(await store.operators.advanceTotpStep('op_nobody', 1)).toBe(false);
      });

      it('lets exactly one of many racing uses of one TOTP step through', async () => {
        await store.operators.insert(operator(), () => []);
        const won = await Promise.all(
          Array.from({ length: 10 }, () => store.operators.advanceTotpStep(operator().id, 7)),
        );
        expect(won.filter(Boolean)).toHaveLength(1);
        expect((await store.operators.findById(operator().id))?.totpLastStep).toBe(7);
      });

      it('takes a recovery code once, even among racing uses, leaving the others', async () => {
        await store.operators.insert(operator({ recoveryCodeHashes: ['r1', 'r2', 'r3'] }), () => []);
        expect(await store.operators.useRecoveryCode(operator().id, 'r2')).toBe(true);
        expect(await store.operators.useRecoveryCode(operator().id, 'r2')).toBe(false);
        expect(await store.operators.useRecoveryCode(operator().id, 'r')).toBe(false);
        expect(await store.operators.useRecoveryCode('op_nobody', 'r1')).toBe(false);
        expect((await store.operators.findById(operator().id))?.recoveryCodeHashes).toEqual(['r1', 'r3']);
        const won = await Promise.all(
          Array.from({ length: 8 }, () => store.operators.useRecoveryCode(operator().id, 'r3')),
        );
        expect(won.filter(Boolean)).toHaveLength(1);
        expect((await store.operators.findById(operator().id))?.recoveryCodeHashes).toEqual(['r1']);
        expect(await store.operators.useRecoveryCode(operator().id, 'r1')).toBe(true);
        expect((await store.operators.findById(operator().id))?.recoveryCodeHashes).toEqual([]);
      });

      it("replaces an operator's earlier setup links with a new one, leaving other operators' links", async () => {
        await store.operators.insert(operator(), () => []);
        await store.operators.insert(operator({ id: 'op_other', email: 'other@example.com' }), () => []);
        await store.operators.putSetupToken(setupToken('old'));
        await store.operators.putSetupToken(setupToken('theirs', { operatorId: 'op_other' }));
        await store.operators.putSetupToken(setupToken('new', { createdAt: T0 + 1 }));
        expect(await store.operators.takeSetupToken('old', T0 + 2)).toBeUndefined();
        expect(await store.operators.takeSetupToken('new', T0 + 2)).toEqual(setupToken('new', { createdAt: T0 + 1 }));
        expect(await store.operators.takeSetupToken('theirs', T0 + 2)).toEqual(
          setupToken('theirs', { operatorId: 'op_other' }),
        );
      });

      it('takes a live setup link once, and never after it expires', async () => {
        await store.operators.putSetupToken(setupToken('first-admin', { operatorId: null, expiresAt: T0 + 1000 }));
        expect(await store.operators.takeSetupToken('first-admin', T0 + 1000)).toBeUndefined();
        expect(await store.operators.takeSetupToken('unknown', T0)).toBeUndefined();
        expect(await store.operators.takeSetupToken('first-admin', T0 + 999)).toEqual(
          setupToken('first-admin', { operatorId: null, expiresAt: T0 + 1000 }),
        );
        expect(await store.operators.takeSetupToken('first-admin', T0 + 999)).toBeUndefined();
        await store.operators.putSetupToken(setupToken('raced', { operatorId: null }));
        const taken = await Promise.all(Array.from({ length: 8 }, () => store.operators.takeSetupToken('raced', T0)));
        expect(taken.filter((t) => t !== undefined)).toHaveLength(1);
      });
    });

    describe('sessions', () => {
      beforeEach(async () => {
        await store.operators.insert(
          operator({ role: 'viewer', orgId: 'org_3', recoveryCodeHashes: ['r1'] }),
          () => [],
        );
      });

      it('stores a session and reads it with its operator in one go', async () => {
        await store.sessions.insert(session('s1'));
        expect(await store.sessions.find('s1')).toEqual({
          session: session('s1'),
          operator: operator({ role: 'viewer', orgId: 'org_3', recoveryCodeHashes: ['r1'] }),
        });
        expect(await store.sessions.find('s')).toBeUndefined();
        await expect(store.sessions.insert(session('s1'))).rejects.toThrow();
      });

      it('restarts the idle clock on touch, never moving it back', async () => {
        await store.sessions.insert(session('s1'));
        await store.sessions.insert(session('s2'));
        await store.sessions.touch('s1', T0 + 60_000);
        expect((await store.sessions.find('s1'))?.session).toEqual(session('s1', { lastSeenAt: T0 + 60_000 }));
        await store.sessions.touch('s1', T0 + 30_000);
        expect((await store.sessions.find('s1'))?.session.lastSeenAt).toBe(T0 + 60_000);
        expect((await store.sessions.find('s2'))?.session.lastSeenAt).toBe(T0);
        await expect(store.sessions.touch('unknown', T0)).resolves.toBeUndefined();
      });

      it('ends one session; ending an unknown one is no error', async () => {
        await store.sessions.insert(session('s1'));
        await store.sessions.insert(session('s2'));
        await store.sessions.delete('s1');
        expect(await store.sessions.find('s1')).toBeUndefined();
        expect(await store.sessions.find('s2')).toBeDefined();
        await expect(store.sessions.delete('s1')).resolves.toBeUndefined();
        await expect(store.sessions.delete('unknown')).resolves.toBeUndefined();
      });
    });

    describe('lockout', () => {
      const keys = lockoutKeys('cl_live_someone', '192.0.2.1');

      it('reads nothing for keys that never failed', async () => {
        expect(await store.lockout.read(keys)).toEqual({ pair: undefined, ip: undefined });
      });

      it('counts a failure on both counters, and a success clears the pair only', async () => {
        expect(await store.lockout.settle(keys, false, T0, POLICY)).toEqual({ locked: false });
        expect(await store.lockout.read(keys)).toEqual({
          pair: { failures: 1, windowStart: T0, lockedUntil: 0 },
          ip: { failures: 1, windowStart: T0, lockedUntil: 0 },
        });
        expect(await store.lockout.settle(keys, true, T0 + 1, POLICY)).toEqual({ locked: false });
        expect(await store.lockout.read(keys)).toEqual({
          pair: undefined,
          ip: { failures: 1, windowStart: T0, lockedUntil: 0 },
        });
      });

      it('judges exactly maxFailures of 40 concurrent wrong attempts, and records one lock', async () => {
        const verdicts = await Promise.all(
          Array.from({ length: 40 }, () => store.lockout.settle(keys, false, T0, POLICY)),
        );
        expect(verdicts.filter((v) => !v.locked)).toHaveLength(POLICY.maxFailures);
        expect(verdicts.filter((v) => v.locked)).toHaveLength(40 - POLICY.maxFailures);
        expect((await store.lockout.read(keys)).pair).toEqual({
          failures: POLICY.maxFailures,
          windowStart: T0,
          lockedUntil: T0 + 900_000,
        });
        const locks = (await store.audit.list({ limit: 50 })).filter((e) => e.action === 'lockout');
        expect(locks.map((e) => [e.clientId, e.sourceIp, e.detail])).toEqual([
          ['cl_live_someone', '192.0.2.1', { kind: 'pair', lockedUntil: T0 + 900_000 }],
        ]);
        // Locked: even the right secret is refused, and nothing changes.
        expect(await store.lockout.settle(keys, true, T0 + 1000, POLICY)).toEqual({
          locked: true,
          retryAfterSeconds: 899,
        });
      });

      it('lets a decision on the counters the caller saw stand only when it writes nothing', async () => {
        const seenClean = await store.lockout.read(keys);
        await store.lockout.settle(keys, false, T0, POLICY);
        // A success on what was seen clean writes nothing and stands: the pair is not cleared.
        expect(await store.lockout.settle(keys, true, T0 + 1, POLICY, seenClean)).toEqual({ locked: false });
        expect((await store.lockout.read(keys)).pair?.failures).toBe(1);
        // A failure on a stale read is decided again under the lock, on the stored counters.
        expect(await store.lockout.settle(keys, false, T0 + 2, POLICY, seenClean)).toEqual({ locked: false });
        expect((await store.lockout.read(keys)).pair?.failures).toBe(2);
      });

      it('keeps pairs apart, and counts the address across client ids', async () => {
        for (let i = 0; i < 3; i++)
          await store.lockout.settle(lockoutKeys(`cl_live_spray${i}`, '192.0.2.2'), false, T0, POLICY);
        const other = await store.lockout.read(lockoutKeys('cl_live_spray0', '192.0.2.3'));
        expect(other).toEqual({ pair: undefined, ip: undefined });
        expect((await store.lockout.read(lockoutKeys('cl_live_new', '192.0.2.2'))).ip?.failures).toBe(3);
      });

      it('holds refresh guessing to the per-address limit', async () => {
        const r = refreshLockoutKeys('192.0.2.4');
        const verdicts = await Promise.all(
          Array.from({ length: 60 }, () => store.lockout.settle(r, false, T0, POLICY)),
        );
        expect(verdicts.filter((v) => !v.locked)).toHaveLength(POLICY.maxFailuresPerIp);
      });
    });

    describe('tokens', () => {
      beforeEach(async () => {
        await store.clients.insert(client(), () => []);
      });

      it('reads a bearer state: the client, and whether the jti is revoked', async () => {
        expect(await store.tokens.bearerState(client().id, 'jti-1')).toEqual({ client: client(), revoked: false });
        expect(await store.tokens.bearerState('cl_live_nobody', 'jti-1')).toEqual({
          client: undefined,
          revoked: false,
        });
        await store.tokens.revokeAccessToken('jti-1', client().id, T0 + 1000, T0);
        await store.tokens.revokeAccessToken('jti-1', client().id, T0 + 1000, T0 + 1);
        expect(await store.tokens.bearerState(client().id, 'jti-1')).toEqual({ client: client(), revoked: true });
        expect((await store.tokens.bearerState(client().id, 'jti-2')).revoked).toBe(false);
      });

      it('answers many bearer reads at once, each about its own token', async () => {
        await store.tokens.revokeAccessToken('jti-odd', client().id, null, T0);
        const reads = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            store.tokens.bearerState(i % 4 === 3 ? 'cl_live_nobody' : client().id, i % 2 ? 'jti-odd' : `jti-${i}`),
          ),
        );
        reads.forEach((r, i) => {
          expect(r.client?.id).toBe(i % 4 === 3 ? undefined : client().id);
          expect(r.revoked).toBe(i % 2 === 1);
        });
      });

      it('saves, finds and deletes refresh tokens by hash', async () => {
        await store.tokens.saveRefreshToken(refresh('h1', { scopes: ['read', 'write'] }));
        await store.tokens.saveRefreshToken(refresh('h2', { scopes: [] }));
        expect(await store.tokens.findRefreshToken('h1')).toEqual(refresh('h1', { scopes: ['read', 'write'] }));
        expect(await store.tokens.findRefreshToken('h2')).toEqual(refresh('h2', { scopes: [] }));
        await store.tokens.deleteRefreshToken('h1');
        expect(await store.tokens.findRefreshToken('h1')).toBeUndefined();
        await expect(store.tokens.saveRefreshToken(refresh('h2'))).rejects.toThrow();
      });

      it('commits every one of many refresh tokens saved at once', async () => {
        await Promise.all(Array.from({ length: 50 }, (_, i) => store.tokens.saveRefreshToken(refresh(`many-${i}`))));
        for (let i = 0; i < 50; i++) expect(await store.tokens.findRefreshToken(`many-${i}`)).toBeDefined();
      });
    });

    describe('idempotency', () => {
      it('claims a key once; the record is pending, then done with its sealed answer', async () => {
        expect(await store.idempotency.claim('caller', 'k', 'hash', T0, T0 + 1000)).toEqual({ state: 'claimed' });
        expect(await store.idempotency.claim('caller', 'k', 'other', T0, T0 + 1000)).toEqual({
          state: 'pending',
          requestHash: 'hash',
        });
        await store.idempotency.complete('caller', 'k', 'sealed-answer');
        expect(await store.idempotency.claim('caller', 'k', 'hash', T0 + 1, T0 + 1000)).toEqual({
          state: 'done',
          requestHash: 'hash',
          sealed: 'sealed-answer',
        });
        // Keys are the caller's own.
        expect(await store.idempotency.claim('someone-else', 'k', 'hash', T0, T0 + 1000)).toEqual({ state: 'claimed' });
      });

      it('gives one of many racing claims the key', async () => {
        const results = await Promise.all(
          Array.from({ length: 10 }, () => store.idempotency.claim('racer', 'k', 'hash', T0, T0 + 1000)),
        );
        expect(results.filter((r) => r.state === 'claimed')).toHaveLength(1);
        expect(results.filter((r) => r.state === 'pending')).toHaveLength(9);
      });

      it('frees a released claim, but never a completed one', async () => {
        await store.idempotency.claim('caller', 'free', 'hash', T0, T0 + 1000);
        await store.idempotency.release('caller', 'free');
        expect(await store.idempotency.claim('caller', 'free', 'hash2', T0, T0 + 1000)).toEqual({ state: 'claimed' });
        await store.idempotency.complete('caller', 'free', 'sealed');
        await store.idempotency.release('caller', 'free');
        expect(await store.idempotency.claim('caller', 'free', 'hash2', T0, T0 + 1000)).toMatchObject({
          state: 'done',
        });
      });

      it('forgets a key once it expires', async () => {
        await store.idempotency.claim('caller', 'old', 'hash', T0, T0 + 1000);
        await store.idempotency.complete('caller', 'old', 'sealed');
        expect(await store.idempotency.claim('caller', 'old', 'new-hash', T0 + 1000, T0 + 2000)).toEqual({
          state: 'claimed',
        });
      });
    });

    describe('signing keys', () => {
      it('keeps one current key per mode, older keys listed oldest first', async () => {
        expect(await store.keys.current('live', 'ES256')).toBeUndefined();
        expect(await store.keys.insertCurrent(signingKey('k1', 'live', T0), null)).toBe(true);
        expect(await store.keys.insertCurrent(signingKey('t1', 'test', T0 + 1))).toBe(true);
        expect(await store.keys.insertCurrent(signingKey('k2', 'live', T0 + 2))).toBe(true);
        expect(await store.keys.currentKid('live', 'ES256')).toBe('k2');
        expect(await store.keys.current('live', 'ES256')).toEqual(signingKey('k2', 'live', T0 + 2));
        expect((await store.keys.list('live')).map((k) => [k.kid, k.current])).toEqual([
          ['k1', false],
          ['k2', true],
        ]);
        expect((await store.keys.list()).map((k) => k.kid)).toEqual(['k1', 't1', 'k2']);
      });

      it('replaces only the key it saw: of racing starts, one key per mode', async () => {
        const made = await Promise.all(
          ['a', 'b', 'c'].map((kid, i) => store.keys.insertCurrent(signingKey(kid, 'live', T0 + i), null)),
        );
        expect(made.filter(Boolean)).toHaveLength(1);
        expect(await store.keys.list('live')).toHaveLength(1);
        const current = (await store.keys.currentKid('live', 'ES256'))!;
        expect(await store.keys.insertCurrent(signingKey('d', 'live', T0 + 9), 'not-the-current-kid')).toBe(false);
        expect(await store.keys.insertCurrent(signingKey('e', 'live', T0 + 9), current)).toBe(true);
        expect(await store.keys.currentKid('live', 'ES256')).toBe('e');
      });
    });

    describe('signing keys: audited rotation and removal', () => {
      const keyEvent = (action: AuditEvent['action'], detail: Record<string, unknown>): AuditEvent => ({
        ...event('', action),
        clientId: null,
        detail,
      });

      it('commits the events of a key made current with it, built from the kid it replaced', async () => {
        expect(await store.keys.insertCurrent(signingKey('k1', 'live', T0), null)).toBe(true);
        const seen: Array<[string, string | null]> = [];
        const made = await store.keys.insertCurrent(signingKey('k2', 'live', T0 + 1), undefined, (key, replaced) => {
          seen.push([key.kid, replaced]);
          return [keyEvent('key.rotated', { kid: key.kid, replaced })];
        });
        expect(made).toBe(true);
        expect(seen).toEqual([['k2', 'k1']]);
        await store.keys.insertCurrent(signingKey('t1', 'test', T0 + 2), undefined, (key, replaced) => [
          keyEvent('key.rotated', { kid: key.kid, replaced }),
        ]);
        expect((await store.audit.list({ limit: 10 })).map((e) => [e.action, e.clientId, e.detail])).toEqual([
          ['key.rotated', null, { kid: 't1', replaced: null }],
          ['key.rotated', null, { kid: 'k2', replaced: 'k1' }],
        ]);
        // Not made (another process replaced the key first): no event either.
        expect(
          await store.keys.insertCurrent(signingKey('k3', 'live', T0 + 3), 'k1', () => [keyEvent('key.rotated', {})]),
        ).toBe(false);
        expect(await store.audit.list({ limit: 10 })).toHaveLength(2);
      });

      it('keeps the current key when the rotation cannot be audited', async () => {
        await store.keys.insertCurrent(signingKey('k1', 'live', T0), null);
        await expect(store.keys.insertCurrent(signingKey('k2', 'live', T0 + 1), undefined, auditFault)).rejects.toThrow(
          'audit write failed',
        );
        expect(await store.keys.currentKid('live', 'ES256')).toBe('k1');
        expect((await store.keys.list()).map((k) => k.kid)).toEqual(['k1']);
      });

      it('removes a retired key with its audit row, and refuses the current key and unknown kids, writing nothing', async () => {
        await store.keys.insertCurrent(signingKey('k1', 'live', T0));
        await store.keys.insertCurrent(signingKey('t1', 'test', T0 + 1));
        await store.keys.insertCurrent(signingKey('k2', 'live', T0 + 2));
        let asked = 0;
        const audit = (key: StoredSigningKey) => {
          asked++;
          return [keyEvent('key.retired', { kid: key.kid, mode: key.mode })];
        };
        expect(await store.keys.remove('k2', audit)).toEqual({ outcome: 'current' });
        expect(await store.keys.remove('t1', audit)).toEqual({ outcome: 'current' });
        expect(await store.keys.remove('k', audit)).toEqual({ outcome: 'not_found' });
        expect(asked).toBe(0);
        expect(await store.audit.list({ limit: 10 })).toEqual([]);
        expect(await store.keys.remove('k1', audit)).toEqual({
          outcome: 'removed',
          key: { ...signingKey('k1', 'live', T0), current: false },
        });
        expect((await store.keys.list()).map((k) => k.kid)).toEqual(['t1', 'k2']);
        expect(await store.keys.currentKid('live', 'ES256')).toBe('k2');
        expect((await store.audit.list({ limit: 10 })).map((e) => [e.action, e.detail])).toEqual([
          ['key.retired', { kid: 'k1', mode: 'live' }],
        ]);
        expect(await store.keys.remove('k1', audit)).toEqual({ outcome: 'not_found' });
      });

      it('keeps a retired key when its removal cannot be audited', async () => {
        await store.keys.insertCurrent(signingKey('k1', 'live', T0));
        await store.keys.insertCurrent(signingKey('k2', 'live', T0 + 1));
        await expect(store.keys.remove('k1', auditFault)).rejects.toThrow('audit write failed');
        expect((await store.keys.list('live')).map((k) => k.kid)).toEqual(['k1', 'k2']);
      });

      it('never leaves a mode without a key when a rotation races removals', async () => {
        await store.keys.insertCurrent(signingKey('k1', 'live', T0));
        await store.keys.insertCurrent(signingKey('k2', 'live', T0 + 1));
        const results = await Promise.all([
          store.keys.remove('k1', () => []),
          store.keys.insertCurrent(signingKey('k3', 'live', T0 + 2)),
          store.keys.remove('k2', () => []),
          store.keys.remove('k3', () => []),
        ]);
        expect(results[0]).toMatchObject({ outcome: 'removed' });
        expect(await store.keys.currentKid('live', 'ES256')).toBeDefined();
        expect((await store.keys.list('live')).filter((k) => k.current)).toHaveLength(1);
      });
    });

    describe('audit trail', () => {
      it('lists newest first, by client, within the limit', async () => {
        await store.clients.insert(client({ id: 'cl_live_a' }), (c) => [event(c.id, 'client.created', T0 + 2)]);
        await store.clients.insert(client({ id: 'cl_live_b' }), (c) => [event(c.id, 'client.created', T0 + 1)]);
        await store.clients.update('cl_live_b', { name: 'x' }, T0 + 3, (_b, a) => [
          event(a.id, 'client.updated', T0 + 3),
        ]);
        const all = await store.audit.list({ limit: 10 });
        expect(all.map((e) => [e.clientId, e.action])).toEqual([
          ['cl_live_b', 'client.updated'],
          ['cl_live_a', 'client.created'],
          ['cl_live_b', 'client.created'],
        ]);
        expect(all[0]).toEqual({ ...event('cl_live_b', 'client.updated', T0 + 3), id: expect.any(Number) });
        expect((await store.audit.list({ clientId: 'cl_live_b', limit: 1 })).map((e) => e.action)).toEqual([
          'client.updated',
        ]);
      });
    });

    describe('housekeeping', () => {
      it('purges expired refresh tokens, revocations, idempotency keys, stale counters and old audit events, and nothing else', async () => {
        const DAY = 86_400_000;
        await store.clients.insert(client(), (c) => [
          event(c.id, 'client.created', T0 - 31 * DAY),
          event(c.id, 'client.updated', T0 - 29 * DAY),
        ]);
        await store.tokens.saveRefreshToken(refresh('gone', { expiresAt: T0 }));
        await store.tokens.saveRefreshToken(refresh('kept', { expiresAt: T0 + 1 }));
        await store.tokens.revokeAccessToken('jti-gone', client().id, T0, T0);
        await store.tokens.revokeAccessToken('jti-forever', client().id, null, T0);
        await store.idempotency.claim('c', 'gone', 'h', T0 - 10, T0);
        await store.lockout.settle(lockoutKeys('cl_live_x', '192.0.2.9'), false, T0 - 900_001, POLICY);
        expect(await store.purgeExpired(T0, RETENTION)).toBe(6);
        expect((await store.audit.list({ limit: 10 })).map((e) => e.action)).toEqual(['client.updated']);
        expect(await store.tokens.findRefreshToken('kept')).toBeDefined();
        expect(await store.tokens.findRefreshToken('gone')).toBeUndefined();
        expect((await store.tokens.bearerState(client().id, 'jti-forever')).revoked).toBe(true);
        expect((await store.tokens.bearerState(client().id, 'jti-gone')).revoked).toBe(false);
        expect(await store.lockout.read(lockoutKeys('cl_live_x', '192.0.2.9'))).toEqual({
          pair: undefined,
          ip: undefined,
        });
        expect(await store.purgeExpired(T0, RETENTION)).toBe(0);
      });

      it('purges panel sessions past their absolute end and expired setup links, and nothing else', async () => {
        await store.operators.insert(operator(), () => []);
        await store.operators.insert(operator({ id: 'op_other', email: 'other@example.com' }), () => []);
        await store.sessions.insert(session('s-gone', { expiresAt: T0 }));
        await store.sessions.insert(session('s-kept', { expiresAt: T0 + 1 }));
        await store.operators.putSetupToken(setupToken('t-gone', { operatorId: null, expiresAt: T0 }));
        await store.operators.putSetupToken(setupToken('t-kept', { operatorId: 'op_other', expiresAt: T0 + 1 }));
        expect(await store.purgeExpired(T0, RETENTION)).toBe(2);
        expect(await store.sessions.find('s-gone')).toBeUndefined();
        expect(await store.sessions.find('s-kept')).toBeDefined();
        // Gone for good: even a clock before its expiry finds nothing.
        expect(await store.operators.takeSetupToken('t-gone', T0 - 1)).toBeUndefined();
        expect(await store.operators.takeSetupToken('t-kept', T0)).toBeDefined();
        expect(await store.operators.count()).toBe(2);
        expect(await store.purgeExpired(T0, RETENTION)).toBe(0);
      });

      it('answers ping while open', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
      });

      if (factory.backup === 'refused') {
        it('refuses a backup, saying why', async () => {
          const file = join(tempDir(), 'backup.db');
          await expect(store.backup(file)).rejects.toThrow(/back up/);
          expect(existsSync(file)).toBe(false);
        });
      } else {
        const { reopen } = factory.backup;
        it('backs up into a file that opens as a store with the same contents', async () => {
          await store.clients.insert(client(), () => []);
          const file = join(tempDir(), 'backup.db');
          const made = await store.backup(file);
          expect(made).toMatchObject({ file, integrity: 'ok' });
          const copy = await reopen(file);
          try {
            expect(await copy.clients.findById(client().id)).toEqual(client());
          } finally {
            await copy.close();
          }
        });

        it('creates missing folders and leaves one self-contained file there, nothing beside it', async () => {
          await store.clients.insert(client(), () => []);
          const dir = join(tempDir(), 'not', 'yet');
          const file = join(dir, 'backup.db');
          await store.backup(file);
          expect(readdirSync(dir)).toEqual(['backup.db']);
          // The file alone, moved away from anything that could have been beside it, holds it all.
          const alone = join(tempDir(), 'alone.db');
          copyFileSync(file, alone);
          const copy = await reopen(alone);
          try {
            expect(await copy.clients.findById(client().id)).toEqual(client());
          } finally {
            await copy.close();
          }
          // A second backup over the first replaces it whole.
          await store.clients.insert(client({ id: 'cl_live_second' }), () => []);
          await store.backup(file);
          expect(readdirSync(dir)).toEqual(['backup.db']);
        });

        it('names the file that stands where a folder is needed, and writes nothing', async () => {
          const root = tempDir();
          writeFileSync(join(root, 'plain'), 'not a folder');
          await expect(store.backup(join(root, 'plain', 'sub', 'backup.db'))).rejects.toThrow(
            `${join(root, 'plain')} is a file, not a folder`,
          );
          await expect(store.backup(root)).rejects.toThrow('it is a folder');
          expect(readdirSync(root)).toEqual(['plain']);
        });
      }
    });

    describe('apis and grants', () => {
      const api = (over: Partial<Api> = {}): Api => ({
        id: 'api_contract_1',
        identifier: 'https://billing.example.com/api',
        name: 'Billing',
        mode: 'live',
        permissions: [
          { name: 'invoices:read', description: 'Read invoices' },
          { name: 'invoices:write', description: '' },
        ],
        tokenTtlSeconds: 300,
        alg: 'RS256',
        createdAt: T0,
        updatedAt: T0,
        ...over,
      });
      const ref = { mode: 'live' as const, identifier: 'https://billing.example.com/api' };
      const grant = (over: Partial<Grant> = {}): Grant => ({
        clientId: client().id,
        apiId: 'api_contract_1',
        permissions: ['invoices:read'],
        createdAt: T0,
        updatedAt: T0,
        ...over,
      });
      const actions = async () => (await store.audit.list({ limit: 50 })).map((e) => e.action).reverse();

      it('stores an API with its audit events, unique per mode, and reads it back whole', async () => {
        expect(await store.apis.insertApi(api(), () => [event(null, 'api.created')])).toBe(true);
        expect(await store.apis.findApi(ref)).toEqual(api());
        expect(await store.apis.insertApi(api({ id: 'api_contract_2' }), () => [event(null, 'api.created')])).toBe(
          false,
        );
        expect(
          await store.apis.insertApi(
            api({ id: 'api_contract_3', mode: 'test', tokenTtlSeconds: null, alg: null }),
            () => [],
          ),
        ).toBe(true);
        expect(await store.apis.findApi({ mode: 'test', identifier: ref.identifier })).toMatchObject({
          id: 'api_contract_3',
          tokenTtlSeconds: null,
          alg: null,
        });
        expect((await store.apis.listApis('live')).map((a) => a.id)).toEqual(['api_contract_1']);
        expect((await store.apis.listApis()).map((a) => a.id)).toEqual(['api_contract_1', 'api_contract_3']);
        expect(await actions()).toEqual(['api.created']);
      });

      it('updates an API with before and after read in the transaction; a throwing builder changes nothing', async () => {
        await store.apis.insertApi(api(), () => []);
        await expect(store.apis.updateApi(ref, { name: 'Never' }, T0 + 1, auditFault)).rejects.toThrow();
        expect((await store.apis.findApi(ref))!.name).toBe('Billing');
        let seen: [Api, Api] | undefined;
        const after = await store.apis.updateApi(
          ref,
          { name: 'Invoices', permissions: [{ name: 'invoices:read', description: '' }], tokenTtlSeconds: null },
          T0 + 5,
          (b, a) => {
            seen = [b, a];
            return [event(null, 'api.updated')];
          },
        );
        expect(after).toEqual({
          ...api(),
          name: 'Invoices',
          permissions: [{ name: 'invoices:read', description: '' }],
          tokenTtlSeconds: null,
          updatedAt: T0 + 5,
        });
        expect(seen).toEqual([api(), after]);
        expect(await store.apis.updateApi({ ...ref, mode: 'test' }, { name: 'x' }, T0, () => [])).toBeUndefined();
      });

      it('sets, replaces and removes a grant, read with its API in one go', async () => {
        await store.clients.insert(client(), () => []);
        await store.apis.insertApi(api(), () => []);
        let before: Grant | undefined | null = null;
        await store.apis.setGrant(grant(), (b) => {
          before = b;
          return [event(client().id, 'grant.set')];
        });
        expect(before).toBeUndefined();
        expect(await store.apis.target(client().id, ref)).toEqual({ api: api(), grant: grant() });
        const replaced = await store.apis.setGrant(
          grant({ permissions: ['invoices:read', 'invoices:write'], createdAt: T0 + 9, updatedAt: T0 + 9 }),
          (b) => {
            before = b;
            return [];
          },
        );
        expect(before).toEqual(grant());
        expect(replaced).toEqual(grant({ permissions: ['invoices:read', 'invoices:write'], updatedAt: T0 + 9 }));
        expect(await store.apis.grantsOf(client().id)).toEqual([{ api: api(), grant: replaced }]);
        expect(await store.apis.grantsFor(api().id)).toEqual([replaced]);
        expect(await store.apis.target(client().id, { ...ref, mode: 'test' })).toBeUndefined();
        expect(await store.apis.target('cl_live_nobody', ref)).toBeUndefined();
        expect(
          await store.apis.removeGrant(client().id, api().id, () => [event(client().id, 'grant.removed')]),
        ).toEqual(replaced);
        expect(await store.apis.removeGrant(client().id, api().id, () => [])).toBeUndefined();
        expect(await store.apis.target(client().id, ref)).toBeUndefined();
        expect(await actions()).toEqual(['grant.set', 'grant.removed']);
      });

      it('brings the grant with the credential read and the Bearer read, only when one is asked', async () => {
        await store.clients.insert(client(), () => []);
        await store.apis.insertApi(api(), () => []);
        await store.apis.setGrant(grant(), () => []);
        const keys = lockoutKeys(client().id, '192.0.2.7');
        expect(await store.clients.findForCheck(client().id, keys, ref)).toEqual({
          client: client(),
          lockout: { pair: undefined, ip: undefined },
          target: { api: api(), grant: grant() },
        });
        expect(
          (await store.clients.findForCheck(client().id, keys, { ...ref, identifier: 'https://other.example' })).target,
        ).toBeUndefined();
        expect((await store.clients.findForCheck(client().id, keys)).target).toBeUndefined();
        expect(await store.tokens.bearerState(client().id, 'jti-1', ref)).toEqual({
          client: client(),
          revoked: false,
          target: { api: api(), grant: grant() },
        });
        const many = await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            store.tokens.bearerState(client().id, `j${i}`, i % 2 ? ref : { ...ref, mode: 'test' }),
          ),
        );
        expect(many.map((m) => m.target === undefined)).toEqual(Array.from({ length: 12 }, (_, i) => i % 2 === 0));
      });

      it('refuses to delete an API that has grants unless forced; a forced delete takes them too', async () => {
        await store.clients.insert(client(), () => []);
        await store.apis.insertApi(api(), () => []);
        await store.apis.setGrant(grant(), () => []);
        expect(await store.apis.deleteApi(ref, false, () => [event(null, 'api.deleted')])).toEqual({
          outcome: 'has_grants',
          grants: 1,
        });
        expect(await store.apis.findApi(ref)).toBeDefined();
        expect(await store.apis.deleteApi(ref, true, () => [event(null, 'api.deleted')])).toEqual({
          outcome: 'deleted',
          api: api(),
          grants: [grant()],
        });
        expect(await store.apis.findApi(ref)).toBeUndefined();
        expect(await store.apis.grantsOf(client().id)).toEqual([]);
        expect(await store.apis.deleteApi(ref, true, () => [])).toEqual({ outcome: 'not_found' });
        expect(await actions()).toEqual(['api.deleted']);
      });

      it("a client's grants go with the client", async () => {
        await store.clients.insert(client(), () => []);
        await store.apis.insertApi(api(), () => []);
        await store.apis.setGrant(grant(), () => []);
        await store.clients.delete(client().id, T0, () => []);
        expect(await store.apis.grantsFor(api().id)).toEqual([]);
      });
    });
  });
}
