// The dashboard's single sign-on in a real browser (run by DashboardSsoBrowserTest): a relay with
// dashboard.sso pointing at a real OpenID provider (oidc-provider, OidcTestProvider.java).
// Environment, besides dashboard-lib.mjs's:
//   FLUXER_SSO_LABEL     the button's label ("Sign in with <label>")
//   FLUXER_PROVIDER      the provider's issuer URL
// One scenario:
//   1. an admin clicks "Sign in with <label>", signs in on the provider's page, lands on the
//      overview as admin and sees the actions of Settings;
//   2. signs out: the dashboard's session ends, the login page offers to sign out at the provider
//      too; following it (RP-initiated logout) ends the provider's session, so
//   3. the next "Sign in with" asks for credentials again: a viewer signs in and sees no action on
//      any page;
//   4. a user without a dashboard role gets the "no access" page and no session.
// The dashboard's pages must log no console error or warning.
import { base, check, newPage, scenario, screenshot, until } from './dashboard-lib.mjs';

const label = process.env.FLUXER_SSO_LABEL;
const providerUrl = process.env.FLUXER_PROVIDER;
const PAGES = ['overview', 'channels', 'deployments', 'logs', 'settings'];
const STORAGE_KEY = 'fluxer.dashboard.session';

/** The console problems of the relay's pages (the provider's own pages, e.g. its missing favicon, are not ours). */
function noProblems(page, where) {
  check(page.ours.length === 0, `console problems (${where}): ${JSON.stringify(page.ours)}`);
}

/** A page (dashboard-lib's newPage) that also keeps the console problems with where they came from. */
async function sessionPage(browser) {
  const page = await newPage(browser);
  page.ours = [];
  page.on('console', (m) => {
    const at = (m.location() && m.location().url) || '';
    if ((m.type() === 'error' || m.type() === 'warning') && !at.startsWith(`${providerUrl}/`)) {
      page.ours.push(`${m.type()}: ${m.text()} (${at})`);
    }
  });
  page.on('pageerror', (e) => page.ours.push(`pageerror: ${e.message}`));
  return page;
}

/** From the dashboard's login page through the provider's; resolves on the provider's login form. */
async function toProvider(page) {
  await page.goto(`${base}/dashboard/`);
  const button = page.locator('#login-sso-button');
  await button.waitFor({ state: 'visible', timeout: 5000 });
  const text = (await button.textContent()).trim();
  check(text === `Sign in with ${label}`, `the button says "Sign in with ${label}": "${text}"`);
  await button.click();
  await page.waitForURL((url) => url.href.startsWith(`${providerUrl}/interaction/`), { timeout: 5000 });
  await page.waitForSelector('#login', { timeout: 5000 });
  return text;
}

/** Fills the provider's login page; the redirect back lands on the dashboard. */
async function providerLogin(page, user) {
  await page.fill('#login', user);
  await page.fill('#password', 'any');
  await page.click('#submit');
}

async function signedIn(page, user, role) {
  await page.waitForSelector('#whoami', { state: 'visible', timeout: 10000 });
  await until('the overview', () => page.evaluate(() => location.hash === '#/overview'));
  const who = (await page.textContent('#whoami')).trim();
  check(who.includes(user) && who.includes(role), `whoami shows ${user} and ${role}: ${who}`);
  check(!page.url().includes('code='), `no code left in the address bar: ${page.url()}`);
  const stored = await page.evaluate((key) => JSON.parse(sessionStorage.getItem(key) || 'null'), STORAGE_KEY);
  check(stored && stored.sso === true && stored.role === role, `the session is stored as the dashboard's: ${JSON.stringify(stored && { ...stored, token: '…' })}`);
  return who;
}

async function actionsOn(page, id) {
  await page.goto(`${base}/dashboard/#/${id}`);
  await page.waitForSelector(`[data-page="${id}"]`, { timeout: 5000 });
  await page.waitForLoadState('networkidle');
  return page.locator('[data-action]').count();
}

scenario(async (browser) => {
  const page = await sessionPage(browser);
  const result = {};

  // 1. admin
  result.button = await toProvider(page);
  await providerLogin(page, 'alice');
  result.admin = await signedIn(page, 'alice', 'admin');
  result.adminActions = await until('the admin\'s actions on Settings', () => actionsOn(page, 'settings'));
  check(result.adminActions > 0, 'an admin sees actions');
  await screenshot(page, 'sso-admin');
  noProblems(page, 'admin');

  // 2. sign-out, then at the provider
  await page.click('#logout');
  await page.waitForSelector('#login', { state: 'visible', timeout: 5000 });
  check(!(await page.isVisible('#whoami')), 'signed out of the dashboard');
  check(await page.evaluate((key) => sessionStorage.getItem(key) === null, STORAGE_KEY), 'the session is gone');
  const offer = page.locator('#login-sso-logout');
  await offer.waitFor({ state: 'visible', timeout: 5000 });
  result.logoutOffer = (await offer.textContent()).trim();
  check(result.logoutOffer === `Also sign out of ${label}`, `the provider sign-out is offered: ${result.logoutOffer}`);
  await screenshot(page, 'sso-signed-out');
  noProblems(page, 'sign-out');
  await offer.click();
  await page.waitForURL((url) => url.href.startsWith(`${providerUrl}/`), { timeout: 5000 });
  // oidc-provider asks to confirm a logout without id_token_hint; confirm it
  await page.click('button[value=yes]', { timeout: 5000 });
  await page.waitForLoadState('load');
  result.providerAfterLogout = new URL(page.url()).pathname;

  // 3. the provider asks again: sign in as a viewer
  page.ours.length = 0;
  await toProvider(page);
  await providerLogin(page, 'vic');
  result.viewer = await signedIn(page, 'vic', 'viewer');
  result.viewerActions = {};
  for (const id of PAGES) {
    const n = await actionsOn(page, id);
    result.viewerActions[id] = n;
    check(n === 0, `a viewer sees no action on ${id} (found ${n})`);
  }
  noProblems(page, 'viewer');

  // 4. no role: the no-access page, no session (a fresh browser context: no provider session)
  const nobody = await sessionPage(browser);
  await toProvider(nobody);
  await providerLogin(nobody, 'nora');
  await nobody.waitForSelector('#sso-no-access', { timeout: 10000 });
  result.noAccess = (await nobody.textContent('#sso-no-access .sso-message')).trim();
  check(result.noAccess.includes('no role'), `the page says why: ${result.noAccess}`);
  check(await nobody.evaluate((key) => sessionStorage.getItem(key) === null, STORAGE_KEY), 'no session stored');
  await screenshot(nobody, 'sso-no-access');
  // the 403 itself is the only thing the console may report
  const others = nobody.ours.filter((p) => !p.includes('403'));
  check(others.length === 0, `console problems (no access): ${JSON.stringify(others)}`);
  await nobody.click('text=Back to the dashboard');
  await nobody.waitForSelector('#login-sso-button', { state: 'visible', timeout: 5000 });
  return result;
});
