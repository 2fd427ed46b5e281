// Logs (#/logs): the lines of one or more swarm services. Choosing a service shows its recent lines
// at once (GET /api/v1/services/{name}/logs), then its live lines (channel logs:<service>), merged
// by time with the other services'. A filter (regular expression) hides the other lines and marks
// the matches; lines wrap or scroll; JSON lines show as fields with their level coloured.
//
// Log lines and service names are untrusted: they reach the DOM as text nodes only.
import { el, notice } from '../ui.js';
import { parsed, safeCall } from '../util.js';
import { clock, compileFilter, jsonLine, levelKind, lineKey, matchRanges, matches, source, tsKey } from '../format/logs.js';

const API = '/api/v1';
const MAX_LINES = 5000;
const BACKFILL = 200;
const COLOURS = 8;
const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export default {
  id: 'logs',
  title: 'Logs',
  render(root, ctx) {
    const state = {
      alive: true,
      services: new Map(), // name -> {name, stack, colour, label, checkbox, unsub, waiting: [] | null, seen: Set | null}
      entries: [], // {key (time), el, text, service} in display order
      filter: null,
      paused: false,
      held: [], // live batches kept while paused
      heldLines: 0,
      nextColour: 0,
    };

    // ---- skeleton

    const problems = el('div');
    const serviceSearch = el('input', {
      id: 'logs-service-search', type: 'search', autocomplete: 'off', spellcheck: 'false', placeholder: 'e.g. web',
      oninput: () => showServiceSearch(),
    });
    const chooser = el('div', { class: 'log-chooser' }, el('p', { class: 'muted' }, 'Loading services…'));
    const addInput = el('input', { id: 'logs-add-service', type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'stack_service' });
    const addForm = el('form', { class: 'toolbar', onsubmit: (e) => { e.preventDefault(); addService(); } },
      el('label', { for: 'logs-add-service' }, 'Other service'), addInput,
      el('button', { class: 'btn', type: 'submit' }, 'Add and follow'));
    const filterInput = el('input', {
      id: 'logs-filter', type: 'search', autocomplete: 'off', spellcheck: 'false',
      'aria-describedby': 'logs-filter-msg', placeholder: 'e.g. error|timeout', oninput: () => setFilter(),
    });
    const filterMsg = el('p', { id: 'logs-filter-msg', class: 'field-msg' });
    const wrap = el('input', { id: 'logs-wrap', type: 'checkbox', checked: true, onchange: () => { box.classList.toggle('log-nowrap', !wrap.checked); } });
    const pauseButton = el('button', { id: 'logs-pause', class: 'btn', type: 'button', 'aria-pressed': 'false', onclick: () => setPaused(!state.paused) }, 'Pause');
    const pausedNote = el('span', { class: 'log-paused', role: 'status' });
    const counter = el('span', { class: 'muted' });
    const box = el('div', {
      class: 'log-lines', 'data-testid': 'log-lines', role: 'log', 'aria-live': 'off', 'aria-label': 'Log lines', tabindex: '0',
    });
    const empty = el('p', { class: 'muted' }, 'Choose one or more services: their recent lines show at once, then new ones as they come.');

    root.append(
      problems,
      el('section', { class: 'panel', 'aria-labelledby': 'logs-services-h' },
        el('div', { class: 'panel-head' },
          el('h2', { id: 'logs-services-h' }, 'Services'),
          el('button', { class: 'btn btn-small', type: 'button', onclick: () => loadServices() }, 'Refresh list')),
        el('div', { class: 'toolbar' }, el('label', { for: 'logs-service-search' }, 'Search services'), serviceSearch),
        chooser, addForm),
      el('section', { class: 'panel', 'aria-labelledby': 'logs-lines-h' },
        el('div', { class: 'panel-head' }, el('h2', { id: 'logs-lines-h' }, 'Lines'), counter),
        el('div', { class: 'log-toolbar' },
          el('div', { class: 'field' }, el('label', { for: 'logs-filter' }, 'Filter (regular expression)'), filterInput, filterMsg),
          el('div', { class: 'toolbar' },
            el('label', { class: 'check' }, wrap, ' Wrap lines'),
            pauseButton, pausedNote,
            el('button', { id: 'logs-download', class: 'btn', type: 'button', onclick: () => download() }, 'Download shown lines'),
            el('button', { id: 'logs-clear', class: 'btn', type: 'button', onclick: () => clearLines() }, 'Clear'))),
        empty, box));

    const notices = new Map();
    function say(key, message, alert = false) {
      notices.get(key)?.remove();
      const node = notice(message, { alert });
      notices.set(key, node);
      problems.append(node);
    }
    function unsay(key) {
      notices.get(key)?.remove();
      notices.delete(key);
    }

    // ---- services

    function group(legend) {
      chooser.querySelector('.log-chooser-empty')?.remove();
      const list = el('div', { class: 'log-checks' });
      chooser.append(el('fieldset', { class: 'log-group' }, el('legend', {}, legend), list));
      return list;
    }

    let otherList = null;
    function otherGroup() {
      if (!otherList || !otherList.isConnected) otherList = group('Other services');
      return otherList;
    }

    function ensureService(name, stack, list) {
      let s = state.services.get(name);
      if (!s) {
        const colour = state.nextColour++ % COLOURS;
        const checkbox = el('input', { type: 'checkbox', name: 'log-service', value: name, onchange: () => follow(s, checkbox.checked) });
        const short = stack && name.startsWith(`${stack}_`) ? name.slice(stack.length + 1) : name;
        const label = el('label', { class: 'log-check', title: name, dataset: { name } }, checkbox,
          el('span', { class: `log-swatch log-c${colour}`, 'aria-hidden': 'true' }), el('span', { class: 'mono' }, short));
        s = { name, stack, colour, label, checkbox, unsub: null, waiting: null, seen: null };
        state.services.set(name, s);
      }
      if (!s.label.isConnected) list.append(s.label);
      return s;
    }

    function showServiceSearch() {
      const q = serviceSearch.value.trim().toLowerCase();
      for (const s of state.services.values()) s.label.hidden = Boolean(q) && !s.name.toLowerCase().includes(q);
      for (const fs of chooser.querySelectorAll('fieldset')) fs.hidden = ![...fs.querySelectorAll('label')].some((l) => !l.hidden);
    }

    async function loadServices() {
      unsay('control');
      let stacks;
      try {
        const reply = await ctx.api.get(`${API}/stacks`);
        stacks = (reply?.stacks || []).map((x) => x?.name).filter((x) => typeof x === 'string').sort();
      } catch (err) {
        if (!state.alive || err.code === 'aborted') return;
        say('control', err.status === 503
          ? 'The control plane is not running: there are no stacks to list, and logs are read by control-api. You can still add a service by name below.'
          : `Could not list the services: ${err.message}`, err.status !== 503);
        showChooser([]);
        return;
      }
      const details = await Promise.allSettled(stacks.map((name) => ctx.api.get(`${API}/stacks/${encodeURIComponent(name)}`)));
      if (!state.alive) return;
      const found = [];
      details.forEach((r, i) => {
        if (r.status !== 'fulfilled') return;
        const names = (r.value?.services || []).map((x) => x?.name).filter((n) => typeof n === 'string').sort();
        if (names.length) found.push({ stack: stacks[i], names });
      });
      showChooser(found);
    }

    function showChooser(found) {
      chooser.replaceChildren();
      otherList = null;
      for (const { stack, names } of found) {
        const list = group(`Stack ${stack}`);
        names.forEach((n) => ensureService(n, stack, list));
      }
      for (const s of state.services.values()) {
        if (!s.label.isConnected) otherGroup().append(s.label);
      }
      if (!chooser.firstChild) chooser.append(el('p', { class: 'muted log-chooser-empty' }, 'No services found in any stack.'));
      showServiceSearch();
    }

    function addService() {
      const name = addInput.value.trim();
      if (!name) return;
      if (!SERVICE_NAME.test(name)) {
        say('add', `“${name}” is not a service name or ID.`, true);
        return;
      }
      unsay('add');
      const s = ensureService(name, '', otherGroup());
      s.checkbox.checked = true;
      follow(s, true);
      addInput.value = '';
    }

    /** Follows a service: its live lines are held while its recent lines are read, then both shown. */
    function follow(s, on) {
      if (on && !s.unsub) {
        unsay(`live:${s.name}`);
        s.waiting = [];
        s.unsub = ctx.live.subscribe(`logs:${s.name}`, (data) => receive(s, parsed(data)), {
          onError: (e) => { if (state.alive) say(`live:${s.name}`, `Live lines of ${s.name}: ${e.message || e}`, true); },
        });
        backfill(s);
      } else if (!on && s.unsub) {
        safeCall(s.unsub);
        s.unsub = null;
        s.waiting = null;
        unsay(`live:${s.name}`);
        unsay(`recent:${s.name}`);
      }
      showEmpty();
    }

    async function backfill(s) {
      const unsub = s.unsub;
      let lines = [];
      try {
        const reply = await ctx.api.get(`${API}/services/${encodeURIComponent(s.name)}/logs?tail=${BACKFILL}`);
        lines = Array.isArray(reply?.lines) ? reply.lines.filter((l) => l && typeof l === 'object') : [];
        unsay(`recent:${s.name}`);
      } catch (err) {
        if (err.code !== 'aborted' && state.alive) say(`recent:${s.name}`, `Recent lines of ${s.name}: ${err.message}`, err.status !== 503);
      }
      if (!state.alive || s.unsub !== unsub) return;
      const seen = new Set(lines.map((l) => lineKey(s.name, l)));
      insertSorted(s, lines);
      const waiting = s.waiting || [];
      s.waiting = null;
      for (const data of waiting) {
        const fresh = data.lines.filter((l) => !seen.has(lineKey(s.name, l)));
        if (fresh.length) show([{ s, data: { ...data, lines: fresh } }]);
      }
    }

    // ---- lines

    function receive(s, data) {
      if (!state.alive || !data || !s.unsub) return;
      if (data.type === 'lines' && Array.isArray(data.lines)) {
        if (s.waiting) s.waiting.push(data);
        else if (state.paused) hold({ s, data }, data.lines.length);
        else show([{ s, data }]);
      } else if (data.type === 'dropped') {
        if (state.paused) hold({ s, data }, 0);
        else show([{ s, data }]);
      }
    }

    function hold(batch, count) {
      state.held.push(batch);
      state.heldLines += count;
      while (state.heldLines > MAX_LINES && state.held.length > 1) state.heldLines -= state.held.shift().data.lines?.length || 0;
      showPaused();
    }

    /** Appends live batches (newest), keeping the view at the bottom when it was there. */
    function show(batches) {
      const stick = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
      const frag = document.createDocumentFragment();
      for (const { s, data } of batches) {
        if (data.type === 'dropped') {
          frag.append(el('div', { class: 'log-note', role: 'note' },
            `${s.name}: ${Number(data.count) || 0} line(s) dropped by the server (publishing fell behind)`));
          continue;
        }
        for (const line of data.lines) {
          if (!line || typeof line !== 'object') continue;
          const entry = lineEntry(s, line);
          state.entries.push(entry);
          frag.append(entry.el);
        }
      }
      box.append(frag);
      trim();
      if (stick) box.scrollTop = box.scrollHeight;
      showEmpty();
      showCounter();
    }

    /** Puts a service's recent lines among the lines shown, by time. */
    function insertSorted(s, lines) {
      const sorted = lines.map((line) => lineEntry(s, line)).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      for (const entry of sorted) {
        let lo = 0;
        let hi = state.entries.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (state.entries[mid].key <= entry.key) lo = mid + 1;
          else hi = mid;
        }
        const before = state.entries[lo];
        box.insertBefore(entry.el, before ? before.el : null);
        state.entries.splice(lo, 0, entry);
      }
      trim();
      box.scrollTop = box.scrollHeight;
      showEmpty();
      showCounter();
    }

    function trim() {
      const excess = state.entries.length - MAX_LINES;
      if (excess > 0) state.entries.splice(0, excess).forEach((e) => e.el.remove());
    }

    function lineEntry(s, line) {
      const stream = line.stream === 'stderr' ? 'stderr' : 'stdout';
      const text = line.text == null ? '' : String(line.text);
      const json = jsonLine(text);
      const node = el('div', { class: `log-line log-${stream} log-c${s.colour}`, dataset: { service: s.name, stream } },
        el('span', { class: 'log-ts', title: line.ts ? String(line.ts) : null }, clock(line.ts)),
        el('span', { class: 'log-src', title: `service ${s.name}, task ${line.task || '?'}${line.node_id ? `, node ${line.node_id}` : ''}` },
          source(s.name, line, s.stack)),
        el('span', { class: 'log-stream' }, stream),
        el('span', { class: 'log-text' }));
      const entry = { key: tsKey(line.ts), el: node, text, json, service: s.name,
        plain: `${line.ts ?? ''} ${source(s.name, line, s.stack)} ${stream}: ${text}` };
      paint(entry);
      return entry;
    }

    /** The line's text (or JSON fields) with the filter's matches marked; hidden when it does not match. */
    function paint(entry) {
      const regex = state.filter;
      entry.el.hidden = Boolean(regex) && !matches(regex, entry.text);
      const target = entry.el.lastChild;
      if (!entry.json) {
        target.replaceChildren(...marked(entry.text, regex));
        return;
      }
      const { level, message, fields } = entry.json;
      const kind = levelKind(level);
      target.replaceChildren(
        level !== null ? el('span', { class: `log-level${kind ? ` log-level-${kind}` : ''}` }, level) : null,
        message !== null ? el('span', { class: 'log-message' }, ...marked(message, regex)) : null,
        ...fields.map(([k, v]) => el('span', { class: 'log-field' }, el('span', { class: 'log-key' }, `${k}=`), ...marked(v, regex))),
      );
    }

    function marked(text, regex) {
      const ranges = matchRanges(text, regex);
      if (!ranges.length) return [text];
      const out = [];
      let at = 0;
      for (const [start, end] of ranges) {
        if (start > at) out.push(text.slice(at, start));
        out.push(el('mark', {}, text.slice(start, end)));
        at = end;
      }
      if (at < text.length) out.push(text.slice(at));
      return out;
    }

    function setFilter() {
      const { regex, error } = compileFilter(filterInput.value);
      state.filter = regex || null;
      filterMsg.textContent = error ? `Not a valid regular expression (${error}): no line is hidden.` : '';
      if (error) {
        filterMsg.setAttribute('role', 'alert');
        filterInput.setAttribute('aria-invalid', 'true');
      } else {
        filterMsg.removeAttribute('role');
        filterInput.removeAttribute('aria-invalid');
      }
      state.entries.forEach(paint);
      showCounter();
    }

    function setPaused(on) {
      state.paused = on;
      pauseButton.setAttribute('aria-pressed', String(on));
      pauseButton.textContent = on ? 'Resume' : 'Pause';
      if (!on && state.held.length) {
        const held = state.held;
        state.held = [];
        state.heldLines = 0;
        show(held);
      }
      showPaused();
    }

    function showPaused() {
      pausedNote.textContent = state.paused ? `Paused: ${state.heldLines} new line(s) waiting` : '';
    }

    function showEmpty() {
      empty.hidden = [...state.services.values()].some((s) => s.unsub) || state.entries.length > 0;
    }

    function showCounter() {
      const total = state.entries.length;
      const shown = state.filter ? state.entries.filter((e) => !e.el.hidden).length : total;
      counter.textContent = state.filter ? `${shown} of ${total} lines shown` : `${total} lines`;
    }

    function clearLines() {
      state.entries = [];
      box.replaceChildren();
      showEmpty();
      showCounter();
    }

    function download() {
      const out = state.entries.filter((e) => !e.el.hidden).map((e) => e.plain);
      const blob = new Blob([out.join('\n') + (out.length ? '\n' : '')], { type: 'text/plain;charset=utf-8' });
      const url = URL.createObjectURL(blob);
      const a = el('a', { href: url, download: `fluxer-logs-${new Date().toISOString().replace(/[:.]/g, '-')}.txt`, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      ctx.toast(`Downloading ${out.length} line(s).`);
    }

    showCounter();
    showEmpty();
    loadServices();
    return () => {
      state.alive = false;
      for (const s of state.services.values()) {
        safeCall(s.unsub);
        s.unsub = null;
      }
      state.held = [];
    };
  },
};
