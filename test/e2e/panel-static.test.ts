import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  axeViolations,
  launchChromium,
  openPanel,
  screenshot,
  startPanelServer,
  type PanelServer,
} from '../support/browser.js';

/**
 * How the panel and GraphiQL are served (src/http/panel.ts, src/http/graphiql.ts): headers,
 * the SPA fallback, caching, and that neither loads anything from another host.
 */
let ps: PanelServer;
let browser: Browser;

beforeAll(async () => {
  [ps, browser] = await Promise.all([startPanelServer(), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await ps?.server.stop();
});

describe('the panel pages', () => {
  it('answers index.html at /panel, /panel/ and every page path, with a strict CSP and no cache', async () => {
    for (const path of [
      '/panel',
      '/panel/',
      '/panel/clients',
      '/panel/clients/cl_live_abc',
      '/panel/setup',
      '/panel/playground',
    ]) {
      const res = await fetch(`${ps.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toMatch(/^text\/html/);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("default-src 'self'");
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).not.toContain('unsafe-inline');
      expect(csp, path).not.toContain('unsafe-eval');
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(res.headers.get('cache-control'), path).toBe('no-store');
      const html = await res.text();
      expect(html, path).toContain('<div id="root"></div>');
      // No inline script: every <script> has a src on this origin.
      for (const tag of html.match(/<script\b[^>]*>/g) ?? []) expect(tag).toMatch(/src="\/panel\/assets\//);
      expect(html).not.toMatch(/https?:\/\//);
    }
  });

  it('caches hashed assets for a year and answers a missing one 404, not index.html', async () => {
    const html = await (await fetch(`${ps.url}/panel/`)).text();
    const assets = [...html.matchAll(/(?:src|href)="(\/panel\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThanOrEqual(2);
    for (const a of assets) {
      const res = await fetch(`${ps.url}${a}`);
      expect(res.status, a).toBe(200);
      expect(res.headers.get('cache-control'), a).toBe('public, max-age=31536000, immutable');
      expect(res.headers.get('x-content-type-options'), a).toBe('nosniff');
    }
    const missing = await fetch(`${ps.url}/panel/assets/index-nope.js`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).not.toMatch(/html/);
    const traversal = await fetch(`${ps.url}/panel/assets/..%2f..%2fsrc%2fserver.js`);
    expect(traversal.status).not.toBe(200);
  });

  it('shows the sign-in page from this origin alone, with no serious accessibility violation', async () => {
    const w = await openPanel(browser, ps.url);
    await w.page.goto('/panel/clients');
    await expect(w.page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor()).resolves.toBeUndefined();
    await w.page.getByLabel('Email').waitFor();
    await w.page.getByLabel('Password').waitFor();
    await w.page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await w.page.getByRole('main').count()).toBe(1);
    expect(await axeViolations(w.page)).toEqual([]);
    await screenshot(w.page, 'sign-in');
    expect(w.foreign).toEqual([]);
    expect(w.pageErrors).toEqual([]);
    await w.context.close();
  });

  it('reads the setup token from the fragment and takes it out of the address bar', async () => {
    const w = await openPanel(browser, ps.url);
    await w.page.goto('/panel/setup#token=st_example');
    await w.page.getByRole('heading', { level: 1, name: 'Set your password' }).waitFor();
    expect(new URL(w.page.url()).hash).toBe('');
    await w.page.getByLabel('Password', { exact: true }).waitFor();
    await w.page.getByLabel('Confirm password').waitFor();
    expect(await axeViolations(w.page)).toEqual([]);
    await screenshot(w.page, 'setup');
    expect(w.foreign).toEqual([]);
    await w.context.close();
  });
});

describe('GraphiQL', () => {
  it('is served at /graphql and /test/graphql for a browser, its files from this server', async () => {
    for (const path of ['/graphql', '/test/graphql']) {
      const res = await fetch(`${ps.url}${path}`, { headers: { accept: 'text/html' } });
      expect(res.status, path).toBe(200);
      const html = await res.text();
      expect(html).toContain('src="/graphiql/graphiql.js"');
      expect(html).not.toMatch(/unpkg|jsdelivr|cdn/i);
      expect(html).toContain(`"endpoint":"${path}"`);
      // No inline script to run: the options are a JSON data block.
      for (const tag of html.match(/<script\b[^>]*>/g) ?? [])
        expect(tag).toMatch(/src="\/graphiql\/|type="application\/json"/);
    }
    for (const file of [
      'graphiql.js',
      'graphiql.css',
      'boot.js',
      'editor.worker.js',
      'json.worker.js',
      'graphql.worker.js',
      'favicon.ico',
    ]) {
      const res = await fetch(`${ps.url}/graphiql/${file}`);
      expect(res.status, file).toBe(200);
      await res.arrayBuffer();
    }
    expect((await fetch(`${ps.url}/graphiql/nope.js`)).status).toBe(404);
    expect((await fetch(`${ps.url}/graphiql/constructor`)).status).toBe(404);
  });

  it('runs in Chromium with every other host unreachable', async () => {
    const w = await openPanel(browser, ps.url);
    // GraphiQL's first act is an introspection query to its endpoint: the schema arrives.
    const introspection = w.page.waitForResponse(
      (r) => r.url().endsWith('/test/graphql') && r.request().method() === 'POST',
      { timeout: 15_000 },
    );
    await w.page.goto('/test/graphql');
    expect((await introspection).status()).toBe(200);
    await w.page.locator('.graphiql-container').first().waitFor({ timeout: 15_000 });
    await screenshot(w.page, 'graphiql');
    expect(w.foreign).toEqual([]);
    expect(w.pageErrors).toEqual([]);
    // It runs under the headers of every HTML page (frame-ancestors 'none' and scripts of this
    // origin alone), and nothing it needs is refused by them.
    expect(w.cspViolations).toEqual([]);
    await w.context.close();
  });

  it('Swagger UI runs in Chromium under the same headers, refusing nothing it needs', async () => {
    const w = await openPanel(browser, ps.url);
    await w.page.goto('/docs/');
    await w.page.locator('.swagger-ui .info').first().waitFor({ timeout: 15_000 });
    expect(w.foreign).toEqual([]);
    expect(w.pageErrors).toEqual([]);
    expect(w.cspViolations).toEqual([]);
    await w.context.close();
  });
});
