// The dashboard in a real browser against a real relay (run by DashboardBrowserTest).
// FLUXER_MODE picks the scenario:
//   login   wrong password refused, right one lands on the overview; keyboard only
//   live    5 WebSocket clients opened here move the connection count and its chart within 3 s
//   viewer  a viewer (JWT login) sees every page (and the deployments' stack and deployment views)
//           but no control that acts
//   pages   every page (and those two views) at 1280x800 and at phone width: screenshots, no
//           horizontal overflow, nothing cut; the two views say the control plane is not running
//   refresh the session token is renewed in the background; past the first token's expiry the
//           live updates and the HTTP API still work
//   keys    an admin creates an API key in Settings (shown once), it works; revoked in the UI, it
//           stops working
//   charts  the overview at 1280x800 and 390x844 (dark): opened after some seconds it starts with the
//           relay's history; x tick labels are times within the window, the connections chart's y
//           labels distinct integers, nothing overflows; the 1 h window is chosen with the keyboard
//           and kept across navigation
// Every scenario fails on any console error or warning in the page.
import WebSocket from 'ws';
import { base, check, layoutProblems, login, newPage, scenario, screenshot, until } from './dashboard-lib.mjs';

const [adminUser, adminPassword] = (process.env.FLUXER_ADMIN || ':').split(':');
const PAGES = ['overview', 'channels', 'deployments', 'logs', 'audit', 'settings'];
// sub-routes of the deployments page (#/deployments/<view>/<arg>): without a control plane they say so
const VIEWS = ['deployments/stack/demo', 'deployments/deployment/0c8a0000-0000-4000-8000-000000000000'];
const ROUTES = [...PAGES, ...VIEWS];

function noProblems(page) {
  check(page.problems.length === 0, `console problems: ${JSON.stringify(page.problems)}`);
}

async function loginScenario(browser) {
  const page = await newPage(browser);
  await page.goto(`${base}/dashboard/`);
  // keyboard only: focus the user field, type, Tab to the password, Enter submits
  await page.focus('#login-user');
  await page.keyboard.type(adminUser);
  await page.keyboard.press('Tab');
  await page.keyboard.type('not-the-password');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#login-error', { state: 'visible', timeout: 5000 });
  const error = (await page.textContent('#login-error')).trim();
  check(error.length > 0, 'an error message is shown');
  check(!(await page.isVisible('#whoami')), 'still logged out');
  await screenshot(page, 'login-failed');
  // the failed attempt logs a 401 in the console of some browsers: start the check afresh
  page.problems.length = 0;

  await page.fill('#login-password', adminPassword);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#whoami', { state: 'visible', timeout: 5000 });
  await until('the overview page', () => page.evaluate(() => location.hash === '#/overview'));
  const who = await page.textContent('#whoami');
  check(who.includes(adminUser) && who.includes('admin'), `whoami shows user and role: ${who}`);
  noProblems(page);
  return { error, whoami: who.trim() };
}

function connectClient(token) {
  const wsUrl = base.replace(/^http/, 'ws') + '/connection/websocket';
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl);
    ws.on('open', () => ws.send(JSON.stringify({ id: 1, connect: { token } })));
    ws.on('message', (m) => {
      const reply = JSON.parse(String(m).split('\n')[0]);
      if (reply.id === 1) reply.connect ? resolve(ws) : reject(new Error(`connect: ${String(m)}`));
    });
    ws.on('error', reject);
  });
}

