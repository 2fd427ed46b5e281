// Where the dashboard keeps its session (sessionStorage, per tab), shared by the shell (app.js) and
// the single sign-on landing page (sso-landing.js).

export const STORAGE_KEY = 'fluxer.dashboard.session';

/**
 * A session from a login or refresh reply {token, user, role, expires_in}: {token, user, role,
 * issuedAt, expiresAt} (epoch ms), plus `sso: true` when it came from single sign-on.
 */
export function sessionFrom(reply, { sso = false } = {}) {
  const now = Date.now();
  const ttl = Number(reply.expires_in) > 0 ? Number(reply.expires_in) * 1000 : 15 * 60 * 1000;
  const session = { token: reply.token, user: reply.user, role: reply.role, issuedAt: now, expiresAt: now + ttl };
  if (sso) session.sso = true;
  return session;
}

/** The stored session if it has more than 2 s left, else null. */
export function savedSession() {
  try {
    const s = JSON.parse(sessionStorage.getItem(STORAGE_KEY) || 'null');
    return s && s.token && s.expiresAt > Date.now() + 2000 ? s : null;
  } catch {
    return null;
  }
}

export function store(session) {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
}

export function forget() {
  sessionStorage.removeItem(STORAGE_KEY);
}
