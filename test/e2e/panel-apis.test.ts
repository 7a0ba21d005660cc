import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  axeViolations,
  createOperator,
  graphqlAs,
  launchChromium,
  openPanel,
  screenshot,
  sessionCookie,
  signIn,
  startPanelServer,
  type PanelServer,
  type Watched,
} from '../support/browser.js';

/**
 * APIs and grants in the panel (issue 28 item 6), in real Chromium against the real server: an
 * admin creates an API per mode, grants permissions with checkboxes, gets a token for it in the
 * playground at every door, edits and deletes it; a developer reads APIs and edits its
 * organisation's client's grants; a viewer sees them disabled. axe on every new page.
 */
const PASSWORD = 'correct horse battery staple';
const ADMIN = 'admin@example.com';
const DEV = 'dev@alpha.example';
const VIEWER = 'viewer@alpha.example';
const SLOW = 60_000;
const INVOICES = 'https://api.example.com/invoices';

let ps: PanelServer;
let browser: Browser;
let admin: Watched;
let page: Page;
let adminCookie: string;
/** The test-mode client the server made on its first start, from its stdout. */
let seeded: { id: string; secret: string };
/** A live client of organisation alpha. */
let alpha: string;

const CREATE_CLIENT = 'mutation ($input: CreateClientInput!) { createClient(input: $input) { client { id } } }';
const GRANTS = 'query ($id: ID!) { client(id: $id) { grants { api { identifier } permissions } } }';

async function grantsOf(id: string, mode: 'live' | 'test' = 'live'): Promise<unknown> {
  const r = await graphqlAs(ps.url, adminCookie, GRANTS, { id }, { mode });
  return (r.body.data!.client as { grants: unknown }).grants;
}

/** axe finds no serious or critical violation, and a screenshot is saved. */
async function audit(p: Page, name: string): Promise<void> {
  expect(await axeViolations(p), name).toEqual([]);
  await screenshot(p, name);
}

const focusedName = (p: Page): Promise<string> =>
  p.evaluate(
    'document.activeElement.labels?.[0]?.textContent ?? document.activeElement.textContent',
  ) as Promise<string>;

beforeAll(async () => {
  [ps, browser] = await Promise.all([startPanelServer(), launchChromium()]);
  const out = ps.server.stdout();
  seeded = { id: /client_id:\s+(cl_test_\S+)/.exec(out)![1]!, secret: /client_secret:\s+(sk_test_\S+)/.exec(out)![1]! };
  await Promise.all([
    createOperator(ps.env, ADMIN, 'admin', PASSWORD),
    createOperator(ps.env, DEV, 'developer', PASSWORD, 'alpha'),
    createOperator(ps.env, VIEWER, 'viewer', PASSWORD, 'alpha'),
  ]);
  adminCookie = await sessionCookie(ps.url, ADMIN, PASSWORD);
  const made = await graphqlAs(ps.url, adminCookie, CREATE_CLIENT, {
    input: { name: 'alpha-reports', scopes: [], allowedIps: [], orgId: 'alpha' },
  });
  alpha = (made.body.data!.createClient as { client: { id: string } }).client.id;
  admin = await openPanel(browser, ps.url);
  page = admin.page;
  await signIn(page, ADMIN, PASSWORD);
}, SLOW);
afterAll(async () => {
  await browser?.close();
  await ps?.server.stop();
});

