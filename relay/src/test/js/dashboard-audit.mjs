// The dashboard's audit page in a real browser, against a real relay and control-api with a real
// PostgreSQL (run by control-api's DashboardAuditBrowserTest): actions done through the API (an API
// key created and revoked, a user disconnected through the server API) appear on the page within
// 5 s of opening it, newest first, with actor, action, target and result; the action filter keeps
// only the key actions, an actor nobody is shows the empty message; at 1280x800 and 390x844 nothing
// is cut or scrolls sideways; no console problem.
// Environment: FLUXER_HTTP_URL, FLUXER_ADMIN (user:password), FLUXER_API_KEY (an admin key, named
// "admin"), FLUXER_OPS_KEY (an ops key, named "ops"), FLUXER_SCREENSHOTS.
import { base, check, layoutProblems, login, newPage, scenario, screenshot, until } from './dashboard-lib.mjs';

const [adminUser, adminPassword] = (process.env.FLUXER_ADMIN || ':').split(':');
const keyName = `audit-${Math.random().toString(36).slice(2, 10)}`;

async function call(method, path, key, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'X-API-Key': key, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? null : res.json();
}

/** The rows shown, as "actor action target result" (action as recorded, in data-action). */
function rows(page) {
  return page.$$eval('[data-testid=audit] tbody tr[data-id]', (trs) => trs.map((tr) =>
    [tr.cells[1].textContent, tr.dataset.action, tr.cells[3].textContent, tr.cells[4].textContent].join(' ')));
}

scenario(async (browser) => {
  await call('POST', '/api/v1/keys', process.env.FLUXER_API_KEY, { name: keyName, role: 'viewer' });
  await call('DELETE', `/api/v1/keys/${keyName}`, process.env.FLUXER_API_KEY);
  await call('POST', '/api/disconnect', process.env.FLUXER_OPS_KEY, { user: 'someone' });
  const expected = [`ops user.disconnect someone ok`, `admin key.revoke ${keyName} ok`, `admin key.create ${keyName} ok`];
  const result = {};
  for (const [label, viewport] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 390, height: 844 }]]) {
    const page = await newPage(browser, viewport);
    await login(page, adminUser, adminPassword);
    await page.goto(`${base}/dashboard/#/audit`);
    const opened = Date.now();
    // the relay sends its records to control-api as it answers: they may land a moment later
    const shown = await until('the three actions on the audit page', async () => {
      const now = await rows(page);
      if (expected.every((e) => now.includes(e))) return now;
      await page.click('[data-testid=audit-refresh]');
      return null;
    }, 5000, 250);
    result[`${label}Ms`] = Date.now() - opened;
    check(shown.indexOf(expected[0]) < shown.indexOf(expected[2]), `newest first: ${shown}`);
    const problems = await page.evaluate(layoutProblems);
    check(problems.length === 0, `audit at ${label}: ${problems.join('; ')}`);
    await screenshot(page, `audit-${label}`);

    await page.fill('#audit-action', 'key');
    const keys = await until('only key actions', async () => {
      const now = await rows(page);
      return now.length >= 2 && now.every((r) => r.split(' ')[1].startsWith('key.')) ? now : null;
    });
    result[`${label}KeyRows`] = keys.length;
    await page.fill('#audit-action', '');
    await page.fill('#audit-actor', 'nobody-at-all');
    await until('the empty message', async () =>
      (await page.textContent('[data-testid=audit] tbody')).includes('No audit record matches.'));
    check(page.problems.length === 0, `console problems: ${JSON.stringify(page.problems)}`);
    await page.context().close();
  }
  return result;
});
