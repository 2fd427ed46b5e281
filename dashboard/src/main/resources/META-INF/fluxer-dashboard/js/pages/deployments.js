// Deployments page (#/deployments): stacks with their services and tasks, deployments with
// their live state and timeline, the ops actions (deploy, roll back, scale, restart, remove,
// webhook secret) and a diff between two revisions of a stack file.
//
// Everything the server sends is untrusted: it only ever reaches the DOM as text nodes.

import { diffLines, diffStats, collapse } from './diff.js';
import { ensureStyles, errorText, fill, h, parsed, safeCall, table } from './ops-dom.js';
import { parseEnv, planView, requestBody } from './plan.js';
import { createCheckPanel } from './stack-check.js';

const API = '/api/v1';
const DEPLOYMENT_LIMIT = 100;
const MAX_DEPLOYMENT_ROWS = 300;
const STACK_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,48}[A-Za-z0-9])?$/;
const STATE_RANK = { queued: 0, updating: 1, converging: 2, succeeded: 3, failed: 3, rolled_back: 4 };
const FINISHED = new Set(['succeeded', 'failed', 'rolled_back']);

// Remembered across visits of the page (not across reloads).
let rememberedStack = null;
// node ID -> hostname, learned from deployment task events (the stack API gives node IDs only)
const nodeNames = new Map();

export default {
  id: 'deployments',
  title: 'Deployments',
  render(root, ctx) {
    ensureStyles();
    const page = createPage(root, ctx);
    return () => page.destroy();
  },
};

// ---------------------------------------------------------------------------------------------
// small DOM helpers (text only, never HTML)

function srOnly(text) {
  return h('span', { class: 'ops-sr-only' }, text);
}

function enc(s) {
  return encodeURIComponent(s);
}

function shortId(id) {
  return typeof id === 'string' ? id.slice(0, 8) : String(id ?? '');
}

