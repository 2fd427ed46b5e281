// #/deployments: the stacks (revision, last deployment's state, created), the recent deployments
// of every stack (live from deploy:all), the engine's own events (swarm:events) and, for ops, the
// editor that deploys a stack.
import { el, notice } from '../ui.js';
import { errorText, isUnavailable } from '../util.js';
import { FINISHED, dateTime, href } from '../format/deployments.js';
import { deploymentTable } from './deployment-table.js';
import { stackEditor } from './stack-editor.js';
import { API, cell, emptyRow, hostnames, panel, recordsTable, stateBadge, viewScope } from './view.js';

const DEPLOYMENTS_SHOWN = 30;
const ENGINE_EVENTS_SHOWN = 50;

export function renderStacksList(root, ctx) {
  const state = { alive: true, unavailable: false, stacks: new Map(), seq: 0 };
  const { notices: problems, time, hub, end } = viewScope(ctx, state);

  const stacksBody = el('tbody');
  const deployments = deploymentTable({ caption: 'Recent deployments, newest first' });
  const engineBody = el('tbody', {}, emptyRow(5, 'No engine events yet.'));
  const editor = ctx.can('ops') ? stackEditor({
    ctx,
    exists: (name) => state.stacks.has(name),
    onDeployed: (res) => { if (res.deployment) location.hash = href.deployment(res.deployment); },
  }) : null;

  root.replaceChildren(
    problems,
    panel('stacks-h', 'Stacks', {
      controls: el('button', { type: 'button', class: 'btn btn-small', onclick: () => load() }, 'Refresh'),
    }, recordsTable('stacks', 'Stacks', [['Stack'], ['Revision', { num: true }], ['Services', { num: true }], ['Last deployment'], ['Created']], stacksBody)),
    panel('deployments-h', 'Recent deployments', {}, deployments.element),
    panel('engine-h', 'Engine events', {},
      el('p', { class: 'muted' }, 'The swarm\'s service, task and node events as they happen, newest first.'),
      recordsTable('swarm-events', 'Engine events, newest first', [['Time'], ['Type'], ['Action'], ['Name'], ['Node']], engineBody)),
    editor ? panel('editor-h', 'Deploy a stack', { cls: 'editor-panel' }, editor.element) : null);

  function stackRow(s) {
    const revision = cell('Revision', { class: 'num' }, s.revision == null ? '—' : String(s.revision));
    const last = cell('Last deployment', {}, s.last_deployment_state ? stateBadge(s.last_deployment_state) : '—');
    const row = el('tr', { 'data-stack': s.name },
      el('th', { scope: 'row', class: 'wrap' }, el('a', { href: href.stack(s.name), class: 'mono' }, s.name)),
      revision,
      cell('Services', { class: 'num' }, s.services == null ? '—' : String(s.services)),
      last,
      cell('Created', { class: 'wrap' }, s.created_at ? dateTime(s.created_at) : (s.managed ? '—' : 'not managed here')));
    return { row, revision, last };
  }

  function showStacks(list) {
    state.stacks.clear();
    const rows = list.filter((s) => s && typeof s.name === 'string').sort((a, b) => a.name.localeCompare(b.name)).map((s) => {
      const r = stackRow(s);
      state.stacks.set(s.name, r);
      return r.row;
    });
    stacksBody.replaceChildren(...(rows.length ? rows
      : [emptyRow(5, state.unavailable ? 'Unavailable while the control plane is not running.' : 'No stacks yet.')]));
  }

  async function load() {
    const seq = ++state.seq;
    try {
      const [stacks, recent] = await Promise.all([
        ctx.api.get(`${API}/stacks`),
        ctx.api.get(`${API}/deployments?limit=${DEPLOYMENTS_SHOWN}`),
      ]);
      if (!state.alive || seq !== state.seq) return;
      state.unavailable = false;
      problems.replaceChildren();
      showStacks(Array.isArray(stacks?.stacks) ? stacks.stacks : []);
      deployments.set(Array.isArray(recent?.deployments) ? recent.deployments : []);
    } catch (err) {
      if (!state.alive || seq !== state.seq || err.code === 'aborted') return;
      state.unavailable = isUnavailable(err);
      problems.replaceChildren(state.unavailable
        ? notice('The control plane is not running, so there are no stacks or deployments to show. '
          + 'Start control-api (for development: scripts/run_dev.sh --control), then refresh.')
        : notice(`Could not load the stacks: ${errorText(err)}`, { alert: true }));
      showStacks([]);
      deployments.empty(state.unavailable ? 'Unavailable while the control plane is not running.' : 'No deployments to show.');
    }
  }

  const reload = time.debounced(400, load);
  hub.on('deploy:all', (e) => {
    if (e.type !== 'state' || !e.deployment) return;
    if (state.unavailable) {
      reload();
      return;
    }
    // one not listed yet: the listing has what events do not carry (who asked for it)
    if (!deployments.has(e.deployment)) reload();
    deployments.upsert({ id: e.deployment, stack: e.stack, revision: e.revision, kind: e.kind, trigger: e.trigger, state: e.state, updated_at: e.at });
    const s = state.stacks.get(e.stack);
    if (s) {
      s.last.replaceChildren(stateBadge(e.state));
      if (Number.isInteger(e.revision) && e.kind === 'deploy' && e.trigger !== 'rollback' && e.revision > (Number(s.revision.textContent) || 0)) {
        s.revision.textContent = String(e.revision);
      }
    }
    if (!s || (FINISHED.has(e.state) && e.kind === 'remove')) reload();
    if (editor && FINISHED.has(e.state)) editor.stackChanged(e.stack);
  });

  hub.on('swarm:events', (e) => {
    if (!e || typeof e.type !== 'string') return;
    if (e.type === 'node' && e.id && e.name) hostnames.set(e.id, e.name);
    engineBody.querySelector('tr.empty')?.remove();
    const what = e.type === 'dropped' ? `${e.count} events dropped` : String(e.name ?? e.id ?? '');
    const node = e.type === 'node' ? e.name : (hostnames.get(e.node) ?? String(e.node ?? '').slice(0, 12));
    engineBody.prepend(el('tr', { 'data-event-type': e.type },
      cell('Time', {}, Number.isFinite(e.time) ? new Date(e.time).toLocaleTimeString() : ''),
      cell('Type', {}, e.type),
      cell('Action', { class: 'wrap' }, String(e.action ?? '')),
      cell('Name', { class: 'mono wrap' }, what),
      cell('Node', { class: 'mono', title: e.node || null }, node || '')));
    while (engineBody.rows.length > ENGINE_EVENTS_SHOWN) engineBody.lastElementChild.remove();
  });

  load();
  return end(() => editor?.destroy());
}