async function liveScenario(browser) {
  const page = await newPage(browser);
  await login(page, adminUser, adminPassword);
  const count = async () => Number((await page.textContent('[data-testid=conn-count]')).replace(/\D/g, ''));
  const chartLast = () => page.getAttribute('[data-testid=chart-connections]', 'data-last').then(Number);
  // the page itself holds one connection; wait until the count says so
  const before = await until('a first connection count', async () => ((await count()) >= 1 ? await count() : 0));
  const pointsBefore = Number(await page.getAttribute('[data-testid=chart-connections]', 'data-points'));
  const connects = async () => Number((await page.textContent('[data-total=connects]')).replace(/\D/g, '')) || 0;
  const connectsBefore = await until('the connects total', connects);

  const started = Date.now();
  const clients = await Promise.all(Array.from({ length: 5 }, () => connectClient(process.env.FLUXER_CLIENT_TOKEN)));
  try {
    const after = await until('connection count +5', async () => ((await count()) >= before + 5 ? count() : 0), 3000);
    const shown = Date.now() - started;
    const last = await until('chart at +5', async () => ((await chartLast()) >= before + 5 ? chartLast() : 0), 3000);
    // a sample in the same second replaces the last point; the next second's adds one
    const points = () => page.getAttribute('[data-testid=chart-connections]', 'data-points').then(Number);
    await until(`the chart to gain a point (had ${pointsBefore})`, async () => (await points()) > pointsBefore, 3000);
    await until('the connects total to count the 5 clients', async () => (await connects()) >= connectsBefore + 5, 3000);
    await screenshot(page, 'overview');
    noProblems(page);
    return { before, after, chartLast: last, shownAfterMs: shown };
  } finally {
    clients.forEach((ws) => ws.close());
  }
}

async function viewerScenario(browser) {
  const page = await newPage(browser);
  await page.goto(`${base}/dashboard/`);
  await page.click('#login-with-token');
  await page.fill('#login-token', process.env.FLUXER_VIEWER_TOKEN);
  await page.click('#login-submit');
  await page.waitForSelector('#whoami', { state: 'visible', timeout: 5000 });
  const seen = {};
  for (const route of ROUTES) {
    await page.goto(`${base}/dashboard/#/${route}`);
    await page.waitForSelector(`[data-page="${route.split('/')[0]}"]`, { timeout: 5000 });
    await page.waitForLoadState('networkidle');
    seen[route] = await page.locator('[data-action]').count();
    check(seen[route] === 0, `a viewer sees no action on ${route} (found ${seen[route]})`);
  }
  noProblems(page);
  return { actions: seen };
}

async function pagesScenario(browser) {
  const result = {};
  const problems = [];
  for (const [label, viewport] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 390, height: 844 }]]) {
    const page = await newPage(browser, viewport);
    await login(page, adminUser, adminPassword);
    for (const id of ROUTES) {
      await page.goto(`${base}/dashboard/#/${id}`);
      await page.waitForSelector(`[data-page="${id.split('/')[0]}"]`, { timeout: 5000 });
      await page.waitForLoadState('networkidle');
      if (VIEWS.includes(id)) {
        // the view itself answered (the same page re-rendered for the new hash), not the stacks list
        const said = await until(`${id} to say the control plane is not running`, () => page.evaluate(() =>
          document.querySelector('.crumbs') && [...document.querySelectorAll('#view .notice')].map((n) => n.textContent)
            .find((t) => t.includes('control plane is not running'))), 5000);
        check(said, `${id}: ${said}`);
      }
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (overflow > 1) problems.push(`${id} at ${label} width overflows by ${overflow}px`);
      for (const p of await page.evaluate(layoutProblems)) problems.push(`${id} at ${label}: ${p}`);
      const name = VIEWS.includes(id) ? `deployments-${id.split('/')[1]}-offline` : id;
      await screenshot(page, label === 'desktop' ? name : `${name}-${label}`);
    }
    noProblems(page);
    result[label] = ROUTES.length;
  }
  check(problems.length === 0, problems.join('\n'));
  return result;
}

async function refreshScenario(browser) {
  const page = await newPage(browser);
  const loggedIn = Date.now();
  await login(page, adminUser, adminPassword);
  // every state the live connection goes through from here on: an expired token would close it
  await page.evaluate(() => {
    window.fluxerLiveStates = [];
    const node = document.getElementById('live-status');
    new MutationObserver(() => window.fluxerLiveStates.push(node.dataset.state))
      .observe(node, { attributes: true, attributeFilter: ['data-state'] });
  });
  const ttlMs = Number(process.env.FLUXER_SESSION_TTL_SECONDS) * 1000;
  const refreshed = await page.waitForResponse(
    (r) => r.url().endsWith('/dashboard/api/refresh') && r.request().method() === 'POST', { timeout: ttlMs });
  check(refreshed.status() === 200, `refresh answered ${refreshed.status()}`);
  const refreshedAfterMs = Date.now() - loggedIn;
  // past the first token's expiry: the WebSocket and the HTTP API still work with the new token
  await page.waitForTimeout(Math.max(0, loggedIn + ttlMs + 2000 - Date.now()));
  const state = await page.getAttribute('#live-status', 'data-state');
  const states = await page.evaluate(() => window.fluxerLiveStates);
  check(state === 'connected' && !states.some((x) => x !== 'connected'),
    `the live connection stayed up past the first token's expiry (now ${state}, went through ${JSON.stringify(states)})`);
  const before = await page.textContent('[data-testid=conn-count]');
  await page.goto(`${base}/dashboard/#/channels`);
  await page.waitForSelector('[data-page="channels"] [data-testid=channels]', { timeout: 5000 });
  check(await page.isVisible('#whoami'), 'still logged in');
  noProblems(page);
  return { refreshedAfterMs, connections: before.trim() };
}

