import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  axeAllViolations,
  createOperator,
  focusRingShown,
  graphqlAs,
  launchChromium,
  openPanel,
  pageWidth,
  screenshot,
  sessionCookie,
  signIn,
  startPanelServer,
  type PanelServer,
  type Watched,
} from '../support/browser.js';

/**
 * The panel's frame in real Chromium (issue 29, items 6, 12 and 13): every page at 390 px with
 * no sideways scrolling and no axe-core violation of any impact, in the light and the dark
 * theme; each page's own title; the favicon on every page the server renders; focus on the
 * heading after a navigation, with no ring drawn round it.
 */
const PASSWORD = 'correct horse battery staple';
const ADMIN = 'admin@example.com';
const SLOW = 120_000;
const PHONE = { width: 390, height: 844 };
const INVOICES = 'https://api.example.com/invoices-and-credit-notes/v1';

let ps: PanelServer;
let browser: Browser;
let admin: Watched;
let adminCookie: string;
/** A live client of organisation alpha with a long name, scopes, an allowlist and a grant. */
let client: string;

interface PanelPage {
  name: string;
  /** The address under the server's origin. */
  path: () => string;
  heading: string | RegExp;
  signedIn: boolean;
}

const PAGES: PanelPage[] = [
  { name: 'sign-in', path: () => '/panel/', heading: 'Sign in', signedIn: false },
  { name: 'setup', path: () => '/panel/setup#token=st_example', heading: 'Set your password', signedIn: false },
  { name: 'clients', path: () => '/panel/clients', heading: 'Clients', signedIn: true },
  {
    name: 'client',
    path: () => `/panel/clients/${client}`,
    heading: 'quarterly-reports-exporter-with-a-long-name',
    signedIn: true,
  },
  { name: 'new-client', path: () => '/panel/clients/new', heading: /^New (live|test) client$/, signedIn: true },
  { name: 'apis', path: () => '/panel/apis', heading: 'APIs', signedIn: true },
  { name: 'api', path: () => `/panel/apis/${encodeURIComponent(INVOICES)}`, heading: 'Invoices', signedIn: true },
  { name: 'new-api', path: () => '/panel/apis/new', heading: /^New (live|test) API$/, signedIn: true },
  { name: 'playground', path: () => '/panel/playground', heading: 'Playground', signedIn: true },
  { name: 'operators', path: () => '/panel/operators', heading: 'Operators', signedIn: true },
  { name: 'keys', path: () => '/panel/keys', heading: 'Signing keys', signedIn: true },
  { name: 'account', path: () => '/panel/account', heading: 'Account', signedIn: true },
  { name: 'not-found', path: () => '/panel/no-such-page', heading: 'Page not found', signedIn: true },
];

const THEMES = ['light', 'dark'] as const;

/** Opens a page and waits until its heading is there and its data has arrived. */
async function open(page: Page, path: string, heading: string | RegExp): Promise<string> {
  await page.goto(path);
  const h1 = page.getByRole('heading', { level: 1, name: heading });
  await h1.waitFor();
  await page.waitForLoadState('networkidle');
  return ((await h1.textContent()) ?? '').trim();
}

/** An open dialog lies inside the viewport (a modal sits in the top layer: the page's width does not show it). */
async function dialogFits(page: Page): Promise<void> {
  const box = (await page.evaluate(
    '(() => { const r = document.querySelector("dialog[open]").getBoundingClientRect(); return { left: r.left, right: r.right, inner: innerWidth, scroll: document.querySelector("dialog[open]").scrollWidth, client: document.querySelector("dialog[open]").clientWidth }; })()',
  )) as { left: number; right: number; inner: number; scroll: number; client: number };
  expect(box.left).toBeGreaterThanOrEqual(0);
  expect(box.right).toBeLessThanOrEqual(box.inner);
  expect(box.scroll).toBeLessThanOrEqual(box.client);
}

/** No request failed, nothing was logged as an error, nothing left for another host. */
function clean(w: Watched, where: string): void {
  expect(w.failedRequests, where).toEqual([]);
  expect(w.consoleErrors, where).toEqual([]);
  expect(w.pageErrors, where).toEqual([]);
  expect(w.foreign, where).toEqual([]);
}

