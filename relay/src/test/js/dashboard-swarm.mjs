// The dashboard's deployments and logs pages in a real browser, against a real relay and a control
// plane driving the local swarm (run by control-api's DashboardSwarmBrowserTest).
//   deploy  on the stacks list, a deployment started through the API shows its states live, with the
//           engine's events for its service; at 1280x800 and 390x844 nothing of the stacks list, the
//           stack page or a deployment page is cut (layoutProblems); the stack page names the task
//           nodes by hostname, shows Scale, Restart and Roll back inside the viewport at 1280 px, and
//           the diff of its two revisions shows the changed image line; a rollback to revision 1
//           clicked there (with confirmation) reaches the swarm and its deployment page shows it
//           succeeded; an update whose task writes to stderr and exits 3 shows, on its deployment
//           page, the task's error, exit code 3 and its stderr line, and ends rolled back
//   logs    a service printing lines shows them on the logs page within 2 s of choosing it; the
//           regex filter hides the lines that do not match
//   quiet   a service that printed some lines and then went quiet: choosing it on the logs page
//           shows those earlier lines at once (the recent-lines API), in order; its JSON line shows
//           as fields with the level coloured; the filter marks its matches; wrapping can be turned
//           off; at 390x844 nothing is cut
//   plan    the stack editor: a file with an error shows the error at its line before any deploy
//           (Deploy is off, no deployment exists, the line link puts the caret there); with a
//           2-service stack deployed through the API, changing one environment variable in the
//           editor plans exactly one service to update; at 390x844 nothing of the page is cut;
//           deploying from the editor then opens the deployment page, live until it succeeded, and
//           on the stack page the editor keeps the file, whose plan is now all unchanged
// Environment: FLUXER_HTTP_URL, FLUXER_ADMIN (user:password), FLUXER_API_KEY (admin key for the
// API calls made here), FLUXER_STACK (a fresh stack name), FLUXER_NODE_HOSTNAMES (JSON: the swarm's
// node IDs to hostnames, as the engine says), FLUXER_SCREENSHOTS.
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

