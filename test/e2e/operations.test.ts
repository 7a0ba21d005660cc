import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { SERVER_NODE_FLAGS } from '../../src/infra/heap.js';
import { cli, request, startServer, storeEnv } from '../support/process.js';

const form = (o: Record<string, string>) => new URLSearchParams(o).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe('operations through the real server', () => {
  it('finishes every accepted request when stopped with SIGTERM under load', async () => {
    const env = await storeEnv();
    // An imported secret is checked with scrypt: each request is in flight for a while.
    const made = await cli(['clients', 'create', '--name', 'slow', '--secret', 'an-imported-secret-1', '--json'], env);
    expect(made.status, made.stderr).toBe(0);
    const id = JSON.parse(made.stdout).clientId as string;
    const server = await startServer(env);
    let outcomes: string[] = [];
    const fire = async () => {
      try {
        const r = await request(`${server.url}/v1/auth/token`, {
          headers: FORM,
          body: form({ client_id: id, client_secret: 'an-imported-secret-1' }),
        });
        outcomes.push(String(r.status));
      } catch (e) {
        outcomes.push((e as NodeJS.ErrnoException).code ?? 'error');
      }
    };
    // A wave of parallel requests, answered.
    await Promise.all(Array.from({ length: 8 }, fire));
    expect(outcomes).toEqual(Array(8).fill('200'));
    outcomes = [];
    // One request held open on purpose: its headers are in, half its body is not, when SIGTERM lands.
    const body = form({ client_id: id, client_secret: 'an-imported-secret-1' });
    const held = connect({ port: Number(new URL(server.url).port), host: '127.0.0.1' });
    let heldAnswer = '';
    const heldDone = new Promise<void>((r) => {
      held.on('data', (d) => {
        heldAnswer += d.toString();
        if (heldAnswer.includes('\r\n\r\n')) r();
      });
      held.once('close', () => r());
    });
    await new Promise((r) => held.once('connect', r));
    held.write(
      `POST /v1/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
    );
    // Generous: the server has the headers well before this, so the request is in flight.
    await new Promise((r) => setTimeout(r, 300));
    const wave = Promise.all(Array.from({ length: 8 }, fire));
    const exited = server.stop('SIGTERM');
    held.write(body.slice(10));
    await Promise.all([wave, heldDone]);
    held.destroy();
    await Promise.all(Array.from({ length: 4 }, fire)); // after the close: refused, never half-answered
    expect(await exited).toBe(0);
    // The request in flight at SIGTERM was finished, not dropped.
    expect(heldAnswer).toMatch(/^HTTP\/1\.1 200 /);
    // Every outcome is an answer or a refused connection (never accepted); a lost request
    // would show as a reset or a hang-up.
    expect(
      outcomes.filter((o) => !['200', '503', 'ECONNREFUSED'].includes(o)),
      outcomes.join(' '),
    ).toEqual([]);
  });

  it('writes no secret, token, refresh token or Authorization header to its logs', async () => {
    const env = { ...(await storeEnv()), LOG_LEVEL: 'trace' };
    const made = JSON.parse(
      (await cli(['clients', 'create', '--name', 'logs', '--scope', 'read', '--json'], env)).stdout,
    ) as { clientId: string; clientSecret: string };
    const server = await startServer(env);
    const { clientId: id, clientSecret: secret } = made;
    const seen: string[] = [secret];
    const v2 = await request(`${server.url}/v2/credentials/oauth/token`, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: id, clientSecret: secret }),
    });
    const access = JSON.parse(v2.body).accessToken as string;
    const oauth = JSON.parse(
      (
        await request(`${server.url}/api/v1/oauth2/token`, {
          headers: FORM,
          body: form({ grant_type: 'client_credentials', client_id: id, client_secret: secret }),
        })
      ).body,
    ) as { access_token: string; refresh_token: string };
    seen.push(access, oauth.access_token, oauth.refresh_token);
    const basic = `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
    seen.push(basic.slice(6));
    await request(`${server.url}/api/v1/oauth2/token`, {
      headers: { ...FORM, authorization: basic },
      body: form({ grant_type: 'refresh_token', refresh_token: oauth.refresh_token }),
    });
    await request(`${server.url}/api/v1/oauth2/introspect`, {
      headers: { ...FORM, authorization: basic },
      body: form({ token: access }),
    });
    await request(`${server.url}/auth/verify`, { method: 'GET', headers: { authorization: `Bearer ${access}` } });
    await request(`${server.url}/api/v1/client/me`, {
      method: 'GET',
      headers: { authorization: `Bearer ${oauth.access_token}` },
    });
    // Credentials where they do not belong: in the query string, and a wrong secret.
    await request(`${server.url}/v1/auth/token?client_secret=${encodeURIComponent(secret)}`, {
      headers: FORM,
      body: form({ client_id: id, client_secret: `${secret}x` }),
    });
    seen.push(`${secret}x`);
    await request(`${server.url}/graphql`, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation($i: IssueTokenInput!) { issueToken(input: $i) { __typename } }',
        variables: { i: { clientId: id, clientSecret: secret } },
      }),
    });
    await server.stop();
    const log = server.stdout() + server.stderr();
    expect(log.split('\n').filter((l) => l.startsWith('{')).length).toBeGreaterThan(10);
    for (const s of seen) expect(log.includes(s), `a credential reached the log: ${s.slice(0, 12)}…`).toBe(false);
    expect(log).not.toMatch(/"authorization"\s*:\s*"(Bearer|Basic) /i);
  });
});

