import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hourOf, HOUR_MS, type UsageCount } from '../../src/domain/usage.js';
import { openPgStore } from '../../src/infra/db/pg/store.js';
import { openSqliteStore } from '../../src/infra/db/sqlite/store.js';
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
 * Usage and quotas in the panel (issue 32, spec §11), in real Chromium against the real server:
 * the Usage tab's charts (their text alternatives and figures tables hold the counts put in the
 * store), its ranges, the no-cache warning, the quota fields of Settings (and a viewer's view of
 * them), and the clients list's 24-hour sparklines.
 */
const ADMIN = 'admin@example.com';
const VIEWER = 'viewer@alpha.example';
const PASSWORD = 'correct horse battery staple';
const SLOW = 90_000;

let ps: PanelServer;
let browser: Browser;
let adminCookie: string;
let quiet: { id: string; name: string };
let busy: { id: string; name: string };
/** The hours the counts were put in: two hours ago, and three days ago. */
let recent: number;
let older: number;

const CREATE =
  'mutation ($input: CreateClientInput!) { createClient(input: $input) { client { id name } clientSecret } }';

async function createLive(name: string): Promise<{ id: string; name: string }> {
  const r = await graphqlAs(ps.url, adminCookie, CREATE, {
    input: { name, scopes: [], allowedIps: [], orgId: 'alpha' },
  });
  const d = r.body.data?.createClient as { client: { id: string; name: string } } | undefined;
  if (!d) throw new Error(`createClient ${name}: ${JSON.stringify(r.body)}`);
  return d.client;
}

/** Counts written into the store the server runs on, as its meter's flush writes them. */
async function putUsage(counts: UsageCount[]): Promise<void> {
  const store = ps.env.DATABASE_URL
    ? await openPgStore(ps.env.DATABASE_URL, { migrate: false })
    : openSqliteStore(ps.env.DATABASE_PATH!);
  try {
    await store.usage.add(counts);
  } finally {
    await store.close();
  }
}

/** An hour's start as the panel writes it (the reader's clock: the browser shares this process's zone). */
const clock = (at: number): string => {
  const d = new Date(at);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
};
const dayGb = (at: number, timeZone?: string): string =>
  new Date(at).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', ...(timeZone ? { timeZone } : {}) });

async function signedIn(email: string): Promise<Watched> {
  const w = await openPanel(browser, ps.url);
  await signIn(w.page, email, PASSWORD);
  return w;
}

const chart = (p: Page, name: string | RegExp) => p.getByRole('img', { name });
/** The rows of a figures table, as text cells, once its disclosure is open. */
async function figures(p: Page, title: string): Promise<string[][]> {
  const section = p.getByRole('region', { name: title });
  const details = section.locator('details.figures');
  if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open))) await section.getByText('Show figures').click();
  return section
    .locator('tbody tr')
    .evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => (c.textContent ?? '').trim())));
}

/** The page stayed clean: no uncaught error, no CSP refusal (uPlot styles through the CSSOM only). */
function clean(w: Watched): void {
  expect(w.pageErrors).toEqual([]);
  expect(w.cspViolations).toEqual([]);
  expect(w.foreign).toEqual([]);
}

beforeAll(async () => {
  [ps, browser] = await Promise.all([startPanelServer(), launchChromium()]);
  await Promise.all([
    createOperator(ps.env, ADMIN, 'admin', PASSWORD),
    createOperator(ps.env, VIEWER, 'viewer', PASSWORD, 'alpha'),
  ]);
  adminCookie = await sessionCookie(ps.url, ADMIN, PASSWORD);
  quiet = await createLive('quiet-reporter');
  busy = await createLive('busy-poller');
  const now = Date.now();
  recent = hourOf(now) - 2 * HOUR_MS;
  older = hourOf(now) - 72 * HOUR_MS;
  await putUsage([
    { clientId: quiet.id, hour: recent, door: 'v1', kind: 'issued', count: 5 },
    { clientId: quiet.id, hour: recent, door: 'oauth2', kind: 'issued', count: 2 },
    { clientId: quiet.id, hour: recent, door: 'v1', kind: 'invalid_client', count: 3 },
    { clientId: quiet.id, hour: older, door: 'v2', kind: 'issued', count: 4 },
    { clientId: quiet.id, hour: older, door: 'v2', kind: 'rate_limited', count: 1 },
    // v1 tokens live an hour: 3,600 in one hour is a token a second, not one an hour.
    { clientId: busy.id, hour: hourOf(now) - HOUR_MS, door: 'v1', kind: 'issued', count: 3600 },
  ]);
}, SLOW);
afterAll(async () => {
  await browser?.close();
  await ps?.server.stop();
});

