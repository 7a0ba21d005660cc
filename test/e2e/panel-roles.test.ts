import type { Browser } from 'playwright-core';
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
} from '../support/browser.js';

/**
 * Roles in the panel (spec §7): a developer sees and reaches only its organisation's clients,
 * also by typing another's address; a viewer changes nothing and never sees a secret. The
 * panel hides what the server would refuse, and the server refuses it anyway.
 */
const PASSWORD = 'correct horse battery staple';
const SLOW = 60_000;

let ps: PanelServer;
let browser: Browser;
let alpha: string;
let beta: string;

const CREATE = 'mutation ($input: CreateClientInput!) { createClient(input: $input) { client { id } clientSecret } }';

beforeAll(async () => {
  [ps, browser] = await Promise.all([startPanelServer(), launchChromium()]);
  await Promise.all([
    createOperator(ps.env, 'admin@example.com', 'admin', PASSWORD),
    createOperator(ps.env, 'dev@alpha.example', 'developer', PASSWORD, 'alpha'),
    createOperator(ps.env, 'viewer@alpha.example', 'viewer', PASSWORD, 'alpha'),
  ]);
  const admin = await sessionCookie(ps.url, 'admin@example.com', PASSWORD);
  const made = async (name: string, orgId: string) => {
    const r = await graphqlAs(ps.url, admin, CREATE, { input: { name, scopes: [], allowedIps: [], orgId } });
    const id = (r.body.data?.createClient as { client: { id: string } } | undefined)?.client.id;
    if (!id) throw new Error(`createClient ${name}: ${JSON.stringify(r.body)}`);
    return id;
  };
  alpha = await made('alpha-reports', 'alpha');
  beta = await made('beta-payments', 'beta');
}, SLOW);
afterAll(async () => {
  await browser?.close();
  await ps?.server.stop();
});

describe('a developer', () => {
  it(
    "sees and reaches only its organisation's clients",
    async () => {
      const w = await openPanel(browser, ps.url);
      const page = w.page;
      await signIn(page, 'dev@alpha.example', PASSWORD);
      await page.getByRole('link', { name: 'alpha-reports' }).waitFor();
      expect(await page.getByRole('link', { name: 'beta-payments' }).count()).toBe(0);
      expect(await page.getByRole('cell', { name: beta }).count()).toBe(0);
      expect(
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Operators' }).count(),
      ).toBe(0);
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, 'developer-clients');

      // Typing the other organisation's client address shows nothing of it.
      await page.goto(`/panel/clients/${beta}`);
      await page.getByRole('heading', { level: 1, name: 'Client not found' }).waitFor();
      expect(await page.getByText('beta-payments').count()).toBe(0);
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, 'developer-other-org');

      const cookie = (await w.context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
      const other = await graphqlAs(ps.url, cookie, 'query ($id: ID!) { client(id: $id) { id name } }', { id: beta });
      expect(other.body.data?.client ?? null).toBeNull();
      const rotate = await graphqlAs(
        ps.url,
        cookie,
        'mutation ($id: ID) { rotateClientSecret(clientId: $id) { clientSecret } }',
        { id: beta },
      );
      expect(rotate.body.data?.rotateClientSecret ?? null).toBeNull();
      expect(rotate.body.errors?.length).toBeGreaterThan(0);

      await page.goto(`/panel/clients/${alpha}/credentials`);
      await page.getByRole('heading', { level: 1, name: 'alpha-reports' }).waitFor();
      await page.getByRole('button', { name: 'Rotate secret' }).waitFor();
      expect(w.foreign).toEqual([]);
      expect(w.pageErrors).toEqual([]);
      await w.context.close();
    },
    SLOW,
  );
});

describe('a viewer', () => {
  it(
    "reads its organisation's clients, is offered no change, and never sees a secret",
    async () => {
      const w = await openPanel(browser, ps.url);
      const page = w.page;
      await signIn(page, 'viewer@alpha.example', PASSWORD);
      await page.getByRole('link', { name: 'alpha-reports' }).waitFor();
      expect(await page.getByRole('button', { name: 'New client' }).count()).toBe(0);
      await page.getByRole('link', { name: 'alpha-reports' }).click();
      await page.getByRole('heading', { level: 1, name: 'alpha-reports' }).waitFor();
      // No tab of the client's page offers a change.
      const sections = page.getByRole('navigation', { name: 'Client sections' });
      for (const tab of ['Overview', 'Credentials', 'Settings', 'APIs', 'Usage', 'Activity']) {
        await sections.getByRole('link', { name: tab }).click();
        await page.getByRole('heading', { level: 2, name: tab === 'Activity' ? 'Audit trail' : tab }).waitFor();
        for (const name of ['Rotate secret', 'Disable', 'Enable', 'Save', 'Create'])
          expect(await page.getByRole('button', { name }).count(), `${tab}: ${name}`).toBe(0);
        expect(await page.getByLabel('Client secret').count(), tab).toBe(0);
        expect(await axeViolations(page), tab).toEqual([]);
      }
      await sections.getByRole('link', { name: 'Activity' }).click();
      await screenshot(page, 'viewer-client');

      // The server refuses what the page does not offer.
      const cookie = (await w.context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
      const before = await graphqlAs(
        ps.url,
        cookie,
        'query ($id: ID!) { client(id: $id) { name enabled secretGeneration } }',
        { id: alpha },
      );
      const attempts = [
        ['mutation ($id: ID) { rotateClientSecret(clientId: $id) { clientSecret } }', { id: alpha }],
        ['mutation ($id: ID!) { disableClient(id: $id) { id } }', { id: alpha }],
        [
          'mutation ($input: UpdateClientInput!) { updateClient(input: $input) { id } }',
          { input: { id: alpha, name: 'renamed' } },
        ],
        [CREATE, { input: { name: 'viewer-made', scopes: [], allowedIps: [] } }],
      ] as const;
      for (const [query, variables] of attempts) {
        const r = await graphqlAs(ps.url, cookie, query, variables);
        expect(r.body.errors?.length, query).toBeGreaterThan(0);
        expect(JSON.stringify(r.body.data ?? {}), query).not.toMatch(/sk_(live|test)_/);
      }
      const after = await graphqlAs(
        ps.url,
        cookie,
        'query ($id: ID!) { client(id: $id) { name enabled secretGeneration } }',
        { id: alpha },
      );
      expect(after.body.data).toEqual(before.body.data);
      expect(w.pageErrors).toEqual([]);
      await w.context.close();
    },
    SLOW,
  );
});
