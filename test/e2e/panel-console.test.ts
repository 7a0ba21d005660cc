import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  axeAllViolations,
  axeViolations,
  clipboardText,
  createOperator,
  graphqlAs,
  launchChromium,
  oauth2Refresh,
  oauth2Tokens,
  openPanel,
  pageWidth,
  screenshot,
  sessionCookie,
  signIn,
  startPanelServer,
  v1Token,
  verifyStatus,
  type PanelServer,
  type Watched,
} from '../support/browser.js';

/**
 * The console (issue 29, items 2, 4, 7, 9, 10), in real Chromium against the real server: the
 * mode the panel opens on and its empty states, the header's test-mode switch, the clients list
 * (newest first, sort, status filter, created, count, paging only past one page, copy id), a
 * client's page in tabs by address, the disable dialog (and what it ends, through the server),
 * copy buttons read back from the clipboard, and who is offered which control.
 */
const ADMIN = 'admin@example.com';
const DEV = 'dev@alpha.example';
const OTHER_DEV = 'dev@beta.example';
const VIEWER = 'viewer@alpha.example';
const PASSWORD = 'correct horse battery staple';
const SLOW = 90_000;
/** Live clients of organisation alpha made for the list: two pages of 20. */
const LISTED = 23;

let ps: PanelServer;
let browser: Browser;
let adminCookie: string;
let seeded: { id: string; secret: string };
/** The live clients this file makes, oldest first, with their secrets. */
const made: Array<{ id: string; name: string; secret: string }> = [];
/** The newest of them: on the first page of the list, newest first. */
const newest = () => made[made.length - 1]!;

const CREATE =
  'mutation ($input: CreateClientInput!) { createClient(input: $input) { client { id name } clientSecret } }';
const ENABLED = 'query ($id: ID!) { client(id: $id) { enabled } }';

async function createLive(name: string, orgId = 'alpha'): Promise<{ id: string; name: string; secret: string }> {
  const r = await graphqlAs(ps.url, adminCookie, CREATE, { input: { name, scopes: [], allowedIps: [], orgId } });
  const d = r.body.data?.createClient as { client: { id: string; name: string }; clientSecret: string } | undefined;
  if (!d) throw new Error(`createClient ${name}: ${JSON.stringify(r.body)}`);
  return { id: d.client.id, name: d.client.name, secret: d.clientSecret };
}

async function enabledOf(id: string): Promise<boolean> {
  const r = await graphqlAs(ps.url, adminCookie, ENABLED, { id });
  return (r.body.data!.client as { enabled: boolean }).enabled;
}

/** axe finds no serious or critical violation, and a screenshot is saved. */
async function audit(p: Page, name: string): Promise<void> {
  expect(await axeViolations(p), name).toEqual([]);
  await screenshot(p, `console-${name}`);
}

const testSwitch = (p: Page) => p.getByRole('banner').getByRole('switch', { name: 'Test mode' });
const sections = (p: Page) => p.getByRole('navigation', { name: 'Client sections' });
const pager = (p: Page) => p.getByRole('navigation', { name: 'Pages' });
/** The client names of the list's rows, once its caption reads `caption`. */
async function rows(p: Page, caption: string): Promise<string[]> {
  await p.locator('caption', { hasText: caption }).waitFor();
  return p.locator('tbody tr td:first-child').allTextContents();
}

/** The placeholders wider than their field's content box (measured in the field's own font). */
const clippedPlaceholders = (p: Page): Promise<string[]> =>
  p.evaluate(() => {
    const canvas = document.createElement('canvas').getContext('2d')!;
    return [...document.querySelectorAll<HTMLInputElement>('input[placeholder]')]
      .filter((input) => {
        const s = getComputedStyle(input);
        canvas.font = `${s.fontWeight} ${s.fontSize} ${s.fontFamily}`;
        const room = input.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
        return canvas.measureText(input.placeholder).width > room;
      })
      .map((input) => input.placeholder);
  });

async function signedIn(email: string, opts: { clipboard?: boolean; width?: number } = {}): Promise<Watched> {
  const w = await openPanel(browser, ps.url, opts);
  await signIn(w.page, email, PASSWORD);
  return w;
}

