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
      await page.goto('/');
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