function fmtTime(iso) {
  if (!iso) {
    return '—';
  }
  const t = Date.parse(String(iso).replace(/(\.\d{3})\d+/, '$1'));
  if (Number.isNaN(t)) {
    return String(iso);
  }
  return new Date(t).toLocaleString(undefined, {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
}

function fmtClock(iso) {
  const t = Date.parse(String(iso || '').replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(t) ? String(iso || '') : new Date(t).toLocaleTimeString();
}

function stateBadge(state) {
  const s = String(state ?? 'unknown');
  return h('span', { class: `ops-state ops-state-${s.replace(/[^a-z_]/gi, '')}` }, s);
}

function isUnavailable(err) {
  return err && (err.status === 503 || err.status === 502 || err.status === 504);
}

function problemsOf(err) {
  const candidates = [err?.body, err?.data, err?.response, err?.details, err];
  for (const c of candidates) {
    const list = c?.error?.problems ?? c?.problems;
    if (Array.isArray(list)) {
      return list;
    }
  }
  return [];
}

function nodeLabel(nodeId) {
  if (!nodeId) {
    return 'unassigned';
  }
  return nodeNames.get(nodeId) || nodeId.slice(0, 12);
}

function learnNode(detail) {
  if (detail && detail.node_id && detail.node && detail.node !== detail.node_id) {
    nodeNames.set(detail.node_id, detail.node);
  }
}

// One live subscription per channel, shared by the handlers that want it.
function channelHub(ctx, onError) {
  const subs = new Map();
  return {
    on(channel, handler) {
      let s = subs.get(channel);
      if (!s) {
        s = { handlers: new Set(), unsub: null };
        subs.set(channel, s);
        const entry = s;
        try {
          entry.unsub = ctx.live.subscribe(channel, (data, pub) => {
            const d = parsed(data);
            if (d) {
              for (const fn of [...entry.handlers]) {
                fn(d, pub);
              }
            }
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
      for (const s of subs.values()) {
        safeCall(s.unsub);
      }
      subs.clear();
    },
  };
}

// ---------------------------------------------------------------------------------------------

const ENGINE_EVENTS_SHOWN = 100;

function createPage(root, ctx) {
  const canOps = typeof ctx.can === 'function' && ctx.can('ops');
  let disposed = false;
  let unavailable = false;
  const timers = new Set();
  const hub = channelHub(ctx, (channel, e) => {
    if (!disposed) {
      showNotice('live', `Live updates on ${channel} are unavailable: ${errorText(e)}`, 'error');
    }
  });

  const stackRows = new Map(); // name -> {row, revisionCell, stateCell}
  const deploymentRows = new Map(); // id -> {row, stateCell, data}
  let selectedStack = null;
  let selectedDeployment = null;
  let detail = null; // the selected stack's view
  let timeline = null; // the selected deployment's view
  let stacksLoadSeq = 0;
  let detailSeq = 0;
  // "stack#revision" -> {promise, text}: stored stack files, fetched once per page render (a
  // revision never changes). A failed fetch is forgotten, so the next render asks again.
  const stackFiles = new Map();

  function revisionText(stack, revision) {
    const key = `${stack}#${revision}`;
    let entry = stackFiles.get(key);
    if (!entry) {
      entry = { text: undefined, promise: null };
      const e = entry;
      e.promise = ctx.api.get(`${API}/stacks/${enc(stack)}/revisions/${enc(revision)}`).then((res) => {
        if (typeof res?.stack_file !== 'string') {
          throw new Error(`the control API sent no stack file for revision ${revision} of ${stack}`);
        }
        e.text = res.stack_file;
        return e.text;
      });
      e.promise.catch(() => {
        if (stackFiles.get(key) === e) {
          stackFiles.delete(key);
        }
      });
      stackFiles.set(key, entry);
    }
    return entry.promise;
  }

  function revisionKnown(stack, revision) {
    return stackFiles.get(`${stack}#${revision}`)?.text !== undefined;
  }

  function later(ms, fn) {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!disposed) {
        fn();
      }
    }, ms);
    timers.add(t);
    return t;
  }

  function debounced(ms, fn) {
    let t = null;
    return () => {
      if (t) {
        clearTimeout(t);
        timers.delete(t);
      }
      t = later(ms, () => {
        t = null;
        fn();
      });
    };
  }

  // ---- skeleton

  const notices = h('div', { class: 'ops-notices' });
  const noticeMap = new Map();

  function showNotice(key, message, kind = 'info', withRetry = false) {
    clearNotice(key);
    const el = h('div', {
      class: `ops-notice ops-notice-${kind}`,
      role: kind === 'error' ? 'alert' : 'status',
    }, h('p', null, message));
    if (withRetry) {
      el.append(h('button', { type: 'button', class: 'ops-secondary', onclick: () => reloadAll() }, 'Try again'));
    }
    noticeMap.set(key, el);
    notices.append(el);
  }

  function clearNotice(key) {
    const el = noticeMap.get(key);
    if (el) {
      el.remove();
      noticeMap.delete(key);
    }
  }

  const stacksBody = h('tbody');
  const stacksTable = table('stacks', 'Stacks', ['Stack', 'Revision', 'Last deployment', 'Created'], stacksBody);

  const detailEl = h('section', { class: 'ops-section panel ops-detail', 'data-testid': 'stack-detail', 'aria-labelledby': 'ops-detail-h' },
    h('h2', { id: 'ops-detail-h' }, 'Stack'),
    h('p', { class: 'ops-muted' }, 'Select a stack to see its services, tasks and revisions.'));

  const deploymentsBody = h('tbody');
  const deploymentsTable = table('deployments', 'Deployments, newest first',
    ['Deployment', 'Stack', 'Kind', 'Trigger', 'Revision', 'State', 'Requested by', 'Created'], deploymentsBody);

  const timelineSection = h('section', { class: 'ops-section panel ops-timeline-section', 'aria-labelledby': 'ops-timeline-h' },
    h('h2', { id: 'ops-timeline-h' }, 'Timeline'),
    h('p', { class: 'ops-muted' }, 'Select a deployment to see its events.'));

  const editor = canOps ? buildEditor() : null;

  // the engine's own service, task and node events, newest first (swarm:events keeps the last 100)
  const engineBody = h('tbody');
  const engineEmpty = h('tr', null, h('td', { colspan: '5', class: 'ops-muted' }, 'No engine events yet.'));
  engineBody.append(engineEmpty);
  const engineSection = h('section', { class: 'ops-section panel', 'aria-labelledby': 'ops-engine-h' },
    h('h2', { id: 'ops-engine-h' }, 'Engine events'),
    h('div', { class: 'ops-scroll' }, table('swarm-events', 'Engine events, newest first',
      ['Time', 'Type', 'Action', 'Name', 'Node'], engineBody)));

  root.replaceChildren(h('div', { class: 'ops-page ops-deployments' },
    notices,
    h('section', { class: 'ops-section panel', 'aria-labelledby': 'ops-stacks-h' },
      h('div', { class: 'ops-section-head' },
        h('h2', { id: 'ops-stacks-h' }, 'Stacks'),
        h('button', { type: 'button', class: 'ops-secondary', onclick: () => reloadAll() }, 'Refresh')),
      h('div', { class: 'ops-scroll' }, stacksTable)),
    detailEl,
    h('div', { class: 'ops-columns' },
      h('section', { class: 'ops-section panel', 'aria-labelledby': 'ops-deployments-h' },
        h('div', { class: 'ops-section-head' },
          h('h2', { id: 'ops-deployments-h' }, 'Deployments')),
        h('div', { class: 'ops-scroll' }, deploymentsTable)),
      timelineSection),
    engineSection,
    editor ? editor.section : null));

  hub.on('swarm:events', (e) => {
    if (!e || typeof e.type !== 'string') {
      return;
    }
    engineEmpty.remove();
    const what = e.type === 'dropped' ? `${e.count} events dropped` : String(e.name ?? e.id ?? '');
    engineBody.prepend(h('tr', { 'data-event-type': e.type },
      h('td', null, Number.isFinite(e.time) ? new Date(e.time).toLocaleTimeString() : ''),
      h('td', null, e.type),
      h('td', null, String(e.action ?? '')),
      h('td', { class: 'ops-wrap' }, what),
      h('td', { class: 'ops-code' }, String(e.node ?? '').slice(0, 12))));
    while (engineBody.rows.length > ENGINE_EVENTS_SHOWN) {
      engineBody.lastElementChild.remove();
    }
  });

  // ---- live: every deployment's state changes

  const scheduleStacksReload = debounced(400, () => loadStacks());
  const scheduleReloadAll = debounced(400, () => reloadAll());
  hub.on('deploy:all', (data) => {
    if (data.type !== 'state' || !data.deployment) {
      return;
    }
    if (unavailable) {
      scheduleReloadAll();
      return;
    }
    upsertDeployment({
      id: data.deployment, stack: data.stack, revision: data.revision, kind: data.kind, trigger: data.trigger,
      state: data.state, updated_at: data.at,
    }, true);
    const s = stackRows.get(data.stack);
    if (s) {
      fill(s.stateCell, stateBadge(data.state));
      if (typeof data.revision === 'number' && data.kind === 'deploy' && data.trigger !== 'rollback'
          && data.revision > (Number(s.revisionCell.textContent) || 0)) {
        s.revisionCell.textContent = String(data.revision);
      }
    }
    if (!s || (FINISHED.has(data.state) && data.kind === 'remove')) {
      scheduleStacksReload();
    }
    if (editor && FINISHED.has(data.state)) {
      editor.stackChanged(data.stack);
    }
  });

  // ---- stacks

  async function loadStacks() {
    const seq = ++stacksLoadSeq;
    try {
      const res = await ctx.api.get(`${API}/stacks`);
      if (disposed || seq !== stacksLoadSeq) {
        return false;
      }
      unavailable = false;
      clearNotice('control');
      renderStacks(Array.isArray(res?.stacks) ? res.stacks : []);
      return true;
    } catch (err) {
      if (disposed || seq !== stacksLoadSeq) {
        return false;
      }
      if (isUnavailable(err)) {
        unavailable = true;
        showNotice('control', 'The control plane is not running, so there are no stacks or deployments to show. '
          + 'Start control-api (for development: scripts/run_dev.sh --control), then try again.', 'info', true);
        renderStacks([]);
      } else {
        showNotice('control', `Could not load the stacks: ${errorText(err)}`, 'error', true);
      }
      return false;
    }
  }

  function renderStacks(stacks) {
    stackRows.clear();
    const rows = stacks
      .filter((s) => s && typeof s.name === 'string')
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((s) => {
        const revisionCell = h('td', { class: 'ops-num' }, s.revision == null ? '—' : String(s.revision));
        const stateCell = h('td', null, s.last_deployment_state ? stateBadge(s.last_deployment_state) : '—');
        const row = h('tr', { 'data-stack': s.name, class: 'ops-selectable', onclick: () => selectStack(s.name) },
          h('th', { scope: 'row' }, h('button', {
            type: 'button', class: 'ops-link', 'aria-pressed': s.name === selectedStack ? 'true' : 'false',
          }, s.name)),
          revisionCell, stateCell, h('td', null, fmtTime(s.created_at)));
        stackRows.set(s.name, { row, revisionCell, stateCell });
        return row;
      });
    if (rows.length === 0) {
      rows.push(h('tr', { class: 'ops-empty' }, h('td', { colspan: '4' },
        unavailable ? 'Unavailable while the control plane is not running.' : 'No stacks yet.')));
    }
    stacksBody.replaceChildren(...rows);
    markSelectedStack();
  }

  function markSelectedStack() {
    for (const [name, s] of stackRows) {
      const on = name === selectedStack;
      s.row.classList.toggle('ops-selected', on);
      s.row.querySelector('button')?.setAttribute('aria-pressed', on ? 'true' : 'false');
    }
  }

  function selectStack(name) {
    if (!name) {
      return;
    }
    if (selectedStack === name && detail) {
      refreshDetail();
      return;
    }
    selectedStack = name;
    rememberedStack = name;
    markSelectedStack();
    if (detail) {
      safeCall(detail.unsub);
    }
    detail = newDetail(name);
    fill(detailEl, detail.root);
    refreshDetail();
  }

  // ---- stack detail

  function newDetail(name) {
    const d = {
      name,
      data: null,
      serviceRows: new Map(),
      revisionsKey: '',
      unsub: null,
      status: h('div', { class: 'ops-detail-status' }),
      body: h('div', { class: 'ops-detail-body' }),
      hookPanel: h('div', { class: 'ops-hook', hidden: true }),
    };
    d.root = h('div', null,
      h('div', { class: 'ops-section-head' },
        h('h2', { id: 'ops-detail-h' }, 'Stack ', h('span', { class: 'ops-code' }, name)),
        h('button', { type: 'button', class: 'ops-secondary', onclick: () => refreshDetail() }, 'Refresh')),
      d.status, d.hookPanel, d.body);
    d.refresh = debounced(600, () => refreshDetail());
    d.unsub = hub.on(`deploy:${name}`, (data) => {
      if (data.type === 'task') {
        learnNode(data);
      }
      if (detail === d) {
        d.refresh();
      }
    });
    return d;
  }

  async function refreshDetail() {
    const d = detail;
    if (!d) {
      return;
    }
    const seq = ++detailSeq;
    try {
      const data = await ctx.api.get(`${API}/stacks/${enc(d.name)}`);
      if (disposed || d !== detail || seq !== detailSeq) {
        return;
      }
      d.data = data || {};
      d.status.replaceChildren();
      renderDetail(d);
    } catch (err) {
      if (disposed || d !== detail || seq !== detailSeq) {
        return;
      }
      if (err && err.status === 404) {
        d.data = null;
        d.serviceRows.clear();
        d.revisionsKey = '';
        d.body.replaceChildren();
        fill(d.status, h('p', { class: 'ops-muted', role: 'status' }, `Stack ${d.name} does not exist (any more).`));
      } else if (isUnavailable(err)) {
        fill(d.status, h('p', { class: 'ops-muted', role: 'status' },
          'The control plane is not running: the stack cannot be read now.'));
      } else {
        fill(d.status, h('p', { class: 'ops-error', role: 'alert' }, `Could not load stack ${d.name}: ${errorText(err)}`));
      }
    }
  }

  function renderDetail(d) {
    const services = Array.isArray(d.data.services) ? d.data.services : [];
    const revisions = (Array.isArray(d.data.revisions) ? d.data.revisions : [])
      .filter((r) => r && Number.isInteger(r.revision))
      .sort((a, b) => b.revision - a.revision);
    if (!d.built) {
      buildDetailBody(d);
      d.built = true;
    }
    // services, updated in place so that a scale input being typed in survives a refresh
    const seen = new Set();
    services.filter((s) => s && typeof s.name === 'string').forEach((s, i) => {
      seen.add(s.name);
      let r = d.serviceRows.get(s.name);
      if (!r) {
        r = serviceRow(d, s);
        d.serviceRows.set(s.name, r);
      }
      updateServiceRow(r, s);
      const current = d.servicesBody.children[i];
      if (current !== r.row) {
        d.servicesBody.insertBefore(r.row, current || null);
      }
    });
    for (const [name, r] of d.serviceRows) {
      if (!seen.has(name)) {
        r.row.remove();
        d.serviceRows.delete(name);
      }
    }
    d.servicesEmpty.hidden = services.length > 0;
    d.servicesWrap.hidden = services.length === 0;

    // revisions
    const key = revisions.map((r) => r.revision).join(',');
    if (key !== d.revisionsKey) {
      d.revisionsKey = key;
      d.revisionsList.replaceChildren(...revisions.map((r) => h('li', null,
        h('span', { class: 'ops-strong' }, `Revision ${r.revision}`), ' ',
        h('span', { class: 'ops-muted' }, `by ${r.created_by ?? 'unknown'}, ${fmtTime(r.created_at)}`))));
      if (revisions.length === 0) {
        d.revisionsList.append(h('li', { class: 'ops-muted' }, 'No stored revisions.'));
      }
      if (d.rollbackSelect) {
        setOptions(d.rollbackSelect, revisions.map((r) => [String(r.revision), `Revision ${r.revision}`]),
          revisions.length > 1 ? String(revisions[1].revision) : revisions[0] ? String(revisions[0].revision) : '',
          d.newestRollback !== key.split(',')[0]);
        d.newestRollback = key.split(',')[0];
        d.rollbackSelect.disabled = revisions.length === 0;
        d.rollbackButton.disabled = revisions.length === 0;
      }
      const diffOptions = revisions.map((r) => [String(r.revision), `Revision ${r.revision}`]);
      if (canOps) {
        diffOptions.unshift(['editor', 'Editor contents']);
      }
      const newest = revisions[0] ? String(revisions[0].revision) : (canOps ? 'editor' : '');
      const previous = revisions[1] ? String(revisions[1].revision) : newest;
      // a new revision moves the comparison to the two newest; otherwise the choice stays
      const fresh = d.newestRevision !== newest;
      d.newestRevision = newest;
      setOptions(d.diffFrom, diffOptions, previous, fresh);
      setOptions(d.diffTo, diffOptions, revisions.length === 1 && canOps ? 'editor' : newest, fresh);
      renderDiff(d);
    }
  }

  function setOptions(select, options, preferred, reset = false) {
    const before = select.value;
    select.replaceChildren(...options.map(([value, label]) => h('option', { value }, label)));
    const values = options.map(([v]) => v);
    select.value = !reset && values.includes(before) && before !== ''
      ? before : (values.includes(preferred) ? preferred : values[0] ?? '');
  }

  function buildDetailBody(d) {
    const parts = [];
    if (canOps) {
      d.rollbackSelect = h('select', { id: 'rollback-revision' });
      d.rollbackButton = h('button', { type: 'button', 'data-action': 'rollback-stack', onclick: (e) => rollbackStack(d, e.currentTarget) }, 'Roll back');
      parts.push(h('div', { class: 'ops-actions', role: 'group', 'aria-label': `Actions on stack ${d.name}` },
        h('div', { class: 'ops-inline' },
          h('label', { for: 'rollback-revision' }, 'Roll back to'),
          d.rollbackSelect, d.rollbackButton),
        h('button', { type: 'button', 'data-action': 'rotate-hook', onclick: (e) => rotateHook(d, e.currentTarget) }, 'Rotate webhook secret'),
        h('button', { type: 'button', class: 'ops-danger btn-danger', 'data-action': 'remove-stack', onclick: (e) => removeStack(d, e.currentTarget) }, 'Remove stack'),
        h('button', { type: 'button', class: 'ops-secondary', onclick: () => editor?.load(d.name) }, 'Edit in deploy form')));
    }
    d.servicesBody = h('tbody');
    d.servicesEmpty = h('p', { class: 'ops-muted' }, 'The swarm has no services of this stack.');
    d.servicesWrap = h('div', { class: 'ops-scroll' }, h('table', { class: 'ops-table ops-services' },
      h('caption', { class: 'ops-sr-only' }, `Services of stack ${d.name}`),
      h('thead', null, h('tr', null,
        h('th', { scope: 'col' }, 'Service'),
        h('th', { scope: 'col' }, 'Image'),
        h('th', { scope: 'col' }, 'Replicas', srOnly(' (running/desired)')),
        h('th', { scope: 'col' }, 'Tasks per node'),
        h('th', { scope: 'col' }, 'Update'),
        canOps ? h('th', { scope: 'col' }, 'Actions') : null)),
      d.servicesBody));
    d.revisionsList = h('ul', { class: 'ops-revisions' });
    d.diffFrom = h('select', { id: 'diff-from', onchange: () => renderDiff(d) });
    d.diffTo = h('select', { id: 'diff-to', onchange: () => renderDiff(d) });
    d.diffOut = h('div', { class: 'ops-diff', 'data-testid': 'diff', role: 'region', 'aria-label': 'Differences between the chosen revisions', tabindex: '0' });
    parts.push(
      h('h3', null, 'Services'), d.servicesEmpty, d.servicesWrap,
      h('div', { class: 'ops-columns' },
        h('div', null, h('h3', null, 'Revisions'), d.revisionsList),
        h('div', null,
          h('h3', null, 'Compare revisions'),
          h('div', { class: 'ops-inline' },
            h('label', { for: 'diff-from' }, 'From'), d.diffFrom,
            h('label', { for: 'diff-to' }, 'To'), d.diffTo)),
      ),
      d.diffOut);
    d.body.replaceChildren(...parts);
  }

  function serviceRow(d, s) {
    const r = {
      name: s.name,
      image: h('td', { class: 'ops-code ops-wrap' }),
      replicas: h('td', { class: 'ops-num', 'data-testid': 'replicas' }),
      nodes: h('td'),
      update: h('td'),
    };
    const cells = [h('th', { scope: 'row', class: 'ops-code' }, s.name), r.image, r.replicas, r.nodes, r.update];
    if (canOps) {
      const inputId = `ops-scale-${d.serviceRows.size}-${Math.random().toString(36).slice(2, 8)}`;
      r.scaleInput = h('input', {
        id: inputId, type: 'number', min: '0', max: '10000', step: '1', inputmode: 'numeric', class: 'ops-scale-input',
        name: 'replicas',
        onkeydown: (e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            r.scaleButton.click();
          }
        },
      });
      r.scaleButton = h('button', { type: 'button', 'data-action': 'scale-service', onclick: (e) => scaleService(d, r, e.currentTarget) }, 'Scale');
      r.actions = h('td', null, h('div', { class: 'ops-row-actions' },
        h('button', { type: 'button', 'data-action': 'rollback-service', onclick: (e) => serviceAction(d, r.name, 'rollback', e.currentTarget) }, 'Roll back'),
        r.scaleBox = h('span', { class: 'ops-inline' },
          h('label', { for: inputId, class: 'ops-sr-only' }, `Replicas for ${s.name}`),
          r.scaleInput, r.scaleButton),
        h('button', { type: 'button', 'data-action': 'restart-service', onclick: (e) => serviceAction(d, r.name, 'restart', e.currentTarget) }, 'Restart')));
      cells.push(r.actions);
    }
    r.row = h('tr', { 'data-service': s.name }, cells);
    return r;
  }

  function updateServiceRow(r, s) {
    const tasks = Array.isArray(s.tasks) ? s.tasks : [];
    const wanted = tasks.filter((t) => t && t.desired_state === 'running');
    const desired = s.mode === 'global' || s.replicas == null ? wanted.length : s.replicas;
    r.image.textContent = s.image ?? '—';
    r.replicas.textContent = `${s.running ?? 0}/${desired ?? 0}`;
    r.replicas.title = s.mode === 'global' ? 'global service: one task per eligible node' : 'running/desired';
    // tasks the swarm wants running, by node
    const byNode = new Map();
    for (const t of wanted) {
      const key = t.node_id || '';
      if (!byNode.has(key)) {
        byNode.set(key, []);
      }
      byNode.get(key).push(t);
    }
    const summary = h('ul', { class: 'ops-nodes' }, [...byNode.entries()]
      .sort((a, b) => nodeLabel(a[0]).localeCompare(nodeLabel(b[0])))
      .map(([node, list]) => {
        const counts = new Map();
        list.forEach((t) => counts.set(t.state, (counts.get(t.state) || 0) + 1));
        return h('li', null, h('span', { class: 'ops-code', title: node || undefined }, nodeLabel(node)), ': ',
          [...counts.entries()].map(([state, n]) => `${n} ${state}`).join(', '));
      }));
    if (byNode.size === 0) {
      summary.append(h('li', { class: 'ops-muted' }, 'no tasks'));
    }
    const wasOpen = r.nodes.querySelector('details')?.open;
    const details = h('details', { open: wasOpen || undefined },
      h('summary', null, `All tasks (${tasks.length})`),
      h('ul', { class: 'ops-tasks' }, tasks.map((t) => h('li', null,
        h('span', { class: 'ops-code' }, t.slot ? `${s.name}.${t.slot}` : shortId(t.id)), ' ',
        stateBadge(t.state), ` desired ${t.desired_state ?? '?'} · ${nodeLabel(t.node_id)}`,
        t.current_spec === false ? ' · old spec' : '',
        t.error ? h('span', { class: 'ops-error-text' }, ` · ${t.error}`) : '',
        t.exit_code != null && t.exit_code !== 0 ? ` · exit ${t.exit_code}` : ''))));
    fill(r.nodes, summary, tasks.length ? details : null);
    fill(r.update, s.update_state ? stateBadge(s.update_state) : h('span', { class: 'ops-muted' }, '—'),
      s.mode ? h('span', { class: 'ops-muted ops-block' }, s.mode) : null);
    if (r.scaleInput) {
      if (s.mode === 'global' || s.replicas == null) {
        r.scaleInput.disabled = true;
        r.scaleButton.disabled = true;
        r.scaleBox.hidden = true;
      } else {
        r.scaleInput.disabled = false;
        r.scaleButton.disabled = false;
        r.scaleBox.hidden = false;
        if (document.activeElement !== r.scaleInput && (r.scaleInput.value === '' || r.lastDesired !== s.replicas)) {
          r.scaleInput.value = String(s.replicas);
        }
        r.lastDesired = s.replicas;
      }
    }
  }

  // Both sides' texts come from the control API (GET .../revisions/{n}, cached) or the editor; only
  // the newest call of a stack's view draws.
  async function renderDiff(d) {
    const out = d.diffOut;
    const from = d.diffFrom.value;
    const to = d.diffTo.value;
    const seq = (d.diffSeq || 0) + 1;
    d.diffSeq = seq;
    if (!from || !to) {
      fill(out, h('p', { class: 'ops-muted' }, 'No revisions to compare.'));
      return;
    }
    const label = (v) => (v === 'editor' ? 'the editor' : `revision ${v}`);
    const textOf = (v) => (v === 'editor' ? Promise.resolve(editor ? editor.text() : '') : revisionText(d.name, Number(v)));
    const fetching = [...new Set([from, to])].filter((v) => v !== 'editor' && !revisionKnown(d.name, Number(v)));
    if (fetching.length) {
      fill(out, h('p', { class: 'ops-muted', role: 'status', 'aria-busy': 'true' },
        `Loading ${fetching.map(label).join(' and ')} of ${d.name}…`));
    }
    const [ra, rb] = await Promise.allSettled([textOf(from), textOf(to)]);
    if (disposed || d.diffSeq !== seq) {
      return;
    }
    if (ra.status === 'rejected' || rb.status === 'rejected') {
      const which = ra.status === 'rejected' ? from : to;
      const err = ra.status === 'rejected' ? ra.reason : rb.reason;
      fill(out, err?.status === 404
        ? h('p', { class: 'ops-muted', role: 'status' }, `${d.name} has no stored ${label(which)} (any more).`)
        : isUnavailable(err)
          ? h('p', { class: 'ops-muted', role: 'status' }, 'The control plane is not running: the stored stack files cannot be read now.')
          : h('p', { class: 'ops-error', role: 'alert' }, `Could not load ${label(which)} of ${d.name}: ${errorText(err)}`));
      return;
    }
    const a = ra.value;
    const b = rb.value;
    const diff = diffLines(a, b);
    const stats = diffStats(diff);
    const summary = h('p', { class: 'ops-diff-summary' },
      stats.added === 0 && stats.removed === 0
        ? `No differences between ${label(from)} and ${label(to)}.`
        : `${label(from)} → ${label(to)}: ${stats.added} line(s) added, ${stats.removed} removed.`);
    const lines = h('div', { class: 'ops-diff-lines' });
    for (const part of collapse(diff, 3)) {
      if (part.type === 'skip') {
        const det = h('details', { class: 'ops-diff-skip' }, h('summary', null, `${part.lines.length} unchanged lines`));
        part.lines.forEach((op) => det.append(diffLine(op)));
        lines.append(det);
      } else {
        part.lines.forEach((op) => lines.append(diffLine(op)));
      }
    }
    fill(out, summary, lines);
  }

  function diffLine(op) {
    const tag = op.type === 'add' ? 'ins' : op.type === 'del' ? 'del' : 'div';
    const cls = op.type === 'add' ? 'ops-add' : op.type === 'del' ? 'ops-del' : 'ops-same';
    const mark = op.type === 'add' ? '+' : op.type === 'del' ? '-' : ' ';
    return h(tag, { class: `ops-diff-line ${cls}` },
      h('span', { class: 'ops-diff-no', 'aria-hidden': 'true' }, op.oldLine ?? ''),
      h('span', { class: 'ops-diff-no', 'aria-hidden': 'true' }, op.newLine ?? ''),
      h('span', { class: 'ops-diff-mark', 'aria-hidden': 'true' }, mark),
      op.type === 'same' ? null : srOnly(op.type === 'add' ? 'added: ' : 'removed: '),
      h('span', { class: 'ops-diff-text' }, op.text));
  }

  // ---- deployments

  async function loadDeployments() {
    try {
      const res = await ctx.api.get(`${API}/deployments?limit=${DEPLOYMENT_LIMIT}`);
      if (disposed) {
        return;
      }
      const list = (Array.isArray(res?.deployments) ? res.deployments : []).filter((x) => x && x.id);
      list.sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
      // keep rows live events already added; the listing fills in the rest
      for (const dep of list.reverse()) {
        upsertDeployment(dep, false);
      }
      // newest first, rows that live events added before the listing included
      const when = (r) => String(r.data.created_at || r.data.updated_at || '');
      const ordered = [...deploymentRows.values()].sort((a, b) => when(b).localeCompare(when(a)));
      deploymentsBody.append(...ordered.map((r) => r.row));
      renderDeploymentsEmpty();
    } catch (err) {
      if (disposed) {
        return;
      }
      if (!isUnavailable(err)) {
        showNotice('deployments', `Could not load the deployments: ${errorText(err)}`, 'error', true);
      }
      renderDeploymentsEmpty();
    }
  }

  function renderDeploymentsEmpty() {
    const empty = deploymentsBody.querySelector('tr.ops-empty');
    if (deploymentRows.size === 0 && !empty) {
      deploymentsBody.append(h('tr', { class: 'ops-empty' }, h('td', { colspan: '8' },
        unavailable ? 'Unavailable while the control plane is not running.' : 'No deployments yet.')));
    } else if (deploymentRows.size > 0 && empty) {
      empty.remove();
    }
  }

  // Adds a deployment row (at the top) or updates it; a state never goes backwards.
  function upsertDeployment(full, live) {
    const { timeline: _ignored, ...dep } = full || {};
    let r = deploymentRows.get(dep.id);
    if (!r) {
      r = {
        data: { ...dep },
        stack: h('td', { class: 'ops-code' }),
        kind: h('td'),
        trigger: h('td'),
        revision: h('td', { class: 'ops-num' }),
        stateCell: h('td', { 'data-testid': 'deployment-state' }),
        requested: h('td'),
        created: h('td'),
      };
      r.button = h('button', { type: 'button', class: 'ops-link ops-code', 'aria-pressed': 'false', title: dep.id }, shortId(dep.id));
      r.row = h('tr', { 'data-deployment': dep.id, class: 'ops-selectable', onclick: () => selectDeployment(dep.id) },
        h('th', { scope: 'row' }, r.button), r.stack, r.kind, r.trigger, r.revision, r.stateCell, r.requested, r.created);
      deploymentRows.set(dep.id, r);
      deploymentsBody.prepend(r.row);
      if (live) {
        r.row.classList.add('ops-new');
        later(2000, () => r.row.classList.remove('ops-new'));
      }
      while (deploymentRows.size > MAX_DEPLOYMENT_ROWS) {
        const last = deploymentsBody.lastElementChild;
        const id = last?.getAttribute('data-deployment');
        if (!id || id === selectedDeployment) {
          break;
        }
        last.remove();
        deploymentRows.delete(id);
      }
      renderDeploymentsEmpty();
    } else {
      const cur = r.data.state;
      const next = dep.state;
      const merged = { ...r.data };
      for (const [k, v] of Object.entries(dep)) {
        if (v !== undefined && v !== null) {
          merged[k] = v;
        }
      }
      if (cur && next && (STATE_RANK[next] ?? 0) < (STATE_RANK[cur] ?? 0)) {
        merged.state = cur;
      }
      r.data = merged;
    }
    const d = r.data;
    r.stack.textContent = d.stack ?? '—';
    r.kind.textContent = d.kind ?? '—';
    r.trigger.textContent = d.trigger ?? '—';
    r.revision.textContent = d.revision == null ? '—' : String(d.revision);
    if (r.stateCell.textContent !== String(d.state ?? '')) {
      fill(r.stateCell, stateBadge(d.state));
      // the selected deployment's timeline says the same state (deploy:all may come after deploy:<stack>)
      if (timeline?.id === d.id && timeline.loaded) {
        setTimelineState(timeline, d);
      }
    }
    r.requested.textContent = d.requested_by ?? '—';
    r.created.textContent = d.created_at ? fmtTime(d.created_at) : (d.updated_at ? fmtTime(d.updated_at) : '—');
    return r;
  }

  function selectDeployment(id) {
    if (!id) {
      return;
    }
    selectedDeployment = id;
    for (const [rid, r] of deploymentRows) {
      const on = rid === id;
      r.row.classList.toggle('ops-selected', on);
      r.button.setAttribute('aria-pressed', on ? 'true' : 'false');
    }
    if (timeline) {
      safeCall(timeline.unsub);
    }
    const row = deploymentRows.get(id);
    const t = {
      id,
      stack: row?.data.stack ?? null,
      loaded: false,
      pending: [],
      seen: new Set(),
      unsub: null,
      list: h('ol', { class: 'ops-timeline', 'data-testid': 'deployment-timeline' }),
      state: h('p', { class: 'ops-timeline-state', 'aria-live': 'polite' }),
      status: h('div'),
    };
    timeline = t;
    const title = h('h2', { id: 'ops-timeline-h' }, 'Timeline of ', h('span', { class: 'ops-code', title: id }, shortId(id)));
    fill(timelineSection, title, t.state, t.status, t.list);
    setTimelineState(t, row?.data);
    if (t.stack) {
      subscribeTimeline(t);
    }
    loadTimeline(t);
  }

  function subscribeTimeline(t) {
    t.unsub = hub.on(`deploy:${t.stack}`, (data) => {
      if (timeline !== t || data.deployment !== t.id) {
        return;
      }
      if (!t.loaded) {
        t.pending.push(data);
      } else {
        appendLive(t, data);
      }
    });
  }

  async function loadTimeline(t) {
    try {
      const dep = await ctx.api.get(`${API}/deployments/${enc(t.id)}`);
      if (disposed || timeline !== t) {
        return;
      }
      upsertDeployment(dep, false);
      const events = Array.isArray(dep?.timeline) ? dep.timeline : [];
      for (const e of events) {
        if (e?.detail?.type === 'task') {
          learnNode(e.detail);
          t.seen.add(`task:${e.detail.task}:${e.detail.state}`);
          t.list.append(timelineItem({ kind: 'task', at: e.at, state: e.detail.state, message: e.message, error: e.detail.error }));
        } else {
          t.seen.add(`state:${e?.state}`);
          t.list.append(timelineItem({ kind: 'state', at: e?.at, state: e?.state, message: e?.message }));
        }
      }
      if (!t.stack && dep?.stack) {
        t.stack = dep.stack;
        subscribeTimeline(t);
      }
      setTimelineState(t, deploymentRows.get(t.id)?.data ?? dep);
      t.loaded = true;
      const pending = t.pending;
      t.pending = [];
      pending.forEach((data) => appendLive(t, data));
      if (events.length === 0 && t.list.children.length === 0) {
        fill(t.status, h('p', { class: 'ops-muted' }, 'No events recorded yet.'));
      }
    } catch (err) {
      if (disposed || timeline !== t) {
        return;
      }
      t.loaded = true;
      const pending = t.pending;
      t.pending = [];
      pending.forEach((data) => appendLive(t, data));
      fill(t.status, err && err.status === 404
        ? h('p', { class: 'ops-muted', role: 'status' }, 'This deployment is not stored (any more).')
        : isUnavailable(err)
          ? h('p', { class: 'ops-muted', role: 'status' }, 'The control plane is not running: the stored timeline cannot be read now.')
          : h('p', { class: 'ops-error', role: 'alert' }, `Could not load the timeline: ${errorText(err)}`));
    }
  }

  function appendLive(t, data) {
    let item;
    let key;
    if (data.type === 'task') {
      learnNode(data);
      key = `task:${data.task}:${data.state}`;
      const where = data.slot ? `${data.service}.${data.slot}` : `${data.service} ${shortId(data.task)}`;
      item = { kind: 'task', at: data.at, state: data.state, message: `task ${where} ${data.state}${data.error ? `: ${data.error}` : ''}`, error: data.error };
    } else if (data.type === 'state') {
      key = `state:${data.state}`;
      item = { kind: 'state', at: data.at, state: data.state, message: data.message };
    } else {
      return;
    }
    if (t.seen.has(key)) {
      return;
    }
    t.seen.add(key);
    t.status.replaceChildren();
    t.list.append(timelineItem(item));
    if (data.type === 'state') {
      setTimelineState(t, deploymentRows.get(t.id)?.data ?? data);
    }
  }

  function setTimelineState(t, dep) {
    if (!dep) {
      t.state.replaceChildren();
      return;
    }
    fill(t.state, 'Stack ', h('span', { class: 'ops-code' }, dep.stack ?? '?'), ` · ${dep.kind ?? ''}`,
      dep.revision != null ? ` · revision ${dep.revision}` : '', ' · state ', stateBadge(dep.state));
  }

  function timelineItem(e) {
    return h('li', { class: `ops-event ops-event-${e.kind}` },
      h('time', { datetime: e.at || undefined, title: e.at ? String(e.at) : undefined }, fmtClock(e.at)), ' ',
      stateBadge(e.state), ' ',
      h('span', { class: e.error ? 'ops-error-text' : undefined }, e.message ?? ''));
  }

  // ---- actions

  async function act(button, confirmMessage, okLabel, run, describe) {
    let ok = false;
    try {
      ok = await ctx.confirm(confirmMessage, { okLabel });
    } catch {
      ok = false;
    }
    if (!ok || disposed) {
      return null;
    }
    if (button) {
      button.disabled = true;
      button.setAttribute('aria-busy', 'true');
    }
    try {
      const res = await run();
      if (!disposed) {
        ctx.toast(describe(res || {}), 'success');
      }
      return res || {};
    } catch (err) {
      if (!disposed) {
        ctx.toast(errorText(err), 'error');
      }
      throw err;
    } finally {
      if (button) {
        button.disabled = false;
        button.removeAttribute('aria-busy');
      }
    }
  }

  function tracked(res, stack, kind, trigger, revision) {
    if (!res?.deployment) {
      return;
    }
    upsertDeployment({ id: res.deployment, stack, kind, trigger, revision: revision ?? null, state: 'queued' }, true);
    selectDeployment(res.deployment);
  }

  function quiet(promise) {
    promise.catch(() => {});
  }

  function rollbackStack(d, button) {
    const revision = d.rollbackSelect?.value;
    if (!revision) {
      ctx.toast('Choose a revision to roll back to.', 'error');
      return;
    }
    quiet(act(button, `Roll stack ${d.name} back to revision ${revision}? Services not in that revision are removed.`, 'Roll back',
      () => ctx.api.post(`${API}/stacks/${enc(d.name)}/rollback?revision=${enc(revision)}`),
      (res) => `Rolling ${d.name} back to revision ${revision} (deployment ${shortId(res.deployment)}).`)
      .then((res) => {
        if (res) {
          tracked(res, d.name, 'deploy', 'rollback', Number(revision));
          d.refresh();
        }
      }));
  }

  function rotateHook(d, button) {
    quiet(act(button, `Make a new webhook secret for stack ${d.name}? The current secret stops working at once.`, 'Rotate secret',
      () => ctx.api.post(`${API}/stacks/${enc(d.name)}/hook`),
      () => `New webhook secret for ${d.name}: copy it now, it is shown only once.`)
      .then((res) => {
        if (res && detail === d) {
          showHookSecret(d, res);
        }
      }));
  }

  function showHookSecret(d, res) {
    const url = res.url ? new URL(String(res.url), location.origin).href : '';
    const secretInput = h('input', { id: 'ops-hook-secret', type: 'text', readonly: true, class: 'ops-code ops-secret', value: String(res.secret ?? ''), spellcheck: 'false' });
    const copy = h('button', {
      type: 'button', class: 'ops-secondary',
      onclick: async () => {
        try {
          await navigator.clipboard.writeText(secretInput.value);
          ctx.toast('Secret copied.', 'success');
        } catch {
          secretInput.select();
          ctx.toast('Copy failed: the secret is selected, copy it with the keyboard.', 'error');
        }
      },
    }, 'Copy');
    fill(d.hookPanel,
      h('h3', null, 'Webhook secret'),
      h('p', null, 'Shown once: store it in your CI now. Sign each call when you send it with ',
        h('span', { class: 'ops-code' }, `${res.header || 'X-Fluxer-Signature'}: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`),
        ' and a new ', h('span', { class: 'ops-code' }, 'X-Fluxer-Delivery: <uuid>'),
        ' (a replayed or older call is refused).'),
      h('div', { class: 'ops-field' }, h('label', { for: 'ops-hook-secret' }, 'Secret'),
        h('div', { class: 'ops-secret-row' }, secretInput, copy)),
      url ? h('p', null, 'Webhook URL: ', h('span', { class: 'ops-code ops-wrap' }, url)) : null,
      url ? h('p', null, 'GitHub or GitLab push webhook (the secret as its secret / secret token, content type JSON): ',
        h('span', { class: 'ops-code ops-wrap' }, `${url}/github`), ' or ',
        h('span', { class: 'ops-code ops-wrap' }, `${url}/gitlab`),
        res.ref ? ` (deploys on pushes to ${res.ref} only).` : '.') : null,
      h('button', { type: 'button', class: 'ops-secondary', onclick: () => { d.hookPanel.hidden = true; d.hookPanel.replaceChildren(); } }, 'Hide'));
    d.hookPanel.hidden = false;
    secretInput.focus();
    secretInput.select();
  }

  function removeStack(d, button) {
    quiet(act(button, `Remove stack ${d.name}? Its services, secrets, configs and networks are removed; revisions and deployments stay on record.`, 'Remove',
      () => ctx.api.del(`${API}/stacks/${enc(d.name)}`),
      (res) => `Removing stack ${d.name} (deployment ${shortId(res.deployment)}).`)
      .then((res) => {
        if (res) {
          tracked(res, d.name, 'remove', 'api', null);
          d.refresh();
          scheduleStacksReload();
        }
      }));
  }

  function scaleService(d, r, button) {
    const raw = r.scaleInput.value.trim();
    const n = Number(raw);
    if (raw === '' || !Number.isInteger(n) || n < 0 || n > 10000) {
      ctx.toast(`Replicas for ${r.name} must be a whole number from 0 to 10000.`, 'error');
      r.scaleInput.focus();
      return;
    }
    quiet(act(button, `Scale ${r.name} to ${n} replica(s)?`, 'Scale',
      () => ctx.api.post(`${API}/services/${enc(r.name)}/scale`, { replicas: n }),
      (res) => `Scaling ${r.name} to ${n} (deployment ${shortId(res.deployment)}).`)
      .then((res) => {
        if (res) {
          tracked(res, d.name, 'scale', 'api', null);
          d.refresh();
        }
      }));
  }

  function serviceAction(d, name, op, button) {
    const words = op === 'restart'
      ? { ask: `Restart ${name}? Every task is replaced, following its update_config.`, ok: 'Restart', done: 'Restarting' }
      : { ask: `Roll ${name} back to its previous spec?`, ok: 'Roll back', done: 'Rolling back' };
    quiet(act(button, words.ask, words.ok,
      () => ctx.api.post(`${API}/services/${enc(name)}/${op}`),
      (res) => `${words.done} ${name} (deployment ${shortId(res.deployment)}).`)
      .then((res) => {
        if (res) {
          tracked(res, d.name, op, 'api', null);
          d.refresh();
        }
      }));
  }

  // ---- deploy editor (ops only)

  function buildEditor() {
    const name = h('input', { id: 'stack-name', name: 'stack-name', type: 'text', required: true, maxlength: '50', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'ops-stack-name-hint' });
    const file = h('input', { id: 'stack-file', type: 'file', accept: '.yml,.yaml,text/yaml,application/yaml,application/x-yaml,text/plain' });
    const yml = h('textarea', { id: 'stack-yml', name: 'stack-yml', rows: '16', spellcheck: 'false', autocomplete: 'off', class: 'ops-code', wrap: 'off' });
    const env = h('textarea', { id: 'stack-env', name: 'stack-env', rows: '3', spellcheck: 'false', autocomplete: 'off', class: 'ops-code', 'aria-describedby': 'ops-stack-env-hint' });
    const prune = h('input', { id: 'stack-prune', type: 'checkbox' });
    const submit = h('button', { type: 'submit', class: 'btn-primary', 'data-action': 'deploy' }, 'Deploy');
    const result = h('div', { class: 'ops-editor-result' });
    const check = createCheckPanel(yml);
    submit.setAttribute('aria-describedby', check.statusId);

    file.addEventListener('change', async () => {
      const f = file.files && file.files[0];
      if (!f) {
        return;
      }
      if (f.size > 1024 * 1024) {
        ctx.toast(`${f.name} is larger than 1 MiB, the most a request may carry.`, 'error');
        return;
      }
      try {
        yml.value = await f.text();
        if (!name.value.trim()) {
          const guess = f.name.replace(/\.(ya?ml)$/i, '').replace(/[-_.]?stack$/i, '');
          if (STACK_NAME.test(guess) && guess !== 'docker-compose' && guess !== 'compose') {
            name.value = guess;
          }
        }
        scheduleCheck();
        ctx.toast(`Loaded ${f.name} into the editor.`, 'info');
        if (detail?.built) {
          renderDiff(detail);
        }
      } catch (err) {
        ctx.toast(`Could not read ${f.name}: ${err.message}`, 'error');
      }
    });
    yml.addEventListener('input', debounced(400, () => {
      if (detail?.built && (detail.diffFrom.value === 'editor' || detail.diffTo.value === 'editor')) {
        renderDiff(detail);
      }
    }));

    // The check: a dry run of the deploy (POST .../plan) 400 ms after the last change of the file,
    // the name, the variables or prune. Deploy is off while the file has errors.
    let checkSeq = 0;
    let lastCheck = { key: null, view: null };
    const scheduleCheck = debounced(400, () => { quiet(runCheck()); });
    for (const input of [yml, name, env]) {
      input.addEventListener('input', scheduleCheck);
    }
    prune.addEventListener('change', scheduleCheck);

    function setDeployable(ok) {
      submit.disabled = !ok;
    }

    async function runCheck() {
      const stack = name.value.trim();
      const text = yml.value;
      const { vars, bad } = parseEnv(env.value);
      if (!text.trim()) {
        checkSeq++;
        check.idle('Type or load a stack file: it is checked as you type.');
        setDeployable(true);
        return null;
      }
      if (!STACK_NAME.test(stack)) {
        checkSeq++;
        check.idle('Enter the stack name: the file is checked and planned against that stack.');
        setDeployable(true);
        return null;
      }
      if (bad.length) {
        checkSeq++;
        check.failed(`Variables: line(s) ${bad.join(', ')} are not KEY=value.`);
        setDeployable(true);
        return null;
      }
      const body = requestBody(text, vars, prune.checked);
      const key = JSON.stringify([stack, body]);
      if (lastCheck.key === key) {
        return lastCheck.view;
      }
      const seq = ++checkSeq;
      check.pending();
      try {
        const res = await ctx.api.post(`${API}/stacks/${enc(stack)}/plan`, body);
        if (disposed || seq !== checkSeq) {
          return null;
        }
        const view = planView(res);
        lastCheck = { key, view };
        check.show(view);
        setDeployable(view.deployable);
        return view;
      } catch (err) {
        if (!disposed && seq === checkSeq) {
          check.failed(`The file could not be checked: ${errorText(err)}`);
          setDeployable(true);
        }
        return null;
      }
    }
    check.idle('Type or load a stack file: it is checked as you type.');

    const form = h('form', { class: 'ops-form', novalidate: true, onsubmit: (e) => { e.preventDefault(); deploy(); } },
      h('div', { class: 'ops-field' },
        h('label', { for: 'stack-name' }, 'Stack name'), name,
        h('small', { id: 'ops-stack-name-hint', class: 'ops-muted' }, 'Letters, digits, - and _, at most 50 characters. Deploying to an existing name redeploys it.')),
      h('div', { class: 'ops-field' }, h('label', { for: 'stack-file' }, 'Load a stack.yml file'), file),
      h('div', { class: 'ops-editor-grid' },
        h('div', { class: 'ops-field' }, h('label', { for: 'stack-yml' }, 'stack.yml'), yml),
        check.element),
      h('div', { class: 'ops-field' },
        h('label', { for: 'stack-env' }, 'Variables for ${VAR} (optional)'), env,
        h('small', { id: 'ops-stack-env-hint', class: 'ops-muted' }, 'One KEY=value per line; stored encrypted with the revision, never shown again.')),
      h('div', { class: 'ops-field ops-check' }, prune, h('label', { for: 'stack-prune' }, 'Remove services that are no longer in the file (prune)')),
      h('div', { class: 'ops-inline' }, submit),
      result);

    function showResult(kind, title, items) {
      fill(result, h('div', { class: `ops-notice ops-notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' },
        h('p', null, title),
        items && items.length ? h('ul', null, items.map((x) => h('li', null, x))) : null));
    }

    async function deploy() {
      result.replaceChildren();
      const stack = name.value.trim();
      const text = yml.value;
      if (!STACK_NAME.test(stack)) {
        showResult('error', 'The stack name must be letters, digits, - and _, starting and ending with a letter or digit, at most 50 characters.');
        name.focus();
        return;
      }
      if (!text.trim()) {
        showResult('error', 'The stack file is empty: paste a stack.yml or load one.');
        yml.focus();
        return;
      }
      const { vars, bad } = parseEnv(env.value);
      if (bad.length) {
        showResult('error', `Variables: line(s) ${bad.join(', ')} are not KEY=value.`);
        env.focus();
        return;
      }
      const body = requestBody(text, vars, prune.checked);
      // never deploy a file the check found errors in (checked now if it has changed since)
      const view = await runCheck();
      if (disposed) {
        return;
      }
      if (view && !view.deployable) {
        showResult('error', 'The stack file has errors (listed beside the editor): fix them, then deploy.');
        return;
      }
      const exists = stackRows.has(stack);
      let res;
      try {
        res = await act(submit, `${exists ? 'Redeploy' : 'Deploy'} stack ${stack}${prune.checked ? ' (removing services no longer in the file)' : ''}?`,
          exists ? 'Redeploy' : 'Deploy',
          () => ctx.api.put(`${API}/stacks/${enc(stack)}`, body),
          (r) => `Deploying ${stack}${r.revision != null ? ` revision ${r.revision}` : ''} (deployment ${shortId(r.deployment)}).`);
      } catch (err) {
        const problems = problemsOf(err).map((p) => [p.key, p.message].filter(Boolean).join(': ')
          + (p.line != null ? ` (line ${p.line}${p.column != null ? `, column ${p.column}` : ''})` : ''));
        showResult('error', errorText(err), problems);
        return;
      }
      if (!res || disposed) {
        return;
      }
      const warnings = Array.isArray(res.warnings) ? res.warnings : [];
      showResult('success', `Deployment ${shortId(res.deployment)} queued for ${stack}${res.revision != null ? `, revision ${res.revision}` : ''}.`
        + (warnings.length ? ` ${warnings.length} warning(s):` : ''),
        warnings.map((w) => `${w.key ?? w.service ?? ''}${w.line != null ? ` (line ${w.line})` : ''}: ${w.message ?? ''}`));
      tracked(res, stack, 'deploy', 'api', res.revision);
      lastCheck = { key: null, view: null };
      quiet(runCheck());
      await loadStacks();
      if (!disposed) {
        if (selectedStack === stack && detail) {
          detail.revisionsKey = '';
          refreshDetail();
        } else {
          selectStack(stack);
        }
      }
    }

    return {
      section: h('section', { class: 'ops-section panel ops-editor', 'aria-labelledby': 'ops-editor-h' },
        h('h2', { id: 'ops-editor-h' }, 'Deploy a stack'), form),
      text: () => yml.value,
      /** A deployment of `stack` finished: the editor's plan for it may have changed. */
      stackChanged(stack) {
        if (name.value.trim() === stack && yml.value.trim()) {
          lastCheck = { key: null, view: null };
          scheduleCheck();
        }
      },
      load(stack) {
        name.value = stack;
        const revs = (detail?.data?.revisions || []).map((r) => r.revision).filter(Number.isInteger).sort((a, b) => b - a);
        form.scrollIntoView({ block: 'start', behavior: 'smooth' });
        yml.focus({ preventScroll: true });
        if (!revs.length) {
          return;
        }
        const newest = revs[0];
        const before = yml.value;
        revisionText(stack, newest).then((text) => {
          // not over what was typed or loaded meanwhile
          if (disposed || name.value.trim() !== stack || yml.value !== before) {
            return;
          }
          yml.value = text;
          scheduleCheck();
          ctx.toast(`Loaded revision ${newest} of ${stack} into the editor.`, 'info');
          if (detail?.built && (detail.diffFrom.value === 'editor' || detail.diffTo.value === 'editor')) {
            renderDiff(detail);
          }
        }, (err) => {
          if (!disposed) {
            ctx.toast(`Could not load revision ${newest} of ${stack}: ${errorText(err)}`, 'error');
          }
        });
      },
    };
  }

  // ---- start

  async function reloadAll() {
    clearNotice('deployments');
    const ok = await loadStacks();
    if (disposed) {
      return;
    }
    if (ok) {
      await loadDeployments();
    } else {
      renderDeploymentsEmpty();
    }
    if (!disposed && selectedStack && ok) {
      refreshDetail();
    }
  }

  reloadAll().then(() => {
    if (!disposed && !selectedStack && rememberedStack && stackRows.has(rememberedStack)) {
      selectStack(rememberedStack);
    }
  });

  return {
    destroy() {
      disposed = true;
      for (const t of timers) {
        clearTimeout(t);
      }
      timers.clear();
      hub.close();
    },
  };
}