beforeAll(async () => {
  [ps, browser] = await Promise.all([startPanelServer(), launchChromium()]);
  const out = ps.server.stdout();
  seeded = { id: /client_id:\s+(cl_test_\S+)/.exec(out)![1]!, secret: /client_secret:\s+(sk_test_\S+)/.exec(out)![1]! };
  await Promise.all([
    createOperator(ps.env, ADMIN, 'admin', PASSWORD),
    createOperator(ps.env, DEV, 'developer', PASSWORD, 'alpha'),
    createOperator(ps.env, OTHER_DEV, 'developer', PASSWORD, 'beta'),
    createOperator(ps.env, VIEWER, 'viewer', PASSWORD, 'alpha'),
  ]);
  adminCookie = await sessionCookie(ps.url, ADMIN, PASSWORD);
}, SLOW);
afterAll(async () => {
  await browser?.close();
  await ps?.server.stop();
});

describe('the mode the panel opens on (item 4)', () => {
  it(
    'opens on Test while the only client is the auto-created test client, with actions in the empty live list',
    async () => {
      const w = await signedIn(ADMIN);
      const p = w.page;
      await p.getByRole('cell', { name: seeded.id }).waitFor();
      expect(new URL(p.url()).search).toBe('?mode=test');
      expect(await testSwitch(p).isChecked()).toBe(true);
      await audit(p, 'opened-on-test');

      // Live is empty: the empty state offers to create a live client, or to go back to Test.
      await testSwitch(p).click();
      await p.getByText('No live clients yet.').waitFor();
      expect(await testSwitch(p).isChecked()).toBe(false);
      await audit(p, 'live-empty');
      await p.getByRole('button', { name: 'Switch to Test' }).click();
      await p.getByRole('cell', { name: seeded.id }).waitFor();
      expect(await testSwitch(p).isChecked()).toBe(true);
      await testSwitch(p).click();
      await p.getByRole('link', { name: 'Create a live client' }).click();
      await p.getByRole('heading', { level: 1, name: 'New live client' }).waitFor();
      expect(w.pageErrors).toEqual([]);
      await w.context.close();
    },
    SLOW,
  );

  it(
    'opens on Live once there is a live client, unless Test was the last mode chosen',
    async () => {
      for (let i = 0; i < LISTED; i++) made.push(await createLive(`listed-${String(i).padStart(2, '0')}`));
      const w = await signedIn(ADMIN);
      const p = w.page;
      await p.getByRole('link', { name: newest().name }).waitFor();
      expect(new URL(p.url()).search).toBe('');
      expect(await testSwitch(p).isChecked()).toBe(false);

      // The switch's choice is remembered: the next opening is on Test, though Live has clients.
      await testSwitch(p).click();
      await p.getByRole('cell', { name: seeded.id }).waitFor();
      await p.goto('/panel/');
      await p.getByRole('cell', { name: seeded.id }).waitFor();
      expect(await testSwitch(p).isChecked()).toBe(true);
      await testSwitch(p).click();
      await p.getByRole('link', { name: newest().name }).waitFor();
      await p.goto('/panel/');
      await p.getByRole('link', { name: newest().name }).waitFor();
      expect(await testSwitch(p).isChecked()).toBe(false);
      await w.context.close();
    },
    SLOW,
  );

  it(
    'shows a viewer the way to the other mode but no way to create, where it may see no client',
    async () => {
      const w = await signedIn(VIEWER);
      const p = w.page;
      // Its organisation has live clients: it opens on Live; Test has none it may see.
      await p.getByRole('link', { name: newest().name }).waitFor();
      await testSwitch(p).click();
      await p.getByText('No test clients yet.').waitFor();
      expect(await p.getByRole('link', { name: 'Create a test client' }).count()).toBe(0);
      await p.getByRole('button', { name: 'Switch to Live' }).waitFor();
      await audit(p, 'viewer-test-empty');
      await w.context.close();
    },
    SLOW,
  );
});

