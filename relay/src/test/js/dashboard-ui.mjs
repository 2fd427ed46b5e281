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
//   engines on a relay with Redis and PostgreSQL: the overview's engine table shows both reachable with
//           a probe time; a subscriber and server-API publications give the latency card and chart
//           a value; at 1280x800 and 390x844 nothing is cut
//   namespace an admin edits the chat namespace in the form (history kept for 10 minutes, chosen by
//           unit): the review lists exactly that change in words before anything is saved, saving
//           applies it; a new namespace is created through the form; Delete sits apart from Save and
//           deletes only after the confirmation; at 390x844 nothing of the form is cut
//   channels a WebSocket client opened here subscribes to two channels; the admin sees them with their
//           subscribers, sorts them, opens one: a publication sent through the server API shows in
//           the live view within 1 s; paused, the next one does not show until resumed; at 390x844
//           (dark) nothing is cut or scrolls sideways; Disconnect on the client's presence entry,
//           confirmed, closes that client's connection
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
      // the navigation stays a compact bar: every link on screen, the header at most 130 px high
      const nav = await page.evaluate(() => ({
        header: document.querySelector('.sidebar').getBoundingClientRect().height,
        off: [...document.querySelectorAll('.nav a')].filter((a) => {
          const r = a.getBoundingClientRect();
          return r.left < 0 || r.right > window.innerWidth || r.width === 0;
        }).map((a) => a.textContent),
      }));
      if (nav.off.length) problems.push(`${id} at ${label}: nav links off screen: ${nav.off}`);
      if (label === 'phone' && nav.header > 130) problems.push(`${id} at ${label}: the header is ${nav.header}px high`);
      const name = VIEWS.includes(id) ? `deployments-${id.split('/')[1]}-offline` : id;
      await screenshot(page, label === 'desktop' ? name : `${name}-${label}`);
    }
    const icon = await page.evaluate(async () => {
      const r = await fetch(document.querySelector('link[rel=icon]').href);
      return `${r.status} ${r.headers.get('content-type')}`;
    });
    if (!icon.startsWith('200 image/svg+xml')) problems.push(`the favicon answers ${icon}`);
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

async function enginesScenario(browser) {
  const client = await connectClient(process.env.FLUXER_CLIENT_TOKEN);
  const channel = 'chat:latency';
  client.send(JSON.stringify({ id: 2, subscribe: { channel } }));
  const result = {};
  try {
    for (const [label, viewport] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 390, height: 844 }]]) {
      const page = await newPage(browser, viewport);
      await login(page, adminUser, adminPassword);
      const states = () => page.$$eval('[data-testid=engines] tbody tr', (trs) => trs.map((tr) => `${tr.dataset.engine}:${tr.dataset.state}`));
      const engines = await until('both engines reachable', async () => {
        const s = await states();
        return s.includes('redis:reachable') && s.includes('postgres:reachable') ? s : null;
      }, 10000);
      const probe = await page.$eval('[data-testid=engines] tr[data-engine=redis] td.num', (td) => td.textContent);
      check(/^\d+(\.\d+)? ms$/.test(probe), `the Redis probe time: ${probe}`);
      // publications while the page watches: the card and the chart get a latency
      const p99 = await until('a publish-to-write p99', async () => {
        await publish(channel, { at: Date.now() });
        const text = await page.textContent('[data-testid=latency-p99]');
        const last = Number(await page.getAttribute('[data-testid=chart-latency]', 'data-last'));
        return /ms$/.test(text) && Number.parseFloat(text) > 0 && last > 0 ? { text, last } : null;
      }, 10000, 300);
      const problems = await page.evaluate(layoutProblems);
      check(problems.length === 0, `overview at ${label}: ${problems.join('; ')}`);
      await page.locator('[data-testid=engines]').scrollIntoViewIfNeeded();
      await screenshot(page, `overview-engines-${label}`);
      noProblems(page);
      result[label] = { engines, probe, p99 };
      await page.context().close();
    }
  } finally {
    client.close();
  }
  return result;
}

async function namespaceJson(name) {
  const res = await fetch(`${base}/api/v1/namespaces/${name}`, { headers: { 'X-API-Key': process.env.FLUXER_API_KEY } });
  return res.status === 200 ? res.json() : null;
}