/** The pids whose parent is `pid`, from /proc. */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return Number(readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]) === pid;
      } catch {
        return false; // gone since the listing
      }
    })
    .map(Number);
}

describe('metrics with WORKERS=2', () => {
  it('answers /metrics for every worker, not only the one that took the scrape, and forks each with the server flags', async () => {
    const env = { ...(await storeEnv()), WORKERS: '2' };
    const made = JSON.parse((await cli(['clients', 'create', '--name', 'workers', '--json'], env)).stdout) as {
      clientId: string;
      clientSecret: string;
    };
    const server = await startServer(env);
    try {
      // Both workers up first: a worker still booting cannot answer the primary's collection yet.
      for (let i = 0; i < 200 && server.stdout().split('Server listening at').length - 1 < 2; i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(server.stdout().split('Server listening at').length - 1).toBe(2);
      // Fresh connections are spread over the workers by the primary.
      for (let i = 0; i < 12; i++) {
        const r = await request(`${server.url}/v1/auth/token`, {
          headers: FORM,
          body: form({ client_id: made.clientId, client_secret: made.clientSecret }),
        });
        expect(r.status).toBe(200);
      }
      for (let i = 0; i < 3; i++) {
        const text = (await request(`${server.url}/metrics`, { method: 'GET' })).body;
        const line = text
          .split('\n')
          .find(
            (l) =>
              l.startsWith('tollgate_tokens_issued_total{') && l.includes('door="v1"') && l.includes('mode="live"'),
          );
        expect(Number(line?.split(' ').pop())).toBe(12);
      }
      // Each worker runs with the server's V8 flags (the young generation capped).
      const workers = childrenOf(server.proc.pid!);
      expect(workers).toHaveLength(2);
      for (const pid of workers)
        expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toEqual(
          expect.arrayContaining([...SERVER_NODE_FLAGS]),
        );

      // A worker dies; while the primary's new one starts, a scrape is answered at once: 503 with
      // Retry-After, or 200 once it is up. Never a five-second wait and a 500.
      process.kill(workers[0]!, 'SIGKILL');
      // Until the primary has seen the death it may still hand a new connection to the dead worker.
      for (let i = 0; i < 100 && !server.stderr().includes(`worker ${workers[0]} exited`); i++)
        await new Promise((r) => setTimeout(r, 20));
      const statuses = new Set<number>();
      const up = () => server.stdout().split('Server listening at').length - 1 === 3;
      // A worker takes a few seconds to start on a loaded machine: scrape every 25 ms, for up to 20 s.
      for (
        const end = Date.now() + 20_000;
        !(up() && statuses.has(200)) && Date.now() < end;
        await new Promise((r) => setTimeout(r, 25))
      ) {
        const started = Date.now();
        const r = await request(`${server.url}/metrics`, { method: 'GET' });
        expect(Date.now() - started).toBeLessThan(2000);
        if (r.status === 503) expect(r.headers['retry-after']).toBe('1');
        else expect(r.status).toBe(200);
        statuses.add(r.status);
      }
      expect(up()).toBe(true);
      expect(statuses.has(200)).toBe(true);
    } finally {
      await server.stop();
    }
  }, 60_000);
});