describe('APIs, as an admin', () => {
  it(
    'starts empty, with an action to create the first API',
    async () => {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'APIs', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'APIs' }).waitFor();
      await page.getByText('No live APIs yet.').waitFor();
      await page.getByRole('link', { name: 'Create the first live API' }).waitFor();
      await audit(page, 'apis-empty');
    },
    SLOW,
  );

  it(
    'creates a live API with two permissions, TTL and algorithm, by keyboard where it counts',
    async () => {
      await page.getByRole('button', { name: 'New API' }).click();
      await page.getByRole('heading', { level: 1, name: 'New live API' }).waitFor();
      await page.getByLabel('Identifier').fill(INVOICES);
      await page.getByLabel('API name').fill('Invoices');
      const first = page.getByRole('group', { name: 'Permission 1' });
      await first.getByLabel('Name').fill('invoices:read');
      await first.getByLabel('Description').fill('Read invoices');
      // Adding a row puts focus in its name; removing one moves it on, never to the page's top.
      await page.getByRole('button', { name: 'Add a permission' }).click();
      expect(await focusedName(page)).toBe('Name');
      await page.keyboard.type('invoices:write');
      await page
        .getByRole('group', { name: 'Permission 2' })
        .getByLabel('Description')
        .fill('Create and change invoices');
      await page.getByRole('button', { name: 'Add a permission' }).press('Enter');
      await page.keyboard.type('spare');
      await page.getByRole('button', { name: 'Remove permission 3' }).press('Enter');
      expect(await page.getByRole('group', { name: 'Permission 3' }).count()).toBe(0);
      expect(await focusedName(page)).toBe('Add a permission');
      await page.getByLabel('Token lifetime (seconds)').fill('0');
      await page.getByText('The token lifetime must be a whole number').waitFor();
      await page.getByLabel('Token lifetime (seconds)').fill('900');
      await page.getByLabel('Signing algorithm').selectOption('ES256');
      await audit(page, 'api-new');
      await page.getByRole('button', { name: 'Create API' }).click();
      await page.getByRole('heading', { level: 1, name: 'Invoices' }).waitFor();
      await page.getByRole('cell', { name: 'Create and change invoices' }).waitFor();
      await page.getByText('No client holds a grant for this API.').waitFor();
      expect(page.url()).toContain(`/panel/apis/${encodeURIComponent(INVOICES)}`);
      await audit(page, 'api');
    },
    SLOW,
  );

  it(
    "shows the server's refusal of a second API with the same identifier",
    async () => {
      await page.goto('/panel/apis/new');
      await page.getByLabel('Identifier').fill(INVOICES);
      await page.getByLabel('API name').fill('Again');
      await page.getByRole('button', { name: 'Create API' }).click();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      expect(await alert.textContent()).toMatch(/identifier/i);
    },
    SLOW,
  );

  it(
    'lists it in live and not in test, then creates the test one',
    async () => {
      await page.goto('/panel/apis');
      const row = page.getByRole('row', { name: /Invoices/ });
      await row.waitFor();
      expect(await row.getByRole('cell').allTextContents()).toEqual([
        'Invoices',
        INVOICES,
        '2',
        '900 s (15 minutes)',
        'ES256',
      ]);
      await audit(page, 'apis-live');
      await page.getByRole('radio', { name: 'Test' }).check();
      await page.getByText('No test APIs yet.').waitFor();
      expect(await page.getByRole('link', { name: 'Invoices' }).count()).toBe(0);
      expect(page.url()).toContain('mode=test');

      await page.getByRole('button', { name: 'New API' }).click();
      await page.getByRole('heading', { level: 1, name: 'New test API' }).waitFor();
      await page.getByLabel('Identifier').fill(INVOICES);
      await page.getByLabel('API name').fill('Test invoices');
      await page.getByRole('group', { name: 'Permission 1' }).getByLabel('Name').fill('invoices:read');
      await page.getByRole('button', { name: 'Add a permission' }).click();
      await page.getByRole('group', { name: 'Permission 2' }).getByLabel('Name').fill('invoices:write');
      await page.getByRole('button', { name: 'Create API' }).click();
      await page.getByRole('heading', { level: 1, name: 'Test invoices' }).waitFor();
      await page
        .getByRole('definition')
        .filter({ hasText: /^Test$/ })
        .waitFor();
      await page.getByRole('link', { name: 'Test APIs' }).click();
      await page
        .getByRole('row', { name: /Test invoices/ })
        .getByRole('cell', { name: 'Deployment default' })
        .waitFor();
      await audit(page, 'apis-test');
    },
    SLOW,
  );

  it(
    'grants one permission to a client with the checkboxes',
    async () => {
      await page.goto(`/panel/clients/${alpha}/apis`);
      const form = page.getByRole('group', { name: 'Invoices' });
      await form.waitFor();
      expect(await form.getByRole('checkbox', { name: 'invoices:read' }).isChecked()).toBe(false);
      expect(await form.getByRole('checkbox', { name: 'invoices:write' }).isChecked()).toBe(false);
      // The description is the checkbox's description.
      expect(
        await form.getByRole('checkbox', { name: 'invoices:write' }).getAttribute('aria-describedby'),
      ).toBeTruthy();
      await form.getByRole('checkbox', { name: 'invoices:read' }).check();
      await page.getByRole('button', { name: 'Save grants for Invoices' }).click();
      await page.getByText('Saved.', { exact: true }).waitFor();
      expect(await grantsOf(alpha)).toEqual([{ api: { identifier: INVOICES }, permissions: ['invoices:read'] }]);
      await audit(page, 'client-grants');

      // The test client, in test mode, for the playground.
      await page.goto(`/panel/clients/${seeded.id}/apis`);
      const test = page.getByRole('group', { name: 'Test invoices' });
      await test.getByRole('checkbox', { name: 'invoices:read' }).check();
      await page.getByRole('button', { name: 'Save grants for Test invoices' }).click();
      await page.getByText('Saved.', { exact: true }).waitFor();
      expect(await grantsOf(seeded.id, 'test')).toEqual([
        { api: { identifier: INVOICES }, permissions: ['invoices:read'] },
      ]);
    },
    SLOW,
  );

  it(
    'gets a token for the API in the playground at every door, with its aud and scope',
    async () => {
      await page.goto('/panel/playground');
      await page.getByRole('heading', { level: 1, name: 'Playground' }).waitFor();
      for (const door of ['v1', 'v2', 'oauth2', 'common', 'GraphQL']) {
        await page.getByRole('radio', { name: door, exact: true }).check();
        await page.getByLabel('Client id').fill(seeded.id);
        await page.getByLabel('Client secret').fill(seeded.secret);
        await page.getByLabel('Audience (optional)').fill(INVOICES);
        const curl = (await page.getByRole('region', { name: 'The request' }).locator('pre').first().textContent())!;
        const sent = door === 'oauth2' ? 'resource' : 'audience';
        expect(curl, door).toContain(
          door === 'v1' || door === 'oauth2' ? `${sent}=${encodeURIComponent(INVOICES)}` : sent,
        );
        await page.getByRole('button', { name: 'Run in test mode' }).click();
        await page.getByTestId('status').waitFor();
        expect(await page.getByTestId('status').textContent(), door).toMatch(/^200/);
        await page.getByRole('heading', { name: 'Token claims' }).waitFor();
        const claims = JSON.parse((await page.locator('pre[aria-labelledby="jwt-claims-h"]').textContent())!) as Record<
          string,
          unknown
        >;
        expect(claims.aud, door).toBe(INVOICES);
        expect(claims.scope, door).toBe('invoices:read');
        expect(claims.client_id, door).toBe(seeded.id);
      }
      // An API the client holds no grant for is refused, in the door's words.
      await page.getByRole('radio', { name: 'v2', exact: true }).check();
      await page.getByLabel('Audience (optional)').fill('https://api.example.com/nothing');
      await page.getByRole('button', { name: 'Run in test mode' }).click();
      await page.getByRole('heading', { name: 'Response body' }).waitFor();
      await page.waitForFunction(
        () => !document.querySelector('[data-testid="status"]')?.textContent?.startsWith('200'),
      );
      expect(await page.getByTestId('status').textContent()).toMatch(/^4\d\d/);
      await audit(page, 'playground-audience');
    },
    SLOW,
  );

  it(
    'shows who holds what, and edits the API',
    async () => {
      await page.goto(`/panel/apis/${encodeURIComponent(INVOICES)}`);
      const row = page.getByRole('row', { name: /alpha-reports/ });
      await row.waitFor();
      expect(await row.getByRole('cell').allTextContents()).toEqual(['Granted', 'No']);
      await page.getByRole('table', { name: 'Clients holding permissions of Invoices' }).waitFor();

      const edit = page.getByRole('region', { name: 'Edit' });
      await edit
        .getByRole('group', { name: 'Permission 1' })
        .getByLabel('Description')
        .fill('Read invoices and their lines');
      await edit.getByLabel('Token lifetime (seconds)').fill('');
      await edit.getByRole('button', { name: 'Save' }).click();
      await edit.getByText('Saved.').waitFor();
      await page.getByRole('cell', { name: 'Read invoices and their lines' }).waitFor();
      expect(await page.getByRole('definition').filter({ hasText: 'Each door’s own' }).count()).toBe(1);
      await audit(page, 'api-edited');
    },
    SLOW,
  );
});