describe('the Usage tab', () => {
  it(
    'charts the counts put in: issued summed over doors, failures by reason, each with its figures',
    async () => {
      const w = await signedIn(ADMIN);
      const p = w.page;
      await p.goto(`/panel/clients/${quiet.id}/usage`);
      await p.getByRole('heading', { level: 2, name: 'Usage' }).waitFor();
      const at = clock(recent);
      await chart(p, `Tokens issued, last 24 hours: 7 in all, most 7 at ${at}`).waitFor();
      await chart(p, `Failures by reason, last 24 hours: invalid_client 3 in all, most 3 at ${at}`).waitFor();
      // uPlot drew its canvas inside each.
      expect(await p.locator('.chart-canvas canvas').count()).toBeGreaterThanOrEqual(2);

      // Every hour of the day is a row, zero where nothing was counted.
      const issued = await figures(p, 'Tokens issued');
      expect(issued).toHaveLength(24);
      expect(issued.find((r) => r[0] === at)).toEqual([at, '7']);
      expect(issued.filter((r) => r[1] !== '0')).toHaveLength(1);
      const failed = await figures(p, 'Failures by reason');
      expect(await p.getByRole('region', { name: 'Failures by reason' }).locator('thead th').allTextContents()).toEqual(
        ['Hour', 'invalid_client'],
      );
      expect(failed.find((r) => r[0] === at)).toEqual([at, '3']);
      // The legend names each series in text.
      await p
        .getByRole('region', { name: 'Failures by reason' })
        .getByRole('listitem')
        .filter({ hasText: 'invalid_client' })
        .waitFor();
      // Few tokens: no warning.
      expect(await p.getByRole('note', { name: 'Token caching' }).count()).toBe(0);
      expect(await axeViolations(p)).toEqual([]);
      await screenshot(p, 'usage-24h');
      clean(w);
      await w.context.close();
    },
    SLOW,
  );

  it(
    'switches range: 7 days by the hour, 30 days by the UTC day, kept in the address across a reload',
    async () => {
      const w = await signedIn(ADMIN);
      const p = w.page;
      await p.goto(`/panel/clients/${quiet.id}/usage`);
      await chart(p, /^Tokens issued, last 24 hours: 7 in all/).waitFor();

      await p.getByRole('radio', { name: '7 days' }).check();
      await chart(p, `Tokens issued, last 7 days: 11 in all, most 7 at ${dayGb(recent)} ${clock(recent)}`).waitFor();
      await chart(
        p,
        `Failures by reason, last 7 days: invalid_client 3 in all, most 3 at ${dayGb(recent)} ${clock(recent)}; rate_limited 1 in all, most 1 at ${dayGb(older)} ${clock(older)}`,
      ).waitFor();
      expect(new URL(p.url()).search).toBe('?range=7d');
      expect(await figures(p, 'Tokens issued')).toHaveLength(168);

      await p.getByRole('radio', { name: '30 days' }).check();
      const recentDay = dayGb(recent, 'UTC');
      // The two hours are 70 hours apart: on two UTC days.
      await chart(p, `Tokens issued, last 30 days: 11 in all, most 7 on ${recentDay}`).waitFor();
      const days = await figures(p, 'Tokens issued');
      expect(days).toHaveLength(30);
      expect(days.at(-1)![0]).toBe(dayGb(Date.now(), 'UTC'));
      expect(days.find((r) => r[0] === recentDay)).toEqual([recentDay, '7']);
      expect(days.find((r) => r[0] === dayGb(older, 'UTC'))).toEqual([dayGb(older, 'UTC'), '4']);
      expect(days.reduce((n, r) => n + Number(r[1]), 0)).toBe(11);
      await p.getByRole('region', { name: 'Tokens issued' }).locator('caption', { hasText: '(UTC days)' }).waitFor();

      await p.reload();
      expect(await p.getByRole('radio', { name: '30 days' }).isChecked()).toBe(true);
      await chart(p, /^Tokens issued, last 30 days: 11 in all/).waitFor();
      await p.getByRole('radio', { name: '24 hours' }).check();
      await chart(p, /^Tokens issued, last 24 hours: 7 in all/).waitFor();
      expect(new URL(p.url()).search).toBe('');
      clean(w);
      await w.context.close();
    },
    SLOW,
  );

  it(
    'stays readable in dark mode',
    async () => {
      const w = await signedIn(ADMIN);
      const p = w.page;
      await p.emulateMedia({ colorScheme: 'dark' });
      await p.goto(`/panel/clients/${quiet.id}/usage`);
      await chart(p, /^Tokens issued, last 24 hours: 7 in all/).waitFor();
      await figures(p, 'Tokens issued');
      await figures(p, 'Failures by reason');
      expect(await axeViolations(p)).toEqual([]);
      // The series are drawn in the dark theme's colour, read off the stylesheet.
      const stroke = await p
        .locator('ul.legend svg.chart-1 line')
        .first()
        .evaluate((l) => getComputedStyle(l).stroke);
      expect(stroke).toBe('rgb(128, 187, 255)');
      await screenshot(p, 'usage-dark');
      clean(w);
      await w.context.close();
    },
    SLOW,
  );
});

