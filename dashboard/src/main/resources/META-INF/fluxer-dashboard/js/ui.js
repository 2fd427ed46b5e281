// Small DOM helpers. Everything builds nodes with textContent, never innerHTML:
// channel names, publication data and log lines come from users.

/**
 * el('button', {class: 'btn', type: 'button', onclick: fn, dataset: {action: 'x'}}, 'Save')
 * Attributes: `class`, `text`, `dataset`, `on<event>` (function), `true` (empty attribute),
 * `false`/null/undefined (left out); anything else is set with setAttribute.
 * Children: nodes, strings/numbers (text), arrays (flattened), null/false (skipped).
 */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else node.append(child instanceof Node ? child : String(child));
  }
}

/** Asks through the page's <dialog id="confirm">; resolves true only when OK was chosen. */
export function confirmDialog(message, { okLabel = 'OK' } = {}) {
  const dialog = document.getElementById('confirm');
  const ok = document.getElementById('confirm-ok');
  const cancel = document.getElementById('confirm-cancel');
  document.getElementById('confirm-message').textContent = message;
  ok.textContent = okLabel;
  if (dialog.open) dialog.close('cancel');
  return new Promise((resolve) => {
    const onOk = () => dialog.close('ok');
    const onCancel = () => dialog.close('cancel');
    const onClose = () => {
      ok.removeEventListener('click', onOk);
      cancel.removeEventListener('click', onCancel);
      resolve(dialog.returnValue === 'ok');
    };
    ok.addEventListener('click', onOk);
    cancel.addEventListener('click', onCancel);
    dialog.addEventListener('close', onClose, { once: true });
    dialog.returnValue = '';
    dialog.showModal();
    cancel.focus();
  });
}

/**
 * A short message in the toast region (beside the content, never over it: css/app.css), with a
 * button that closes it; errors stay longer.
 */
export function toast(message, kind = 'ok') {
  const region = document.getElementById('toasts');
  const error = kind === 'error';
  const item = el('div', { class: `toast toast-${error ? 'error' : 'ok'}`, role: error ? 'alert' : 'status' },
    el('span', { class: 'toast-text' }, message),
    el('button', { type: 'button', class: 'toast-close', 'aria-label': 'Dismiss', title: 'Dismiss', onclick: () => item.remove() }, '×'));
  region.append(item);
  setTimeout(() => item.remove(), error ? 8000 : 4000);
}

/** A calm in-page notice (e.g. an endpoint answering 503); `alert` for errors the user caused. */
export function notice(message, { alert = false } = {}) {
  return el('p', { class: alert ? 'notice notice-error' : 'notice', role: alert ? 'alert' : null }, message);
}

const intFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const rateFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

export const fmt = {
  int: (n) => (Number.isFinite(n) ? intFormat.format(n) : '–'),
  rate: (n) => (Number.isFinite(n) ? rateFormat.format(n) : '–'),
  bytes(n) {
    if (!Number.isFinite(n) || n < 0) return '–';
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return `${i === 0 ? n : n.toFixed(n < 10 ? 1 : 0)} ${units[i]}`;
  },
  duration(seconds) {
    if (!Number.isFinite(seconds)) return '–';
    const d = Math.floor(seconds / 86400);
    const h = Math.floor((seconds % 86400) / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    if (d) return `${d}d ${h}h`;
    if (h) return `${h}h ${m}m`;
    if (m) return `${m}m ${Math.floor(seconds % 60)}s`;
    return `${Math.floor(seconds)}s`;
  },
  time: (ms) => new Date(ms).toLocaleTimeString(),
  /** Any JSON value as readable text. */
  json(value) {
    if (typeof value === 'string') return value;
    try { return JSON.stringify(value, null, 2); } catch { return String(value); }
  },
};

/** Heap as "used / max" (max -1 means unbounded). */
export function fmtHeap(heap) {
  if (!heap) return '–';
  return heap.max > 0 ? `${fmt.bytes(heap.used)} / ${fmt.bytes(heap.max)}` : fmt.bytes(heap.used);
}
