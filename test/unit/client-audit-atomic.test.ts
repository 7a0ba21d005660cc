import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { issueToken } from '../../src/usecases/issue-token.js';
import { createClient, rotateSecret, updateClient } from '../../src/usecases/clients/manage.js';
import { harness, type Harness } from '../support/harness.js';

const OPS = { kind: 'cli', id: 'ops' } as const;

/**
 * A client change and its audit row commit together through the real SQLite store: when the audit
 * insert fails, the change is rolled back and the use case rejects.
 */
describe('client changes commit with their audit rows', () => {
  let h: Harness;

  const sqlite = () => h.sqlite.db.$client;
  const clientRow = (id: string) => sqlite().prepare('SELECT * FROM clients WHERE id = ?').get(id);
  const clientCount = () => (sqlite().prepare('SELECT count(*) AS n FROM clients').get() as { n: number }).n;
  const events = (id?: string) =>
    (
      sqlite()
        .prepare(
          'SELECT action, client_id AS clientId, detail FROM audit_events WHERE @id IS NULL OR client_id = @id ORDER BY id',
        )
        .all({ id: id ?? null }) as { action: string; clientId: string; detail: string }[]
    ).map((e) => ({ ...e, detail: JSON.parse(e.detail) as Record<string, unknown> }));
  /** Makes every insert into audit_events fail, or only those of one action. */
  const refuseAudit = (action?: string) =>
    sqlite().exec(
      `CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events ${action ? `WHEN NEW.action = '${action}'` : ''}
       BEGIN SELECT RAISE(ABORT, 'audit refused'); END`,
    );

  beforeEach(async () => {
    h = await harness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('creates a client and its client.created row together', async () => {
    const made = await createClient(h.services.deps, { name: 'svc', mode: 'live' }, OPS);
    expect(clientRow(made.client.id)).toBeDefined();
    expect(events(made.client.id)).toMatchObject([
      { action: 'client.created', clientId: made.client.id, detail: { name: 'svc' } },
    ]);
  });

  it('stores no client when its client.created row fails', async () => {
    refuseAudit();
    await expect(createClient(h.services.deps, { name: 'svc', mode: 'live' }, OPS)).rejects.toThrow('audit refused');
    expect(clientCount()).toBe(0);
    expect(events()).toEqual([]);
  });

  it('writes an update and both of its events (client.updated, client.disabled) together', async () => {
    const { id } = await h.client();
    const view = await updateClient(h.services.deps, id, { name: 'renamed', enabled: false }, OPS);
    expect(view).toMatchObject({ name: 'renamed', enabled: false });
    expect(events(id).slice(1)).toEqual([
      { action: 'client.updated', clientId: id, detail: { fields: ['name'], name: 'renamed' } },
      { action: 'client.disabled', clientId: id, detail: {} },
    ]);
    await updateClient(h.services.deps, id, { enabled: true }, OPS);
    expect(events(id).at(-1)).toMatchObject({ action: 'client.enabled' });
  });

  it.each([
    ['a field change whose client.updated row fails', { name: 'renamed' }, undefined],
    ['a disable whose client.disabled row fails', { enabled: false }, undefined],
    [
      'a rename and disable whose second row (client.disabled) fails',
      { name: 'renamed', enabled: false },
      'client.disabled',
    ],
  ])('leaves the client unchanged on %s', async (_label, input, refused) => {
    const { id } = await h.client();
    const before = clientRow(id);
    const trail = events(id);
    refuseAudit(refused);
    await expect(updateClient(h.services.deps, id, input, OPS)).rejects.toThrow('audit refused');
    expect(clientRow(id)).toEqual(before);
    // The first event of the pair did not commit on its own either.
    expect(events(id)).toEqual(trail);
  });

  it('leaves a disabled client disabled when its client.enabled row fails', async () => {
    const { id } = await h.client();
    await updateClient(h.services.deps, id, { enabled: false }, OPS);
    const before = clientRow(id);
    refuseAudit();
    await expect(updateClient(h.services.deps, id, { enabled: true }, OPS)).rejects.toThrow('audit refused');
    expect(clientRow(id)).toEqual(before);
    expect(clientRow(id)).toMatchObject({ enabled: 0 });
  });

  it('rotates and writes client.rotated with the generation that committed', async () => {
    const { id } = await h.client();
    await rotateSecret(h.services.deps, id, 0, OPS);
    const r = await rotateSecret(h.services.deps, id, 60, OPS);
    expect(r.generation).toBe(3);
    expect(
      events(id)
        .filter((e) => e.action === 'client.rotated')
        .map((e) => e.detail),
    ).toEqual([
      { generation: 2, graceSeconds: 0 },
      { generation: 3, graceSeconds: 60 },
    ]);
  });

  it('keeps the old secret and generation when the client.rotated row fails', async () => {
    const { id, secret } = await h.client();
    const before = clientRow(id);
    refuseAudit();
    await expect(rotateSecret(h.services.deps, id, 0, OPS)).rejects.toThrow('audit refused');
    expect(clientRow(id)).toEqual(before);
    expect(events(id).map((e) => e.action)).toEqual(['client.created']);
    await expect(
      issueToken(h.services.deps, {
        mode: 'live',
        door: 'v1',
        clientId: id,
        clientSecret: secret,
        sourceIp: '203.0.113.10',
        ttlSeconds: 60,
      }),
    ).resolves.toMatchObject({ generation: 1 });
  });

  it('writes nothing for an update or rotation of a client that does not exist', async () => {
    await expect(updateClient(h.services.deps, 'cl_live_missing', { name: 'x' }, OPS)).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(rotateSecret(h.services.deps, 'cl_live_missing', 0, OPS)).rejects.toMatchObject({ code: 'not_found' });
    expect(events()).toEqual([]);
  });
});