describe('the header (item 10)', () => {
  it(
    'has the test-mode switch on every page, and keeps the mode across pages without one',
    async () => {
      const w = await signedIn(ADMIN);
      const p = w.page;
      const main = p.getByRole('navigation', { name: 'Main' });
      for (const path of [
        '/clients',
        '/apis',
        '/playground',
        '/operators',
        '/keys',
        '/account',
        `/clients/${made[0]!.id}`,
      ]) {
        await p.goto(`/panel${path}`);
        await p.getByRole('heading', { level: 1 }).waitFor();
        await testSwitch(p).waitFor();
      }
      // On a page without modes the switch stays on the page and the links take the mode along.
      await p.goto('/panel/operators');
      await p.getByRole('heading', { level: 1, name: 'Operators' }).waitFor();
      await testSwitch(p).click();
      expect(await testSwitch(p).isChecked()).toBe(true);
      expect(new URL(p.url()).pathname).toBe('/panel/operators');
      await p.getByText('Showing test data').waitFor();
      await main.getByRole('link', { name: 'Clients' }).click();
      await p.getByRole('cell', { name: seeded.id }).waitFor();
      // On a client's page it goes to the other mode's list: the client is in one mode only.
      await p.goto(`/panel/clients/${made[0]!.id}/settings`);
      expect(await testSwitch(p).isChecked()).toBe(false);
      await testSwitch(p).click();
      await p.getByRole('cell', { name: seeded.id }).waitFor();
      expect(new URL(p.url()).pathname + new URL(p.url()).search).toBe('/panel/clients?mode=test');
      await testSwitch(p).click();
      await p.getByRole('link', { name: newest().name }).waitFor();
      expect(w.pageErrors).toEqual([]);
      await w.context.close();
    },
    SLOW,
  );
});

describe('the clients list (items 9, 10)', () => {
  it(
    'lists newest first, sorts, filters by status, counts, and pages only past one page',
    async () => {
      const disabled = [made[3]!, made[11]!, made[20]!];
      for (const c of disabled)
        await graphqlAs(ps.url, adminCookie, 'mutation ($id: ID!) { disableClient(id: $id) { id } }', { id: c.id });
      const w = await signedIn(ADMIN);
      const p = w.page;
      const newest = [...made].reverse().map((c) => c.name);

      const first = await rows(p, 'Live clients, page 1 of 2, newest first');
      expect(first).toEqual(newest.slice(0, 20));
      await p.getByText(`${LISTED} live clients`, { exact: true }).waitFor();
      await p.getByRole('columnheader', { name: 'Created' }).waitFor();
      const created = await p
        .locator('tbody tr td:nth-child(5) time')
        .evaluateAll((ts) => ts.map((t) => t.getAttribute('datetime')));
      expect(created).toEqual([...created].sort().reverse());
      await audit(p, 'clients-list');

      await pager(p).getByRole('button', { name: 'Next page' }).click();
      expect(await rows(p, 'Live clients, page 2 of 2')).toEqual(newest.slice(20));
      expect(await pager(p).getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);

      await p.getByLabel('Sort').selectOption({ label: 'Oldest first' });
      expect(await rows(p, 'Live clients, page 1 of 2, oldest first')).toEqual(made.slice(0, 20).map((c) => c.name));
      await p.getByLabel('Sort').selectOption({ label: 'Name, A to Z' });
      expect(await rows(p, 'page 1 of 2, name')).toEqual(
        made
          .map((c) => c.name)
          .sort()
          .slice(0, 20),
      );

      // Three disabled: one page, so no paging controls; the count says how many of all.
      await p.getByLabel('Sort').selectOption({ label: 'Newest first' });
      await p.getByLabel('Status').selectOption({ label: 'Disabled' });
      expect(await rows(p, 'Disabled live clients, page 1 of 1')).toEqual([...disabled].reverse().map((c) => c.name));
      await p.getByText(`3 of ${LISTED} live clients`).waitFor();
      expect(await pager(p).count()).toBe(0);
      await p.getByLabel('Status').selectOption({ label: 'Enabled' });
      const enabled = await rows(p, 'Enabled live clients, page 1 of 1');
      expect(enabled).toEqual(newest.filter((n) => !disabled.some((d) => d.name === n)));
      expect(await pager(p).count()).toBe(0);
      await audit(p, 'clients-enabled');

      // The search (on the server) and the filter together.
      await p.getByLabel('Search clients').fill('listed-2');
      expect(await rows(p, 'Enabled live clients matching “listed-2”')).toEqual(['listed-22', 'listed-21']);
      await p.getByLabel('Status').selectOption({ label: 'All' });
      await p.getByLabel('Search clients').fill('');
      await rows(p, 'Live clients, page 1 of 2');
      for (const c of disabled)
        await graphqlAs(ps.url, adminCookie, 'mutation ($id: ID!) { enableClient(id: $id) { id } }', { id: c.id });
      expect(w.pageErrors).toEqual([]);
      await w.context.close();
    },
    SLOW,
  );

  it(
    'copies a row’s id, saying "Copied" in a status',
    async () => {
      const w = await signedIn(ADMIN, { clipboard: true });
      const p = w.page;
      const target = made[5]!;
      const row = p.getByRole('row', { name: new RegExp(target.name) });
      const button = row.getByRole('button', { name: `Copy id of ${target.name}` });
      await button.click();
      await row.getByRole('status').filter({ hasText: 'Copied' }).waitFor();
      expect(await clipboardText(p)).toBe(target.id);
      // The keyboard reaches it and copies as well.
      const other = made[6]!;
      await p.getByRole('button', { name: `Copy id of ${other.name}` }).focus();
      await p.keyboard.press('Enter');
      await p
        .getByRole('row', { name: new RegExp(other.name) })
        .getByRole('status')
        .filter({ hasText: 'Copied' })
        .waitFor();
      expect(await clipboardText(p)).toBe(other.id);
      await w.context.close();
    },
    SLOW,
  );
});