async function namespaceScenario(browser) {
  const result = {};
  for (const [label, viewport] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 390, height: 844 }]]) {
    const page = await newPage(browser, viewport);
    await login(page, adminUser, adminPassword);
    await page.goto(`${base}/dashboard/#/settings`);
    await page.click('[data-namespace=chat]');
    await page.waitForSelector('[data-testid=namespace-form] #ns-history_ttl');
    const minutes = label === 'desktop' ? '10' : '20';
    await page.fill('#ns-history_ttl', minutes);
    await page.selectOption('#ns-history_ttl-unit', 'm');
    await page.click('[data-action=review-namespace]');
    await page.waitForSelector('[data-testid=namespace-changes] tbody tr');
    const rows = await page.$$eval('[data-testid=namespace-changes] tbody tr', (trs) => trs.map((tr) =>
      [tr.dataset.option, tr.cells[1].textContent, tr.cells[2].textContent]));
    check(rows.length === 1 && rows[0][0] === 'history_ttl' && rows[0][2] === `${minutes} minutes`,
      `the review lists only the history change: ${JSON.stringify(rows)}`);
    check((await namespaceJson('chat')).history_ttl !== `${minutes * 60000}ms`, 'nothing saved before the review is confirmed');
    const problems = await page.evaluate(layoutProblems);
    check(problems.length === 0, `settings at ${label}: ${problems.join('; ')}`);
    await screenshot(page, `settings-review-${label}`);
    await page.click('[data-action=save-namespace]');
    await until('the change saved', async () => (await namespaceJson('chat')).history_ttl === `${minutes * 60000}ms`);
    // Delete is set apart from the form's Save, and confirmed
    await page.waitForSelector('.danger-zone [data-action=delete-namespace]');
    check(await page.locator('form [data-action=delete-namespace]').count() === 0, 'Delete is not in the form');

    const name = `temp-${label}`;
    await page.click('[data-action=new-namespace]');
    await page.fill('#namespace-name', name);
    await page.check('#ns-presence');
    await page.click('[data-action=review-namespace]');
    await page.click('[data-action=save-namespace]');
    await until('the new namespace', async () => (await namespaceJson(name))?.presence === true);
    await page.waitForSelector(`[data-namespace="${name}"][aria-current=true]`);
    await page.click('[data-action=delete-namespace]');
    await page.waitForSelector('#confirm', { state: 'visible' });
    await page.click('#confirm-cancel');
    check(await namespaceJson(name) !== null, 'cancelled: the namespace stays');
    await page.click('[data-action=delete-namespace]');
    await page.waitForSelector('#confirm', { state: 'visible' });
    await page.click('#confirm-ok');
    await until('the namespace deleted', async () => (await namespaceJson(name)) === null);
    noProblems(page);
    result[label] = rows[0];
    await page.context().close();
  }
  return result;
}

/** A protocol client: connects with `token`; request(body) sends a command and resolves with its reply. */
async function protocolClient(token) {
  const ws = new WebSocket(base.replace(/^http/, 'ws') + '/connection/websocket');
  const waiting = new Map();
  let nextId = 1;
  const closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  ws.on('message', (m) => {
    for (const line of String(m).split('\n')) {
      if (!line.trim()) continue;
      const msg = JSON.parse(line);
      if (msg.id && waiting.has(msg.id)) {
        waiting.get(msg.id)(msg);
        waiting.delete(msg.id);
      } else if (!msg.id && !msg.push) {
        ws.send('{}'); // pong
      }
    }
  });
  await new Promise((resolve, reject) => { ws.on('open', resolve); ws.on('error', reject); });
  const request = (body) => new Promise((resolve, reject) => {
    const id = nextId++;
    waiting.set(id, (msg) => (msg.error ? reject(new Error(JSON.stringify(msg.error))) : resolve(msg)));
    ws.send(JSON.stringify({ id, ...body }));
  });
  const connected = await request({ connect: { token } });
  return { ws, request, closed, clientId: connected.connect.client };
}

