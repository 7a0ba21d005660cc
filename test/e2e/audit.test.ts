import { userInfo } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, request, startServer, type RunningServer, storeEnv } from '../support/process.js';

interface AuditJson {
  id: number;
  at: string;
  actor: string;
  action: string;
  clientId: string | null;
  sourceIp: string | null;
  detail: Record<string, unknown>;
}

/** `tollgate audit` against the real server: CLI changes and a lockout caused over HTTP. */
describe('audit trail through the real server and CLI', () => {
  let server: RunningServer;
  let env: Record<string, string>;
  const run = async (...args: string[]) => {
    const r = await cli(args, env);
    expect(r.status, r.stderr).toBe(0);
    return r.stdout;
  };
  const v1 = (id: string, secret: string, localAddress: string) =>
    request(`${server.url}/v1/auth/token`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: id, client_secret: secret }).toString(),
      localAddress,
    });

  beforeAll(async () => {
    env = await storeEnv();
    server = await startServer(env);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('lists create, rotate, disable and enable by the operator and a lockout by Tollgate, newest first', async () => {
    const made = JSON.parse(await run('clients', 'create', '--name', 'audited', '--scope', 'read', '--json')) as {
      clientId: string;
      clientSecret: string;
    };
    const id = made.clientId;
    const rotated = JSON.parse(await run('clients', 'rotate-secret', id, '--json')) as { clientSecret: string };
    await run('clients', 'disable', id);
    await run('clients', 'enable', id);
    // Five wrong secrets from one address lock the pair; the sixth attempt is refused.
    for (let i = 0; i < 5; i++) expect((await v1(id, 'wrong-secret-value', '127.0.0.60')).status).toBe(401);
    expect((await v1(id, rotated.clientSecret, '127.0.0.60')).status).toBe(429);
    expect((await v1(id, rotated.clientSecret, '127.0.0.61')).status).toBe(200);

    const events = JSON.parse(await run('audit', '--client', id, '--json')) as AuditJson[];
    const operator = `cli:${userInfo().username}`;
    expect(events.map((e) => [e.action, e.actor, e.clientId, e.sourceIp])).toEqual([
      ['lockout', 'system:tollgate', id, '127.0.0.60'],
      ['client.enabled', operator, id, null],
      ['client.disabled', operator, id, null],
      ['client.rotated', operator, id, null],
      ['client.created', operator, id, null],
    ]);
    // --json is the raw record, as before: no sentence added to it.
    for (const e of events)
      expect(Object.keys(e).sort()).toEqual(['action', 'actor', 'at', 'clientId', 'detail', 'id', 'sourceIp']);
    const [lock, , , rotation, creation] = events;
    expect(lock!.detail).toEqual({ kind: 'pair', lockedUntil: expect.any(Number) });
    expect((lock!.detail.lockedUntil as number) - Date.parse(lock!.at)).toBe(900_000);
    expect(rotation!.detail).toEqual({ generation: 2, graceSeconds: 0 });
    expect(creation!.detail).toMatchObject({
      name: 'audited',
      mode: 'live',
      scopes: ['read'],
      secretSource: 'generated',
    });
    // Newest first, by time and then by row id.
    const order = events.map((e) => [Date.parse(e.at), e.id] as const);
    for (let i = 1; i < order.length; i++) {
      expect(
        order[i - 1]![0] > order[i]![0] || (order[i - 1]![0] === order[i]![0] && order[i - 1]![1] > order[i]![1]),
      ).toBe(true);
    }
    for (const s of [made.clientSecret, rotated.clientSecret, 'wrong-secret-value'])
      expect(JSON.stringify(events).includes(s)).toBe(false);

    // Without --client: every event, the other clients' too; as text, one line each.
    const everything = JSON.parse(await run('audit', '--json')) as AuditJson[];
    expect(everything.length).toBeGreaterThanOrEqual(events.length);
    expect(everything.filter((e) => e.clientId === id)).toEqual(events);
    const text = (await run('audit', '--client', id)).trim().split('\n');
    expect(text).toHaveLength(5);
    // Time, client and the event in words (issue 29, item 8); the raw detail stays under --json.
    const lines = text.map((l) => l.split(/\s{2,}/));
    expect(lines.map((l) => [l[0], l[1]])).toEqual(events.map((e) => [e.at, id]));
    const user = userInfo().username;
    expect(lines.map((l) => l.slice(2).join('  '))).toEqual([
      `Locked out, too many failed attempts for client ${id} from 127.0.0.60, until ${new Date(
        lock!.detail.lockedUntil as number,
      ).toISOString()}`,
      `Client enabled, by ${user} at the CLI`,
      `Client disabled, its tokens ended, by ${user} at the CLI`,
      `Secret rotated, no grace, the old secret stopped at once, by ${user} at the CLI`,
      `Client created, “audited”, live mode, scopes read, by ${user} at the CLI`,
    ]);
    for (const s of [made.clientSecret, rotated.clientSecret, 'wrong-secret-value'])
      expect(text.join('\n').includes(s)).toBe(false);
  });

  it('answers an empty array for a client with no events, and refuses a bad --limit', async () => {
    expect(JSON.parse(await run('audit', '--client', 'cl_live_nobody0000000000000', '--json'))).toEqual([]);
    const bad = await cli(['audit', '--limit', '0'], env);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('--limit');
  });
});