describe("a client's page in tabs (item 7)", () => {
  const TABS: Array<[string, string, string]> = [
    ['', 'Overview', 'Overview'],
    ['/credentials', 'Credentials', 'Credentials'],
    ['/settings', 'Settings', 'Settings'],
    ['/apis', 'APIs', 'APIs'],
    ['/usage', 'Usage', 'Usage'],
    ['/activity', 'Activity', 'Audit trail'],
  ];

  it(
    'opens each tab at its own address, also on reload, marked as the current page',
    async () => {
      const w = await signedIn(ADMIN);
      const p = w.page;
      const c = made[0]!;
      for (const [suffix, tab, heading] of TABS) {
        await p.goto(`/panel/clients/${c.id}${suffix}`);
        await p.getByRole('heading', { level: 2, name: heading }).waitFor();
        const link = sections(p).getByRole('link', { name: tab, exact: true });
        expect(await link.getAttribute('aria-current'), tab).toBe('page');
        expect(await sections(p).locator('[aria-current="page"]').count(), tab).toBe(1);
        await audit(p, `tab-${tab.toLowerCase()}`);
      }
      await p.goto(`/panel/clients/${c.id}/credentials`);
      await p.reload();
      await p.getByRole('heading', { level: 2, name: 'Credentials' }).waitFor();
      await p.getByRole('button', { name: 'Rotate secret' }).waitFor();
      expect(await sections(p).getByRole('link', { name: 'Credentials' }).getAttribute('aria-current')).toBe('page');
      // Back goes to the tab before.
      await sections(p).getByRole('link', { name: 'Activity' }).click();
      await p.getByRole('heading', { level: 2, name: 'Audit trail' }).waitFor();
      await p.getByRole('cell', { name: 'client.created' }).waitFor();
      await p.goBack();
      await p.getByRole('heading', { level: 2, name: 'Credentials' }).waitFor();
      // A tab that does not exist is no page.
      await p.goto(`/panel/clients/${c.id}/nothing-here`);
      await p.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
      expect(w.pageErrors).toEqual([]);
      await w.context.close();
    },
    SLOW,
  );

  it(
    'moves between tabs with the keyboard alone',
    async () => {
      const w = await signedIn(ADMIN);
      const p = w.page;
      const c = made[1]!;
      await p.goto(`/panel/clients/${c.id}`);
      await p.getByRole('heading', { level: 2, name: 'Overview' }).waitFor();
      // From the page's heading, Tab reaches the tabs in order.
      await p.getByRole('heading', { level: 1, name: c.name }).focus();
      const order: string[] = [];
      for (let i = 0; i < 9 && order.length < 6; i++) {
        await p.keyboard.press('Tab');
        const inTabs = (await p.evaluate(
          '!!document.activeElement.closest("nav[aria-label=\\"Client sections\\"]")',
        )) as boolean;
        if (inTabs) order.push((await p.evaluate('document.activeElement.textContent')) as string);
      }
      expect(order).toEqual(['Overview', 'Credentials', 'Settings', 'APIs', 'Usage', 'Activity']);
      // Enter on "Settings" (Shift+Tab back to it) opens it, and focus stays on the tab.
      for (let i = 0; i < 3; i++) await p.keyboard.press('Shift+Tab');
      expect(await p.evaluate('document.activeElement.textContent')).toBe('Settings');
      await p.keyboard.press('Enter');
      await p.getByRole('heading', { level: 2, name: 'Settings' }).waitFor();
      expect(new URL(p.url()).pathname).toBe(`/panel/clients/${c.id}/settings`);
      expect(await p.evaluate('document.activeElement.textContent')).toBe('Settings');
      await p.keyboard.press('Tab');
      expect(await p.evaluate('document.activeElement.textContent')).toBe('APIs');
      await w.context.close();
    },
    SLOW,
  );

  it(
    'copies the client id on Overview, and a new secret and its id where it is shown once',
    async () => {
      const w = await signedIn(ADMIN, { clipboard: true });
      const p = w.page;
      const c = made[2]!;
      await p.goto(`/panel/clients/${c.id}`);
      await p.getByRole('button', { name: 'Copy id of the client' }).click();
      await p.getByRole('status').filter({ hasText: 'Copied' }).waitFor();
      expect(await clipboardText(p)).toBe(c.id);

      await p.goto('/panel/clients/new');
      await p.getByLabel('Name').fill('copied-once');
      await p.getByRole('button', { name: 'Create' }).click();
      const secret = await p.getByLabel('Client secret').inputValue();
      const id = (await p.locator('.secret dd code').textContent())!.trim();
      await p.getByRole('button', { name: 'Copy', exact: true }).click();
      await p.getByText('Copied to the clipboard.').waitFor();
      expect(await clipboardText(p)).toBe(secret);
      await p.getByRole('button', { name: 'Copy id of the client' }).click();
      expect(await clipboardText(p)).toBe(id);
      expect((await v1Token(ps.url, id, secret)).status).toBe(200);
      await audit(p, 'secret-once');
      await w.context.close();
    },
    SLOW,
  );
});

