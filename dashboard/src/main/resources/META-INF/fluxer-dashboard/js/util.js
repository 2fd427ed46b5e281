// Small helpers without the DOM, shared by the pages (and importable under Node).

/** A publication's data as an object, or null. */
export function parsed(data) {
  if (typeof data === 'string') {
    try { return JSON.parse(data); } catch { return null; }
  }
  return data && typeof data === 'object' ? data : null;
}

/** Calls fn if it is one, ignoring what it throws (an unsubscribe of something already gone). */
export function safeCall(fn) {
  try {
    if (typeof fn === 'function') fn();
  } catch {
    // already gone
  }
}

/** Whether a failed request means the control plane is not there (503, or a gateway's 502/504). */
export function isUnavailable(err) {
  return Boolean(err) && (err.status === 503 || err.status === 502 || err.status === 504);
}

/** A failed request as a sentence for the page. */
export function errorText(err) {
  if (!err) return 'unknown error';
  if (err.status === 503) return 'The control plane is not running (no control-api on the event bus).';
  if (err.status === 0 && err.message) return capitalize(err.message);
  if (err.status === undefined && err.name === 'TypeError') return `Cannot reach the server: ${err.message}`;
  return err.message || String(err);
}

function capitalize(s) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