beforeAll(async () => {
  [ps, browser] = await Promise.all([startPanelServer(), launchChromium()]);
  await createOperator(ps.env, ADMIN, 'admin', PASSWORD);
  adminCookie = await sessionCookie(ps.url, ADMIN, PASSWORD);
  const api = await graphqlAs(
    ps.url,
    adminCookie,
    'mutation ($input: CreateApiInput!) { createApi(input: $input) { id } }',
    {
      input: {
        identifier: INVOICES,
        name: 'Invoices',
        permissions: [
          { name: 'invoices:read', description: 'Read invoices and their line items' },
          { name: 'invoices:write', description: 'Create and void invoices' },
          { name: 'credit-notes:issue', description: 'Issue credit notes against a paid invoice' },
        ],
      },
    },
  );
  expect(api.body.errors).toBeUndefined();
  const made = await graphqlAs(
    ps.url,
    adminCookie,
    'mutation ($input: CreateClientInput!) { createClient(input: $input) { client { id } } }',
    {
      input: {
        name: 'quarterly-reports-exporter-with-a-long-name',
        scopes: ['reports:read', 'reports:export', 'invoices:read'],
        allowedIps: ['10.0.0.0/8', '192.168.100.0/24', '2001:db8:abcd:0012::/64'],
        orgId: 'alpha',
      },
    },
  );
  client = (made.body.data!.createClient as { client: { id: string } }).client.id;
  const grant = await graphqlAs(
    ps.url,
    adminCookie,
    'mutation ($c: ID!, $i: String!, $p: [String!]!) { setGrant(clientId: $c, identifier: $i, permissions: $p) { clientId } }',
    { c: client, i: INVOICES, p: ['invoices:read', 'credit-notes:issue'] },
  );
  expect(grant.body.errors).toBeUndefined();
  admin = await openPanel(browser, ps.url);
  await admin.page.setViewportSize(PHONE);
  await signIn(admin.page, ADMIN, PASSWORD);
}, SLOW);
afterAll(async () => {
  await browser?.close();
  await ps?.server.stop();
});

describe('every panel page at 390 px, light and dark', () => {
  let signedOut: Watched;
  beforeAll(async () => {
    signedOut = await openPanel(browser, ps.url);
    await signedOut.page.setViewportSize(PHONE);
  });
  afterAll(() => signedOut.context.close());

  it.each(PAGES.map((p) => [p.name, p] as const))(
    '%s: no sideways scroll, no axe violation of any impact, its own title, nothing fails to load',
    async (name, p) => {
      const w = p.signedIn ? admin : signedOut;
      for (const theme of THEMES) {
        await w.page.emulateMedia({ colorScheme: theme });
        const heading = await open(w.page, p.path(), p.heading);
        const where = `${name} (${theme})`;
        expect(await w.page.evaluate('matchMedia("(prefers-color-scheme: dark)").matches'), where).toBe(
          theme === 'dark',
        );
        // The theme is the stylesheet's, not only the browser's defaults.
        const background = await w.page.evaluate('getComputedStyle(document.documentElement).backgroundColor');
        expect(background, where).toBe(theme === 'dark' ? 'rgb(21, 23, 26)' : 'rgb(255, 255, 255)');
        expect(await w.page.title(), where).toBe(`${heading} · Tollgate`);
        const { scrollWidth, innerWidth } = await pageWidth(w.page);
        expect(innerWidth, where).toBe(PHONE.width);
        expect(scrollWidth, where).toBeLessThanOrEqual(innerWidth);
        expect(await axeAllViolations(w.page), where).toEqual([]);
        await screenshot(w.page, `shell-${name}-390-${theme}`);
        clean(w, where);
      }
    },
    SLOW,
  );
});

