import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, startServer, storeEnv, type RunningServer } from '../support/process.js';

const PASSWORD = 'a password long enough';

/** `tollgate users …` and the first-admin link, against the real server and its GraphQL. */
describe('panel operators from the CLI, through the real server', () => {
  let server: RunningServer;
  let env: Record<string, string>;
  beforeAll(async () => {
    env = await storeEnv();
    server = await startServer(env);
  });
  afterAll(() => server.stop());

  const graphql = async (query: string, variables: Record<string, unknown>, cookie?: string) => {
    const res = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        origin: server.url,
        'x-tollgate-csrf': '1',
        ...(cookie ? { cookie } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    return {
      // biome-ignore lint/suspicious/noExplicitAny: the data's shape is each query's
      body: (await res.json()) as { data?: Record<string, any>; errors?: Array<{ message: string }> },
      cookie: res.headers.get('set-cookie')?.split(';')[0],
    };
  };
  const signIn = (email: string, password = PASSWORD) =>
    graphql('mutation($i: SignInInput!) { signIn(input: $i) { session { operator { email role } } } }', {
      i: { email, password },
    });
  const setup = (token: string, password: string, email?: string) =>
    graphql('mutation($i: CompleteSetupInput!) { completeSetup(input: $i) { email role } }', {
      i: { token, password, ...(email ? { email } : {}) },
    });
  const tokenOf = (text: string): string => /\/panel\/setup#token=([A-Za-z0-9_-]{43})/.exec(text)![1]!;

  it('prints a one-time first-admin link at the first start; following it makes the admin, once', async () => {
    const link = /(http:\/\/\S+\/panel\/setup#token=\S+)/.exec(server.stdout())?.[1];
    expect(link, server.stdout()).toBeDefined();
    expect(link!.startsWith('http://127.0.0.1:')).toBe(true);
    const missing = await setup(tokenOf(link!), PASSWORD);
    expect(missing.body.errors?.[0]?.message).toBe('email is required to set up the first admin');
    const made = await setup(tokenOf(link!), PASSWORD, 'root@example.com');
    expect(made.body.data?.completeSetup).toEqual({ email: 'root@example.com', role: 'ADMIN' });
    expect((await setup(tokenOf(link!), PASSWORD, 'again@example.com')).body.errors?.[0]?.message).toMatch(/not valid/);
    expect((await signIn('root@example.com')).body.data?.signIn.session.operator.role).toBe('ADMIN');
  });

  it('creates with --password-stdin (never echoed), lists, and refuses a developer without --org', async () => {
    const made = await cli(
      ['users', 'create', '--email', 'Ana@Example.com', '--role', 'admin', '--password-stdin', '--json'],
      env,
      `${PASSWORD}\n`,
    );
    expect(made.status, made.stderr).toBe(0);
    expect(made.stdout).not.toContain(PASSWORD);
    expect(JSON.parse(made.stdout)).toMatchObject({
      email: 'ana@example.com',
      role: 'admin',
      orgId: null,
      enabled: true,
      totpEnabled: false,
    });
    expect(JSON.parse(made.stdout).setupLink).toBeUndefined();
    expect((await signIn('ana@example.com')).body.data?.signIn.session.operator.email).toBe('ana@example.com');

    const short = await cli(
      ['users', 'create', '--email', 'b@example.com', '--role', 'admin', '--password-stdin'],
      env,
      'short\n',
    );
    expect(short.status).toBe(1);
    expect(short.stderr).toBe('tollgate: password must be at least 12 characters\n');
    const noOrg = await cli(['users', 'create', '--email', 'dev@example.com', '--role', 'developer'], env);
    expect(noOrg.status).toBe(1);
    expect(noOrg.stderr).toContain('org is required for a developer');
    const badRole = await cli(['users', 'create', '--email', 'x@example.com', '--role', 'owner'], env);
    expect(badRole.status).toBe(1);

    const listed = await cli(['users', 'list', '--json'], env);
    expect((JSON.parse(listed.stdout) as Array<{ email: string }>).map((u) => u.email)).toEqual([
      'ana@example.com',
      'root@example.com',
    ]);
  });

  it('prints a setup link without --password-stdin, valid once; disable ends the sessions; reset prints a new link', async () => {
    const made = await cli(
      ['users', 'create', '--email', 'dev@acme.example', '--role', 'developer', '--org', 'acme'],
      env,
    );
    expect(made.status, made.stderr).toBe(0);
    expect(made.stdout).toMatch(
      /one-time setup link \(valid until \S+Z, works once; send it privately\):\n {2}http:\/\/127\.0\.0\.1:\d+\/panel\/setup#token=/,
    );
    expect((await setup(tokenOf(made.stdout), PASSWORD)).body.data?.completeSetup).toEqual({
      email: 'dev@acme.example',
      role: 'DEVELOPER',
    });
    const session = (await signIn('dev@acme.example')).cookie!;
    const me = () => graphql('{ me { operator { email } } }', {}, session);
    expect((await me()).body.data?.me.operator.email).toBe('dev@acme.example');

    const reset = await cli(['users', 'reset', 'dev@acme.example', '--json'], env);
    expect(reset.status, reset.stderr).toBe(0);
    expect((await me()).body.data?.me).toBeNull();
    expect((await signIn('dev@acme.example')).body.errors?.[0]?.message).toBe('Wrong email, password or code');
    await setup(tokenOf(JSON.parse(reset.stdout).setupLink), 'a brand new password');
    const again = (await signIn('dev@acme.example', 'a brand new password')).cookie!;

    const disabled = await cli(['users', 'disable', 'dev@acme.example'], env);
    expect(disabled.stdout).toBe('disabled dev@acme.example; every session of theirs has ended\n');
    expect((await graphql('{ me { operator { email } } }', {}, again)).body.data?.me).toBeNull();
    expect((await signIn('dev@acme.example', 'a brand new password')).body.errors?.[0]?.message).toBe(
      'Wrong email, password or code',
    );
    const audit = await cli(['audit', '--json'], env);
    const actions = (JSON.parse(audit.stdout) as Array<{ action: string }>).map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['operator.created', 'operator.setup', 'operator.reset', 'operator.disabled']),
    );
    expect(audit.stdout).not.toContain(PASSWORD);
  });
});