async function keysScenario(browser) {
  const name = process.env.FLUXER_KEY_NAME;
  check(Boolean(name), 'FLUXER_KEY_NAME is set');
  const page = await newPage(browser);
  await login(page, adminUser, adminPassword);
  await page.goto(`${base}/dashboard/#/settings`);
  await page.waitForSelector('[data-page="settings"] [data-testid=api-keys]', { timeout: 5000 });
  await page.fill('#key-name', name);
  await page.selectOption('#key-role', 'ops');
  await page.click('#key-create');
  await page.waitForSelector('#key-created', { state: 'visible', timeout: 5000 });
  const key = await page.inputValue('#key-created');
  check(key.startsWith('fxk_'), 'the new key is shown once');
  const row = `[data-testid=api-keys] tr[data-key="${name}"]`;
  await page.waitForSelector(row, { timeout: 5000 });
  const rowText = await page.textContent(row);
  check(rowText.includes('ops') && rowText.includes('managed'), `the key is listed as a managed ops key: ${rowText}`);

  const stats = () => fetch(`${base}/api/v1/stats`, { headers: { 'X-API-Key': key } }).then((r) => r.status);
  const before = await stats();
  check(before === 200, `the new key is accepted (GET /api/v1/stats answered ${before})`);

  await page.click(`${row} [data-action=revoke-key]`);
  await page.click('#confirm-ok');
  await until('the revoked key to be refused', async () => (await stats()) === 401, 10000);
  await page.waitForSelector(row, { state: 'detached', timeout: 5000 });
  noProblems(page);
  return { created: true, revoked: true };
}

/** The relay's history of `window` (GET /api/v1/stats/history), read with the viewer token. */
async function history(window) {
  const r = await fetch(`${base}/api/v1/stats/history?window=${window}`,
    { headers: { Authorization: `Bearer ${process.env.FLUXER_VIEWER_TOKEN}` } });
  check(r.status === 200, `history answered ${r.status}`);
  return r.json();
}

/**
 * Checked in the page, on what it drew last: each chart's x tick labels (HH:MM) are at least two,
 * distinct, and times within [now - window, now]; the y labels are distinct, and integers on the
 * connections chart. Answers a list of problems (empty when all is well).
 */
function chartProblems() {
  const problems = [];
  const now = Date.now();
  for (const chart of document.querySelectorAll('[data-page=overview] figure.chart')) {
    const name = chart.dataset.testid;
    const windowMs = Number(chart.dataset.window) * 1000;
    const labels = JSON.parse(chart.dataset.xTicks || '[]');
    if (labels.length < 2 || new Set(labels).size !== labels.length) problems.push(`${name} x ticks ${labels}`);
    for (const label of labels) {
      const m = /^(\d\d):(\d\d)$/.exec(label);
      if (!m) { problems.push(`${name} x tick ${label} is not HH:MM`); continue; }
      const at = new Date(now);
      at.setHours(Number(m[1]), Number(m[2]), 0, 0);
      if (at.getTime() > now + 60000) at.setDate(at.getDate() - 1); // the window spans midnight
      // 2 s of slack: the ticks were drawn up to a second ago
      if (at.getTime() < now - windowMs - 2000 || at.getTime() > now + 2000) {
        problems.push(`${name} x tick ${label} is outside the last ${windowMs / 1000} s`);
      }
    }
  }
  for (const chart of document.querySelectorAll('[data-page=overview] figure.chart')) {
    const y = JSON.parse(chart.dataset.yTicks || '[]');
    const counts = chart.dataset.testid === 'chart-connections';
    if (y.length < 2 || new Set(y).size !== y.length || (counts && !y.every((v) => /^\d+$/.test(v)))) {
      problems.push(`${chart.dataset.testid} y ticks ${JSON.stringify(y)} are not distinct${counts ? ' integers' : ''}`);
    }
  }
  return problems;
}

