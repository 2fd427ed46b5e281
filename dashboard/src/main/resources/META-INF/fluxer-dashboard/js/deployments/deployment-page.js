// #/deployments/deployment/<id>: one deployment. What it is (stack, kind, revision, who, when), its
// state and timeline, live from deploy:<stack> while it runs; when it failed, why: the failed state's
// message and the failing task (its node, the engine's error, the exit code and its last log lines).
import { el, notice } from '../ui.js';
import { errorText, isUnavailable } from '../util.js';
import {
  FINISHED, clockTime, dateTime, exitText, failureOf, href, mergeDeployment, shortId, taskLines, timelineEntry,
} from '../format/deployments.js';
import { API, crumbs, enc, panel, stateBadge, viewScope } from './view.js';

const LOG_TAIL = 200;

export function renderDeploymentPage(root, ctx, id) {
  const state = {
    alive: true, dep: null, loaded: false, entries: [], seen: new Set(), pending: [], unsub: null, seq: 0,
    log: null, // {task, lines: Promise<string[]>}
  };
  const { notices: status, time, hub, end } = viewScope(ctx, state);

  const trail = el('div');
  const facts = el('dl', { class: 'facts deployment-facts' });
  const failure = el('section', { class: 'failure', 'data-testid': 'deployment-failure', role: 'alert', hidden: true });
  const list = el('ol', { class: 'timeline', 'data-testid': 'deployment-timeline' });
  const summary = panel('deployment-h', `Deployment ${shortId(id)}`, {
    cls: 'deployment-summary',
    controls: el('button', { type: 'button', class: 'btn btn-small', onclick: () => load() }, 'Refresh'),
  }, facts);
  summary.dataset.deployment = id;
  root.replaceChildren(trail, status, summary, failure, panel('timeline-h', 'Timeline', {}, list));

  function fact(label, value, attrs = {}) {
    return el('div', {}, el('dt', {}, label), el('dd', attrs, value));
  }

  function showFacts() {
    const d = state.dep || {};
    trail.replaceChildren(crumbs(...(d.stack ? [[d.stack, href.stack(d.stack)]] : []), [`Deployment ${shortId(id)}`]));
    facts.replaceChildren(
      fact('State', stateBadge(d.state ?? 'unknown'), { 'data-testid': 'deployment-state' }),
      fact('Stack', d.stack ? el('a', { href: href.stack(d.stack), class: 'mono' }, d.stack) : '—'),
      fact('Kind', d.trigger && d.trigger !== 'api' ? `${d.kind ?? '—'} (${d.trigger})` : (d.kind ?? '—')),
      fact('Revision', d.revision == null ? '—' : String(d.revision)),
      fact('Requested by', d.requested_by ?? '—'),
      fact('Created', dateTime(d.created_at)),
      fact('Finished', d.finished_at ? dateTime(d.finished_at) : (FINISHED.has(d.state) ? '—' : 'not yet')),
      fact('ID', el('span', { class: 'mono wrap-anywhere' }, id)));
  }

  function item(e) {
    const t = e.task;
    return el('li', { class: `event event-${e.kind}${t && (t.error || (t.exit_code ?? 0) !== 0) ? ' event-bad' : ''}`, 'data-kind': e.kind },
      el('time', { datetime: e.at || null, title: e.at ? String(e.at) : null }, clockTime(e.at)), ' ',
      stateBadge(e.state), ' ',
      el('span', { class: 'event-text' }, e.message),
      t ? el('span', { class: 'sub' }, `on ${t.node}${t.exit_code != null && t.exit_code !== 0 ? ` · ${exitText(t)}` : ''}`) : null);
  }

  function add(e) {
    if (!e || state.seen.has(e.key)) return false;
    state.seen.add(e.key);
    state.entries.push(e);
    list.querySelector('li.muted')?.remove();
    list.append(item(e));
    return true;
  }

  function showFailure() {
    const why = failureOf(state.dep?.state, state.entries);
    failure.hidden = !why;
    if (!why) return;
    const t = why.task;
    const log = el('pre', { class: 'code failure-log', 'data-testid': 'failure-log', hidden: true });
    failure.replaceChildren(
      el('h2', {}, state.dep?.state === 'rolled_back' ? 'This deployment failed and was rolled back' : 'This deployment failed'),
      why.message ? el('p', { class: 'failure-message' }, why.message) : null,
      t ? el('dl', { class: 'facts failure-facts' },
        fact('Task', el('span', { class: 'mono' }, t.name)),
        fact('Node', t.node),
        fact('Error', t.error ?? '—', { class: 'error-text', 'data-testid': 'failure-error' }),
        fact('Exit code', t.exit_code == null ? '—' : String(t.exit_code), { class: 'exit-code', 'data-testid': 'failure-exit-code' }))
        : el('p', { class: 'muted' }, 'No task reported an error.'),
      log);
    if (t && t.task && FINISHED.has(state.dep?.state)) showTaskLog(t, log);
  }

  /** The failing task's last lines (stderr when it wrote any), from the service's recent logs; asked once. */
  async function showTaskLog(t, box) {
    if (state.log?.task !== t.task) {
      state.log = { task: t.task, lines: ctx.api.get(`${API}/services/${enc(t.service)}/logs?tail=${LOG_TAIL}`)
        .then((reply) => taskLines(reply?.lines, t.task), () => []) };
    }
    // its logs may be gone with the task, or not readable: the error and exit code say enough then
    const lines = await state.log.lines;
    if (!state.alive || !box.isConnected || !lines.length) return;
    box.replaceChildren(el('span', { class: 'muted' }, `Last lines of ${t.name}:\n`), lines.join('\n'));
    box.hidden = false;
  }

  function setState(d) {
    state.dep = mergeDeployment(state.dep, d);
    showFacts();
  }

  function subscribe(stack) {
    if (state.unsub || !stack) return;
    state.unsub = hub.on(`deploy:${stack}`, (e) => {
      if (e.deployment !== id) return;
      if (!state.loaded) {
        state.pending.push(e);
        return;
      }
      live(e);
    });
  }

  function live(e) {
    const entry = timelineEntry(e);
    if (e.type === 'state') setState({ state: e.state, revision: e.revision, kind: e.kind, trigger: e.trigger, updated_at: e.at });
    add(entry);
    if (e.type === 'state' || entry?.kind === 'task') showFailure();
    // the stored story is complete once it ended (finished_at, every task note)
    if (e.type === 'state' && FINISHED.has(e.state)) time.later(300, () => load());
  }

  async function load() {
    const seq = ++state.seq;
    try {
      const dep = await ctx.api.get(`${API}/deployments/${enc(id)}`);
      if (!state.alive || seq !== state.seq) return;
      status.replaceChildren();
      setState(dep);
      const stored = (Array.isArray(dep?.timeline) ? dep.timeline : []).map(timelineEntry).filter(Boolean);
      // the stored timeline, in order, then what came live and is not in it yet
      const liveOnly = state.entries.filter((e) => !stored.some((s) => s.key === e.key));
      state.entries = [];
      state.seen.clear();
      list.replaceChildren();
      stored.forEach(add);
      liveOnly.forEach(add);
      subscribe(dep?.stack);
      state.loaded = true;
      const pending = state.pending;
      state.pending = [];
      pending.forEach(live);
      if (!state.entries.length) list.append(el('li', { class: 'muted' }, 'No events recorded yet.'));
      showFailure();
    } catch (err) {
      if (!state.alive || seq !== state.seq || err.code === 'aborted') return;
      showFacts();
      status.replaceChildren(err.status === 404
        ? notice(`There is no deployment ${id} (any more).`)
        : isUnavailable(err)
          ? notice('The control plane is not running: the deployment cannot be read now.')
          : notice(`Could not load the deployment: ${errorText(err)}`, { alert: true }));
    }
  }

  showFacts();
  load();
  return end();
}
