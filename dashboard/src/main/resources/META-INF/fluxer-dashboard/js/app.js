// The shell: login (password, token, or single sign-on), session (token in sessionStorage,
// background refresh), nav, hash router and the context handed to each page module.
// Routes are `#/<page>[/<part>...]`: the page module gets the parts after its id as ctx.route, and
// every change of the hash (within the same page too) renders the page again.
import { login, loginOptions, refreshToken, createApi } from './api.js';
import { sessionFrom, savedSession, store, forget } from './session.js';
import { LiveClient, websocketUrl } from './client.js';
import { el, confirmDialog, toast, notice } from './ui.js';

const PAGES = ['overview', 'channels', 'deployments', 'logs', 'audit', 'settings'];
const DEFAULT_PAGE = 'overview';
const RANK = { viewer: 1, ops: 2, admin: 3 };
const REFRESH_AT = 0.7; // of the token's lifetime
const REFRESH_RETRY_MS = 10000;
const EXPIRED_MESSAGE = 'Your session has expired. Please sign in again.';

const $ = (id) => document.getElementById(id);

const state = {
  session: null, // {token, user, role, issuedAt, expiresAt} (epoch ms)
  abort: null,
  live: null,
  refreshTimer: null,
  refreshing: null,
  page: null, // {cleanup, unsubscribes}
  routeSeq: 0,
};

// ---- session

function can(role) {
  const s = state.session;
  return Boolean(s) && (RANK[s.role] || 0) >= (RANK[role] || Infinity);
}

function start(session) {
  state.session = session;
  store(session);
  state.abort = new AbortController();
  $('whoami').textContent = `${session.user} · ${session.role}`;
  $('login').hidden = true;
  $('shell').hidden = false;
  state.live = new LiveClient({
    url: websocketUrl(),
    token: () => (state.session ? state.session.token : ''),
    onState: showLiveState,
    onTokenExpired: () => refreshNow(),
  });
  state.live.connect();
  scheduleRefresh();
  route();
}

function end(message, { signedOut = false } = {}) {
  if (!state.session) return;
  const wasSso = Boolean(state.session.sso);
  leavePage();
  state.routeSeq++;
  clearTimeout(state.refreshTimer);
  state.live.close();
  state.abort.abort();
  state.session = state.live = state.abort = state.refreshing = null;
  forget();
  $('view').replaceChildren();
  $('page-title').textContent = '';
  $('whoami').textContent = '';
  $('shell').hidden = true;
  $('login').hidden = false;
  $('login-password').value = '';
  showLoginError(message || '');
  showSignedOut(signedOut && wasSso);
  document.title = 'Fluxer dashboard';
  focusLogin();
}

function scheduleRefresh(delay) {
  clearTimeout(state.refreshTimer);
  const s = state.session;
  const due = s.issuedAt + (s.expiresAt - s.issuedAt) * REFRESH_AT;
  state.refreshTimer = setTimeout(refreshNow, delay ?? Math.max(0, due - Date.now()));
}

/** Gets a new token; one refresh at a time. Tells the open WebSocket too, so it does not expire. */
function refreshNow() {
  if (!state.session) return Promise.resolve();
  if (state.refreshing) return state.refreshing;
  const old = state.session;
  state.refreshing = refreshToken(old.token).then((reply) => {
    if (state.session !== old) return;
    state.session = sessionFrom(reply, { sso: old.sso });
    store(state.session);
    state.live.refresh(state.session.token);
    scheduleRefresh();
  }, (err) => {
    if (state.session !== old) return;
    if (err.status === 401 || old.expiresAt <= Date.now()) end(EXPIRED_MESSAGE);
    else scheduleRefresh(Math.max(1000, Math.min(REFRESH_RETRY_MS, old.expiresAt - Date.now() - 1000)));
  }).finally(() => { state.refreshing = null; });
  return state.refreshing;
}

const LIVE_TEXT = {
  connecting: 'Connecting…',
  connected: 'Live',
  reconnecting: 'Reconnecting…',
  failed: 'Live updates unavailable',
  closed: 'Offline',
};

function showLiveState(liveState, detail) {
  const node = $('live-status');
  node.dataset.state = liveState;
  node.textContent = LIVE_TEXT[liveState] || liveState;
  node.title = detail ? String(detail) : '';
}

// ---- login form

/** What the relay offers: {password, sso: {label, login, logout} | null}; password only until known. */
let offers = { password: true, sso: null };

function showOffers() {
  const sso = offers.sso;
  $('login-sso').hidden = !sso;
  if (sso) $('login-sso-button').textContent = `Sign in with ${sso.label}`;
  $('login-password-fields').hidden = !offers.password;
  $('login-or').hidden = !offers.password;
  showSubmit();
}

/** Without a password login, the submit button serves the token login only: shown with its field. */
function showSubmit() {
  $('login-submit').hidden = !offers.password && !$('login-token-details').open;
}

function focusLogin() {
  if (offers.password) $('login-user').focus();
  else if (offers.sso) $('login-sso-button').focus();
}

/** After signing out of a single sign-on session: say so, and offer to sign out at the provider too. */
function showSignedOut(show) {
  const sso = offers.sso;
  $('login-notice').hidden = !show;
  $('login-notice-text').textContent = show ? 'You have signed out of the dashboard.' : '';
  const link = $('login-sso-logout');
  link.hidden = !(show && sso && sso.logout);
  link.textContent = sso ? `Also sign out of ${sso.label}` : '';
}