describe('the no-cache warning', () => {
  const SAID = 'This client does not cache its tokens: it asked for 3,600 tokens in an hour with a 1-hour lifetime.';

  it(
    'is on the overview and the Usage tab of a client that asked for 3,600 tokens in an hour, with the fix',
    async () => {
      const w = await signedIn(ADMIN);
      const p = w.page;
      await p.goto(`/panel/clients/${busy.id}`);
      const note = p.getByRole('note', { name: 'Token caching' });
      await note.getByText(SAID).waitFor();
      expect(await note.textContent()).toContain('Reuse each token until shortly before it expires');
      expect(await note.textContent()).toContain('TokenSource');
      expect(await axeViolations(p)).toEqual([]);
      await screenshot(p, 'caching-overview');
      await p.getByRole('navigation', { name: 'Client sections' }).getByRole('link', { name: 'Usage' }).click();
      await p.getByRole('heading', { level: 2, name: 'Usage' }).waitFor();
      await note.getByText(SAID).waitFor();
      await chart(p, /^Tokens issued, last 24 hours: 3,600 in all, most 3,600 at /).waitFor();
      clean(w);
      await w.context.close();
    },
    SLOW,
  );

  it(
    'is absent for a client that asked for few',
    async () => {
      const w = await signedIn(ADMIN);
      const p = w.page;
      await p.goto(`/panel/clients/${quiet.id}`);
      await p.getByRole('heading', { level: 2, name: 'Overview' }).waitFor();
      await p.getByText('Token quota').waitFor();
      expect(await p.getByRole('note', { name: 'Token caching' }).count()).toBe(0);
      expect(await p.getByText('does not cache').count()).toBe(0);
      await w.context.close();
    },
    SLOW,
  );
});

