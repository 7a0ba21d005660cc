import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  axeAllViolations,
  clipboardText,
  createOperator,
  graphqlAs,
  launchChromium,
  openPanel,
  pageWidth,
  sessionCookie,
  signIn,
  startPanelServer,
  v1Token,
  verifyStatus,
  type PanelServer,
  type Watched,
} from '../support/browser.js';

/**
 * The last of what the CLI does for people, in the panel, in real Chromium against the real
 * server (issue 29, item 11): disabling and resetting an operator (`tollgate users disable|reset`)
 * and deleting a client (`tollgate clients delete`), each behind a dialog that says what happens
 * and can be cancelled, offered only to the roles the server lets do it, with no axe violation.
 */
const PASSWORD = 'correct horse battery staple';
const ADMIN = 'admin@example.com';
const DEV = 'dev@alpha.example';
const VIEWER = 'viewer@alpha.example';
const SLOW = 120_000;
const ME = '{ me { operator { email } } }';

let ps: PanelServer;
let browser: Browser;
let admin: Watched;
let adminCookie: string;

async function open(page: Page, path: string, heading: string): Promise<void> {
  await page.goto(path);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

const operatorState = async (email: string) => {
  const r = await graphqlAs(ps.url, adminCookie, '{ operators { email enabled } }');
  return (r.body.data!.operators as Array<{ email: string; enabled: boolean }>).find((o) => o.email === email);
};
const signedInAs = async (cookie: string) => (await graphqlAs(ps.url, cookie, ME)).body.data?.me ?? null;

beforeAll(async () => {
  [ps, browser] = await Promise.all([startPanelServer(), launchChromium()]);
  await createOperator(ps.env, ADMIN, 'admin', PASSWORD);
  await Promise.all([
    createOperator(ps.env, DEV, 'developer', PASSWORD, 'alpha'),
    createOperator(ps.env, VIEWER, 'viewer', PASSWORD, 'alpha'),
  ]);
  adminCookie = await sessionCookie(ps.url, ADMIN, PASSWORD);
  admin = await openPanel(browser, ps.url, { clipboard: true });
  await signIn(admin.page, ADMIN, PASSWORD);
}, SLOW);
afterAll(async () => {
  await browser?.close();
  await ps?.server.stop();
});

describe('disabling and resetting an operator', () => {
  const LEAVER = 'leaver@alpha.example';
  const FORGETFUL = 'forgetful@alpha.example';
  beforeAll(async () => {
    await Promise.all([
      createOperator(ps.env, LEAVER, 'developer', PASSWORD, 'alpha'),
      createOperator(ps.env, FORGETFUL, 'viewer', PASSWORD, 'alpha'),
    ]);
  }, SLOW);

  it(
    'an admin is offered both for everyone but themself; cancelling changes nothing; disabling signs them out',
    async () => {
      const page = admin.page;
      const theirs = await sessionCookie(ps.url, LEAVER, PASSWORD);
      await open(page, '/panel/operators', 'Operators');
      await page.getByRole('cell', { name: LEAVER, exact: true }).waitFor();
      // Their own row offers neither: the server would refuse it.
      expect(await page.getByRole('button', { name: `Disable ${ADMIN}` }).count()).toBe(0);
      expect(await page.getByRole('button', { name: `Reset ${ADMIN}` }).count()).toBe(0);
      for (const other of [DEV, VIEWER, LEAVER, FORGETFUL]) {
        expect(await page.getByRole('button', { name: `Disable ${other}` }).count(), other).toBe(1);
        expect(await page.getByRole('button', { name: `Reset ${other}` }).count(), other).toBe(1);
      }

      await page.getByRole('button', { name: `Disable ${LEAVER}` }).click();
      const dialog = page.getByRole('dialog', { name: `Disable ${LEAVER}?` });
      await dialog.getByText('signed out everywhere at once and kept out').waitFor();
      expect(await axeAllViolations(page)).toEqual([]);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached' });
      expect(await operatorState(LEAVER)).toEqual({ email: LEAVER, enabled: true });
      expect(await signedInAs(theirs)).toEqual({ operator: { email: LEAVER } });

      await page.getByRole('button', { name: `Disable ${LEAVER}` }).click();
      await dialog.getByRole('button', { name: 'Disable the operator' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: `${LEAVER} was disabled and signed out.` })
        .waitFor();
      const row = page.getByRole('row').filter({ hasText: LEAVER });
      await row.getByRole('cell', { name: 'Disabled' }).waitFor();
      // Disabled already: only Reset is left for them.
      expect(await page.getByRole('button', { name: `Disable ${LEAVER}` }).count()).toBe(0);
      expect(await operatorState(LEAVER)).toEqual({ email: LEAVER, enabled: false });
      expect(await signedInAs(theirs)).toBeNull();
      await expect(sessionCookie(ps.url, LEAVER, PASSWORD)).rejects.toThrow();
      // At 390 px the rows become cards, the buttons with them: nothing scrolls sideways.
      await page.setViewportSize({ width: 390, height: 844 });
      const { scrollWidth, innerWidth } = await pageWidth(page);
      expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
      expect(await axeAllViolations(page)).toEqual([]);
      await page.setViewportSize({ width: 1280, height: 900 });
      expect(admin.failedRequests).toEqual([]);
      expect(admin.consoleErrors).toEqual([]);
    },
    SLOW,
  );

  it(
    'a reset clears the password, signs them out, and shows a one-time link that works once',
    async () => {
      const page = admin.page;
      const theirs = await sessionCookie(ps.url, FORGETFUL, PASSWORD);
      await open(page, '/panel/operators', 'Operators');
      await page.getByRole('button', { name: `Reset ${FORGETFUL}` }).click();
      const dialog = page.getByRole('dialog', { name: `Reset ${FORGETFUL}?` });
      await dialog.getByText('Their password and two-step sign-in are cleared').waitFor();
      await dialog.getByText('a new one-time setup link to give them').waitFor();
      expect(await axeAllViolations(page)).toEqual([]);
      // Escape is a cancel too.
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      expect(await signedInAs(theirs)).toEqual({ operator: { email: FORGETFUL } });
      expect(await page.getByRole('textbox', { name: 'Setup link' }).count()).toBe(0);

      await page.getByRole('button', { name: `Reset ${FORGETFUL}` }).click();
      await dialog.getByRole('button', { name: 'Reset the operator' }).click();
      const link = page.getByRole('textbox', { name: 'Setup link' });
      await link.waitFor();
      const url = await link.inputValue();
      expect(url).toMatch(/\/panel\/setup#token=[A-Za-z0-9_-]{43}$/);
      await page
        .getByRole('status')
        .filter({ hasText: `${FORGETFUL} was reset and signed out everywhere.` })
        .waitFor();
      await page.getByRole('button', { name: 'Copy link' }).click();
      await page.getByRole('status').filter({ hasText: 'Copied to the clipboard.' }).waitFor();
      expect(await clipboardText(page)).toBe(url);
      expect(await axeAllViolations(page)).toEqual([]);
      expect(await signedInAs(theirs)).toBeNull();
      await expect(sessionCookie(ps.url, FORGETFUL, PASSWORD)).rejects.toThrow();

      const them = await openPanel(browser, ps.url);
      await them.page.goto(new URL(url).pathname + new URL(url).hash);
      await them.page.getByRole('heading', { level: 1, name: 'Set your password' }).waitFor();
      await them.page.getByLabel('Password', { exact: true }).fill('a fresh passphrase');
      await them.page.getByLabel('Confirm password').fill('a fresh passphrase');
      await them.page.getByRole('button', { name: 'Set password' }).click();
      await them.page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
      await sessionCookie(ps.url, FORGETFUL, 'a fresh passphrase');
      await them.context.close();
      const token = new URL(url).hash.slice('#token='.length);
      const again = await graphqlAs(
        ps.url,
        '',
        'mutation ($input: CompleteSetupInput!) { completeSetup(input: $input) { email } }',
        { input: { token, password: 'another passphrase' } },
      );
      expect(again.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    },
    SLOW,
  );

  it(
    'a developer and a viewer are offered neither, and the server refuses both',
    async () => {
      for (const email of [DEV, VIEWER]) {
        const w = await openPanel(browser, ps.url);
        await signIn(w.page, email, PASSWORD);
        await open(w.page, '/panel/operators', 'Operators');
        await w.page.getByRole('alert').waitFor();
        expect(await w.page.getByRole('button', { name: /^(Disable|Reset) / }).count(), email).toBe(0);
        const cookie = (await w.context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
        for (const field of ['disableOperator', 'resetOperator']) {
          const r = await graphqlAs(ps.url, cookie, `mutation { ${field}(email: "${ADMIN}") { __typename } }`);
          expect(r.body.errors?.[0]?.extensions?.code, `${email}: ${field}`).toBe('FORBIDDEN');
        }
        await w.context.close();
      }
      expect(await operatorState(ADMIN)).toEqual({ email: ADMIN, enabled: true });
    },
    SLOW,
  );
});

describe('deleting a client', () => {
  const CREATE = 'mutation ($input: CreateClientInput!) { createClient(input: $input) { client { id } clientSecret } }';
  const made = async (name: string) => {
    const r = await graphqlAs(ps.url, adminCookie, CREATE, { input: { name, orgId: 'alpha' } });
    return r.body.data!.createClient as { client: { id: string }; clientSecret: string };
  };
  const exists = async (id: string) =>
    (await graphqlAs(ps.url, adminCookie, 'query ($id: ID!) { client(id: $id) { id } }', { id })).body.data!.client !==
    null;

  it(
    'asks for the name or id to be typed, can be cancelled, then ends every token and says so on the list',
    async () => {
      const page = admin.page;
      const { client, clientSecret } = await made('nightly-exports');
      const { token } = await v1Token(ps.url, client.id, clientSecret);
      expect(await verifyStatus(ps.url, token!)).toBe(200);
      await open(page, `/panel/clients/${client.id}/settings`, 'nightly-exports');
      await page.getByRole('button', { name: 'Delete client' }).click();
      const dialog = page.getByRole('dialog', { name: 'Delete nightly-exports?' });
      await dialog.getByText('Every access token and refresh token of this client stops working at once').waitFor();
      await dialog.getByText('The client is gone for good').waitFor();
      const confirm = dialog.getByRole('button', { name: 'Delete the client' });
      const typed = dialog.getByLabel('Type the client’s name or id to confirm');
      expect(await confirm.isDisabled()).toBe(true);
      await typed.fill('nightly-export');
      expect(await confirm.isDisabled()).toBe(true);
      expect(await axeAllViolations(page)).toEqual([]);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached' });
      expect(await exists(client.id)).toBe(true);
      expect(await verifyStatus(ps.url, token!)).toBe(200);

      // The id is as good as the name.
      await page.getByRole('button', { name: 'Delete client' }).click();
      await typed.fill(client.id);
      await confirm.click();
      await page.getByRole('heading', { level: 1, name: 'Clients' }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/panel/clients');
      await page
        .getByRole('status')
        .filter({ hasText: `Client nightly-exports (${client.id}) deleted.` })
        .waitFor();
      expect(await axeAllViolations(page)).toEqual([]);
      expect(await exists(client.id)).toBe(false);
      expect(await verifyStatus(ps.url, token!)).toBe(401);
      expect((await v1Token(ps.url, client.id, clientSecret)).status).toBe(401);
      expect(await page.getByRole('cell', { name: 'nightly-exports' }).count()).toBe(0);
    },
    SLOW,
  );

  it(
    'a developer of the organisation deletes by typing the name; a viewer is offered no delete and is refused',
    async () => {
      const { client } = await made('alpha-reports');
      const dev = await openPanel(browser, ps.url);
      await signIn(dev.page, DEV, PASSWORD);
      await open(dev.page, `/panel/clients/${client.id}/settings`, 'alpha-reports');
      await dev.page.getByRole('button', { name: 'Delete client' }).click();
      const dialog = dev.page.getByRole('dialog', { name: 'Delete alpha-reports?' });
      await dialog.getByLabel('Type the client’s name or id to confirm').fill('alpha-reports');
      await dialog.getByRole('button', { name: 'Delete the client' }).click();
      await dev.page.getByRole('status').filter({ hasText: 'Client alpha-reports' }).waitFor();
      expect(await exists(client.id)).toBe(false);
      await dev.context.close();

      const kept = await made('alpha-ledger');
      const viewer = await openPanel(browser, ps.url);
      await signIn(viewer.page, VIEWER, PASSWORD);
      await open(viewer.page, `/panel/clients/${kept.client.id}/settings`, 'alpha-ledger');
      await viewer.page.getByRole('heading', { level: 2, name: 'Settings' }).waitFor();
      expect(await viewer.page.getByRole('button', { name: 'Delete client' }).count()).toBe(0);
      const cookie = (await viewer.context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
      const r = await graphqlAs(ps.url, cookie, 'mutation ($id: ID!) { deleteClient(id: $id) { id } }', {
        id: kept.client.id,
      });
      expect(r.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(await exists(kept.client.id)).toBe(true);
      await viewer.context.close();
    },
    SLOW,
  );
});
