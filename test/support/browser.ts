import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { cli, ROOT, startServer, storeEnv, type RunningServer } from './process.js';

/**
 * Real Chromium for the panel's end-to-end tests: Debian's `chromium` package (scripts/test-deps.sh installs
 * it), driven by playwright-core; no browser is downloaded. The tests fail, never skip, without it.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(ROOT, 'test-results/panel');

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium is missing at ${CHROMIUM}: apt-get install chromium (scripts/test-deps.sh does), or set CHROMIUM_PATH`,
    );
  // The sandbox needs user namespaces, which CI containers running as root do not give.
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

/** A port nobody listens on now, so the server's ISSUER can name its own origin before it starts. */
import { freePort } from './pg-cluster.js';

export { freePort };

export interface PanelServer {
  server: RunningServer;
  url: string;
  env: Record<string, string>;
}

/** The real server on its own database, with ISSUER equal to the origin the browser uses. */
export async function startPanelServer(extra: Record<string, string> = {}): Promise<PanelServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = { ...(await storeEnv()), ISSUER: url, ...extra };
  const server = await startServer({ ...env, PORT: String(port) });
  return { server, url, env };
}

/** An operator made as the README says: `tollgate users create … --password-stdin`. */
export async function createOperator(
  env: Record<string, string>,
  email: string,
  role: 'admin' | 'developer' | 'viewer',
  password: string,
  org?: string,
): Promise<void> {
  const args = [
    'users',
    'create',
    '--email',
    email,
    '--role',
    role,
    '--password-stdin',
    ...(org ? ['--org', org] : []),
  ];
  const ran = await cli(args, env, `${password}\n`);
  if (ran.status !== 0)
    throw new Error(`tollgate ${args.join(' ')} exited ${ran.status}:\n${ran.stdout}\n${ran.stderr}`);
}

export interface Watched {
  context: BrowserContext;
  page: Page;
  /** Requests the page tried to send to any other origin (all refused). */
  foreign: string[];
  /** Uncaught page errors and `dialog` events (alert, confirm): both must stay empty. */
  pageErrors: string[];
  dialogs: string[];
  /** What the page's Content-Security-Policy refused, as the console reported it. */
  cspViolations: string[];
  /** Every console error (a 404 for a favicon among them), and every request that failed or was answered 4xx/5xx. */
  consoleErrors: string[];
  failedRequests: string[];
}

/**
 * A fresh context (its own cookies) with one page, watched: every request to another origin is
 * aborted and recorded, so a test proves the panel loads nothing from other hosts.
 */
export async function openPanel(
  browser: Browser,
  url: string,
  opts: { clipboard?: boolean; width?: number } = {},
): Promise<Watched> {
  const context = await browser.newContext({
    baseURL: url,
    viewport: { width: opts.width ?? 1280, height: 900 },
    // Copy buttons write with navigator.clipboard; a test reads it back (clipboardText).
    permissions: opts.clipboard ? ['clipboard-read', 'clipboard-write'] : [],
  });
  const origin = new URL(url).origin;
  const foreign: string[] = [];
  await context.route('**/*', (route) => {
    const target = route.request().url();
    if (target.startsWith('data:') || target.startsWith('blob:') || new URL(target).origin === origin)
      return route.continue();
    foreign.push(target);
    return route.abort();
  });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  const dialogs: string[] = [];
  const cspViolations: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  const consoleErrors: string[] = [];
  const failedRequests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    if (m.type() === 'error') consoleErrors.push(`${m.text()} (${m.location().url})`);
  });
  page.on('requestfailed', (r) => {
    // Requests to other origins are aborted on purpose and counted in `foreign`. A request the browser
    // itself cancelled (net::ERR_ABORTED: a navigation left the page while the favicon was loading) got
    // no answer to judge; a refusal by the server shows up below as a status of 400 or more.
    const error = r.failure()?.errorText;
    if (new URL(r.url()).origin === origin && error !== 'net::ERR_ABORTED') failedRequests.push(`${r.url()}: ${error}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) failedRequests.push(`${r.url()}: ${r.status()}`);
  });
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  return { context, page, foreign, pageErrors, dialogs, cspViolations, consoleErrors, failedRequests };
}

export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/panel/');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

/**
 * axe-core's serious and critical violations on the page as it is now (WCAG 2.x A and AA).
 * Injected through the DevTools protocol: the panel's CSP refuses inline scripts, so a
 * `<script>` tag (page.addScriptTag) could not run there.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  return (await axeAllViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/**
 * Every axe-core violation of the same rules, of any impact (minor and moderate too): the strict
 * pass the panel's shell is held to (test/e2e/panel-shell.test.ts).
 */
export async function axeAllViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  return (await page.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })
    .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) })))`)) as AxeViolation[];
}