/** Publishes through the server API with the admin API key; resolves with the result. */
async function publish(channel, data) {
  const res = await fetch(`${base}/api/publish`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-API-Key': process.env.FLUXER_API_KEY },
    body: JSON.stringify({ channel, data }),
  });
  const body = await res.json();
  check(res.status === 200 && body.result, `publish answered ${res.status} ${JSON.stringify(body)}`);
  return body.result;
}

async function openChannels(page) {
  await page.goto(`${base}/dashboard/#/channels`);
  await page.waitForSelector('[data-page="channels"]', { timeout: 5000 });
}

/** The channel table's rows as shown: [{channel, subscribers}]. */
function channelRows(page) {
  return page.$$eval('#channel-table tbody tr[data-channel]', (rows) => rows.map((tr) => ({
    channel: tr.dataset.channel, subscribers: Number(tr.cells[1].textContent.replace(/\D/g, '')),
  })));
}

/** Opens `channel` in the live view and waits until it is subscribed. */
async function watch(page, channel) {
  await page.click(`#channel-table tr[data-channel="${channel}"]`);
  await page.waitForSelector('[data-testid=live-status][data-state=live]', { timeout: 5000 });
}

const livePubs = (page) => page.$$eval('[data-testid=live-publications] li pre', (pres) => pres.map((p) => p.textContent));