describe('a running grace period (trap 3)', () => {
  it(
    'says when the previous secret stops working, on Overview, Credentials and the list row',
    async () => {
      const c = made[10]!;
      const w = await signedIn(ADMIN);
      const p = w.page;
      await p.goto(`/panel/clients/${c.id}/credentials`);
      await p.getByRole('button', { name: 'Rotate secret' }).waitFor();
      expect(await p.getByText('A grace period is running').count()).toBe(0);
      await p.getByRole('button', { name: 'Rotate secret' }).click();
      const dialog = p.getByRole('dialog', { name: `Rotate the secret of ${c.name}?` });
      await dialog.getByLabel('Grace period').selectOption({ label: '1 hour' });
      await dialog.getByRole('button', { name: 'Rotate' }).click();
      await dialog.waitFor({ state: 'detached' });
      const fresh = await p.getByLabel('Client secret').inputValue();

      const r = await graphqlAs(ps.url, adminCookie, 'query ($id: ID!) { client(id: $id) { graceEndsAt } }', {
        id: c.id,
      });
      const endsAt = (r.body.data!.client as { graceEndsAt: string | null }).graceEndsAt!;
      expect(Date.parse(endsAt) - Date.now()).toBeGreaterThan(55 * 60_000);
      const note = p.locator('.grace', { hasText: 'A grace period is running' });
      await note.getByText(/the previous secret, and the tokens issued with it, stop working at/).waitFor();
      expect(await note.locator('time').getAttribute('datetime')).toBe(endsAt);
      expect(await note.textContent()).toMatch(/\(in (59 min|1 h)\)/);
      // As it says: both secrets work until then.
      expect((await v1Token(ps.url, c.id, c.secret)).status).toBe(200);
      expect((await v1Token(ps.url, c.id, fresh)).status).toBe(200);
      await audit(p, 'credentials-grace');

      await sections(p).getByRole('link', { name: 'Overview' }).click();
      const overview = p.getByRole('definition').filter({ hasText: 'Previous secret works until' });
      expect(await overview.locator('time').getAttribute('datetime')).toBe(endsAt);

      await p.goto('/panel/clients');
      const row = p.getByRole('row', { name: new RegExp(c.name) });
      expect(await row.locator('.grace time').getAttribute('datetime')).toBe(endsAt);
      // Only that row: no other client has a grace period running.
      expect(await p.locator('tbody .grace').count()).toBe(1);

      // A rotation without grace ends it: nothing is shown any more.
      await p.goto(`/panel/clients/${c.id}/credentials`);
      await p.getByRole('button', { name: 'Rotate secret' }).click();
      await dialog.getByLabel('Grace period').selectOption({ label: 'None: stop at once' });
      await dialog.getByRole('button', { name: 'Rotate' }).click();
      await dialog.waitFor({ state: 'detached' });
      c.secret = await p.getByLabel('Client secret').inputValue();
      await p.getByRole('heading', { level: 2, name: 'Save the secret now' }).waitFor();
      // Polled from Node: a string waitForFunction is eval in the page, which the CSP refuses.
      await p.locator('.grace').waitFor({ state: 'detached' });
      await p.goto('/panel/clients');
      await p.getByRole('row', { name: new RegExp(c.name) }).waitFor();
      expect(await p.locator('tbody .grace').count()).toBe(0);
      await w.context.close();
    },
    SLOW,
  );
});

