// The dashboard's deployments and logs pages in a real browser, against a real relay and a control
// plane driving the local swarm (run by control-api's DashboardSwarmBrowserTest).
//   deploy  a deployment started through the API shows its states live on the deployments page,
//           with the engine's events for its service; the diff of its two revisions shows the changed image line; a rollback to revision 1
//           clicked in the UI (with confirmation) reaches the swarm
//   logs    a service printing lines shows them on the logs page within 2 s of choosing it; the
//           regex filter hides the lines that do not match
//   quiet   a service that printed some lines and then went quiet: choosing it on the logs page
//           shows those earlier lines at once (the recent-lines API), in order; its JSON line shows
//           as fields with the level coloured; the filter marks its matches; wrapping can be turned
//           off; at 390x844 nothing is cut
// Environment: FLUXER_HTTP_URL, FLUXER_ADMIN (user:password), FLUXER_API_KEY (admin key for the
// API calls made here), FLUXER_STACK (a fresh stack name), FLUXER_SCREENSHOTS.
import { base, check, layoutProblems, login, newPage, scenario, screenshot, until } from './dashboard-lib.mjs';

const [adminUser, adminPassword] = (process.env.FLUXER_ADMIN || ':').split(':');
const stack = process.env.FLUXER_STACK;

async function api(method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'X-API-Key': process.env.FLUXER_API_KEY, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const json = text ? JSON.parse(text) : null;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return json;
}

/** A one-service stack: `web` on the given test image, ticking once a second. */
function webStack(tag) {
  return `services:
  web:
    image: fluxer-test/busybox:${tag}
    command: ["sh", "-c", "while true; do echo tick; sleep 1; done"]
    stop_grace_period: 1s
    stop_signal: SIGKILL
    deploy:
      restart_policy: {condition: any, delay: 500ms}
      update_config: {monitor: 1s}
      rollback_config: {monitor: 1s}
`;
}

const PRINTER = `services:
  printer:
    image: fluxer-test/busybox:1
    command: ["sh", "-c", "i=0; while true; do i=$$((i+1)); echo out-$$i; echo err-$$i >&2; sleep 0.2; done"]
    stop_grace_period: 1s
    stop_signal: SIGKILL
`;

async function deployed(stackFile) {
  const reply = await api('PUT', `/api/v1/stacks/${stack}`, { stackFile });
  return reply.deployment;
}

async function succeeded(id) {
  return until(`deployment ${id} to succeed`, async () => {
    const d = await api('GET', `/api/v1/deployments/${id}`);
    check(!['failed', 'rolled_back'].includes(d.state), `deployment ${id} ended ${d.state}`);
    return d.state === 'succeeded';
  }, 60000, 250);
}

async function webImage() {
  const s = await api('GET', `/api/v1/stacks/${stack}`);
  const web = (s.services || []).find((x) => x.name === `${stack}_web`);
  return web && web.image;
}

async function deployScenario(browser) {
  const page = await newPage(browser);
  await login(page, adminUser, adminPassword);
  await page.goto(`${base}/dashboard/#/deployments`);
  await page.waitForSelector('[data-page="deployments"] [data-testid=deployments]');
  await page.evaluate(() => { window.fluxerTestMarker = 'same page'; });

  // revision 1, started through the API: its row appears and moves through its states live
  const first = await deployed(webStack('1'));
  const cell = `tr[data-deployment="${first}"] [data-testid=deployment-state]`;
  await page.waitForSelector(cell, { timeout: 10000 });
  const states = [];
  await until('the page to show succeeded', async () => {
    const state = (await page.textContent(cell)).trim();
    if (states[states.length - 1] !== state) states.push(state);
    return state === 'succeeded';
  }, 60000, 50);
  check(await page.evaluate(() => window.fluxerTestMarker === 'same page'), 'the page was not reloaded');
  // the engine's own events of that deployment (swarm:events) are listed live as well
  const engineEvents = await until('engine events of the new service', async () => {
    const rows = await page.$$eval('[data-testid=swarm-events] tr[data-event-type]', (trs) => trs.map((tr) => tr.textContent));
    return rows.some((t) => t.includes(`${stack}_web`)) ? rows.length : 0;
  }, 10000);

  // revision 2 (image :2), then a rollback to revision 1 clicked in the UI
  const second = await deployed(webStack('2'));
  await page.waitForSelector(`tr[data-deployment="${second}"] [data-testid=deployment-state]`, { timeout: 10000 });
  await until('revision 2 to succeed on the page', async () =>
    (await page.textContent(`tr[data-deployment="${second}"] [data-testid=deployment-state]`)).trim() === 'succeeded',
  60000, 100);
  check((await webImage()) === 'fluxer-test/busybox:2', 'revision 2 runs image :2');

  await page.click(`tr[data-stack="${stack}"]`);
  // the diff between the two revisions: the image line changed
  await page.waitForSelector('#diff-to option[value="2"]', { state: 'attached', timeout: 10000 });
  await page.selectOption('#diff-from', '1');
  await page.selectOption('#diff-to', '2');
  const diff = await until('the diff of revisions 1 and 2', async () => {
    const del = await page.$$eval('[data-testid=diff] .ops-del', (els) => els.map((e) => e.textContent));
    const add = await page.$$eval('[data-testid=diff] .ops-add', (els) => els.map((e) => e.textContent));
    return del.some((t) => t.includes('busybox:1')) && add.some((t) => t.includes('busybox:2')) ? { del, add } : null;
  }, 10000);
  check(diff.del.length === 1 && diff.add.length === 1, `only the image line differs: ${JSON.stringify(diff)}`);
  await page.waitForSelector('#rollback-revision option[value="1"]', { state: 'attached', timeout: 10000 });
  await page.selectOption('#rollback-revision', '1');
  await page.click('[data-action=rollback-stack]');
  await page.waitForSelector('#confirm', { state: 'visible' });
  await page.click('#confirm-ok');
  const image = await until('the swarm to run image :1 again', async () => {
    const img = await webImage();
    return img === 'fluxer-test/busybox:1' ? img : null;
  }, 60000, 250);
  await screenshot(page, 'deployments-live');
  check(page.problems.length === 0, `console problems: ${JSON.stringify(page.problems)}`);
  return { states, engineEvents, imageAfterRollback: image };
}