describe('the quota in Settings', () => {
  it(
    'is saved through updateClient and shown after a reload; the server’s refusal is shown as the form’s error; empty clears it',
    async () => {
      const w = await signedIn(ADMIN);
      const p = w.page;
      await p.goto(`/panel/clients/${quiet.id}/settings`);
      const rate = p.getByLabel('Tokens per minute');
      const burst = p.getByLabel('Burst');
      expect(await rate.inputValue()).toBe('');
      expect(await burst.inputValue()).toBe('');

      // A burst without a rate: the server says no, in its words.
      await burst.fill('5');
      await p.getByRole('button', { name: 'Save' }).click();
      await p.getByRole('alert').filter({ hasText: /burst/i }).waitFor();

      await rate.fill('600');
      await burst.fill('50');
      await p.getByRole('button', { name: 'Save' }).click();
      await p.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      await p.reload();
      expect(await p.getByLabel('Tokens per minute').inputValue()).toBe('600');
      expect(await p.getByLabel('Burst').inputValue()).toBe('50');
      const read = await graphqlAs(
        ps.url,
        adminCookie,
        'query ($id: ID!) { client(id: $id) { tokensPerMinute burst } }',
        {
          id: quiet.id,
        },
      );
      expect(read.body.data!.client).toEqual({ tokensPerMinute: 600, burst: 50 });
      await p.getByRole('navigation', { name: 'Client sections' }).getByRole('link', { name: 'Overview' }).click();
      await p.getByText('600 tokens a minute, 50 at once').waitFor();

      // Not a number: said before anything is sent.
      await p.goto(`/panel/clients/${quiet.id}/settings`);
      await p.getByLabel('Tokens per minute').fill('lots');
      await p.getByRole('button', { name: 'Save' }).click();
      await p.getByRole('alert').filter({ hasText: 'Tokens per minute must be a whole number, or empty.' }).waitFor();
      expect(await axeViolations(p)).toEqual([]);

      // Both empty: no quota, saved as null.
      await p.getByLabel('Tokens per minute').fill('');
      await p.getByLabel('Burst').fill('');
      await p.getByRole('button', { name: 'Save' }).click();
      await p.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      const cleared = await graphqlAs(
        ps.url,
        adminCookie,
        'query ($id: ID!) { client(id: $id) { tokensPerMinute burst } }',
        {
          id: quiet.id,
        },
      );
      expect(cleared.body.data!.client).toEqual({ tokensPerMinute: null, burst: null });

      // Set again, for the viewer's test.
      await p.getByLabel('Tokens per minute').fill('600');
      await p.getByLabel('Burst').fill('50');
      await p.getByRole('button', { name: 'Save' }).click();
      await p.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      clean(w);
      await w.context.close();
    },
    SLOW,
  );

  it(
    'is shown to a viewer, who is given no field to change it',
    async () => {
      const w = await signedIn(VIEWER);
      const p = w.page;
      await p.goto(`/panel/clients/${quiet.id}/settings`);
      await p.getByRole('heading', { level: 2, name: 'Settings' }).waitFor();
      const details = p.locator('dl.details');
      await details.getByText('Tokens per minute').waitFor();
      expect(await details.textContent()).toContain('Tokens per minute600');
      expect(await details.textContent()).toContain('Burst50');
      expect(await p.getByRole('textbox', { name: 'Tokens per minute' }).count()).toBe(0);
      expect(await p.getByRole('textbox', { name: 'Burst' }).count()).toBe(0);
      expect(await p.getByRole('button', { name: 'Save' }).count()).toBe(0);
      // And the server refuses what the page does not offer.
      const cookie = (await w.context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
      const r = await graphqlAs(
        ps.url,
        cookie,
        'mutation ($input: UpdateClientInput!) { updateClient(input: $input) { id } }',
        { input: { id: quiet.id, tokensPerMinute: null } },
      );
      expect(r.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(await axeViolations(p)).toEqual([]);
      await w.context.close();
    },
    SLOW,
  );
});

describe('the clients list', () => {
  it(
    "draws each client's last 24 hours of tokens as a sparkline labelled with the total",
    async () => {
      const w = await signedIn(ADMIN);
      const p = w.page;
      await p.goto('/panel/clients');
      await chart(p, 'Tokens issued by quiet-reporter, last 24 hours: 7').waitFor();
      await chart(p, 'Tokens issued by busy-poller, last 24 hours: 3,600').waitFor();
      expect(await p.locator('.sparkline canvas').count()).toBe(2);
      expect(await axeViolations(p)).toEqual([]);
      await screenshot(p, 'usage-sparklines');
      clean(w);
      await w.context.close();
    },
    SLOW,
  );
});
