// A table of deployments, newest first, each linking to its deployment page; rows are added and
// updated in place as deploy:all or deploy:<stack> events arrive (a state never goes back).
import { el } from '../ui.js';
import { dateTime, href, mergeDeployment, newestFirst, shortId } from '../format/deployments.js';
import { cell, emptyRow, recordsTable, stateBadge } from './view.js';

const MAX_ROWS = 100;

/** {element, set(list), upsert(dep, live), has(id)}; `withStack` adds the stack column. */
export function deploymentTable({ caption, withStack = true, emptyText = 'No deployments yet.' }) {
  const state = { rows: new Map(), empty: emptyText };
  const tbody = el('tbody');
  const columns = [['Deployment'], ...(withStack ? [['Stack']] : []), ['Kind'], ['Revision', { num: true }], ['State'],
    ['Requested by'], ['Created']];
  const element = recordsTable('deployments', caption, columns, tbody, 'deployments-table');

  function row(id) {
    const r = {
      data: { id },
      stack: withStack ? cell('Stack', { class: 'mono wrap' }) : null,
      kind: cell('Kind'),
      revision: cell('Revision', { class: 'num' }),
      state: cell('State', { 'data-testid': 'deployment-state' }),
      requested: cell('Requested by', { class: 'wrap' }),
      created: cell('Created', { class: 'wrap' }),
    };
    r.row = el('tr', { 'data-deployment': id },
      el('th', { scope: 'row' }, el('a', { class: 'mono', href: href.deployment(id), title: id }, shortId(id))),
      r.stack, r.kind, r.revision, r.state, r.requested, r.created);
    return r;
  }

  function show(r) {
    const d = r.data;
    if (r.stack) r.stack.textContent = d.stack ?? '—';
    r.kind.textContent = d.trigger && d.trigger !== 'api' ? `${d.kind ?? '—'} (${d.trigger})` : (d.kind ?? '—');
    r.revision.textContent = d.revision == null ? '—' : String(d.revision);
    if (r.state.textContent !== String(d.state ?? '')) r.state.replaceChildren(stateBadge(d.state));
    r.requested.textContent = d.requested_by ?? '—';
    r.created.textContent = dateTime(d.created_at || d.updated_at);
  }

  function showEmpty() {
    const empty = tbody.querySelector('tr.empty');
    if (state.rows.size === 0 && !empty) tbody.append(emptyRow(columns.length, state.empty));
    else if (state.rows.size > 0 && empty) empty.remove();
  }

  function trim() {
    while (state.rows.size > MAX_ROWS) {
      const last = tbody.lastElementChild;
      state.rows.delete(last.dataset.deployment);
      last.remove();
    }
  }

  return {
    element,
    has: (id) => state.rows.has(id),
    /** The listing: rows live events added before it stay; all in order, newest first. */
    set(list) {
      for (const d of list.filter((x) => x && x.id)) {
        let r = state.rows.get(d.id);
        if (!r) {
          r = row(d.id);
          state.rows.set(d.id, r);
        }
        r.data = mergeDeployment(r.data, d);
        show(r);
      }
      const ordered = newestFirst([...state.rows.values()].map((r) => r.data)).map((d) => state.rows.get(d.id).row);
      tbody.replaceChildren(...ordered);
      trim();
      showEmpty();
    },
    /** A deployment seen live: a new one goes on top. */
    upsert(d, live = true) {
      if (!d?.id) return;
      let r = state.rows.get(d.id);
      if (!r) {
        r = row(d.id);
        state.rows.set(d.id, r);
        tbody.prepend(r.row);
        if (live) r.row.classList.add('fresh');
        trim();
        showEmpty();
      }
      r.data = mergeDeployment(r.data, d);
      show(r);
    },
    empty(text) {
      state.empty = text;
      tbody.querySelector('tr.empty')?.remove();
      showEmpty();
    },
  };
}