async function channelsScenario(browser) {
  const [watched, busy] = [process.env.FLUXER_CHANNEL, process.env.FLUXER_OTHER_CHANNEL];
  const client = await protocolClient(process.env.FLUXER_CLIENT_TOKEN);
  const other = await protocolClient(process.env.FLUXER_CLIENT_TOKEN);
  try {
    await client.request({ subscribe: { channel: watched } });
    await client.request({ subscribe: { channel: busy } });
    await other.request({ subscribe: { channel: busy } });

    const page = await newPage(browser);
    await login(page, adminUser, adminPassword);
    await openChannels(page);
    const listed = await until(`${watched} with 1 subscriber and ${busy} with 2`, async () => {
      const rows = await channelRows(page);
      const find = (c) => rows.find((r) => r.channel === c)?.subscribers;
      return find(watched) === 1 && find(busy) === 2 ? rows : null;
    });

    // sorting: by channel (A to Z), then by subscribers (most first, then fewest first)
    const sortBy = async (key) => page.click(`#channel-table th[data-sort=${key}] button`);
    const ariaSort = (key) => page.getAttribute(`#channel-table th[data-sort=${key}]`, 'aria-sort');
    await sortBy('channel');
    check((await ariaSort('channel')) === 'ascending', 'channel sorted ascending');
    const byName = (await channelRows(page)).map((r) => r.channel);
    check(JSON.stringify(byName) === JSON.stringify([...byName].sort()), `rows by name: ${byName}`);
    await sortBy('subscribers');
    check((await ariaSort('subscribers')) === 'descending' && (await ariaSort('channel')) === null, 'subscribers sorted descending');
    const most = (await channelRows(page)).map((r) => r.subscribers);
    check(most.every((n, i) => i === 0 || most[i - 1] >= n) && most[0] === 2, `rows by subscribers, most first: ${most}`);
    await sortBy('subscribers');
    check((await ariaSort('subscribers')) === 'ascending', 'subscribers sorted ascending');
    const fewest = (await channelRows(page)).map((r) => r.subscribers);
    check(fewest.every((n, i) => i === 0 || fewest[i - 1] <= n) && fewest[0] === 1, `rows by subscribers, fewest first: ${fewest}`);

    // the live view: a publication through the server API shows within 1 s
    await watch(page, watched);
    const first = `first-${Date.now()}`;
    const sent = Date.now();
    await publish(watched, { marker: first });
    await until('the publication in the live view', async () => (await livePubs(page)).some((t) => t.includes(first)), 3000, 10);
    const shownAfterMs = Date.now() - sent;
    const pretty = (await livePubs(page))[0];
    check(pretty.includes('\n  "marker"'), `data pretty-printed: ${pretty}`);

    // paused: counted, not shown; resumed: shown on top
    await page.click('[data-testid=live-pause]');
    check((await page.getAttribute('[data-testid=live-pause]', 'aria-pressed')) === 'true', 'pause pressed');
    const second = `second-${Date.now()}`;
    await publish(watched, { marker: second });
    await until('the paused count', async () => (await page.textContent('[data-testid=live-status]')).includes('1 new while paused'), 3000);
    check(!(await livePubs(page)).some((t) => t.includes(second)), 'a publication while paused is not shown');
    await page.click('[data-testid=live-pause]');
    const resumed = await livePubs(page);
    check(resumed[0].includes(second) && resumed[1].includes(first), `resumed: newest first (${resumed.slice(0, 2)})`);

    // the message rate of the watched channel, from two polls
    const rate = await until('a message rate', () => page.$eval(`#channel-table tr[data-channel="${watched}"]`,
      (tr) => (/\d/.test(tr.cells[2].textContent) ? tr.cells[2].textContent : null)), 8000);

    // presence: the client has Unsubscribe and Disconnect; the dashboard's own entry has none
    const entry = `[data-testid=presence] li[data-client="${client.clientId}"]`;
    await page.waitForSelector(entry, { timeout: 5000 });
    const own = await page.$$eval('[data-testid=presence] li', (lis) => lis.filter((li) => li.textContent.includes('this dashboard'))
      .map((li) => li.querySelectorAll('[data-action]').length));
    check(own.length === 1 && own[0] === 0, `the dashboard's own presence entry, without actions: ${own}`);
    await screenshot(page, 'channels-live-desktop');

    // phone, dark: cards, nothing cut, the page head compact
    const phone = await newPage(browser, { width: 390, height: 844 }, 'dark');
    await login(phone, adminUser, adminPassword);
    await openChannels(phone);
    await phone.waitForSelector(`#channel-table tr[data-channel="${watched}"]`, { timeout: 5000 });
    const tableTop = await phone.$eval('#channel-table', (t) => Math.round(t.getBoundingClientRect().top + window.scrollY));
    const headerHeight = await phone.$eval('.sidebar', (h) => Math.round(h.getBoundingClientRect().height));
    await watch(phone, watched);
    await publish(watched, { marker: `phone-${Date.now()}`, text: 'a longer line of text to see that the live view wraps it on a phone' });
    await until('the phone live view', async () => (await livePubs(phone)).some((t) => t.includes('phone-')), 3000);
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    const phoneProblems = await phone.evaluate(layoutProblems);
    if (overflow > 1) phoneProblems.push(`the page overflows by ${overflow}px`);
    check(phoneProblems.length === 0, `at 390x844: ${phoneProblems.join('; ')}`);
    check(headerHeight <= 120 && tableTop <= 260,
      `compact head on a phone: top bar ${headerHeight}px high, the channel table ${tableTop}px down the page`);
    const cards = await phone.$eval('#channel-table tbody tr[data-channel] td[data-label]', (td) => getComputedStyle(td).display);
    check(cards === 'flex', `rows are cards on a phone (td display ${cards})`);
    await screenshot(phone, 'channels-live-phone');
    noProblems(phone);

    // Disconnect the client, confirmed in the dialog
    await page.click(`${entry} [data-action=disconnect]`);
    await page.waitForSelector('#confirm[open]', { timeout: 3000 });
    await page.click('#confirm-ok');
    const close = await Promise.race([client.closed, new Promise((r) => setTimeout(() => r(null), 5000))]);
    check(close !== null, 'the client was disconnected within 5 s');
    await until('the client gone from presence', async () => (await page.$(entry)) === null, 8000);
    noProblems(page);
    return { listed: listed.length, shownAfterMs, rate, headerHeight, tableTop, closeCode: close.code, closeReason: close.reason };
  } finally {
    client.ws.close();
    other.ws.close();
  }
}

const scenarios = {
  namespace: namespaceScenario,
  engines: enginesScenario,
  login: loginScenario, live: liveScenario, viewer: viewerScenario, pages: pagesScenario, refresh: refreshScenario,
  keys: keysScenario, charts: chartsScenario, channels: channelsScenario,
};
const run = scenarios[process.env.FLUXER_MODE];
if (!run) {
  console.log(JSON.stringify({ ok: false, error: `unknown FLUXER_MODE ${process.env.FLUXER_MODE}` }));
  process.exit(2);
}
await scenario(run);
