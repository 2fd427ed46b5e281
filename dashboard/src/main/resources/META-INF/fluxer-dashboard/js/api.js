// HTTP helper: JSON in, JSON (or text) out, errors as ApiError with the server's message.

export class ApiError extends Error {
  constructor(status, message, { code, body, retryAfter } = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code ?? status;
    this.body = body;
    this.retryAfter = retryAfter;
  }
}

/** Routes served by control-api through the relay's gateway. */
const CONTROL_PATH = /^\/api\/v1\/(stacks|services|deployments|audit)(\/|\?|$)/;
const CONTROL_RECHECK_MS = 5000;

async function readBody(response) {
  if (response.status === 204) return null;
  const text = await response.text();
  const type = response.headers.get('Content-Type') || '';
  if (type.includes('json') && text) {
    try { return JSON.parse(text); } catch { return text; }
  }
  return text;
}

function errorMessage(response, body) {
  if (body && typeof body === 'object') {
    if (body.error && typeof body.error === 'object' && body.error.message) return body.error.message;
    if (typeof body.message === 'string') return body.message;
  }
  if (typeof body === 'string' && body.trim() && body.length < 300) return body.trim();
  return `${response.status} ${response.statusText || 'error'}`.trim();
}

async function send(url, { method = 'GET', body, contentType, token, signal }) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  let payload;
  if (body !== undefined) {
    const raw = typeof body === 'string';
    payload = raw ? body : JSON.stringify(body);
    headers['Content-Type'] = contentType || (raw ? 'text/plain' : 'application/json');
  }
  let response;
  try {
    response = await fetch(url, { method, headers, body: payload, signal, cache: 'no-store' });
  } catch (e) {
    if (e && e.name === 'AbortError') throw new ApiError(0, 'request cancelled', { code: 'aborted' });
    throw new ApiError(0, 'cannot reach the relay');
  }
  const data = await readBody(response);
  if (!response.ok) {
    const retryAfter = Number.parseInt(response.headers.get('Retry-After') || '', 10);
    throw new ApiError(response.status, errorMessage(response, data), {
      body: data,
      retryAfter: Number.isFinite(retryAfter) ? retryAfter : undefined,
    });
  }
  return data;
}

/** POST ./api/login with {user, password} or {token}. */
export function login(credentials) {
  return send('./api/login', { method: 'POST', body: credentials });
}

/** GET ./api/login-options: {password, sso: {label, login, logout} | null}. */
export function loginOptions() {
  return send('./api/login-options', {});
}

/** POST ./api/refresh with the current token: a new one, same shape as login. */
export function refreshToken(token) {
  return send('./api/refresh', { method: 'POST', token });
}

/**
 * The API handed to pages as ctx.api. `session()` gives {token, signal}; a 401 on an
 * authenticated call means the session is over, so `onUnauthorized` is told.
 */
export function createApi({ session, onUnauthorized }) {
  const call = async (method, path, body, options = {}) => {
    const { token, signal } = session();
    try {
      return await send(path, { method, body, contentType: options.contentType, token, signal });
    } catch (e) {
      if (e.status === 401 && token) onUnauthorized(e);
      throw e;
    }
  };
  // The control plane may not run. GET /api/v1/control says so with a 200; asking it first keeps
  // the pages from sending requests that would answer 503 (which the browser logs as errors).
  let control = { available: undefined, checkedAt: 0 };
  const controlAvailable = async () => {
    if (control.available === true) return true;
    if (control.available === false && Date.now() - control.checkedAt < CONTROL_RECHECK_MS) return false;
    const status = await call('GET', '/api/v1/control');
    control = { available: Boolean(status && status.available), checkedAt: Date.now() };
    return control.available;
  };
  const guarded = async (method, path, body, options) => {
    if (CONTROL_PATH.test(path) && !(await controlAvailable())) {
      throw new ApiError(503, 'the control plane is not running: no control-api on the event bus');
    }
    try {
      return await call(method, path, body, options);
    } catch (e) {
      if (e.status === 503 && CONTROL_PATH.test(path)) control = { available: false, checkedAt: Date.now() };
      throw e;
    }
  };
  return {
    get: (path) => guarded('GET', path),
    post: (path, body) => guarded('POST', path, body ?? {}),
    put: (path, body, options) => guarded('PUT', path, body, options),
    del: (path) => guarded('DELETE', path),
  };
}

/**
 * Calls the Centrifugo-compatible server API (POST /api/<method>): answers 200 with either
 * {result} or {error: {code, message}}, so the error is turned into a rejection here.
 */
export async function serverApi(api, method, params) {
  const reply = await api.post(`/api/${method}`, params);
  if (reply && reply.error) {
    throw new ApiError(200, reply.error.message || 'server API error', { code: reply.error.code, body: reply });
  }
  return reply ? reply.result : undefined;
}