describe('disabling (item 2)', () => {
  it(
    'asks first, saying what dies; Cancel keeps it enabled; confirming ends its tokens for good',
    async () => {
      const c = made[7]!;
      const before = await v1Token(ps.url, c.id, c.secret);
      const oauth = await oauth2Tokens(ps.url, c.id, c.secret);
      expect(before.status).toBe(200);
      expect(oauth.status).toBe(200);
      expect(await verifyStatus(ps.url, before.token!)).toBe(200);
      expect(await oauth2Refresh(ps.url, oauth.refresh!)).toBe(200);

      const w = await signedIn(ADMIN);
      const p = w.page;
      await p.goto(`/panel/clients/${c.id}/settings`);
      const open = p.getByRole('button', { name: 'Disable', exact: true });
      await open.click();
      const dialog = p.getByRole('dialog', { name: `Disable ${c.name}?` });
      await dialog.getByText('Every access token and refresh token of this client stops working at once').waitFor();
      await dialog.getByText('enabling the client again does not bring them back').waitFor();
      await audit(p, 'disable-dialog');
      // Cancel is what the dialog focuses: Enter alone disables nothing.
      expect(await p.evaluate('document.activeElement.textContent')).toBe('Cancel');
      await p.keyboard.press('Enter');
      await dialog.waitFor({ state: 'detached' });
      expect(await p.evaluate('document.activeElement.textContent')).toBe('Disable');
      expect(await enabledOf(c.id)).toBe(true);
      expect(await verifyStatus(ps.url, before.token!)).toBe(200);
      // Escape closes it too, and changes nothing.
      await open.click();
      await dialog.waitFor();
      await p.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      expect(await enabledOf(c.id)).toBe(true);

      await open.click();
      await dialog.getByRole('button', { name: 'Disable the client' }).click();
      await dialog.waitFor({ state: 'detached' });
      await p.getByRole('button', { name: 'Enable' }).waitFor();
      await p.locator('.badge', { hasText: 'Disabled' }).waitFor();
      // The focus, on the Disable button that went, moves to the Enable button that came.
      await expect.poll(() => p.evaluate('document.activeElement?.textContent')).toBe('Enable');
      expect(await enabledOf(c.id)).toBe(false);
      expect(await verifyStatus(ps.url, before.token!)).toBe(401);

      // Enabling asks nothing; the tokens from before stay dead, new ones work.
      await p.keyboard.press('Enter');
      await open.waitFor();
      await expect.poll(() => p.evaluate('document.activeElement?.textContent')).toBe('Disable');
      expect(await p.getByRole('dialog').count()).toBe(0);
      expect(await enabledOf(c.id)).toBe(true);
      expect(await verifyStatus(ps.url, before.token!)).toBe(401);
      expect(await verifyStatus(ps.url, oauth.access!)).toBe(401);
      expect(await oauth2Refresh(ps.url, oauth.refresh!)).toBe(400);
      const after = await v1Token(ps.url, c.id, c.secret);
      expect(after.status).toBe(200);
      expect(await verifyStatus(ps.url, after.token!)).toBe(200);

      // The Activity tab says it in words (item 8), the recorded detail behind a disclosure.
      await sections(p).getByRole('link', { name: 'Activity' }).click();
      const row = p.getByRole('row', { name: /Client disabled, its tokens ended, by admin@example\.com/ });
      await row.waitFor();
      await p.getByRole('cell', { name: /^Client enabled, by admin@example\.com/ }).waitFor();
      const actor = row.getByText(`panel:${ADMIN}`, { exact: true });
      expect(await actor.isVisible()).toBe(false);
      expect(await row.locator('details').getAttribute('open')).toBeNull();
      await row.locator('summary').focus();
      await p.keyboard.press('Enter');
      await actor.waitFor();
      expect(await row.locator('details').getAttribute('open')).not.toBeNull();
      await audit(p, 'activity-open');
      expect(w.dialogs).toEqual([]);
      await w.context.close();
    },
    SLOW,
  );
});

