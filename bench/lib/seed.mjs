// The bench's clients, made through Tollgate's own front doors as an operator would make them:
// the `tollgate` CLI for the first (an administration client) and GraphQL's `createClient`,
// called with that client's token on a running server, for the thousands after it. Nothing here
// writes to the database itself or imports Tollgate's internals.
//
// Why GraphQL for the many: every `tollgate clients create` is a process of its own that opens the
// services (about 0.7 s here, so about two hours for 10,000), while one server takes aliased
// mutations from parallel requests at about 1,300 clients a second on 2 cores.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { JSONH, tokenFrom } from './load.mjs';
import { ROOT, start, stop, TOLLGATE, waitFor } from './procs.mjs';

const CLI = join(ROOT, 'bin/tollgate.js');
/** The most aliases one GraphQL operation may hold (the server's maxAliases). */
const ALIASES = 10;
/** Operations in flight at once: more gained nothing here (1,220 clients a second at 4, 1,340 at 8, 1,390 at 16). */
const IN_FLIGHT = 16;

/** `tollgate <args> --json` with the server's settings in `env`: its JSON answer. */
export function tollgate(args, env) {
  try {
    const out = execFileSync(process.execPath, [CLI, ...args, '--json'], { env, encoding: 'utf8', maxBuffer: 2 ** 28 });
    return JSON.parse(out);
  } catch (e) {
    throw new Error(`tollgate ${args.join(' ')} failed: ${e.stderr || e.message}`);
  }
}

/** One client made with `tollgate clients create`: { id, secret }. */
export function createClient(env, { name, scopes }) {
  const made = tollgate(['clients', 'create', '--name', name, '--scope', scopes.join(' ')], env);
  return { id: made.clientId, secret: made.clientSecret };
}

/** The API (resource server) the bench's named-API doors ask for: its identifier is the tokens' aud. */
export const BENCH_API = { identifier: 'https://bench.example.com/api', name: 'Bench', permissions: ['read', 'write'] };

/**
 * The bench's API, made with `tollgate apis create`, and `client`'s grant to it (`tollgate grants
 * set`), both with the permissions `read write`: what an operator would run before a client names
 * the API in a token request (`audience=` or RFC 8707 `resource=`).
 */
export function seedApi(env, client, api = BENCH_API) {
  const permissions = api.permissions.join(' ');
  tollgate(['apis', 'create', '--identifier', api.identifier, '--name', api.name, '--permissions', permissions], env);
  tollgate(['grants', 'set', client.id, api.identifier, '--permissions', permissions], env);
}

/** `tollgate db copy <from> <to>`: everything, keys and tokens too, into an empty database. */
export const copyDatabase = (from, to, env) => tollgate(['db', 'copy', from, to], env);

/** A GraphQL operation with the Bearer token, refused unless every field answered `expect`. */
async function graphql(url, token, query, expect) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { ...JSONH, authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  });
  const answer = await res.json();
  const fields = Object.values(answer.data ?? {});
  if (answer.errors || fields.length === 0 || fields.some((f) => f?.__typename !== expect)) {
    throw new Error(`seeding through GraphQL: ${JSON.stringify(answer).slice(0, 500)}`);
  }
  return answer.data;
}

const createField = (alias, name, scopes) =>
  `${alias}: createClient(input: { name: ${JSON.stringify(name)}, scopes: ${JSON.stringify(scopes)} }) ` +
  '{ __typename ... on CreateClientPayload { client { id } clientSecret } }';

/**
 * `count` clients in the database of `env` (DATABASE_PATH or DATABASE_URL), all live, scopes
 * `read write`: an administration client (`tollgate:admin`) from the CLI, `count - 2` fillers
 * named `bench <i>` and, last, the client the bench runs with, named `bench`, from GraphQL on a
 * Tollgate (`WORKERS=1`) started on `port` for this and stopped after it.
 * Returns the bench's client { id, secret } and the seconds it all took.
 */
export async function seedClients(env, { count, port }) {
  const began = performance.now();
  const admin = createClient(env, { name: 'bench admin', scopes: ['tollgate:admin'] });
  const server = start('tollgate (seeding)', TOLLGATE, { ...env, WORKERS: '1' }, port);
  try {
    await waitFor(`${server.url}/`);
    const token = await tokenFrom(server.url, admin);
    const scopes = ['read', 'write'];
    const fillers = count - 2;
    let next = 0;
    const sender = async () => {
      while (next < fillers) {
        const from = next;
        next = Math.min(fillers, next + ALIASES);
        const fields = [];
        for (let i = from; i < next; i++) fields.push(createField(`c${i}`, `bench ${i}`, scopes));
        await graphql(server.url, token, `mutation { ${fields.join(' ')} }`, 'CreateClientPayload');
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, sender));
    const { bench } = await graphql(
      server.url,
      token,
      `mutation { ${createField('bench', 'bench', scopes)} }`,
      'CreateClientPayload',
    );
    return { client: { id: bench.client.id, secret: bench.clientSecret }, seconds: (performance.now() - began) / 1000 };
  } finally {
    await stop(server);
  }
}
