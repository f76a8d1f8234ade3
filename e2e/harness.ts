import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { totpNow } from '../src/accounts/totp.ts';

/**
 * Browser-test helpers: a real server (scripts/e2e.ts starts one per run and passes its URL in
 * E2E_BASE_URL), Debian's Chromium driven by playwright-core (no browser download), pages that
 * record console errors, page errors and failed API calls, and screenshots in e2e/screenshots/.
 */

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
export const screenshotDir = path.join(repoRoot, 'e2e', 'screenshots');

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** How many categories the shipped catalog has: pages list every one, the empty ones too. */
export const catalogCategoryCount: number = (
  JSON.parse(fs.readFileSync(path.join(repoRoot, 'src/catalog/data/catalog.json'), 'utf8')) as {
    categories: unknown[];
  }
).categories.length;

export function baseUrl(): string {
  const url = process.env.E2E_BASE_URL;
  assert.ok(url, 'E2E_BASE_URL is not set: run the browser tests with `npm run test:e2e`');
  return url;
}

export async function launchBrowser(): Promise<Browser> {
  assert.ok(fs.existsSync(chromiumPath), `${chromiumPath} is missing: apt-get install -y chromium`);
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
}

export const desktop = { width: 1366, height: 860 };
export const phone = { width: 375, height: 812 };

export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  /** Everything that went wrong so far: console errors, uncaught exceptions, unexpected HTTP errors. */
  problems: string[];
  /** Allows HTTP error statuses for URLs matching `pattern` (a journey that provokes them on purpose). */
  allow(status: number | number[], pattern: RegExp): void;
  /** Fails the test if anything went wrong on the page. */
  assertClean(): void;
  close(): Promise<void>;
}

/**
 * A fresh browser context (own cookies) with a page that records problems. HTTP errors are
 * checked on responses rather than on Chrome's "Failed to load resource" console lines: any 5xx
 * fails, a 4xx fails unless allowed (the anonymous /api/v1/me answers 401 by design).
 */