describe('the new controls by role', () => {
  /** Walks every tab of `id` and lists the change controls offered. */
  async function offered(p: Page, id: string): Promise<string[]> {
    const found: string[] = [];
    await p.goto(`/panel/clients/${id}/credentials`);
    await p.getByRole('heading', { level: 2, name: 'Credentials' }).waitFor();
    if (await p.getByRole('button', { name: 'Rotate secret' }).count()) found.push('rotate');
    await sections(p).getByRole('link', { name: 'Settings' }).click();
    await p.getByRole('heading', { level: 2, name: 'Settings' }).waitFor();
    if (await p.getByRole('button', { name: 'Save', exact: true }).count()) found.push('save');
    if (await p.getByRole('button', { name: 'Disable', exact: true }).count()) found.push('disable');
    if (await p.getByRole('button', { name: 'Delete client' }).count()) found.push('delete');
    if (await p.getByLabel('Name').count()) found.push('name field');
    await sections(p).getByRole('link', { name: 'APIs' }).click();
    await p.getByRole('heading', { level: 2, name: 'APIs' }).waitFor();
    await p.goto('/panel/clients');
    await p.locator('caption', { hasText: 'Live clients, page 1' }).waitFor();
    if (await p.getByRole('button', { name: 'New client' }).count()) found.push('new client');
    if (await p.getByRole('button', { name: /^Copy id of / }).count()) found.push('copy id');
    return found;
  }

  it(
    'offers an admin and a developer of the organisation every change, a viewer none',
    async () => {
      const all = ['rotate', 'save', 'disable', 'delete', 'name field', 'new client', 'copy id'];
      for (const [email, expected] of [
        [ADMIN, all],
        [DEV, all],
        [VIEWER, ['copy id']],
      ] as const) {
        const w = await signedIn(email);
        expect(await offered(w.page, made[8]!.id), email).toEqual(expected);
        await w.context.close();
      }
      // The viewer's Settings say what the values are, with nothing to change.
      const w = await signedIn(VIEWER);
      await w.page.goto(`/panel/clients/${made[8]!.id}/settings`);
      await w.page.getByRole('definition').filter({ hasText: made[8]!.name }).waitFor();
      await audit(w.page, 'viewer-settings');
      await w.context.close();
    },
    SLOW,
  );

  it(
    'shows a developer of another organisation no tab of the client, by any address',
    async () => {
      const w = await signedIn(OTHER_DEV);
      const p = w.page;
      for (const suffix of ['', '/credentials', '/settings', '/apis', '/activity']) {
        await p.goto(`/panel/clients/${made[8]!.id}${suffix}`);
        await p.getByRole('heading', { level: 1, name: 'Client not found' }).waitFor();
        expect(await p.getByText(made[8]!.name).count(), suffix).toBe(0);
      }
      await w.context.close();
    },
    SLOW,
  );
});