describe('APIs, as a developer', () => {
  it(
    "reads the APIs without create controls and edits its organisation's client's grants",
    async () => {
      const w = await openPanel(browser, ps.url);
      const p = w.page;
      await signIn(p, DEV, PASSWORD);
      await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'APIs', exact: true }).click();
      await p.getByRole('link', { name: 'Invoices' }).waitFor();
      expect(await p.getByRole('button', { name: 'New API' }).count()).toBe(0);
      await audit(p, 'developer-apis');
      await p.getByRole('link', { name: 'Invoices' }).click();
      await p.getByRole('heading', { level: 1, name: 'Invoices' }).waitFor();
      await p.getByText('Only administrators change or delete APIs.').waitFor();
      for (const name of ['Save', 'Delete API', 'Add a permission'])
        expect(await p.getByRole('button', { name }).count(), name).toBe(0);
      await p.getByRole('row', { name: /alpha-reports/ }).waitFor();
      await audit(p, 'developer-api');
      await p.goto('/panel/apis/new');
      await p.getByText('Only administrators create APIs.').waitFor();

      await p.goto(`/panel/clients/${alpha}/apis`);
      const form = p.getByRole('group', { name: 'Invoices' });
      expect(await form.getByRole('checkbox', { name: 'invoices:read' }).isChecked()).toBe(true);
      await form.getByRole('checkbox', { name: 'invoices:write' }).check();
      await p.getByRole('button', { name: 'Save grants for Invoices' }).click();
      await p.getByText('Saved.', { exact: true }).waitFor();
      expect(await grantsOf(alpha)).toEqual([
        { api: { identifier: INVOICES }, permissions: ['invoices:read', 'invoices:write'] },
      ]);
      await audit(p, 'developer-client-grants');
      expect(w.pageErrors).toEqual([]);
      expect(w.foreign).toEqual([]);
      await w.context.close();
    },
    SLOW,
  );
});