/** The charts' problems and the page's layout problems (nothing cut or past the viewport). */
async function drawingProblems(page) {
  return [...await page.evaluate(chartProblems), ...await page.evaluate(layoutProblems)];
}

async function chartsScenario(browser) {
  // some seconds of history first
  await until('5 points of history', async () => (await history('5m')).t.length >= 5, 15000);
  const result = {};
  // the phone in dark mode: its screenshots show the charts' colours there
  for (const [label, viewport, scheme] of [['desktop', { width: 1280, height: 800 }, 'light'], ['phone', { width: 390, height: 844 }, 'dark']]) {
    const page = await newPage(browser, viewport, scheme);
    const opened = Date.now();
    await login(page, adminUser, adminPassword);
    const chart = '[data-page=overview] [data-testid=chart-connections]';
    await page.waitForSelector(chart, { timeout: 5000 });
    const points = () => page.getAttribute(chart, 'data-points').then(Number);
    // live samples come once a second: more points than seconds since the page opened came from the history
    const filled = await until('the chart filled from the history', async () => ((await points()) >= 5 ? points() : 0));
    const liveAtMost = Math.floor((Date.now() - opened) / 1000) + 1;
    check(filled > liveAtMost + 1, `the chart started with the history: ${filled} points, live could give ${liveAtMost}`);
    // the page's own connection shows (a count of at least 1), then the checks on what was drawn
    await until('a connection count', async () => Number(await page.textContent('[data-testid=conn-count]')) >= 1);
    let problems = await until('well-drawn charts (5 min)', async () => {
      const p = await drawingProblems(page);
      return p.length ? null : p;
    }, 3000).catch(async () => drawingProblems(page));
    check(problems.length === 0, `5 min at ${label}: ${problems.join('; ')}`);
    await screenshot(page, `overview-5m-${label}`);
    await page.locator('[data-testid=nodes]').scrollIntoViewIfNeeded();
    await screenshot(page, `overview-nodes-${label}`);

    // 1 h, chosen with the keyboard
    await page.focus('[data-testid=chart-window] [data-window="1h"]');
    await page.keyboard.press('Enter');
    await until('the 1 h window', async () => (await page.getAttribute(chart, 'data-window')) === '3600');
    await until('the 1 h history', async () => (await points()) >= 1);
    problems = await until('well-drawn charts (1 h)', async () => {
      const p = await drawingProblems(page);
      return p.length ? null : p;
    }, 3000).catch(async () => drawingProblems(page));
    check(problems.length === 0, `1 h at ${label}: ${problems.join('; ')}`);
    await screenshot(page, `overview-1h-${label}`);

    // kept across navigation
    await page.goto(`${base}/dashboard/#/channels`);
    await page.waitForSelector('[data-page="channels"]', { timeout: 5000 });
    await page.goto(`${base}/dashboard/#/overview`);
    await until('the 1 h window again', async () => (await page.getAttribute(chart, 'data-window')) === '3600');
    const pressed = await page.getAttribute('[data-testid=chart-window] [data-window="1h"]', 'aria-pressed');
    check(pressed === 'true', `the 1 h button is pressed (${pressed})`);
    noProblems(page);
    result[label] = { points: filled, liveAtMost, xTicks: JSON.parse(await page.getAttribute(chart, 'data-x-ticks')) };
  }
  return result;
}

const scenarios = {
  login: loginScenario, live: liveScenario, viewer: viewerScenario, pages: pagesScenario, refresh: refreshScenario,
  keys: keysScenario, charts: chartsScenario,
};
const run = scenarios[process.env.FLUXER_MODE];
if (!run) {
  console.log(JSON.stringify({ ok: false, error: `unknown FLUXER_MODE ${process.env.FLUXER_MODE}` }));
  process.exit(2);
}
await scenario(run);
