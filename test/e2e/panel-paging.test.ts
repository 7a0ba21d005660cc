import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  axeViolations,
  createOperator,
  graphqlAs,
  launchChromium,
  openPanel,
  sessionCookie,
  signIn,
  startPanelServer,
  type PanelServer,
} from '../support/browser.js';

/**
 * The client list past its first page, in real Chromium against the real server: 45 live
 * clients are three pages of 20, 20 and 5, each client on exactly one of them; "Previous page"
 * comes back to the same clients; the caption names the page its rows are; a search starts again
 * from page 1 and pages within its matches.
 */
const ADMIN = 'admin@example.com';
const PASSWORD = 'correct horse battery staple';
const SLOW = 60_000;
const CLIENTS = 45;

let ps: PanelServer;
let browser: Browser;
let page: Page;
const names = Array.from({ length: CLIENTS }, (_, i) => `paged-${String(i).padStart(2, '0')}`);

const CREATE = 'mutation ($input: CreateClientInput!) { createClient(input: $input) { client { id } } }';

beforeAll(async () => {
  [ps, browser] = await Promise.all([startPanelServer(), launchChromium()]);
  await createOperator(ps.env, ADMIN, 'admin', PASSWORD);
  const cookie = await sessionCookie(ps.url, ADMIN, PASSWORD);
  for (const name of names) {
    const r = await graphqlAs(ps.url, cookie, CREATE, { input: { name, scopes: [], allowedIps: [] } });
    if (!r.body.data?.createClient) throw new Error(`createClient ${name}: ${JSON.stringify(r.body)}`);
  }
  page = (await openPanel(browser, ps.url)).page;
  await signIn(page, ADMIN, PASSWORD);
}, SLOW);
afterAll(async () => {
  await browser?.close();
  await ps?.server.stop();
});

/** The page the list says it shows, once its caption says so, and the client names in its rows. */
async function shown(caption: string): Promise<string[]> {
  await page.locator('caption', { hasText: caption }).waitFor();
  return page.locator('tbody tr td:first-child').allTextContents();
}
const next = () => page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Next page' });
const previous = () => page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Previous page' });

describe('the client list', () => {
  it(
    'pages through every client once, forwards and back',
    async () => {
      const first = await shown('Live clients, page 1');
      expect(first).toHaveLength(20);
      expect(await previous().isDisabled()).toBe(true);

      // A double click is one page on: the pager waits for the page it asked for.
      await next().dblclick();
      const second = await shown('Live clients, page 2');
      expect(second).toHaveLength(20);
      expect(await previous().isEnabled()).toBe(true);

      await next().click();
      const third = await shown('Live clients, page 3');
      expect(third).toHaveLength(CLIENTS - 40);
      expect(await next().isDisabled()).toBe(true);
      expect(await axeViolations(page)).toEqual([]);

      // Every client on exactly one page.
      const all = [...first, ...second, ...third];
      expect(new Set(all).size).toBe(CLIENTS);
      expect([...all].sort()).toEqual(names);

      await previous().click();
      expect(await shown('Live clients, page 2')).toEqual(second);
      await previous().click();
      expect(await shown('Live clients, page 1')).toEqual(first);
    },
    SLOW,
  );

  it(
    'starts a search from page 1 and pages within its matches',
    async () => {
      await next().click();
      await shown('Live clients, page 2');
      await page.getByLabel('Search clients').fill('paged-4');
      const found = await shown('Live clients matching “paged-4”, page 1');
      expect([...found].sort()).toEqual(['paged-40', 'paged-41', 'paged-42', 'paged-43', 'paged-44']);
      // One page: no paging controls at all (issue 29, item 10).
      expect(await page.getByRole('navigation', { name: 'Pages' }).count()).toBe(0);

      await page.getByLabel('Search clients').fill('');
      expect(await shown('Live clients, page 1')).toHaveLength(20);
    },
    SLOW,
  );
});