describe('APIs, as a viewer', () => {
  it(
    'sees the grants disabled, with the reason, and no way to save',
    async () => {
      const w = await openPanel(browser, ps.url);
      const p = w.page;
      await signIn(p, VIEWER, PASSWORD);
      await p.goto(`/panel/clients/${alpha}/apis`);
      const form = p.getByRole('group', { name: 'Invoices' });
      await form.waitFor();
      for (const name of ['invoices:read', 'invoices:write']) {
        const box = form.getByRole('checkbox', { name });
        expect(await box.isChecked(), name).toBe(true);
        expect(await box.isDisabled(), name).toBe(true);
      }
      await p.getByText('Read only: an administrator, or a developer of the client’s organisation').waitFor();
      expect(await p.getByRole('button', { name: /Save/ }).count()).toBe(0);
      await audit(p, 'viewer-client-grants');

      // The server refuses what the page does not offer.
      const cookie = (await w.context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
      const r = await graphqlAs(
        ps.url,
        cookie,
        'mutation ($c: ID!, $i: String!) { removeGrant(clientId: $c, identifier: $i) { clientId } }',
        { c: alpha, i: INVOICES },
      );
      expect(r.body.errors?.length).toBeGreaterThan(0);
      expect(await grantsOf(alpha)).toEqual([
        { api: { identifier: INVOICES }, permissions: ['invoices:read', 'invoices:write'] },
      ]);
      expect(w.pageErrors).toEqual([]);
      await w.context.close();
    },
    SLOW,
  );
});

describe('deleting an API', () => {
  it(
    'confirms, says what dies, asks to force while grants exist, and removes it',
    async () => {
      await page.goto(`/panel/apis/${encodeURIComponent(INVOICES)}`);
      const open = page.getByRole('button', { name: 'Delete API' });
      await open.click();
      const dialog = page.getByRole('dialog', { name: 'Delete the API Invoices?' });
      await dialog.waitFor();
      await dialog.getByText('stops working').waitFor();
      await dialog.getByText('1 client you can see holds a grant for it').waitFor();
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      expect(await page.evaluate('document.activeElement.textContent')).toBe('Delete API');

      await open.click();
      await dialog.waitFor();
      await dialog.getByRole('button', { name: 'Delete API' }).click();
      await dialog.getByRole('alert').waitFor();
      expect(await dialog.getByRole('alert').textContent()).toContain('Also remove the grants');
      await dialog.getByRole('checkbox', { name: 'Also remove the grants of 1 client' }).check();
      await audit(page, 'api-delete-dialog');
      await dialog.getByRole('button', { name: 'Delete API' }).click();
      await page.getByRole('heading', { level: 1, name: 'APIs' }).waitFor();
      await page.getByText('No live APIs yet.').waitFor();
      expect(await grantsOf(alpha)).toEqual([]);
      // The test-mode API of the same identifier is another API: it stays.
      expect(await grantsOf(seeded.id, 'test')).toEqual([
        { api: { identifier: INVOICES }, permissions: ['invoices:read'] },
      ]);
      await page.goto(`/panel/apis/${encodeURIComponent(INVOICES)}`);
      await page.getByRole('heading', { level: 1, name: 'API not found' }).waitFor();
      await audit(page, 'api-not-found');
      expect(admin.pageErrors).toEqual([]);
      expect(admin.dialogs).toEqual([]);
      expect(admin.foreign).toEqual([]);
      expect(admin.cspViolations).toEqual([]);
    },
    SLOW,
  );
});
