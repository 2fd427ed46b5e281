// DOM pieces the three deployments views share: state badges, the breadcrumb, record tables that
// become cards on a phone (.table-cards, each cell labelled), and the live channel hub.
// What the server sends reaches the DOM as text only (el).
import { el, notice } from '../ui.js';
import { errorText, parsed, safeCall } from '../util.js';
import { href, stateClass } from '../format/deployments.js';

export const API = '/api/v1';

/** Node ID → hostname, learned from node events and stacks; shared by the views while the dashboard is open. */
export const hostnames = new Map();

export function enc(s) {
  return encodeURIComponent(s);
}

/** A state with a coloured dot; the text keeps the page's colour. */
export function stateBadge(state) {
  return el('span', { class: `state state-${stateClass(state)}` }, String(state ?? 'unknown'));
}

/** "Stacks › shop › deployment 1a2b3c4d": links back up, the current view last (not a link). */
export function crumbs(...parts) {
  const items = [['Stacks', href.stacks()], ...parts];
  return el('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, el('ol', {},
    items.map(([label, link], i) => el('li', {}, i === items.length - 1
      ? el('span', { 'aria-current': 'page' }, label)
      : el('a', { href: link }, label)))));
}

/** A panel with a heading (and optional controls beside it). */
export function panel(id, title, { controls = null, testid = null, cls = '' } = {}, ...children) {
  return el('section', { class: `panel ${cls}`.trim(), 'aria-labelledby': id, 'data-testid': testid },
    el('div', { class: 'panel-head' }, el('h2', { id }, title), controls),
    children);
}

/**
 * A table of records: columns as [label, {num, sr}] (sr: words for screen readers after the label);
 * on a phone each row becomes a card whose cells carry their column's label (cell()).
 */
export function recordsTable(testid, caption, columns, tbody, cls = '') {
  return el('div', { class: 'table-wrap' },
    el('table', { class: `table table-cards ${cls}`.trim(), 'data-testid': testid },
      el('caption', { class: 'sr-only' }, caption),
      el('thead', {}, el('tr', {}, columns.map(([label, o = {}]) => el('th', { scope: 'col', class: o.num ? 'num' : null },
        label, o.sr ? el('span', { class: 'sr-only' }, o.sr) : null)))),
      tbody));
}

/** A cell labelled for the card layout. */
export function cell(label, attrs, ...children) {
  return el('td', { ...(attrs || {}), 'data-label': label }, children);
}

/** The row saying a table is empty. */
export function emptyRow(columns, text) {
  return el('tr', { class: 'empty' }, el('td', { colspan: String(columns) }, text));
}

/** A link to another view. */
export function link(to, text, attrs = {}) {
  return el('a', { href: to, ...attrs }, text);
}

/**
 * One live subscription per channel, shared by the handlers that want it; data arrives parsed.
 * close() ends them all (the page's cleanup).
 */
export function channelHub(live, onError) {
  const subs = new Map();
  return {
    on(channel, handler) {
      let s = subs.get(channel);
      if (!s) {
        const entry = { handlers: new Set(), unsub: null };
        s = entry;
        subs.set(channel, entry);
        try {
          entry.unsub = live.subscribe(channel, (data, pub) => {
            const d = parsed(data);
            if (d) [...entry.handlers].forEach((fn) => fn(d, pub));
          }, { onError: (e) => onError(channel, e) });
        } catch (e) {
          onError(channel, e);
        }
      }
      s.handlers.add(handler);
      return () => {
        s.handlers.delete(handler);
        if (s.handlers.size === 0 && subs.get(channel) === s) {
          subs.delete(channel);
          safeCall(s.unsub);
        }
      };
    },
    close() {
      for (const s of subs.values()) safeCall(s.unsub);
      subs.clear();
    },
  };
}

/** Timers that stop when the view goes: later(ms, fn), debounced(ms, fn), clear(). */
export function timers(alive) {
  const set = new Set();
  const later = (ms, fn) => {
    const t = setTimeout(() => {
      set.delete(t);
      if (alive()) fn();
    }, ms);
    set.add(t);
    return t;
  };
  return {
    later,
    debounced(ms, fn) {
      let t = null;
      return () => {
        if (t) {
          clearTimeout(t);
          set.delete(t);
        }
        t = later(ms, () => {
          t = null;
          fn();
        });
      };
    },
    clear() {
      set.forEach((t) => clearTimeout(t));
      set.clear();
    },
  };
}

/**
 * What each view holds while it is shown, around its own `state` (whose `alive` it reads): timers
 * and live channels that stop with it, and `notices`, where their problems show. `end(...more)` is
 * the view's cleanup: `state.alive` false, timers cleared, channels closed, then each of `more`.
 */
export function viewScope(ctx, state) {
  const notices = el('div', { class: 'notices' });
  const time = timers(() => state.alive);
  const hub = channelHub(ctx.live, (channel, e) => {
    if (state.alive) notices.append(notice(`Live updates on ${channel} are unavailable: ${errorText(e)}`, { alert: true }));
  });
  const end = (...more) => () => {
    state.alive = false;
    time.clear();
    hub.close();
    more.forEach((f) => f());
  };
  return { notices, time, hub, end };
}
