// The audit log: who did what to which target, when and how it ended, newest first, filtered by
// stack, actor and action, with older records on demand. Control-plane actions and the relay's own
// (API keys, namespaces, users disconnected). Needs the ops role and a running control plane.
import { el, fmt, notice } from '../ui.js';
import { ACTIONS, actionLabel, auditQuery, detailFacts, resultKind } from '../format/audit.js';

const PAGE_SIZE = 50;
const FILTER_DELAY_MS = 300;

export default {
  id: 'audit',
  title: 'Audit log',
  render(root, ctx) {
    if (!ctx.can('ops')) {
      root.append(notice('The audit log needs the ops role.'));
      return undefined;
    }
    const state = { filter: { stack: '', actor: '', action: '' }, records: [], more: false, seq: 0, timer: null };

    const input = (id, label, placeholder, list) => {
      const field = el('input', {
        id, type: 'search', autocomplete: 'off', spellcheck: 'false', placeholder, list,
        oninput: () => {
          state.filter[id.replace('audit-', '')] = field.value;
          clearTimeout(state.timer);
          state.timer = setTimeout(() => load(false), FILTER_DELAY_MS);
        },
      });
      return el('div', { class: 'field' }, el('label', { for: id }, label), field);
    };
    const actions = el('datalist', { id: 'audit-actions' },
      Object.keys(ACTIONS).map((a) => el('option', { value: a }, ACTIONS[a])));
    const summary = el('p', { class: 'muted', role: 'status' });
    const problem = el('div');
    const tbody = el('tbody');
    const older = el('button', { class: 'btn', type: 'button', hidden: true, onclick: () => load(true) }, 'Older records');

    root.append(
      el('form', { class: 'filters', role: 'search', 'aria-label': 'Filter the audit log', onsubmit: (e) => { e.preventDefault(); load(false); } },
        input('audit-stack', 'Stack', 'e.g. shop'),
        input('audit-actor', 'Actor', 'e.g. ci'),
        input('audit-action', 'Action', 'e.g. stack or key.create', 'audit-actions'),
        actions,
        el('button', { class: 'btn', type: 'submit', 'data-testid': 'audit-refresh' }, 'Refresh')),
      summary,
      problem,
      el('div', { class: 'table-wrap' },
        el('table', { class: 'table table-cards', 'data-testid': 'audit' },
          el('thead', {}, el('tr', {},
            el('th', { scope: 'col' }, 'When'),
            el('th', { scope: 'col' }, 'Actor'),
            el('th', { scope: 'col' }, 'Action'),
            el('th', { scope: 'col' }, 'Target'),
            el('th', { scope: 'col' }, 'Result'),
            el('th', { scope: 'col' }, 'Detail'))),
          tbody)),
      older);

    function row(r) {
      const when = new Date(r.at);
      return el('tr', { dataset: { id: String(r.id), action: r.action } },
        el('td', { 'data-label': 'When' }, el('time', { datetime: r.at, title: when.toISOString() },
          `${when.toLocaleDateString()} ${fmt.time(when.getTime())}`)),
        el('td', { 'data-label': 'Actor' }, r.actor),
        el('td', { 'data-label': 'Action', title: r.action }, actionLabel(r.action)),
        el('td', { 'data-label': 'Target', class: 'wrap' }, r.target || '–'),
        el('td', { 'data-label': 'Result' }, el('span', { class: `badge badge-${resultKind(r.result)}` }, r.result)),
        el('td', { 'data-label': 'Detail', class: 'wrap' }, el('span', {}, detailFacts(r.detail).map(([k, v]) =>
          el('span', { class: 'fact' }, el('span', { class: 'sub' }, k), ' ', v)))));
    }

    function show() {
      tbody.replaceChildren(...state.records.map(row));
      if (!state.records.length) {
        tbody.append(el('tr', { class: 'empty' }, el('td', { colspan: '6' }, 'No audit record matches.')));
      }
      older.hidden = !state.more;
      const filtered = Object.values(state.filter).some((v) => v.trim());
      summary.textContent = `${state.records.length}${state.more ? '+' : ''} record${state.records.length === 1 ? '' : 's'}${filtered ? ' matching the filters' : ''}, newest first.`;
    }

    async function load(append) {
      const seq = ++state.seq;
      const before = append && state.records.length ? state.records[state.records.length - 1].id : undefined;
      try {
        const reply = await ctx.api.get(`/api/v1/audit${auditQuery({ ...state.filter, before, limit: PAGE_SIZE })}`);
        if (seq !== state.seq) return;
        const records = reply.audit || [];
        state.records = append ? state.records.concat(records) : records;
        state.more = records.length === PAGE_SIZE;
        problem.replaceChildren();
        show();
      } catch (err) {
        if (seq !== state.seq || err.code === 'aborted') return;
        problem.replaceChildren(notice(err.status === 503
          ? 'The audit log is kept by the control plane, which is not running.'
          : `The audit log could not be loaded: ${err.message}`, { alert: err.status !== 503 }));
      }
    }

    load(false);
    return () => {
      state.seq++;
      clearTimeout(state.timer);
    };
  },
};
