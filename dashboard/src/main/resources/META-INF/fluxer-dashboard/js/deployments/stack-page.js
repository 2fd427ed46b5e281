// #/deployments/stack/<name>: one stack. Its services (image, replicas, update state; ops: scale,
// restart, roll back), its tasks grouped by node (by hostname), its recent deployments (live from
// deploy:<stack>), its revisions with the diff between any two, the stack's actions (roll back to a
// revision, webhook secret, remove) and, for ops, the editor that redeploys it.
import { el, notice } from '../ui.js';
import { errorText, isUnavailable } from '../util.js';
import { FINISHED, dateTime, exitText, href, replicasText, tasksByNode } from '../format/deployments.js';
import { deploymentTable } from './deployment-table.js';
import { revisionFiles, revisionsView } from './revisions.js';
import {
  removeStack, replicasOf, restartService, rollbackService, rollbackStack, rotateHook, scaleService,
} from './service-actions.js';
import { stackEditor } from './stack-editor.js';
import {
  API, cell, crumbs, emptyRow, enc, hostnames, panel, recordsTable, stateBadge, viewScope,
} from './view.js';

export function renderStackPage(root, ctx, name) {
  const canOps = ctx.can('ops');
  const state = { alive: true, data: null, seq: 0, services: new Map(), serial: 0 };
  const { notices: status, time, hub, end } = viewScope(ctx, state);
  const files = revisionFiles(ctx.api, name);
  const refresh = time.debounced(600, () => load());

  const newest = () => {
    const revs = (state.data?.revisions || []).map((r) => r.revision).filter(Number.isInteger);
    return revs.length ? Math.max(...revs) : null;
  };

  // ---- the stack's actions (ops)
  const hookPanel = el('div', { class: 'hook notice', hidden: true });
  const rollbackSelect = el('select', { id: 'rollback-revision' });
  const tracked = (res) => {
    if (res?.deployment) {
      deployments.upsert({ id: res.deployment, stack: name, state: 'queued' });
      refresh();
    }
  };
  const actions = canOps ? el('div', { class: 'stack-actions', role: 'group', 'aria-label': `Actions on stack ${name}` },
    el('div', { class: 'inline-fields' },
      el('label', { for: 'rollback-revision' }, 'Roll back to'), rollbackSelect,
      el('button', {
        type: 'button', class: 'btn', 'data-action': 'rollback-stack',
        onclick: async (e) => {
          if (!rollbackSelect.value) return;
          tracked(await rollbackStack(ctx, e.currentTarget, name, rollbackSelect.value));
        },
      }, 'Roll back')),
    el('button', {
      type: 'button', class: 'btn', 'data-action': 'rotate-hook',
      onclick: async (e) => {
        const res = await rotateHook(ctx, e.currentTarget, name);
        if (res && state.alive) showHookSecret(res);
      },
    }, 'Rotate webhook secret'),
    el('button', {
      type: 'button', class: 'btn btn-danger', 'data-action': 'remove-stack',
      onclick: async (e) => tracked(await removeStack(ctx, e.currentTarget, name)),
    }, 'Remove stack')) : null;

  // ---- services
  const servicesBody = el('tbody');
  const servicesColumns = [['Service'], ['Image'], ['Replicas', { num: true, sr: ' (running/desired)' }], ['Update'],
    ...(canOps ? [['Actions']] : [])];
  const nodesBox = el('div', { class: 'node-groups', 'data-testid': 'tasks-by-node' });
  const deployments = deploymentTable({ caption: `Deployments of ${name}, newest first`, withStack: false });
  let editor = null;
  const revisions = revisionsView({ stack: name, files, editorText: canOps ? () => editor?.text() ?? '' : null });
  if (canOps) {
    editor = stackEditor({
      ctx, stack: name, newest, files,
      onDeployed: (res) => { if (res.deployment) location.hash = href.deployment(res.deployment); },
      onChange: time.debounced(400, () => revisions.editorChanged()),
    });
  }

  root.replaceChildren(
    crumbs([name]),
    status,
    panel('stack-h', `Stack ${name}`, {
      testid: 'stack-detail',
      controls: el('button', { type: 'button', class: 'btn btn-small', onclick: () => load() }, 'Refresh'),
    }, el('p', { class: 'muted stack-facts' }), actions, hookPanel),
    panel('services-h', 'Services', {},
      recordsTable('services', `Services of stack ${name}`, servicesColumns, servicesBody, 'services-table')),
    panel('nodes-h', 'Tasks by node', {}, nodesBox),
    panel('stack-deployments-h', 'Deployments', {}, deployments.element),
    panel('revisions-h', 'Revisions', {}, revisions.element),
    editor ? panel('editor-h', `Edit and redeploy ${name}`, { cls: 'editor-panel' }, editor.element) : null);
  const facts = root.querySelector('.stack-facts');

  function serviceRow(s) {
    const r = {
      name: s.name,
      image: cell('Image', { class: 'mono wrap' }),
      replicas: cell('Replicas', { class: 'num', 'data-testid': 'replicas' }),
      update: cell('Update'),
    };
    const cells = [el('th', { scope: 'row', class: 'mono wrap' }, s.name), r.image, r.replicas, r.update];
    if (canOps) {
      const inputId = `scale-${++state.serial}`;
      r.scaleInput = el('input', {
        id: inputId, type: 'number', min: '0', max: '10000', step: '1', inputmode: 'numeric', class: 'scale-input', name: 'replicas',
        onkeydown: (e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            r.scaleButton.click();
          }
        },
      });
      r.scaleButton = el('button', {
        type: 'button', class: 'btn btn-small', 'data-action': 'scale-service',
        onclick: async (e) => {
          const asked = replicasOf(r.scaleInput.value);
          if (asked.error) {
            ctx.toast(`${r.name}: ${asked.error}`, 'error');
            r.scaleInput.focus();
            return;
          }
          tracked(await scaleService(ctx, e.currentTarget, r.name, asked.replicas));
        },
      }, 'Scale');
      r.scaleBox = el('span', { class: 'scale' },
        el('label', { for: inputId, class: 'sr-only' }, `Replicas for ${s.name}`), r.scaleInput, r.scaleButton);
      cells.push(cell('Actions', { class: 'row-actions-cell' }, el('div', { class: 'row-actions' },
        r.scaleBox,
        el('button', { type: 'button', class: 'btn btn-small', 'data-action': 'restart-service', onclick: async (e) => tracked(await restartService(ctx, e.currentTarget, r.name)) }, 'Restart'),
        el('button', { type: 'button', class: 'btn btn-small', 'data-action': 'rollback-service', onclick: async (e) => tracked(await rollbackService(ctx, e.currentTarget, r.name)) }, 'Roll back'))));
    }
    r.row = el('tr', { 'data-service': s.name }, cells);
    return r;
  }

  function updateServiceRow(r, s) {
    r.image.textContent = s.image ?? '—';
    r.replicas.textContent = replicasText(s);
    r.replicas.title = s.mode === 'global' ? 'global service: one task per eligible node' : 'running/desired';
    r.update.replaceChildren(s.update_state ? stateBadge(s.update_state) : el('span', { class: 'muted' }, '—'),
      s.mode ? el('span', { class: 'sub' }, s.mode) : null);
    if (!r.scaleInput) return;
    const scalable = s.mode !== 'global' && s.replicas != null;
    r.scaleBox.hidden = !scalable;
    // a number being typed survives a refresh
    if (scalable && document.activeElement !== r.scaleInput && (r.scaleInput.value === '' || r.lastDesired !== s.replicas)) {
      r.scaleInput.value = String(s.replicas);
    }
    r.lastDesired = s.replicas;
  }

  function showServices(services) {
    const seen = new Set();
    services.filter((s) => s && typeof s.name === 'string').forEach((s, i) => {
      seen.add(s.name);
      let r = state.services.get(s.name);
      if (!r) {
        r = serviceRow(s);
        state.services.set(s.name, r);
      }
      updateServiceRow(r, s);
      const current = servicesBody.children[i];
      if (current !== r.row) servicesBody.insertBefore(r.row, current || null);
    });
    for (const [n, r] of state.services) {
      if (!seen.has(n)) {
        r.row.remove();
        state.services.delete(n);
      }
    }
    servicesBody.querySelector('tr.empty')?.remove();
    if (!state.services.size) servicesBody.append(emptyRow(servicesColumns.length, 'The swarm has no services of this stack.'));
  }

  function showNodes(services) {
    const groups = tasksByNode(services);
    for (const g of groups) {
      if (g.nodeId && g.node !== g.nodeId.slice(0, 12)) hostnames.set(g.nodeId, g.node);
    }
    nodesBox.replaceChildren(...groups.map((g) => el('section', { class: 'node-group', 'data-node': g.nodeId ?? '' },
      el('h3', { class: 'node-name', title: g.nodeId ? `node ${g.nodeId}` : null }, g.node,
        el('span', { class: 'sub' }, `${g.tasks.filter((t) => t.desired_state === 'running').length} wanted running, ${g.tasks.length} in all`)),
      recordsTable('node-tasks', `Tasks on ${g.node}`, [['Task'], ['State'], ['Desired'], ['Error'], ['Updated']], el('tbody', {},
        g.tasks.map((t) => el('tr', { 'data-task': t.id ?? '' },
          el('th', { scope: 'row', class: 'mono wrap', title: t.id ?? null }, t.name, t.current_spec === false ? el('span', { class: 'sub' }, 'old spec') : null),
          cell('State', {}, stateBadge(t.state)),
          cell('Desired', {}, t.desired_state ?? '—'),
          cell('Error', { class: 'wrap' }, t.error || (t.exit_code ? exitText(t) : '—'),
            t.error && t.exit_code != null ? el('span', { class: 'sub' }, exitText(t)) : null),
          cell('Updated', { class: 'wrap' }, dateTime(t.updated_at)))))))));
    if (!groups.length) nodesBox.append(el('p', { class: 'muted' }, 'No tasks.'));
  }

  function showRollbackOptions(revs) {
    if (!canOps) return;
    const sorted = revs.map((r) => r.revision).filter(Number.isInteger).sort((a, b) => b - a);
    const before = rollbackSelect.value;
    rollbackSelect.replaceChildren(...sorted.map((n) => el('option', { value: String(n) }, `Revision ${n}`)));
    rollbackSelect.value = sorted.map(String).includes(before) ? before : String(sorted[1] ?? sorted[0] ?? '');
    rollbackSelect.disabled = sorted.length === 0;
  }

  function showHookSecret(res) {
    const url = res.url ? new URL(String(res.url), location.origin).href : '';
    const secret = el('input', { id: 'hook-secret', type: 'text', readonly: true, class: 'mono', spellcheck: 'false' });
    secret.value = String(res.secret ?? '');
    const copy = el('button', {
      type: 'button', class: 'btn',
      onclick: async () => {
        try {
          await navigator.clipboard.writeText(secret.value);
          ctx.toast('Secret copied.');
        } catch {
          secret.select();
          ctx.toast('Copy failed: the secret is selected, copy it with the keyboard.', 'error');
        }
      },
    }, 'Copy');
    hookPanel.replaceChildren(
      el('h3', {}, 'Webhook secret'),
      el('p', {}, 'Shown once: store it in your CI now. Sign each call with ',
        el('code', { class: 'wrap-anywhere' }, `${res.header || 'X-Fluxer-Signature'}: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`),
        ' and a new ', el('code', {}, 'X-Fluxer-Delivery: <uuid>'), ' (a replayed or older call is refused).'),
      el('label', { for: 'hook-secret' }, 'Secret'),
      el('div', { class: 'secret-row' }, secret, copy),
      url ? el('p', {}, 'Webhook URL: ', el('code', { class: 'wrap-anywhere' }, url)) : null,
      url ? el('p', {}, 'GitHub or GitLab push webhook (the secret as its secret / secret token, content type JSON): ',
        el('code', { class: 'wrap-anywhere' }, `${url}/github`), ' or ', el('code', { class: 'wrap-anywhere' }, `${url}/gitlab`),
        res.ref ? ` (deploys on pushes to ${res.ref} only).` : '.') : null,
      el('button', { type: 'button', class: 'btn', onclick: () => { hookPanel.hidden = true; hookPanel.replaceChildren(); } }, 'Hide'));
    hookPanel.hidden = false;
    secret.focus();
    secret.select();
  }

  async function load() {
    const seq = ++state.seq;
    try {
      const data = await ctx.api.get(`${API}/stacks/${enc(name)}`);
      if (!state.alive || seq !== state.seq) return;
      state.data = data || {};
      status.replaceChildren();
      const services = Array.isArray(data?.services) ? data.services : [];
      const revs = Array.isArray(data?.revisions) ? data.revisions : [];
      facts.textContent = `${data?.managed ? 'Managed here' : 'Not managed here (deployed with the docker CLI)'} · `
        + `${services.length} service(s) · ${revs.length ? `newest revision ${newest()}` : 'no stored revision'}`;
      showServices(services);
      showNodes(services);
      showRollbackOptions(revs);
      deployments.set(Array.isArray(data?.deployments) ? data.deployments : []);
      revisions.update(revs);
    } catch (err) {
      if (!state.alive || seq !== state.seq || err.code === 'aborted') return;
      status.replaceChildren(err.status === 404
        ? notice(`Stack ${name} does not exist (any more).`)
        : isUnavailable(err)
          ? notice('The control plane is not running: the stack cannot be read now.')
          : notice(`Could not load stack ${name}: ${errorText(err)}`, { alert: true }));
    }
  }

  hub.on(`deploy:${name}`, (e) => {
    if (e.type === 'state' && e.deployment) {
      deployments.upsert({ id: e.deployment, stack: e.stack, revision: e.revision, kind: e.kind, trigger: e.trigger, state: e.state, updated_at: e.at });
      if (editor && FINISHED.has(e.state)) editor.stackChanged(name);
    }
    refresh();
  });

  load();
  return end(() => editor?.destroy());
}
