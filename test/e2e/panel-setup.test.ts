import * as OTPAuth from 'otpauth';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  axeViolations,
  createOperator,
  launchChromium,
  openPanel,
  screenshot,
  signIn,
  startPanelServer,
  type PanelServer,
} from '../support/browser.js';
import { cli } from '../support/process.js';

/**
 * Getting in: the setup link `tollgate users create` prints, and TOTP (enrolment forced by
 * PANEL_REQUIRE_TOTP=1, then the second sign-in step with a recovery code).
 */
const PASSWORD = 'correct horse battery staple';
const SLOW = 60_000;

let ps: PanelServer;
let browser: Browser;

beforeAll(async () => {
  [ps, browser] = await Promise.all([startPanelServer({ PANEL_REQUIRE_TOTP: '1' }), launchChromium()]);
}, SLOW);
afterAll(async () => {
  await browser?.close();
  await ps?.server.stop();
});

describe('the setup link', () => {
  it(
    'sets the password chosen on the page, and the operator then signs in with it',
    async () => {
      const made = await cli(
        ['users', 'create', '--email', 'dev@setup.example', '--role', 'developer', '--org', 'alpha'],
        ps.env,
      );
      expect(made.status, made.stderr).toBe(0);
      const link = /(http:\/\/\S+\/panel\/setup#token=\S+)/.exec(made.stdout)?.[1];
      expect(link, made.stdout).toBeDefined();

      const w = await openPanel(browser, ps.url);
      const page = w.page;
      await page.goto(link!);
      await page.getByRole('heading', { level: 1, name: 'Set your password' }).waitFor();
      expect(page.url()).not.toContain('token=');
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByLabel('Confirm password').fill(`${PASSWORD}!`);
      await page.getByRole('button', { name: 'Set password' }).click();
      await page.getByRole('alert').filter({ hasText: 'The two passwords differ.' }).waitFor();
      await page.getByLabel('Confirm password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Set password' }).click();
      await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
      await page.getByText('Your password is set for dev@setup.example').waitFor();
      await page.getByLabel('Email').fill('dev@setup.example');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'Sign out' }).waitFor();

      // The link worked once.
      const again = await openPanel(browser, ps.url);
      await again.page.goto(link!);
      await again.page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await again.page.getByLabel('Confirm password').fill(PASSWORD);
      await again.page.getByRole('button', { name: 'Set password' }).click();
      await again.page.getByRole('alert').waitFor();
      expect(w.foreign).toEqual([]);
      await Promise.all([w.context.close(), again.context.close()]);
    },
    SLOW,
  );
});

describe('two-factor authentication', () => {
  it(
    'makes an admin enrol first when required, then asks for a code at sign-in',
    async () => {
      await createOperator(ps.env, 'admin@example.com', 'admin', PASSWORD);
      const w = await openPanel(browser, ps.url);
      const page = w.page;
      await signIn(page, 'admin@example.com', PASSWORD);
      await page.getByRole('heading', { level: 1, name: 'Set up two-factor authentication' }).waitFor();
      expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
      await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
      await page.getByRole('img', { name: /QR code/ }).waitFor();
      const secret = (await page.locator('dd code').first().textContent())!.trim();
      const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) });
      await page.getByLabel('Authentication code').fill(totp.generate());
      await page.getByRole('button', { name: 'Confirm' }).click();
      const codes = page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
      await codes.first().waitFor();
      const recovery = (await codes.allTextContents()).map((c) => c.trim());
      expect(recovery.length).toBeGreaterThanOrEqual(5);
      await page.getByText('These codes will not be shown again.').waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, 'totp-recovery-codes');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('heading', { level: 1, name: 'Clients' }).waitFor();
      await page.getByRole('button', { name: 'Sign out' }).click();

      await page.getByLabel('Email').fill('admin@example.com');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      const code = page.getByLabel('Authentication code');
      await code.waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, 'sign-in-code');
      await code.fill('000000');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').waitFor();
      await code.fill(recovery[0]!);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { level: 1, name: 'Clients' }).waitFor();
      expect(w.pageErrors).toEqual([]);
      await w.context.close();
    },
    SLOW,
  );
});