export async function openPage(
  browser: Browser,
  opts: { viewport?: { width: number; height: number }; isMobile?: boolean } = {},
): Promise<WatchedPage> {
  const context = await browser.newContext({
    viewport: opts.viewport ?? desktop,
    isMobile: opts.isMobile ?? false,
    hasTouch: opts.isMobile ?? false,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    acceptDownloads: true,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems: string[] = [];
  const allowed: { status: number; pattern: RegExp }[] = [{ status: 401, pattern: /\/api\/v1\/me$/ }];
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    if (msg.text().startsWith('Failed to load resource')) return; // judged on the response below
    problems.push(`console error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('response', (res) => {
    const status = res.status();
    if (status < 400) return;
    const url = res.url().split('?')[0] ?? '';
    if (status < 500 && allowed.some((a) => a.status === status && a.pattern.test(url))) return;
    problems.push(`HTTP ${status} ${res.request().method()} ${url}`);
  });
  return {
    context,
    page,
    problems,
    allow: (status, pattern) => {
      for (const st of Array.isArray(status) ? status : [status]) allowed.push({ status: st, pattern });
    },
    assertClean: () => assert.deepEqual(problems, [], `problems on the page:\n${problems.join('\n')}`),
    close: () => context.close(),
  };
}

/**
 * Saves a screenshot as e2e/screenshots/<name>.png: the full page from the top (so the sticky header
 * is where a user sees it), or with `viewport`, just what the screen shows now.
 */
export async function shot(page: Page, name: string, opts: { viewport?: boolean } = {}): Promise<string> {
  fs.mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  if (opts.viewport) {
    await page.screenshot({ path: file });
    return file;
  }
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Logs in through the login page and waits for the portal the role lands on. */
export async function login(page: Page, username: string, password: string, lands: RegExp): Promise<void> {
  await page.goto(`${baseUrl()}/login`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.waitForURL(lands);
}

/**
 * TOTP codes are accepted once per 30-second step per user, the next step's code too (±1), and the
 * server refuses any step not after the last one it accepted. A login takes the current step if it
 * is after the last one used, else the next, else waits for a fresh one. The last step per secret is
 * kept in a file beside the fixture, because the test files run one after another in separate
 * processes against the same server.
 */
function lastStepFile(): string {
  return `${process.env.E2E_FIXTURE ?? path.join(os.tmpdir(), 'xinrong-e2e')}.totp-steps.json`;
}
function readLastSteps(): Record<string, number> {
  try {
    return JSON.parse(fs.readFileSync(lastStepFile(), 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}
async function freshTotpTime(secret: string): Promise<Date> {
  for (;;) {
    const last = readLastSteps()[secret] ?? -1;
    const step = Math.floor(Date.now() / 30_000);
    for (const s of [step, step + 1]) {
      if (s > last) {
        fs.writeFileSync(lastStepFile(), JSON.stringify({ ...readLastSteps(), [secret]: s }));
        return new Date(s * 30_000 + 15_000);
      }
    }
    await new Promise((r) => setTimeout(r, (step + 1) * 30_000 - Date.now() + 200));
  }
}

/**
 * A user with a second factor (operators, provider users) logs in: password, then the TOTP code
 * computed from the secret, and waits for the portal the role lands on.
 */
export async function loginWithTotp(
  page: Page,
  username: string,
  password: string,
  totpSecret: string,
  lands: RegExp,
): Promise<void> {
  await page.goto(`${baseUrl()}/login`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('totp-code').fill(totpNow(totpSecret, await freshTotpTime(totpSecret)));
  await page.getByTestId('totp-submit').click();
  await page.waitForURL(lands);
}

/** An operator logs in: password, then the TOTP code computed from the secret. */
export async function loginOperator(
  page: Page,
  username: string,
  password: string,
  totpSecret: string,
): Promise<void> {
  await loginWithTotp(page, username, password, totpSecret, /\/operator$/);
}

/**
 * Picks `label` in an Ant Design select with the keyboard (arrow keys to the option, Enter) and
 * waits until the select shows it. Clicking the option was flaky on a slow machine: while the
 * dropdown slides open or re-lays out, the option is "not stable" and a click can miss, leaving the
 * select empty and the form unsubmitted.
 */
export async function pickOption(page: Page, select: Locator, label: string): Promise<void> {
  await select.click();
  const dropdown = page.locator('.ant-select-dropdown:visible');
  await dropdown.locator('.ant-select-item-option').getByText(label, { exact: true }).waitFor();
  const options = await dropdown.locator('.ant-select-item-option').count();
  for (let i = 0; i <= options; i++) {
    const active = (await dropdown.locator('.ant-select-item-option-active').textContent())?.trim();
    if (active === label) break;
    await page.keyboard.press('ArrowDown');
  }
  await page.keyboard.press('Enter');
  // The test id may sit on the select's root or on its input: look from the root (the dropdown
  // is portalled elsewhere, so the root shows the label only once it is selected).
  await select
    .locator('xpath=ancestor-or-self::*[contains(concat(" ", @class, " "), " ant-select ")][1]')
    .filter({ hasText: label })
    .waitFor();
}

/** Fails when the page scrolls sideways (the layout must fit a 375 px phone). */
export async function assertNoHorizontalScroll(page: Page): Promise<void> {
  const { scrollWidth, clientWidth, culprits } = await page.evaluate(() => {
    const cw = document.documentElement.clientWidth;
    // the outermost elements sticking out on the right, to name in the failure
    const out: string[] = [];
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      const r = el.getBoundingClientRect();
      if (
        r.right > cw + 1 &&
        r.width > 0 &&
        !(el.parentElement && el.parentElement.getBoundingClientRect().right > cw + 1)
      ) {
        out.push(
          `${el.tagName.toLowerCase()}.${String(el.className).slice(0, 60)} → ${Math.round(r.right)}px`,
        );
      }
    }
    return { scrollWidth: document.documentElement.scrollWidth, clientWidth: cw, culprits: out.slice(0, 5) };
  });
  assert.ok(
    scrollWidth <= clientWidth + 1,
    `page is ${scrollWidth}px wide in a ${clientWidth}px viewport: ${culprits.join('; ')}`,
  );
}

export interface RunningServer {
  url: string;
  dataDir: string;
  logFile: string;
  stop(): Promise<void>;
}

/**
 * Starts the real server (`xinrong serve --demo`) on a fresh DATA_DIR and a free port (PORT=0;
 * the port is read from the server's "listening" log line).
 */
export async function startServer(
  env: NodeJS.ProcessEnv = {},
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinrong-e2e-')),
): Promise<RunningServer> {
  const logFile = path.join(dataDir, 'server.log');
  const log = fs.createWriteStream(logFile);
  const child: ChildProcess = spawn(process.execPath, ['src/cli/main.ts', 'serve', '--demo'], {
    cwd: repoRoot,
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', DATABASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(
      () => reject(new Error(`server did not start in 120 s; see ${logFile}`)),
      120_000,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(buffered);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(
        new Error(
          `server exited with code ${code}; see ${logFile}:\n${fs.readFileSync(logFile, 'utf8').slice(-3000)}`,
        ),
      );
    });
  });
  return {
    url,
    dataDir,
    logFile,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      log.end();
    },
  };
}