function showLoginError(message) {
  const node = $('login-error');
  node.textContent = message;
  node.hidden = !message;
}

let loginBlockedUntil = 0;

async function onLogin(event) {
  event.preventDefault();
  const token = $('login-token').value.trim();
  const user = $('login-user').value.trim();
  const password = $('login-password').value;
  if (Date.now() < loginBlockedUntil) return;
  if (!token && (!offers.password || !user || !password)) {
    showLoginError(offers.password ? 'Enter a user and a password, or a token.' : 'Enter a token.');
    return;
  }
  const submit = $('login-submit');
  submit.disabled = true;
  showLoginError('');
  try {
    const reply = await login(token ? { token } : { user, password });
    $('login-password').value = '';
    $('login-token').value = '';
    start(sessionFrom(reply));
  } catch (err) {
    showLoginError(loginErrorText(err));
    if (err.status === 429 && err.retryAfter) {
      loginBlockedUntil = Date.now() + err.retryAfter * 1000;
      setTimeout(() => { submit.disabled = false; }, err.retryAfter * 1000);
      return;
    }
  }
  submit.disabled = false;
}

function loginErrorText(err) {
  if (err.status === 429) {
    return `Too many failed attempts. Try again in ${err.retryAfter || 'a few'} seconds.`;
  }
  if (err.status === 0) return 'Cannot reach the relay. Check your connection and try again.';
  if (err.status === 401) return err.message ? capitalize(err.message) + '.' : 'Invalid user or password.';
  return capitalize(err.message || 'Sign-in failed.');
}

function capitalize(s) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// ---- router and page context

/**
 * The hash as {id, route}: `#/deployments/stack/shop` is the page `deployments` with the route
 * ['stack', 'shop'] (each part URI-decoded); id is null for an unknown page.
 */
function currentRoute() {
  const parts = location.hash.replace(/^#\/?/, '').split('/');
  const id = PAGES.includes(parts[0]) ? parts[0] : null;
  const route = parts.slice(1).filter((p) => p !== '').map((p) => {
    try { return decodeURIComponent(p); } catch { return p; }
  });
  return { id, route };
}

function leavePage() {
  const page = state.page;
  state.page = null;
  if (!page) return;
  try {
    if (page.cleanup) page.cleanup();
  } finally {
    page.unsubscribes.forEach((unsubscribe) => unsubscribe());
  }
}

const api = createApi({
  session: () => ({ token: state.session?.token, signal: state.abort?.signal }),
  onUnauthorized: () => end(EXPIRED_MESSAGE),
});

function pageContext(page, route) {
  return {
    route,
    api,
    live: {
      subscribe(channel, onPublication, options) {
        if (!state.live || state.page !== page) return () => {};
        const unsubscribe = state.live.subscribe(channel, onPublication, options);
        page.unsubscribes.push(unsubscribe);
        return unsubscribe;
      },
      /** The relay's id of the dashboard's own connection (null while not connected). */
      clientId: () => state.live?.clientId || null,
    },
    user: state.session.user,
    role: state.session.role,
    can,
    confirm: confirmDialog,
    toast,
    el,
  };
}

async function route() {
  if (!state.session) return;
  let { id, route: subRoute } = currentRoute();
  if (!id) {
    id = DEFAULT_PAGE;
    subRoute = [];
    history.replaceState(null, '', `#/${id}`);
  }
  const seq = ++state.routeSeq;
  leavePage();
  for (const link of document.querySelectorAll('.nav a')) {
    if (link.getAttribute('href') === `#/${id}`) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const view = $('view');
  view.replaceChildren(el('p', { class: 'muted' }, 'Loading…'));
  let module;
  try {
    module = await import(`./pages/${id}.js`);
  } catch {
    if (seq === state.routeSeq) view.replaceChildren(notice('This page could not be loaded. Try reloading the dashboard.', { alert: true }));
    return;
  }
  if (seq !== state.routeSeq || !state.session) return;
  const page = module.default;
  $('page-title').textContent = page.title;
  document.title = `${page.title} · Fluxer`;
  const root = el('section', { class: `page page-${page.id}`, 'data-page': page.id, 'aria-labelledby': 'page-title' });
  view.replaceChildren(root);
  const current = { cleanup: null, unsubscribes: [] };
  state.page = current;
  try {
    const cleanup = page.render(root, pageContext(current, subRoute));
    current.cleanup = typeof cleanup === 'function' ? cleanup : null;
  } catch (err) {
    root.replaceChildren(notice(`This page failed to show: ${err.message}`, { alert: true }));
  }
}

function onNavigate() {
  if (!state.session) return;
  route().then(() => {
    const main = $('main');
    if (main && !main.contains(document.activeElement)) main.focus({ preventScroll: true });
  });
}

// ---- start-up

$('login-form').addEventListener('submit', onLogin);
$('logout').addEventListener('click', () => end('', { signedOut: true }));
$('login-token-details').addEventListener('toggle', showSubmit);
$('skip-link').addEventListener('click', (event) => {
  event.preventDefault(); // the hash belongs to the router
  $('main').focus();
});
window.addEventListener('hashchange', onNavigate);

const saved = savedSession();
if (saved) start(saved);
else {
  forget();
  focusLogin();
}
loginOptions().then((reply) => {
  if (!reply || typeof reply !== 'object') return;
  offers = { password: reply.password !== false, sso: reply.sso && reply.sso.login ? reply.sso : null };
  showOffers();
  if (!state.session) focusLogin();
}, () => { /* an older relay: the password form stays */ });