describe('at 390 px, light and dark', () => {
  it(
    'scrolls no console page sideways, clips no placeholder, and has no axe violation of any impact',
    async () => {
      const w = await signedIn(ADMIN, { width: 390 });
      const p = w.page;
      const c = made[9]!;
      const tabs = ['', '/credentials', '/settings', '/apis', '/activity'].map((t) => `/clients/${c.id}${t}`);
      for (const theme of ['light', 'dark'] as const) {
        await p.emulateMedia({ colorScheme: theme });
        for (const path of ['/clients', '/clients?mode=test', ...tabs]) {
          const where = `${path} (${theme})`;
          await p.goto(`/panel${path}`);
          await p.getByRole('heading', { level: 2 }).or(p.locator('caption')).first().waitFor();
          await p.waitForLoadState('networkidle');
          const { scrollWidth, innerWidth } = await pageWidth(p);
          expect(scrollWidth, where).toBeLessThanOrEqual(innerWidth);
          expect(await clippedPlaceholders(p), where).toEqual([]);
          expect(await axeAllViolations(p), where).toEqual([]);
        }
        // The dialog and an opened disclosure too.
        await p.goto(`/panel/clients/${c.id}/settings`);
        await p.getByRole('button', { name: 'Disable', exact: true }).click();
        await p.getByRole('dialog').waitFor();
        expect(await axeAllViolations(p), `disable dialog (${theme})`).toEqual([]);
        await screenshot(p, `console-disable-390-${theme}`);
        await p.getByRole('button', { name: 'Cancel' }).click();
        await p.goto(`/panel/clients/${c.id}/activity`);
        await p.locator('summary').first().click();
        expect(await axeAllViolations(p), `activity, opened (${theme})`).toEqual([]);
        await screenshot(p, `console-activity-390-${theme}`);
      }
      expect(w.pageErrors).toEqual([]);
      await w.context.close();
    },
    SLOW,
  );
});

describe('the playground (item 9)', () => {
  it(
    'copies its curl and fetch snippets whole, which wrap at 390 px, and clips no placeholder',
    async () => {
      const w = await signedIn(ADMIN, { clipboard: true, width: 390 });
      const p = w.page;
      await p.goto('/panel/playground');
      await p.getByLabel('Client id').fill(seeded.id);
      await p.getByLabel('Client secret').fill(seeded.secret);
      for (const [button, heading] of [
        ['Copy curl', 'curl-h'],
        ['Copy fetch', 'fetch-h'],
      ] as const) {
        await p.getByRole('button', { name: button }).click();
        const pre = p.locator(`pre[aria-labelledby="${heading}"]`);
        expect(await clipboardText(p), button).toBe(await pre.textContent());
        // Wrapped whole: nothing hides sideways inside the box.
        expect(await pre.evaluate((el) => el.scrollWidth <= el.clientWidth), button).toBe(true);
      }
      await p.getByText('Copied').first().waitFor();
      expect(await clippedPlaceholders(p)).toEqual([]);
      await audit(p, 'playground-390');
      await w.context.close();
    },
    SLOW,
  );
});