describe('the favicon', () => {
  /** Every favicon address a page made the browser fetch. */
  const asked: string[] = [];
  it.each([
    ['/', false],
    ['/panel/', false],
    ['/panel/clients', true],
    ['/graphql', false],
    ['/test/graphql', false],
    ['/docs/', false],
  ] as const)(
    '%s links one the browser fetches, and nothing fails to load',
    async (path, signedIn) => {
      const w = signedIn ? admin : await openPanel(browser, ps.url);
      w.failedRequests.length = 0;
      w.consoleErrors.length = 0;
      const icon = w.page.waitForResponse((r) => /favicon/.test(new URL(r.url()).pathname), { timeout: 15_000 });
      await w.page.goto(path);
      const answer = await icon;
      asked.push(answer.url());
      expect(answer.status(), path).toBe(200);
      expect(answer.headers()['content-type'], path).toMatch(/^image\/svg\+xml/);
      const links = (await w.page.evaluate(
        '[...document.querySelectorAll(\'link[rel~="icon"]\')].map((l) => l.getAttribute("type"))',
      )) as string[];
      expect(links, path).toEqual(['image/svg+xml']);
      await w.page.waitForLoadState('networkidle');
      clean(w, path);
      if (!signedIn) await w.context.close();
    },
    SLOW,
  );

  it('is an SVG that runs nothing as a document, and nobody asks for a /favicon.ico', async () => {
    const res = await fetch(`${ps.url}/panel/favicon.svg`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toMatch(/^<svg [^>]*viewBox/);
    expect(asked.filter((u) => new URL(u).pathname === '/favicon.ico')).toEqual([]);
    expect(asked.length).toBeGreaterThanOrEqual(6);
  });
});

describe('the root page', () => {
  it(
    'links to the panel and the docs, and the link opens the panel',
    async () => {
      const page = admin.page;
      for (const theme of THEMES) {
        await page.emulateMedia({ colorScheme: theme });
        await page.goto('/');
        expect(await axeAllViolations(page), theme).toEqual([]);
        const { scrollWidth, innerWidth } = await pageWidth(page);
        expect(scrollWidth, theme).toBeLessThanOrEqual(innerWidth);
      }
      await page.emulateMedia({ colorScheme: 'light' });
      expect(await page.title()).toBe('Tollgate');
      await page.getByRole('link', { name: /REST API documentation/ }).waitFor();
      await page.getByRole('link', { name: /Developer panel/ }).click();
      await page.getByRole('heading', { level: 1, name: 'Clients' }).waitFor();
      expect(new URL(page.url()).pathname).toMatch(/^\/panel\/?$/);
      expect(await axeAllViolations(page)).toEqual([]);
    },
    SLOW,
  );
});

describe('focus after a navigation', () => {
  /** Presses Tab until the focused element matches (at most 40 times). */
  async function tabTo(p: Page, matches: string): Promise<void> {
    for (let i = 0; i < 40; i++) {
      await p.keyboard.press('Tab');
      if (await p.evaluate(`document.activeElement?.matches(${JSON.stringify(matches)}) ?? false`)) return;
    }
    throw new Error(`Tab never reached ${matches}`);
  }

  it(
    "lands on the new page's heading with no ring drawn round it; the next control shows one",
    async () => {
      const page = admin.page;
      await page.setViewportSize({ width: 1280, height: 900 });
      try {
        for (const theme of THEMES) {
          await page.emulateMedia({ colorScheme: theme });
          await open(page, '/panel/clients', 'Clients');
          await tabTo(page, 'nav[aria-label="Main"] a[href="/panel/apis"]');
          expect(await focusRingShown(page), 'a link reached by Tab shows its ring').toBe(true);
          await page.keyboard.press('Enter');
          await page.getByRole('heading', { level: 1, name: 'APIs' }).waitFor();
          expect(await page.evaluate('document.activeElement.tagName + " " + document.activeElement.textContent')).toBe(
            'H1 APIs',
          );
          // After a keypress the browser counts script focus as keyboard focus (:focus-visible):
          // the stylesheet alone keeps the heading from drawing a box.
          expect(await page.evaluate('document.activeElement.matches(":focus-visible")')).toBe(true);
          expect(await focusRingShown(page), theme).toBe(false);
          expect(await page.title()).toBe('APIs · Tollgate');
          await page.keyboard.press('Tab');
          expect(await page.evaluate('document.activeElement.tagName'), theme).not.toBe('H1');
          expect(await focusRingShown(page), `the control after the heading (${theme})`).toBe(true);
        }
      } finally {
        await page.setViewportSize(PHONE);
      }
    },
    SLOW,
  );
});

describe('what the CLI does for people, in the panel (item 11)', () => {
  const DEV = 'dev@alpha.example';
  const VIEWER = 'viewer@alpha.example';
  /** A second admin, whose password change ends no session the other tests use. */
  const ADMIN2 = 'second.admin@example.com';
  const ROTATE = 'mutation { rotateSigningKey { kid } }';
  const RETIRE = 'mutation ($kid: ID!) { retireSigningKey(kid: $kid) { kid } }';
  const INVITE =
    'mutation ($input: InviteOperatorInput!) { inviteOperator(input: $input) { setupUrl operator { email } } }';
  const KEYS = '{ signingKeys { kid mode current } }';
  interface Key {
    kid: string;
    mode: 'LIVE' | 'TEST';
    current: boolean;
  }
  const keys = async (): Promise<Key[]> => (await graphqlAs(ps.url, adminCookie, KEYS)).body.data!.signingKeys as Key[];
  const jwksKids = async (mode: 'live' | 'test'): Promise<string[]> => {
    const res = await fetch(`${ps.url}${mode === 'test' ? '/test' : ''}/.well-known/jwks.json`);
    return ((await res.json()) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid);
  };
  /** A test-mode token of the client the server made on its first start. */
  const testToken = async (): Promise<string> => {
    const out = ps.server.stdout();
    const id = /client_id:\s+(cl_test_\S+)/.exec(out)![1]!;
    const secret = /client_secret:\s+(sk_test_\S+)/.exec(out)![1]!;
    const res = await fetch(`${ps.url}/test/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: id, client_secret: secret }).toString(),
    });
    const body = (await res.json()) as { data?: { access_token?: string } };
    return body.data!.access_token!;
  };
  const verified = async (token: string): Promise<number> =>
    (await fetch(`${ps.url}/test/auth/verify`, { headers: { authorization: `Bearer ${token}` } })).status;

  beforeAll(async () => {
    await Promise.all([
      createOperator(ps.env, DEV, 'developer', PASSWORD, 'alpha'),
      createOperator(ps.env, VIEWER, 'viewer', PASSWORD, 'alpha'),
      createOperator(ps.env, ADMIN2, 'admin', PASSWORD),
    ]);
  }, SLOW);

  it(
    'an admin rotates the test key after a confirmation that says nothing dies, then retires the old one',
    async () => {
      const page = admin.page;
      await page.emulateMedia({ colorScheme: 'light' });
      const before = (await keys()).find((k) => k.mode === 'TEST' && k.current)!;
      const oldToken = await testToken();
      expect(await verified(oldToken)).toBe(200);

      await open(page, '/panel/keys', 'Signing keys');
      await page.getByRole('button', { name: 'Rotate test key' }).click();
      let dialog = page.getByRole('dialog', { name: 'Rotate the test signing key?' });
      await dialog.waitFor();
      await dialog.getByText('A new key becomes current and signs every test token from now on.').waitFor();
      await dialog.getByText(/stays published in the JWKS, so the tokens it signed keep working/).waitFor();
      expect(await dialog.getByText(before.kid).count()).toBe(1);
      await dialogFits(page);
      expect(await axeAllViolations(page)).toEqual([]);
      // Cancel changes nothing.
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached' });
      expect((await keys()).find((k) => k.mode === 'TEST' && k.current)!.kid).toBe(before.kid);

      await page.getByRole('button', { name: 'Rotate test key' }).click();
      await dialog.getByRole('button', { name: 'Rotate test key' }).click();
      await dialog.waitFor({ state: 'detached' });
      const after = (await keys()).find((k) => k.mode === 'TEST' && k.current)!;
      expect(after.kid).not.toBe(before.kid);
      await page
        .getByRole('status')
        .filter({ hasText: `The test key ${after.kid} is now current.` })
        .waitFor();
      expect(await jwksKids('test')).toEqual(expect.arrayContaining([before.kid, after.kid]));
      // The live key did not move, and the old test key's token still verifies.
      expect((await keys()).filter((k) => k.mode === 'LIVE' && k.current)).toHaveLength(1);
      expect(await verified(oldToken)).toBe(200);

      // Retiring the old one: the dialog names what dies, from the server's own notice.
      await page.getByRole('button', { name: `Retire key ${before.kid}` }).click();
      dialog = page.getByRole('dialog', { name: `Retire the test key ${before.kid}?` });
      await dialog.waitFor();
      await dialog.getByText(/Every test access token this key signed stops working at once/).waitFor();
      await dialog.getByText(new RegExp(`when key ${after.kid} replaced it`)).waitFor();
      await dialog.getByText(/Tokens with an expiry live at most/).waitFor();
      await dialogFits(page);
      expect(await axeAllViolations(page)).toEqual([]);
      await page.emulateMedia({ colorScheme: 'dark' });
      expect(await axeAllViolations(page)).toEqual([]);
      await page.emulateMedia({ colorScheme: 'light' });
      await screenshot(page, 'shell-keys-retire-dialog');
      await dialog.getByRole('button', { name: 'Retire key' }).click();
      await dialog.waitFor({ state: 'detached' });
      await page
        .getByRole('status')
        .filter({ hasText: `The test key ${before.kid} is retired` })
        .waitFor();
      expect(await jwksKids('test')).not.toContain(before.kid);
      expect((await keys()).map((k) => k.kid)).not.toContain(before.kid);
      expect(await verified(oldToken)).toBe(401);
      // The current key is never offered for retirement.
      expect(await page.getByRole('button', { name: `Retire key ${after.kid}` }).count()).toBe(0);
      clean(admin, 'keys');
    },
    SLOW,
  );

  it(
    'an admin invites an operator, copies the one-time setup link, and the link sets their password',
    async () => {
      const page = admin.page;
      await admin.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ps.url });
      await open(page, '/panel/operators', 'Operators');
      const form = page.getByRole('region', { name: 'Invite an operator' });
      // The server's rule, in its own words: a developer needs an organisation.
      await form.getByLabel('Email').fill('new.dev@alpha.example');
      await form.getByLabel('Role').selectOption('DEVELOPER');
      await form.getByRole('button', { name: 'Invite' }).click();
      await form.getByRole('alert').filter({ hasText: /org/i }).waitFor();
      expect(await page.getByRole('textbox', { name: 'Setup link' }).count()).toBe(0);
      // Whatever the refusal logged is expected; from here on nothing may fail.
      admin.failedRequests.length = 0;
      admin.consoleErrors.length = 0;
      await form.getByLabel('Email').fill('new.dev@alpha.example');
      await form.getByLabel('Role').selectOption('DEVELOPER');
      await form.getByLabel('Organisation').fill('alpha');
      await form.getByRole('button', { name: 'Invite' }).click();
      const link = page.getByRole('textbox', { name: 'Setup link' });
      await link.waitFor();
      const url = await link.inputValue();
      expect(url).toMatch(/\/panel\/setup#token=\S+$/);
      await page.getByText('This link is shown once and works once').waitFor();
      await page.getByRole('button', { name: 'Copy link' }).click();
      await page.getByRole('status').filter({ hasText: 'Copied to the clipboard.' }).waitFor();
      expect(await page.evaluate('navigator.clipboard.readText()')).toBe(url);
      await page
        .getByRole('cell')
        .filter({ hasText: /^new\.dev@alpha\.example$/ })
        .waitFor();
      const { scrollWidth, innerWidth } = await pageWidth(page);
      expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
      expect(await axeAllViolations(page)).toEqual([]);
      await screenshot(page, 'shell-operators-invited');
      clean(admin, 'operators');

      const invited = await openPanel(browser, ps.url);
      await invited.page.goto(new URL(url).pathname + new URL(url).hash);
      await invited.page.getByRole('heading', { level: 1, name: 'Set your password' }).waitFor();
      await invited.page.getByLabel('Password', { exact: true }).fill('a brand new passphrase');
      await invited.page.getByLabel('Confirm password').fill('a brand new passphrase');
      await invited.page.getByRole('button', { name: 'Set password' }).click();
      await invited.page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
      await sessionCookie(ps.url, 'new.dev@alpha.example', 'a brand new passphrase');
      await invited.context.close();
    },
    SLOW,
  );

  it(
    'every operator changes their own password on the Account page; the old one and other sessions end',
    async () => {
      for (const [email, role] of [
        [VIEWER, 'viewer'],
        [DEV, 'developer'],
      ] as const) {
        const other = await sessionCookie(ps.url, email, PASSWORD);
        const w = await openPanel(browser, ps.url);
        await w.page.setViewportSize(PHONE);
        await signIn(w.page, email, PASSWORD);
        await open(w.page, '/panel/account', 'Account');
        const section = w.page.getByRole('region', { name: 'Password' });
        await section.getByLabel('Current password').fill('not my password at all');
        await section.getByLabel('New password', { exact: true }).fill(`${role} passphrase, changed`);
        await section.getByLabel('Confirm new password').fill(`${role} passphrase, changed`);
        await section.getByRole('button', { name: 'Change password' }).click();
        await section.getByRole('alert').waitFor();
        // A typo in the confirmation is caught before the server is asked.
        await section.getByLabel('Current password').fill(PASSWORD);
        await section.getByLabel('Confirm new password').fill(`${role} passphrase, chnaged`);
        await section.getByText('Differs from the new password.').waitFor();
        await section.getByLabel('Confirm new password').fill(`${role} passphrase, changed`);
        await section.getByRole('button', { name: 'Change password' }).click();
        await section.getByRole('status').filter({ hasText: 'Your password is changed.' }).waitFor();
        expect(await axeAllViolations(w.page), role).toEqual([]);
        // This tab keeps working (its cookie was renewed); the other session and the old password do not.
        await w.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).click();
        await w.page.getByRole('heading', { level: 1, name: 'Clients' }).waitFor();
        const me = await graphqlAs(ps.url, other, '{ me { operator { email } } }');
        expect(me.body.data?.me ?? null, role).toBeNull();
        await expect(sessionCookie(ps.url, email, PASSWORD)).rejects.toThrow();
        await sessionCookie(ps.url, email, `${role} passphrase, changed`);
        await w.context.close();
      }
    },
    SLOW,
  );

  it(
    'a developer and a viewer are offered no key or invite control, and the server refuses them',
    async () => {
      const current = (await keys()).find((k) => k.mode === 'LIVE' && k.current)!;
      for (const [email, password] of [
        [DEV, 'developer passphrase, changed'],
        [VIEWER, 'viewer passphrase, changed'],
      ] as const) {
        const w = await openPanel(browser, ps.url);
        await signIn(w.page, email, password);
        const nav = w.page.getByRole('navigation', { name: 'Main' });
        expect(await nav.getByRole('link', { name: 'Signing keys' }).count(), email).toBe(0);
        expect(await nav.getByRole('link', { name: 'Operators' }).count(), email).toBe(0);
        await w.page.goto('/panel/keys');
        await w.page.getByRole('heading', { level: 1, name: 'Signing keys' }).waitFor();
        await w.page.getByRole('alert').waitFor();
        expect(await w.page.getByRole('button', { name: /Rotate|Retire/ }).count(), email).toBe(0);
        await w.page.goto('/panel/operators');
        await w.page.getByRole('heading', { level: 1, name: 'Operators' }).waitFor();
        await w.page.getByRole('alert').waitFor();
        expect(await w.page.getByRole('button', { name: 'Invite' }).count(), email).toBe(0);
        expect(await w.page.getByRole('textbox', { name: 'Setup link' }).count(), email).toBe(0);

        const cookie = (await w.context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
        for (const [query, variables] of [
          [ROTATE, {}],
          [RETIRE, { kid: current.kid }],
          [INVITE, { input: { email: 'sneaky@alpha.example', role: 'ADMIN', orgId: null } }],
        ] as const) {
          const r = await graphqlAs(ps.url, cookie, query, variables);
          expect(r.body.errors?.[0]?.extensions?.code, `${email}: ${query}`).toBe('FORBIDDEN');
        }
        await w.context.close();
      }
      // Without a session nothing is done either; and nothing changed.
      for (const [query, variables] of [
        [ROTATE, {}],
        [INVITE, { input: { email: 'sneaky@alpha.example', role: 'ADMIN', orgId: null } }],
        [
          'mutation ($input: ChangePasswordInput!) { changePassword(input: $input) }',
          {
            input: { currentPassword: PASSWORD, newPassword: 'whatever it may be' },
          },
        ],
      ] as const) {
        const r = await graphqlAs(ps.url, '', query, variables);
        expect(r.body.errors?.[0]?.extensions?.code, query).toBe('UNAUTHENTICATED');
      }
      expect((await keys()).find((k) => k.mode === 'LIVE' && k.current)!.kid).toBe(current.kid);
      const ops = await graphqlAs(ps.url, adminCookie, '{ operators { email } }');
      expect((ops.body.data!.operators as Array<{ email: string }>).map((o) => o.email)).not.toContain(
        'sneaky@alpha.example',
      );
    },
    SLOW,
  );
});