async function logsScenario(browser) {
  await succeeded(await deployed(PRINTER));
  const service = `${stack}_printer`;
  const page = await newPage(browser);
  await login(page, adminUser, adminPassword);
  await page.goto(`${base}/dashboard/#/logs`);
  const box = `input[name=log-service][value="${service}"]`;
  await page.waitForSelector(box, { timeout: 10000 });

  const started = Date.now();
  await page.check(box);
  await page.waitForSelector('[data-testid=log-lines] .log-line', { timeout: 5000 });
  const firstLineMs = Date.now() - started;
  await until('both streams', async () =>
    (await page.locator('.log-line[data-stream=stdout]').count()) > 0
    && (await page.locator('.log-line[data-stream=stderr]').count()) > 0, 5000);

  await page.fill('#logs-filter', '^err-');
  const shown = await until('the filter to apply', async () => {
    const texts = await page.$$eval('[data-testid=log-lines] .log-line:not([hidden]) .log-text',
      (els) => els.map((e) => e.textContent));
    return texts.length > 0 && texts.every((t) => /^err-/.test(t)) ? texts : null;
  }, 3000);
  const hidden = await page.locator('[data-testid=log-lines] .log-line[hidden]').count();
  check(hidden > 0, 'the out- lines are hidden, not shown');
  await screenshot(page, 'logs-live');
  check(page.problems.length === 0, `console problems: ${JSON.stringify(page.problems)}`);
  return { firstLineMs, shown: shown.length, hidden };
}

const QUIET = `services:
  quiet:
    image: fluxer-test/busybox:1
    command: ["sh", "-c", "for i in 1 2 3 4 5; do echo early-$$i; done; echo '{\\"level\\":\\"error\\",\\"msg\\":\\"boom\\",\\"code\\":7}'; exec sleep 3600"]
    stop_grace_period: 1s
    stop_signal: SIGKILL
`;

async function quietScenario(browser) {
  await succeeded(await deployed(QUIET));
  const service = `${stack}_quiet`;
  // the engine has the lines before the page is opened: nothing new comes while it shows them
  await until('the six lines in the recent-lines API', async () =>
    ((await api('GET', `/api/v1/services/${service}/logs?tail=50`)).lines || []).length >= 6, 30000, 250);
  const result = {};
  for (const [label, viewport] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 390, height: 844 }]]) {
    const page = await newPage(browser, viewport);
    await login(page, adminUser, adminPassword);
    await page.goto(`${base}/dashboard/#/logs`);
    const box = `input[name=log-service][value="${service}"]`;
    await page.waitForSelector(box, { timeout: 10000 });
    await page.fill('#logs-service-search', 'quiet');
    const started = Date.now();
    await page.check(box);
    const texts = await until('the earlier lines', async () => {
      const t = await page.$$eval('[data-testid=log-lines] .log-line .log-text', (els) => els.map((e) => e.textContent));
      return t.length >= 6 ? t : null;
    }, 3000, 50);
    result[`${label}Ms`] = Date.now() - started;
    check(texts.slice(0, 5).join(',') === 'early-1,early-2,early-3,early-4,early-5', `in order: ${texts}`);
    const level = await page.$eval('.log-line .log-level', (e) => ({ text: e.textContent, cls: e.className }));
    check(level.text === 'error' && level.cls.includes('log-level-error'), `the JSON line's level: ${JSON.stringify(level)}`);
    const fields = await page.$$eval('.log-line .log-field', (els) => els.map((e) => e.textContent));
    check(fields.includes('code=7'), `the JSON line's fields: ${fields}`);
    await page.fill('#logs-filter', 'early-3');
    const marks = await until('the match marked', async () => {
      const m = await page.$$eval('[data-testid=log-lines] .log-line:not([hidden]) mark', (els) => els.map((e) => e.textContent));
      return m.length === 1 ? m : null;
    });
    check(marks[0] === 'early-3', `marked: ${marks}`);
    check(await page.locator('[data-testid=log-lines] .log-line:not([hidden])').count() === 1, 'one line shown');
    await page.uncheck('#logs-wrap');
    check(await page.$eval('[data-testid=log-lines]', (e) => e.classList.contains('log-nowrap')), 'wrapping off');
    await page.check('#logs-wrap');
    const problems = await page.evaluate(layoutProblems);
    check(problems.length === 0, `logs at ${label}: ${problems.join('; ')}`);
    await screenshot(page, `logs-backfill-${label}`);
    check(page.problems.length === 0, `console problems: ${JSON.stringify(page.problems)}`);
    await page.context().close();
  }
  return result;
}

const scenarios = { deploy: deployScenario, logs: logsScenario, quiet: quietScenario };
const run = scenarios[process.env.FLUXER_MODE];
if (!run) {
  console.log(JSON.stringify({ ok: false, error: `unknown FLUXER_MODE ${process.env.FLUXER_MODE}` }));
  process.exit(2);
}
await scenario(run);