/** How wide the document is against the viewport: wider means the page scrolls sideways. */
export async function pageWidth(page: Page): Promise<{ scrollWidth: number; innerWidth: number }> {
  return (await page.evaluate(
    '({ scrollWidth: document.scrollingElement.scrollWidth, innerWidth: window.innerWidth })',
  )) as { scrollWidth: number; innerWidth: number };
}

/** The focused element draws a focus ring: an outline that is not none and not 0 wide. */
export async function focusRingShown(page: Page): Promise<boolean> {
  return (await page.evaluate(
    `(() => { const s = getComputedStyle(document.activeElement); return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0; })()`,
  )) as boolean;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Node-side GraphQL as a script would send it, with a session cookie (for setting up cases and checking results). */
export async function graphqlAs(
  url: string,
  cookie: string,
  query: string,
  variables: Record<string, unknown> = {},
  opts: { mode?: 'live' | 'test'; headers?: Record<string, string> } = {},
): Promise<{
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: { code?: string } }> };
}> {
  const res = await fetch(`${url}${opts.mode === 'test' ? '/test' : ''}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tollgate-csrf': '1', origin: url, cookie, ...opts.headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as never };
}

/** Signs in through the API from Node; returns the `Cookie` header value to send back. */
export async function sessionCookie(url: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tollgate-csrf': '1', origin: url },
    body: JSON.stringify({
      query: 'mutation ($input: SignInInput!) { signIn(input: $input) { totpRequired session { expiresAt } } }',
      variables: { input: { email, password } },
    }),
  });
  const body = (await res.json()) as { data?: { signIn?: { session: unknown } }; errors?: unknown };
  const set = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .filter((c) => /tollgate_session=/.test(c));
  if (!body.data?.signIn?.session || set.length === 0)
    throw new Error(`sign-in as ${email} failed: ${JSON.stringify(body)}`);
  return set.join('; ');
}

/** What the page's clipboard holds now (the context needs `openPanel(…, { clipboard: true })`). */
export const clipboardText = (page: Page): Promise<string> =>
  page.evaluate('navigator.clipboard.readText()') as Promise<string>;

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

/** A token from the v1 door (client_credentials, form body), as a machine asks for one. */
export async function v1Token(url: string, id: string, secret: string): Promise<{ status: number; token?: string }> {
  const res = await fetch(`${url}/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form({ client_id: id, client_secret: secret }),
  });
  const body = (await res.json()) as { data?: { access_token?: string } };
  return { status: res.status, token: body.data?.access_token };
}

/** An access and a refresh token from the oauth2 door (RFC 6749 §4.4, client_secret_post). */
export async function oauth2Tokens(
  url: string,
  id: string,
  secret: string,
): Promise<{ status: number; access?: string; refresh?: string }> {
  const res = await fetch(`${url}/api/v1/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form({ grant_type: 'client_credentials', client_id: id, client_secret: secret }),
  });
  const body = (await res.json()) as { access_token?: string; refresh_token?: string };
  return { status: res.status, access: body.access_token, refresh: body.refresh_token };
}

/** The status of a refresh at the oauth2 door (RFC 6749 §6). */
export async function oauth2Refresh(url: string, refresh: string): Promise<number> {
  const res = await fetch(`${url}/api/v1/oauth2/refresh`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refresh_token: refresh }),
  });
  return res.status;
}

/** The status /auth/verify answers for a Bearer token: 200 while it works, 401 once it is dead. */
export const verifyStatus = async (url: string, token: string): Promise<number> =>
  (await fetch(`${url}/auth/verify`, { headers: { authorization: `Bearer ${token}` } })).status;
