// DOM and data helpers shared by the ops pages (deployments, logs). Everything reaches the DOM as
// text, never as HTML: what the server sends is untrusted.

const STYLE_HREF = new URL('../../css/ops-pages.css', import.meta.url).href;

/** Links the ops pages' stylesheet once. */
export function ensureStyles() {
  const present = [...document.querySelectorAll('link[rel="stylesheet"]')].some((l) => l.href === STYLE_HREF);
  if (!present) {
    document.head.append(h('link', { rel: 'stylesheet', href: STYLE_HREF }));
  }
}

/** An element with attributes (`on<event>` functions become listeners) and text or node children. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  let value;
  for (const [key, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) {
      continue;
    }
    if (key.startsWith('on') && typeof v === 'function') {
      el.addEventListener(key.slice(2), v);
    } else if (key === 'class') {
      el.className = v;
    } else if (key === 'value') {
      value = v;
    } else if (key === 'checked' || key === 'selected') {
      el[key] = true;
    } else {
      el.setAttribute(key, v === true ? '' : String(v));
    }
  }
  add(el, children);
  if (value !== undefined) {
    el.value = value;
  }
  if (tag === 'button' && !el.classList.contains('ops-link')) {
    el.classList.add('btn'); // the shell's button look (app.css)
  }
  return el;
}

/** Appends children (nodes or text; nested arrays flattened, null and false skipped). */
export function add(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) {
      continue;
    }
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  return add(el, children);
}

/** A publication's data as an object, or null. */
export function parsed(data) {
  if (typeof data === 'string') {
    try {
      return JSON.parse(data);
    } catch {
      return null;
    }
  }
  return data && typeof data === 'object' ? data : null;
}

/** Calls fn if it is one, ignoring what it throws (an unsubscribe of something already gone). */
export function safeCall(fn) {
  try {
    if (typeof fn === 'function') {
      fn();
    }
  } catch {
    // already gone
  }
}

/** A failed request as a sentence for the page. */
export function errorText(err) {
  if (!err) {
    return 'unknown error';
  }
  if (err.status === 503) {
    return 'The control plane is not running (no control-api on the event bus).';
  }
  if (err.status === undefined && err.name === 'TypeError') {
    return `Cannot reach the server: ${err.message}`;
  }
  return err.message || String(err);
}

/** A table with a caption for screen readers, one header row of column titles, and `body` (a tbody). */
export function table(testid, caption, columns, body) {
  return h('table', { class: 'ops-table', 'data-testid': testid },
    h('caption', { class: 'ops-sr-only' }, caption),
    h('thead', null, h('tr', null, columns.map((c) => h('th', { scope: 'col' }, c)))),
    body);
}