/** A one-service stack: `web` on the given test image running `script` (a tick a second by default). */
function webStack(tag, script = 'while true; do echo tick; sleep 1; done') {
  return `services:
  web:
    image: fluxer-test/busybox:${tag}
    command: ["sh", "-c", "${script}"]
    stop_grace_period: 1s
    stop_signal: SIGKILL
    deploy:
      restart_policy: {condition: any, delay: 500ms}
      update_config: {monitor: 2s, failure_action: rollback}
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

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

/** layoutProblems at 1280x800 and 390x844 (screenshots of both), back at 1280x800 after. */
async function fitsBoth(page, what, shot) {
  const problems = [];
  for (const [label, size] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    await page.setViewportSize(size);
    // the page has handled the resize (charts and tables redrawn) once two frames have been rendered
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    for (const p of await page.evaluate(layoutProblems)) problems.push(`${what} at ${label}: ${p}`);
    await screenshot(page, label === 'desktop' ? shot : `${shot}-phone`);
  }
  await page.setViewportSize(DESKTOP);
  check(problems.length === 0, problems.join('\n'));
}

async function stateOn(page, id) {
  const node = await page.$(`[data-deployment="${id}"] [data-testid=deployment-state]`);
  return node ? (await node.textContent()).trim() : null;
}

async function deployScenario(browser) {
  const page = await newPage(browser);
  await login(page, adminUser, adminPassword);
  await page.goto(`${base}/dashboard/#/deployments`);
  await page.waitForSelector('[data-page="deployments"] [data-testid=deployments]');
  await page.evaluate(() => { window.fluxerTestMarker = 'same page'; });

  // revision 1, started through the API: its row appears on the stacks list and moves through its states live
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

  // revision 2 (image :2)
  const second = await deployed(webStack('2'));
  await page.waitForSelector(`tr[data-deployment="${second}"] [data-testid=deployment-state]`, { timeout: 10000 });
  await until('revision 2 to succeed on the page', async () => (await stateOn(page, second)) === 'succeeded', 60000, 100);
  check((await webImage()) === 'fluxer-test/busybox:2', 'revision 2 runs image :2');
  await until('the stack listed', () => page.$(`tr[data-stack="${stack}"] a`), 5000);
  await fitsBoth(page, 'the stacks list', 'deployments-list');

  // the stack page: tasks by node hostname, the service actions in view, the diff of the two revisions
  await page.click(`tr[data-stack="${stack}"] a`);
  await page.waitForSelector(`[data-testid=services] tr[data-service="${stack}_web"]`, { timeout: 10000 });
  check(page.url().endsWith(`#/deployments/stack/${stack}`), `the stack's own address: ${page.url()}`);
  const hostnames = JSON.parse(process.env.FLUXER_NODE_HOSTNAMES || '{}');
  const nodes = await until('the tasks by node', async () => {
    const groups = await page.$$eval('[data-testid=tasks-by-node] .node-group', (els) => els.map((e) => ({
      id: e.dataset.node, heading: e.querySelector('.node-name').firstChild.textContent,
      tasks: e.querySelectorAll('tr[data-task]').length,
    })));
    return groups.length && groups.every((g) => g.tasks > 0) ? groups : null;
  }, 10000);
  for (const g of nodes) {
    check(hostnames[g.id] && g.heading === hostnames[g.id], `node ${g.id} shown by its hostname ${hostnames[g.id]}: ${g.heading}`);
  }
  const actions = await page.$$eval(`tr[data-service="${stack}_web"] [data-action]`, (els) => els.map((e) => {
    const box = e.getBoundingClientRect();
    return { action: e.dataset.action, left: box.left, right: box.right, visible: box.width > 0 && box.height > 0 };
  }));
  check(['scale-service', 'restart-service', 'rollback-service'].every((a) => actions.some((x) => x.action === a)), `the service actions: ${JSON.stringify(actions)}`);
  check(actions.every((a) => a.visible && a.left >= 0 && a.right <= DESKTOP.width), `the service actions inside 1280 px: ${JSON.stringify(actions)}`);
  await page.waitForSelector('#diff-to option[value="2"]', { state: 'attached', timeout: 10000 });
  await page.selectOption('#diff-from', '1');
  await page.selectOption('#diff-to', '2');
  const diff = await until('the diff of revisions 1 and 2', async () => {
    const del = await page.$$eval('[data-testid=diff] .diff-del', (els) => els.map((e) => e.textContent));
    const add = await page.$$eval('[data-testid=diff] .diff-add', (els) => els.map((e) => e.textContent));
    return del.some((t) => t.includes('busybox:1')) && add.some((t) => t.includes('busybox:2')) ? { del, add } : null;
  }, 10000);
  check(diff.del.length === 1 && diff.add.length === 1, `only the image line differs: ${JSON.stringify(diff)}`);
  await fitsBoth(page, 'the stack page', 'deployments-stack');

  // a rollback to revision 1 clicked on the stack page; its deployment page shows it succeeded
  await page.waitForSelector('#rollback-revision option[value="1"]', { state: 'attached', timeout: 10000 });
  await page.selectOption('#rollback-revision', '1');
  await page.click('[data-action=rollback-stack]');
  await page.waitForSelector('#confirm', { state: 'visible' });
  await page.click('#confirm-ok');
  const image = await until('the swarm to run image :1 again', async () => {
    const img = await webImage();
    return img === 'fluxer-test/busybox:1' ? img : null;
  }, 60000, 250);
  const rollback = await until('the rollback\'s deployment on the stack page', async () => {
    const list = await api('GET', `/api/v1/deployments?stack=${stack}`);
    const d = list.deployments.find((x) => x.trigger === 'rollback');
    return d && (await page.$(`tr[data-deployment="${d.id}"] a`)) ? d.id : null;
  }, 10000);
  await page.click(`tr[data-deployment="${rollback}"] a`);
  await until('the rollback\'s deployment page to say succeeded', async () =>
    (await stateOn(page, rollback)) === 'succeeded' && (await page.$('section.deployment-summary')), 60000, 100);
  const events = await page.locator('[data-testid=deployment-timeline] li[data-kind]').count();
  check(events >= 2, `the rollback's timeline: ${events} events`);
  await fitsBoth(page, 'a deployment page', 'deployments-deployment');

  // an update whose task fails: its deployment page says why, with the exit code
  const failing = await deployed(webStack('2', 'echo boom-on-stderr >&2; exit 3'));
  await page.goto(`${base}/dashboard/#/deployments/deployment/${failing}`);
  const failure = await until('the failing task on the deployment page', async () => {
    const box = await page.$('[data-testid=deployment-failure]:not([hidden])');
    if (!box) return null;
    const exit = await page.$('[data-testid=failure-exit-code]');
    const error = await page.$('[data-testid=failure-error]');
    const log = await page.$('[data-testid=failure-log]:not([hidden])');
    return exit && error && log ? {
      exit: (await exit.textContent()).trim(), error: (await error.textContent()).trim(), log: (await log.textContent()).trim(),
      state: await stateOn(page, failing),
    } : null;
  }, 60000, 100);
  check(failure.exit === '3', `exit code 3 shown: ${JSON.stringify(failure)}`);
  check(failure.error.includes('exit (3)'), `the task's error shown: ${JSON.stringify(failure)}`);
  check(failure.log.includes('boom-on-stderr'), `the task's stderr line shown: ${JSON.stringify(failure)}`);
  const finalState = await until('the failed deployment to end rolled back', async () =>
    ((await stateOn(page, failing)) === 'rolled_back' ? 'rolled_back' : null), 60000, 100);
  await fitsBoth(page, 'a failed deployment page', 'deployments-failed');
  check(page.problems.length === 0, `console problems: ${JSON.stringify(page.problems)}`);
  return {
    states, engineEvents, imageAfterRollback: image, nodes: nodes.map((n) => n.heading),
    failedExitCode: Number(failure.exit), failedError: failure.error, failedState: finalState,
  };
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

/** Two tickers, `web` saying GREETING (as written here) and `worker`. */
function twoServices(greeting) {
  const ticker = (name, extra) => `  ${name}:
    image: fluxer-test/busybox:1
    command: ["sh", "-c", "while true; do echo tick; sleep 1; done"]
${extra}    stop_grace_period: 1s
    stop_signal: SIGKILL
    deploy:
      restart_policy: {condition: any, delay: 500ms}
      update_config: {monitor: 1s}
`;
  return `services:\n${ticker('web', `    environment:\n      GREETING: ${greeting}\n`)}${ticker('worker', '')}`;
}

// line 6 holds the error: replicas must be an integer
const WITH_ERROR = `services:
  web:
    image: fluxer-test/busybox:1
    container_name: not-applied
    deploy:
      replicas: two
`;

async function planScenario(browser) {
  const page = await newPage(browser);
  await login(page, adminUser, adminPassword);
  await page.goto(`${base}/dashboard/#/deployments`);
  await page.waitForSelector('#stack-yml');
  const panel = '[data-testid=stack-check]';

  // a file with an error, typed into the editor: the error at its line, before any deploy
  await page.fill('#stack-name', stack);
  await page.fill('#stack-yml', WITH_ERROR);
  await page.waitForSelector(`${panel}[data-state=errors]`, { timeout: 10000 });
  const errors = await page.$$eval('[data-testid=plan-problems] li[data-kind=error]',
    (lis) => lis.map((li) => ({ line: li.dataset.line, text: li.textContent })));
  check(errors.length === 1, `one error: ${JSON.stringify(errors)}`);
  check(errors[0].line === '6' && errors[0].text.includes('Line 6')
    && errors[0].text.includes('services.web.deploy.replicas'), `the error at line 6: ${JSON.stringify(errors)}`);
  const warnings = await page.$$eval('[data-testid=plan-problems] li[data-kind=warning]', (lis) => lis.map((li) => li.dataset.line));
  check(warnings.length === 1 && warnings[0] === '4', `the container_name warning at line 4: ${JSON.stringify(warnings)}`);
  check(await page.isDisabled('[data-action=deploy]'), 'Deploy is off while the file has errors');
  await page.click('[data-testid=plan-problems] li[data-kind=error] button');
  const caret = await page.$eval('#stack-yml', (t) => t.value.slice(0, t.selectionStart).split('\n').length);
  check(caret === 6, `the line link puts the caret on line 6, not ${caret}`);
  const before = await api('GET', `/api/v1/deployments?stack=${stack}`);
  check(before.deployments.length === 0, `no deployment: ${JSON.stringify(before)}`);
  await page.locator('.editor-panel').scrollIntoViewIfNeeded();
  await screenshot(page, 'stack-editor-error');

  // a 2-service stack deployed through the API, then one variable changed in the editor
  await succeeded(await deployed(twoServices('hello')));
  const servicesOf = () => page.$$eval('[data-testid=plan-services] > li',
    (lis) => lis.map((li) => ({ name: li.dataset.service, action: li.dataset.planAction, text: li.textContent })));
  await page.fill('#stack-yml', twoServices('hello'));
  const same = await until('the plan of the deployed file', async () => {
    const rows = await servicesOf();
    return (await page.getAttribute(panel, 'data-state')) === 'ok' && rows.length === 2 ? rows : null;
  }, 10000);
  check(same.every((r) => r.action === 'unchanged'), `the deployed file is unchanged: ${JSON.stringify(same)}`);
  await page.fill('#stack-yml', twoServices('bonjour'));
  const plan = await until('the plan of the changed variable', async () => {
    const rows = await servicesOf();
    return (await page.getAttribute(panel, 'data-state')) === 'ok' && rows.some((r) => r.action !== 'unchanged')
      ? rows : null;
  }, 10000);
  const updates = plan.filter((r) => r.action === 'update');
  const unchanged = plan.filter((r) => r.action === 'unchanged');
  check(updates.length === 1 && updates[0].name === `${stack}_web`, `exactly web to update: ${JSON.stringify(plan)}`);
  check(updates[0].text.includes('Env[GREETING]'), `the change named: ${updates[0].text}`);
  check(unchanged.length === 1 && unchanged[0].name === `${stack}_worker`, `worker unchanged: ${JSON.stringify(plan)}`);
  const status = (await page.textContent('#check-status')).trim();
  check(status.includes('1 to update') && status.includes('1 unchanged'), `the summary: ${status}`);
  check(!(await page.isDisabled('[data-action=deploy]')), 'Deploy is on without errors');
  await page.locator('.editor-panel').scrollIntoViewIfNeeded();
  await screenshot(page, 'stack-editor-plan');
  // at phone width the check panel goes under the file, nothing of it (or of the page) cut
  await page.setViewportSize({ width: 390, height: 844 });
  const cut = await page.evaluate(layoutProblems);
  check(cut.length === 0, `the stacks list with the editor at 390x844: ${cut.join('; ')}`);
  await page.locator('[data-testid=stack-check]').scrollIntoViewIfNeeded();
  await screenshot(page, 'stack-editor-plan-phone');
  await page.setViewportSize({ width: 1280, height: 800 });

  // deploying from the editor opens the new deployment's page, live until it succeeded
  await page.click('[data-action=deploy]');
  await page.waitForSelector('#confirm', { state: 'visible' });
  await page.click('#confirm-ok');
  const id = await until('the deployment page of the editor\'s deployment', async () => {
    const m = /#\/deployments\/deployment\/([0-9a-f-]+)$/.exec(page.url());
    return m && m[1];
  }, 10000);
  const stored = await api('GET', `/api/v1/deployments/${id}`);
  check(stored.stack === stack && stored.revision === 2, `the editor's deployment: ${JSON.stringify(stored)}`);
  const cell = `[data-deployment="${id}"] [data-testid=deployment-state]`;
  await page.waitForSelector(cell, { timeout: 10000 });
  const states = [];
  await until('the page to show the editor\'s deployment succeeded', async () => {
    const state = (await page.textContent(cell)).trim();
    if (states[states.length - 1] !== state) states.push(state);
    check(!['failed', 'rolled_back'].includes(state), `the deployment ended ${state}`);
    return state === 'succeeded';
  }, 60000, 50);
  const timeline = await page.locator('[data-testid=deployment-timeline] li[data-kind]').count();
  check(timeline >= 3, `the timeline shows the deployment's events: ${timeline}`);
  await screenshot(page, 'stack-editor-deployed');
  // on the stack page the editor still has the file; deployed, it plans nothing left to update
  await page.click(`.crumbs a[href="#/deployments/stack/${stack}"]`);
  await page.waitForSelector('#stack-yml');
  check((await page.inputValue('#stack-yml')) === twoServices('bonjour'), 'the editor keeps the deployed file');
  const after = await until('the plan after the deploy', async () => {
    const rows = await servicesOf();
    return (await page.getAttribute(panel, 'data-state')) === 'ok' && rows.length === 2
      && rows.every((r) => r.action === 'unchanged') ? rows : null;
  }, 10000);
  check(page.problems.length === 0, `console problems: ${JSON.stringify(page.problems)}`);
  return {
    errorLine: Number(errors[0].line),
    updates: updates.map((r) => r.name),
    unchanged: unchanged.map((r) => r.name),
    states,
    afterDeploy: after.map((r) => r.action),
  };
}

const scenarios = { deploy: deployScenario, logs: logsScenario, quiet: quietScenario, plan: planScenario };
const run = scenarios[process.env.FLUXER_MODE];
if (!run) {
  console.log(JSON.stringify({ ok: false, error: `unknown FLUXER_MODE ${process.env.FLUXER_MODE}` }));
  process.exit(2);
}
await scenario(run);
