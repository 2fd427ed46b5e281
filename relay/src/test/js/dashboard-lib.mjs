// Shared plumbing of the dashboard's browser scenarios: Debian's Chromium driven by
// playwright-core, a page that records console errors, login through the form, screenshots,
// and waiting on conditions with deadlines. Environment (set by the Java test):
//   FLUXER_HTTP_URL      the relay, e.g. http://127.0.0.1:41234
//   FLUXER_SCREENSHOTS   directory for screenshots (created)
//   FLUXER_CHROMIUM      browser executable (default /usr/bin/chromium)
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const base = process.env.FLUXER_HTTP_URL;
const shots = process.env.FLUXER_SCREENSHOTS;

export async function launch() {
  return chromium.launch({
    executablePath: process.env.FLUXER_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

/**
 * A page whose console errors, warnings and uncaught exceptions are collected in page.problems;
 * colorScheme 'dark' or 'light' (the default).
 */
export async function newPage(browser, viewport = { width: 1280, height: 800 }, colorScheme = 'light') {
  const context = await browser.newContext({ viewport, colorScheme });
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') page.problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  return page;
}

/** Opens the dashboard and logs in through the form; resolves once the overview shows. */
export async function login(page, user, password) {
  await page.goto(`${base}/dashboard/`);
  await page.fill('#login-user', user);
  await page.fill('#login-password', password);
  await page.click('#login-submit');
  await page.waitForSelector('#whoami', { state: 'visible', timeout: 5000 });
}

export async function screenshot(page, name) {
  if (!shots) return;
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: false });
}

/** Polls fn until it returns a truthy value; throws with what it saw last after timeoutMs. */
export async function until(what, fn, timeoutMs = 5000, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
}

export function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}

/** Runs a scenario: prints a JSON summary as the last line, exits 0 only if it passed. */
export async function scenario(fn) {
  const summary = { ok: false };
  const browser = await launch();
  try {
    Object.assign(summary, await fn(browser));
    summary.ok = true;
  } catch (e) {
    summary.error = String(e && e.stack || e);
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(summary));
  process.exit(summary.ok ? 0 : 1);
}

/**
 * Run in the page: every element under #main whose content is wider than its box (cut, or a table
 * scrolling sideways; only code, diffs and log lines may scroll) or that reaches past the viewport.
 * Answers a list of problems, empty when all fits.
 */
export function layoutProblems() {
  const problems = [];
  const mayScroll = (node) => node.matches('pre, .code, .diff, .diff *, .log-lines, .log-lines *, .editor, textarea');
  for (const node of document.querySelectorAll('#main *')) {
    const box = node.getBoundingClientRect();
    const style = getComputedStyle(node);
    if (box.width === 0 || style.visibility === 'hidden' || node.closest('[hidden]')) continue;
    const what = `${node.tagName.toLowerCase()}.${node.className || ''}${node.dataset.label ? `[${node.dataset.label}]` : ''}`;
    if (node.clientWidth > 1 && node.scrollWidth > node.clientWidth + 1 && !mayScroll(node)) {
      const scrolls = style.overflowX === 'auto' || style.overflowX === 'scroll';
      problems.push(`${what} ${scrolls ? 'scrolls sideways' : 'is cut'}: content ${node.scrollWidth}px in ${node.clientWidth}px`);
    }
    if (box.right > window.innerWidth + 1 || box.left < -1) {
      const clipped = node.closest('pre, .code, .diff, .log-lines, .table-wrap, .ops-scroll');
      if (!clipped || clipped === node) problems.push(`${what} reaches past the viewport (${box.left}..${box.right})`);
    }
  }
  return problems;
}
