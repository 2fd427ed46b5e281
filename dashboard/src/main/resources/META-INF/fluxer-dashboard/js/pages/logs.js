// Logs page (#/logs): live log lines of one or more swarm services (channels logs:<service>),
// merged in arrival order, with a regex filter, pause/resume and download.
//
// Log lines and service names are untrusted: they only ever reach the DOM as text nodes.

import { ensureStyles, errorText, fill, h, parsed, safeCall } from './ops-dom.js';

const API = '/api/v1';
const MAX_LINES = 5000;
const COLOURS = 8;

export default {
  id: 'logs',
  title: 'Logs',
  render(root, ctx) {
    ensureStyles();
    const page = createPage(root, ctx);
    return () => page.destroy();
  },
};

// "2026-11-23T11:28:41.390029837Z" -> "11:28:41.390" (the engine's clock, UTC)
function clock(ts) {
  const m = /T(\d\d:\d\d:\d\d(?:\.\d{1,3})?)/.exec(String(ts || ''));
  return m ? m[1] : String(ts || '');
}

function createPage(root, ctx) {
  let disposed = false;
  let filter = null; // RegExp or null
  let paused = false;
  let buffer = []; // batches of {service, line} received while paused
  let buffered = 0;
  const services = new Map(); // name -> {checkbox, colour, unsub, error}
  const info = new WeakMap(); // line element -> {text, plain}
  let nextColour = 0;

  // ---- skeleton

  const status = h('div', { class: 'ops-notices' });
  const chooser = h('div', { class: 'ops-chooser' }, h('p', { class: 'ops-muted' }, 'Loading services…'));
  const addInput = h('input', { id: 'logs-add-service', type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'stack_service' });
  const addForm = h('form', {
    class: 'ops-inline', onsubmit: (e) => {
      e.preventDefault();
      const name = addInput.value.trim();
      if (!name) {
        return;
      }
      if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) {
        notice('add', `"${name}" is not a service name or ID.`, 'error');
        return;
      }
      clearNotice('add');
      const s = ensureService(name, otherGroup());
      if (!s.checkbox.checked) {
        s.checkbox.checked = true;
        toggle(name, true);
      }
      addInput.value = '';
    },
  }, h('label', { for: 'logs-add-service' }, 'Other service'), addInput, h('button', { type: 'submit', class: 'ops-secondary' }, 'Add and follow'));

  const filterInput = h('input', {
    id: 'logs-filter', type: 'search', autocomplete: 'off', spellcheck: 'false',
    'aria-describedby': 'ops-logs-filter-msg', placeholder: 'e.g. ERROR|timeout',
  });
  const filterMsg = h('p', { id: 'ops-logs-filter-msg', class: 'ops-field-msg' });
  const pauseButton = h('button', { id: 'logs-pause', type: 'button', 'aria-pressed': 'false', onclick: () => setPaused(!paused) }, 'Pause');
  const downloadButton = h('button', { id: 'logs-download', type: 'button', class: 'ops-secondary', onclick: () => download() }, 'Download shown lines');
  const clearButton = h('button', { id: 'logs-clear', type: 'button', class: 'ops-secondary', onclick: () => clearLines() }, 'Clear');
  const counter = h('span', { class: 'ops-muted ops-counter' });
  const pausedNote = h('span', { class: 'ops-paused', role: 'status' });
  const lines = h('div', {
    class: 'ops-log', 'data-testid': 'log-lines', role: 'log', 'aria-live': 'off', 'aria-label': 'Log lines', tabindex: '0',
  });
  const empty = h('p', { class: 'ops-muted ops-log-empty' }, 'Choose one or more services to follow their logs live.');

  root.replaceChildren(h('div', { class: 'ops-page ops-logs' },
    status,
    h('section', { class: 'ops-section panel', 'aria-labelledby': 'ops-logs-services-h' },
      h('div', { class: 'ops-section-head' },
        h('h2', { id: 'ops-logs-services-h' }, 'Services'),
        h('button', { type: 'button', class: 'ops-secondary', onclick: () => loadServices() }, 'Refresh list')),
      chooser, addForm),
    h('section', { class: 'ops-section panel', 'aria-labelledby': 'ops-logs-lines-h' },
      h('div', { class: 'ops-section-head' }, h('h2', { id: 'ops-logs-lines-h' }, 'Live lines'), counter),
      h('div', { class: 'ops-toolbar' },
        h('div', { class: 'ops-field ops-grow' },
          h('label', { for: 'logs-filter' }, 'Filter (regular expression on the message)'), filterInput, filterMsg),
        h('div', { class: 'ops-inline' }, pauseButton, pausedNote, downloadButton, clearButton)),
      empty, lines)));

  const notices = new Map();
  function notice(key, message, kind = 'info') {
    clearNotice(key);
    const el = h('div', { class: `ops-notice ops-notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, h('p', null, message));
    notices.set(key, el);
    status.append(el);
  }
  function clearNotice(key) {
    notices.get(key)?.remove();
    notices.delete(key);
  }

  // ---- choosing services

  let groups = new Map(); // stack name (or '') -> fieldset's list element
  let other = null;

  function otherGroup() {
    if (!other || !other.isConnected) {
      other = group('Other services');
    }
    return other;
  }

  function group(legend) {
    const list = h('div', { class: 'ops-checks' });
    const fs = h('fieldset', { class: 'ops-fieldset' }, h('legend', null, legend), list);
    if (chooser.querySelector('.ops-log-empty-list')) {
      chooser.replaceChildren();
    }
    chooser.append(fs);
    return list;
  }

  function ensureService(name, list) {
    let s = services.get(name);
    if (s) {
      if (!s.label.isConnected) {
        list.append(s.label);
      }
      return s;
    }
    const colour = nextColour++ % COLOURS;
    const checkbox = h('input', { type: 'checkbox', name: 'log-service', value: name });
    checkbox.addEventListener('change', () => toggle(name, checkbox.checked));
    const label = h('label', { class: 'ops-check-label' }, checkbox,
      h('span', { class: `ops-swatch ops-c${colour}`, 'aria-hidden': 'true' }), h('span', { class: 'ops-code' }, name));
    s = { name, checkbox, label, colour, unsub: null };
    services.set(name, s);
    list.append(label);
    return s;
  }

  async function loadServices() {
    clearNotice('control');
    let stacks;
    try {
      const res = await ctx.api.get(`${API}/stacks`);
      stacks = (Array.isArray(res?.stacks) ? res.stacks : []).map((x) => x?.name).filter((x) => typeof x === 'string');
    } catch (err) {
      if (disposed) {
        return;
      }
      if (err && (err.status === 503 || err.status === 502 || err.status === 504)) {
        notice('control', 'The control plane is not running: there are no stacks to list, and live logs only flow '
          + 'while control-api follows them. You can still add a service by name below.', 'info');
      } else {
        notice('control', `Could not list the services: ${errorText(err)}`, 'error');
      }
      renderChooser([]);
      return;
    }
    const details = await Promise.allSettled(stacks.sort().map((name) => ctx.api.get(`${API}/stacks/${encodeURIComponent(name)}`)));
    if (disposed) {
      return;
    }
    const found = [];
    const failed = [];
    details.forEach((r, i) => {
      if (r.status === 'fulfilled') {
        const names = (Array.isArray(r.value?.services) ? r.value.services : [])
          .map((s) => s?.name).filter((n) => typeof n === 'string').sort();
        found.push({ stack: stacks[i], names });
      } else if (r.reason?.status !== 404) {
        failed.push(stacks[i]);
      }
    });
    if (failed.length) {
      notice('stacks', `Could not read the services of ${failed.join(', ')}.`, 'error');
    } else {
      clearNotice('stacks');
    }
    renderChooser(found);
  }

  function renderChooser(found) {
    chooser.replaceChildren();
    groups = new Map();
    other = null;
    for (const { stack, names } of found) {
      if (names.length === 0) {
        continue;
      }
      const list = group(`Stack ${stack}`);
      groups.set(stack, list);
      names.forEach((n) => ensureService(n, list));
    }
    // services followed or added before, no longer listed, stay choosable
    for (const s of services.values()) {
      if (!s.label.isConnected) {
        otherGroup().append(s.label);
      }
    }
    if (!chooser.firstChild) {
      chooser.append(h('p', { class: 'ops-muted ops-log-empty-list' }, 'No services found in any stack.'));
    }
  }

  function toggle(name, on) {
    const s = services.get(name);
    if (!s) {
      return;
    }
    if (on && !s.unsub) {
      clearNotice(`sub:${name}`);
      try {
        s.unsub = ctx.live.subscribe(`logs:${name}`, (data) => receive(s, parsed(data)), {
          onError: (e) => {
            if (!disposed) {
              notice(`sub:${name}`, `Live logs of ${name}: ${errorText(e)}`, 'error');
            }
          },
        });
      } catch (e) {
        notice(`sub:${name}`, `Live logs of ${name}: ${errorText(e)}`, 'error');
      }
      updateEmpty();
    } else if (!on && s.unsub) {
      safeCall(s.unsub);
      s.unsub = null;
      clearNotice(`sub:${name}`);
      updateEmpty();
    }
  }

  function updateEmpty() {
    const following = [...services.values()].some((s) => s.unsub);
    empty.hidden = following || lines.childElementCount > 0;
  }

  // ---- lines

  function receive(s, data) {
    if (disposed || !data || !s.unsub) {
      return;
    }
    if (data.type === 'lines' && Array.isArray(data.lines)) {
      if (paused) {
        buffer.push({ s, data });
        buffered += data.lines.length;
        trimBuffer();
        showPaused();
      } else {
        render([{ s, data }]);
      }
    } else if (data.type === 'dropped') {
      const item = { s, data };
      if (paused) {
        buffer.push(item);
      } else {
        render([item]);
      }
    }
  }

  function trimBuffer() {
    // only the last MAX_LINES lines could be shown anyway
    let total = buffer.reduce((n, b) => n + (b.data.lines?.length || 0), 0);
    while (total > MAX_LINES && buffer.length > 1) {
      total -= buffer.shift().data.lines?.length || 0;
    }
  }

  function render(batches) {
    const stick = lines.scrollHeight - lines.scrollTop - lines.clientHeight < 40;
    const frag = document.createDocumentFragment();
    for (const { s, data } of batches) {
      const service = typeof data.service === 'string' ? data.service : s.name;
      if (data.type === 'dropped') {
        frag.append(h('div', { class: 'ops-log-note', role: 'note' },
          `${service}: ${Number(data.count) || 0} line(s) dropped by the server (publishing fell behind)`));
        continue;
      }
      for (const line of data.lines) {
        if (line && typeof line === 'object') {
          frag.append(lineElement(s, service, line));
        }
      }
    }
    lines.append(frag);
    let excess = lines.childElementCount - MAX_LINES;
    while (excess-- > 0 && lines.firstElementChild) {
      lines.firstElementChild.remove();
    }
    if (stick) {
      lines.scrollTop = lines.scrollHeight;
    }
    updateEmpty();
    updateCounter();
  }

  function lineElement(s, service, line) {
    const stream = line.stream === 'stderr' ? 'stderr' : 'stdout';
    const text = line.text == null ? '' : String(line.text);
    const task = line.task == null ? '' : String(line.task);
    const node = line.node ?? line.node_id ?? '';
    const where = line.slot != null ? `${service}.${line.slot}` : service;
    const el = h('div', {
      class: `log-line ops-${stream} ops-c${s.colour}`,
      'data-service': service, 'data-stream': stream,
    },
    h('span', { class: 'ops-log-ts', title: line.ts ? String(line.ts) : undefined }, clock(line.ts)),
    h('span', { class: 'ops-log-src', title: `task ${task}${line.node_id ? ` on node ${line.node_id}` : ''}` },
      h('span', { class: 'ops-log-service' }, where),
      h('span', { class: 'ops-log-task' }, task.slice(0, 12)),
      node ? h('span', { class: 'ops-log-node' }, `@${node}`) : null),
    h('span', { class: 'ops-log-stream' }, stream),
    h('span', { class: 'ops-log-text' }, text));
    info.set(el, {
      text,
      plain: `${line.ts ?? ''} ${where} ${task}${node ? ` @${node}` : ''} ${stream}: ${text}`,
    });
    if (filter && !filter.test(text)) {
      el.hidden = true;
    }
    return el;
  }

  function applyFilter() {
    for (const el of lines.children) {
      const i = info.get(el);
      if (i) {
        el.hidden = filter ? !filter.test(i.text) : false;
      }
    }
    updateCounter();
  }

  function setFilterMessage(message) {
    filterMsg.textContent = message || '';
    if (message) {
      filterMsg.setAttribute('role', 'alert');
      filterInput.setAttribute('aria-invalid', 'true');
    } else {
      filterMsg.removeAttribute('role');
      filterInput.removeAttribute('aria-invalid');
    }
  }

  filterInput.addEventListener('input', () => {
    const source = filterInput.value;
    if (!source) {
      filter = null;
      setFilterMessage(null);
    } else {
      try {
        filter = new RegExp(source);
        setFilterMessage(null);
      } catch (e) {
        filter = null;
        setFilterMessage(`Not a valid regular expression (${e.message}): no line is hidden.`);
      }
    }
    applyFilter();
  });

  function setPaused(on) {
    paused = on;
    pauseButton.setAttribute('aria-pressed', on ? 'true' : 'false');
    pauseButton.textContent = on ? 'Resume' : 'Pause';
    if (!on) {
      const pending = buffer;
      buffer = [];
      buffered = 0;
      if (pending.length) {
        render(pending);
      }
    }
    showPaused();
  }

  function showPaused() {
    pausedNote.textContent = paused ? `Paused: ${buffered} new line(s) waiting` : '';
  }

  function updateCounter() {
    let shown = 0;
    let total = 0;
    for (const el of lines.children) {
      if (info.has(el)) {
        total++;
        if (!el.hidden) {
          shown++;
        }
      }
    }
    counter.textContent = filter ? `${shown} of ${total} lines shown` : `${total} lines`;
  }

  function clearLines() {
    lines.replaceChildren();
    updateEmpty();
    updateCounter();
  }

  function download() {
    const out = [];
    for (const el of lines.children) {
      const i = info.get(el);
      if (i && !el.hidden) {
        out.push(i.plain);
      }
    }
    const blob = new Blob([out.join('\n') + (out.length ? '\n' : '')], { type: 'text/plain;charset=utf-8' });
    const url = URL.createObjectURL(blob);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const a = h('a', { href: url, download: `fluxer-logs-${stamp}.txt`, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    ctx.toast(`Downloading ${out.length} line(s).`, 'info');
  }

  updateCounter();
  updateEmpty();
  loadServices();

  return {
    destroy() {
      disposed = true;
      for (const s of services.values()) {
        safeCall(s.unsub);
        s.unsub = null;
      }
      buffer = [];
    },
  };
}
