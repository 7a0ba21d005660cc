import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  axeViolations,
  createOperator,
  graphqlAs,
  launchChromium,
  openPanel,
  screenshot,
  startPanelServer,
  v1Token,
  verifyStatus,
  type PanelServer,
  type Watched,
} from '../support/browser.js';

/**
 * The panel as an admin uses it, in real Chromium against the real server (issue item 8):
 * sign-in, creating a client and using its secret, rotation, the playground, hostile names,
 * cross-origin and form posts, the cookie, sign-out, the keyboard, and axe on every page.
 */
const ADMIN = 'admin@example.com';
const PASSWORD = 'correct horse battery staple';
const SLOW = 60_000;

let ps: PanelServer;
let browser: Browser;
let w: Watched;
let page: Page;
/** The test-mode client the server made on its first start, from its stdout. */
let seeded: { id: string; secret: string };
/** The live client this file creates, and the token its first secret got. */
let billing: { id: string; secret: string; token: string };

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

const verify = (token: string): Promise<number> => verifyStatus(ps.url, token);

/** axe finds no serious or critical violation, and a screenshot is saved. */
async function audit(name: string): Promise<void> {
  expect(await axeViolations(page), name).toEqual([]);
  await screenshot(page, name);
}

async function cookieHeader(): Promise<string> {
  return (await w.context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
}

/** Presses Tab until the focused element matches, as a keyboard user would (at most 30 times). */
async function tabTo(p: Page, matches: string): Promise<void> {
  for (let i = 0; i < 30; i++) {
    await p.keyboard.press('Tab');
    if (await p.evaluate(`document.activeElement && document.activeElement.matches(${JSON.stringify(matches)})`))
      return;
  }
  throw new Error(`Tab never reached ${matches}`);
}

/** The focused element shows a focus ring (an outline that is not none). */
const focusVisible = (p: Page): Promise<boolean> =>
  p.evaluate(
    `(() => { const s = getComputedStyle(document.activeElement); return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0; })()`,
  ) as Promise<boolean>;

beforeAll(async () => {
  [ps, browser] = await Promise.all([startPanelServer(), launchChromium()]);
  const out = ps.server.stdout();
  seeded = { id: /client_id:\s+(cl_test_\S+)/.exec(out)![1]!, secret: /client_secret:\s+(sk_test_\S+)/.exec(out)![1]! };
  await createOperator(ps.env, ADMIN, 'admin', PASSWORD);
  w = await openPanel(browser, ps.url);
  page = w.page;
}, SLOW);
afterAll(async () => {
  await browser?.close();
  await ps?.server.stop();
});

describe('the panel, as an admin', () => {
  it(
    "refuses a wrong password with the server's message",
    async () => {
      await page.goto('/panel/');
      await page.getByLabel('Email').fill(ADMIN);
      await page.getByLabel('Password').fill('not the password at all');
      await page.getByRole('button', { name: 'Sign in' }).click();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      expect((await alert.textContent())!.trim().length).toBeGreaterThan(0);
      expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
      await audit('sign-in-refused');
    },
    SLOW,
  );

  it(
    'signs in and opens New client with the keyboard alone, focus always visible',
    async () => {
      await page.goto('/panel/');
      await tabTo(page, '#email');
      expect(await focusVisible(page)).toBe(true);
      await page.keyboard.type(ADMIN);
      await page.keyboard.press('Tab');
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press('Enter');
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      await page.getByRole('heading', { level: 1, name: 'Clients' }).waitFor();
      await tabTo(page, 'button.primary');
      expect(await page.evaluate('document.activeElement.textContent')).toBe('New client');
      expect(await focusVisible(page)).toBe(true);
      await page.keyboard.press('Enter');
      // The only client yet is the auto-created test client: the panel opened on Test (issue 29, item 4).
      await page.getByRole('heading', { level: 1, name: 'New test client' }).waitFor();
    },
    SLOW,
  );

  it('sets the session cookie HttpOnly and SameSite, without Secure on http', async () => {
    const cookie = (await w.context.cookies()).find((c) => c.name === 'tollgate_session');
    expect(cookie).toBeDefined();
    expect(cookie!.httpOnly).toBe(true);
    expect(['Lax', 'Strict']).toContain(cookie!.sameSite);
    expect(cookie!.secure).toBe(false);
    expect(await page.evaluate('document.cookie')).not.toContain('tollgate_session');
  });

  it(
    'creates a client and shows its secret once; the secret works at the v1 door',
    async () => {
      await page.goto('/panel/clients/new');
      await page.getByLabel('Name').fill('billing');
      await page.getByLabel('Scopes').fill('invoices:read invoices:write');
      // The allowlist is checked as typed, and the message goes once the entry is right.
      await page.getByLabel('IP allowlist').fill('10.0.0.0/33');
      await expect(page.getByText('the prefix length must be 0–32').waitFor()).resolves.toBeUndefined();
      await page.getByLabel('IP allowlist').fill('');
      await page.getByLabel('Organisation').waitFor();
      await audit('new-client');
      await page.getByRole('button', { name: 'Create' }).click();
      const secretBox = page.getByLabel('Client secret');
      await secretBox.waitFor();
      const secret = await secretBox.inputValue();
      const id = (await page.locator('.secret dd code').textContent())!.trim();
      expect(id).toMatch(/^cl_live_/);
      expect(secret).toMatch(/^sk_live_/);
      await page.getByText('This secret will not be shown again.').waitFor();
      await page.getByRole('button', { name: 'Copy', exact: true }).waitFor();
      await audit('client-created');

      const got = await v1Token(ps.url, id, secret);
      expect(got.status).toBe(200);
      billing = { id, secret, token: got.token! };
      expect(await verify(billing.token)).toBe(200);
    },
    SLOW,
  );

  it(
    'lists clients per mode, searches on the server, and opens a client',
    async () => {
      await page.goto('/panel/clients');
      await page.getByRole('link', { name: 'billing' }).waitFor();
      const testMode = page.getByRole('banner').getByRole('switch', { name: 'Test mode' });
      expect(await testMode.isChecked()).toBe(false);
      await audit('clients-live');
      await testMode.click();
      expect(await testMode.isChecked()).toBe(true);
      await page.getByRole('cell', { name: seeded.id }).waitFor();
      expect(await page.getByRole('link', { name: 'billing' }).count()).toBe(0);
      await page.getByLabel('Search clients').fill('no-such-client-anywhere');
      await page.getByText('No test clients match this search.').waitFor();
      await audit('clients-test');
      await testMode.click();
      expect(await testMode.isChecked()).toBe(false);
      await page.getByLabel('Search clients').fill('bill');
      await page.getByRole('link', { name: 'billing' }).click();
      await page.getByRole('heading', { level: 1, name: 'billing' }).waitFor();
      await page.getByRole('navigation', { name: 'Client sections' }).getByRole('link', { name: 'Activity' }).click();
      await page.getByRole('heading', { name: 'Audit trail' }).waitFor();
      await page.getByRole('cell', { name: 'client.created' }).waitFor();
      await audit('client');
    },
    SLOW,
  );

  it(
    'rotates after a confirmation that says which tokens die; the old token fails at /auth/verify',
    async () => {
      await page.goto(`/panel/clients/${billing.id}/credentials`);
      const open = page.getByRole('button', { name: 'Rotate secret' });
      await open.click();
      const dialog = page.getByRole('dialog', { name: 'Rotate the secret of billing?' });
      await dialog.waitFor();
      await dialog.getByText('All tokens issued with the current secret stop working at once').waitFor();
      // Escape closes it, and focus goes back to the button that opened it.
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      expect(await page.evaluate('document.activeElement.textContent')).toBe('Rotate secret');

      await open.click();
      await dialog.waitFor();
      // Focus stays inside while tabbing forward and back.
      for (const key of ['Tab', 'Tab', 'Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
        await page.keyboard.press(key);
        expect(await page.evaluate('!!document.activeElement.closest("dialog")'), key).toBe(true);
      }
      await dialog.getByLabel('Grace period').selectOption({ label: '1 hour' });
      await dialog.getByText('keep working until the grace period ends').waitFor();
      await dialog.getByText('the current secret also keeps working').waitFor();
      await audit('rotate-dialog');
      await dialog.getByLabel('Grace period').selectOption({ label: 'None: stop at once' });
      await dialog.getByRole('button', { name: 'Rotate' }).click();
      await dialog.waitFor({ state: 'detached' });

      const fresh = await page.getByLabel('Client secret').inputValue();
      expect(fresh).toMatch(/^sk_live_/);
      expect(fresh).not.toBe(billing.secret);
      expect(await verify(billing.token)).toBe(401);
      expect((await v1Token(ps.url, billing.id, billing.secret)).status).toBe(401);
      expect((await v1Token(ps.url, billing.id, fresh)).status).toBe(200);
      billing.secret = fresh;
      await audit('client-rotated');
    },
    SLOW,
  );

  it(
    "edits, disables and enables a client, and shows the server's message when it refuses",
    async () => {
      await page.goto(`/panel/clients/${billing.id}/settings`);
      await page.getByRole('heading', { level: 1, name: 'billing' }).waitFor();
      // A scope token may not hold a double quote (RFC 6749 §3.3): the server says so, in its words.
      await page.getByLabel('Scopes').fill('invoices:read bad"scope');
      await page.getByRole('button', { name: 'Save' }).click();
      const refused = page.getByRole('alert');
      await refused.waitFor();
      expect(await refused.textContent()).toMatch(/scope/i);
      await page.getByLabel('Scopes').fill('invoices:read');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Saved.').waitFor();
      const sections = page.getByRole('navigation', { name: 'Client sections' });
      await sections.getByRole('link', { name: 'Overview' }).click();
      await page.getByRole('heading', { level: 2, name: 'Overview' }).waitFor();
      expect(
        await page
          .getByRole('definition')
          .filter({ hasText: /^invoices:read$/ })
          .count(),
      ).toBe(1);
      await sections.getByRole('link', { name: 'Settings' }).click();
      await page.getByRole('button', { name: 'Disable', exact: true }).click();
      await page
        .getByRole('dialog', { name: 'Disable billing?' })
        .getByRole('button', { name: 'Disable the client' })
        .click();
      await page.getByRole('button', { name: 'Enable' }).waitFor();
      expect((await v1Token(ps.url, billing.id, billing.secret)).status).not.toBe(200);
      await page.getByRole('button', { name: 'Enable' }).click();
      await page.getByRole('button', { name: 'Disable' }).waitFor();
      expect((await v1Token(ps.url, billing.id, billing.secret)).status).toBe(200);
    },
    SLOW,
  );

  it(
    'shows a hostile client name as text and runs nothing',
    async () => {
      const name = '<img src=x onerror=alert(1)>';
      await page.goto('/panel/clients/new');
      await page.getByLabel('Name').fill(name);
      await page.getByRole('button', { name: 'Create' }).click();
      await page.getByLabel('Client secret').waitFor();
      await page.goto('/panel/clients');
      await page.getByRole('link', { name }).waitFor();
      expect(await page.locator('img').count()).toBe(0);
      await page.getByRole('link', { name }).click();
      await page.getByRole('heading', { level: 1, name }).waitFor();
      expect(await page.locator('img').count()).toBe(0);
      expect(w.dialogs).toEqual([]);
      expect(w.pageErrors).toEqual([]);
    },
    SLOW,
  );

  it('changes nothing for a cross-origin mutation or a form-encoded one sent with the session cookie', async () => {
    const cookie = await cookieHeader();
    const mutation = `mutation { disableClient(id: "${billing.id}") { id enabled } }`;
    const crossOrigin = await fetch(`${ps.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tollgate-csrf': '1', origin: 'https://evil.example', cookie },
      body: JSON.stringify({ query: mutation }),
    });
    const crossBody = (await crossOrigin.json()) as { data?: { disableClient?: unknown } | null; errors?: unknown[] };
    expect(crossBody.data?.disableClient ?? null).toBeNull();
    expect(crossBody.errors?.length ?? 0).toBeGreaterThan(0);
    expect(crossOrigin.headers.get('access-control-allow-origin')).toBeNull();

    const formPost = await fetch(`${ps.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: form({ query: mutation }),
    });
    expect(formPost.status).toBeGreaterThanOrEqual(400);

    const check = await graphqlAs(ps.url, cookie, `query ($id: ID!) { client(id: $id) { enabled } }`, {
      id: billing.id,
    });
    expect(check.body.data?.client).toEqual({ enabled: true });
  });

  it(
    'runs the playground against the test doors without storing the credentials',
    async () => {
      await page.goto('/panel/playground');
      await page.getByRole('heading', { level: 1, name: 'Playground' }).waitFor();
      for (const door of ['v1', 'v2', 'oauth2', 'common', 'GraphQL']) {
        await page.getByRole('radio', { name: door, exact: true }).check();
        await page.getByLabel('Client id').fill(seeded.id);
        await page.getByLabel('Client secret').fill(seeded.secret);
        const curl = (await page.getByRole('region', { name: 'The request' }).locator('pre').first().textContent())!;
        expect(curl, door).toContain(`${ps.url}/test/`);
        await page.getByRole('button', { name: 'Run in test mode' }).click();
        await page.getByTestId('status').waitFor();
        expect(await page.getByTestId('status').textContent(), door).toMatch(/^200/);
        await page.getByRole('heading', { name: 'Token claims' }).waitFor();
        const claims = JSON.parse((await page.locator('pre[aria-labelledby="jwt-claims-h"]').textContent())!) as Record<
          string,
          unknown
        >;
        expect(claims.client_id, door).toBe(seeded.id);
        expect(
          JSON.parse((await page.locator('pre[aria-labelledby="jwt-header-h"]').textContent())!),
          door,
        ).toHaveProperty('alg');
      }
      await audit('playground');
      expect(page.url()).not.toContain(seeded.secret);
      const stored = (await page.evaluate(
        'JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])',
      )) as string;
      expect(stored).not.toContain(seeded.secret);
      // Nothing is stored but the mode last chosen with the header's switch (issue 29, item 4).
      expect(stored).toBe('[[["tollgate.panel.mode","LIVE"]],[]]');
    },
    SLOW,
  );

  it(
    'shows operators, signing keys and the account page to an admin',
    async () => {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Operators' }).click();
      await page.getByRole('cell', { name: ADMIN }).waitFor();
      await audit('operators');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Signing keys' }).click();
      await page.getByRole('heading', { level: 1, name: 'Signing keys' }).waitFor();
      await page.getByRole('cell', { name: 'Current', exact: true }).first().waitFor();
      expect(await page.getByRole('cell', { name: 'Current', exact: true }).count()).toBeGreaterThanOrEqual(2);
      await audit('signing-keys');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click();
      await page.getByRole('heading', { level: 1, name: 'Account' }).waitFor();
      await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
      await page.getByLabel('Authentication code').waitFor();
      await page.getByRole('img', { name: /QR code/ }).waitFor();
      await audit('account-totp');
      expect(
        await page
          .getByRole('navigation', { name: 'Main' })
          .getByRole('link', { name: 'API docs' })
          .getAttribute('href'),
      ).toBe('/docs');
      expect(
        await page
          .getByRole('navigation', { name: 'Main' })
          .getByRole('link', { name: 'GraphiQL' })
          .getAttribute('href'),
      ).toBe('/graphql');
      expect(w.foreign).toEqual([]);
    },
    SLOW,
  );

  it(
    'signs out, and the old cookie no longer works',
    async () => {
      const cookie = await cookieHeader();
      expect((await graphqlAs(ps.url, cookie, '{ me { operator { email } } }')).body.data?.me).toEqual({
        operator: { email: ADMIN },
      });
      await page.goto('/panel/clients');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
      expect((await graphqlAs(ps.url, cookie, '{ me { operator { email } } }')).body.data?.me ?? null).toBeNull();
      const list = await graphqlAs(ps.url, cookie, '{ clients(first: 5) { edges { node { id } } } }');
      expect(list.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(w.pageErrors).toEqual([]);
    },
    SLOW,
  );
});
