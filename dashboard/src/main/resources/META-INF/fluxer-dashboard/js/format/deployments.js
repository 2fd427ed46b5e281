// The deployments pages' data, shaped for display: dates, names, states, tasks grouped by node, a
// deployment's timeline and the task that made it fail. Pure: no DOM, no fetch, so it runs under Node.

/** A stack name the control plane accepts. */
export const STACK_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,48}[A-Za-z0-9])?$/;

/** How far along a deployment is: a state never goes back to a lower rank. */
export const STATE_RANK = { queued: 0, updating: 1, converging: 2, succeeded: 3, failed: 3, rolled_back: 4 };

/** The states a deployment ends in. */
export const FINISHED = new Set(['succeeded', 'failed', 'rolled_back']);

/** Task states that mean the task did not do its job. */
const TASK_FAILED = new Set(['failed', 'rejected', 'orphaned']);

/** The hash links of the three views. */
export const href = {
  stacks: () => '#/deployments',
  stack: (name) => `#/deployments/stack/${encodeURIComponent(name)}`,
  deployment: (id) => `#/deployments/deployment/${encodeURIComponent(id)}`,
};

/** The first 8 characters of an ID. */
export function shortId(id) {
  return typeof id === 'string' ? id.slice(0, 8) : String(id ?? '');
}

/** Epoch ms of an ISO time (nanosecond fractions allowed), NaN when it is none. */
export function timeOf(iso) {
  return Date.parse(String(iso ?? '').replace(/(\.\d{3})\d+/, '$1'));
}

/** An ISO time as local date and time, '—' when absent, the text itself when it is no time. */
export function dateTime(iso) {
  if (!iso) return '—';
  const t = timeOf(iso);
  if (Number.isNaN(t)) return String(iso);
  return new Date(t).toLocaleString(undefined, {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
}

/** An ISO time as the local time of day. */
export function clockTime(iso) {
  const t = timeOf(iso);
  return Number.isNaN(t) ? String(iso ?? '') : new Date(t).toLocaleTimeString();
}

/** A state as a CSS class suffix (letters and _ only). */
export function stateClass(state) {
  return String(state ?? 'unknown').replace(/[^a-z_]/gi, '') || 'unknown';
}

/**
 * A deployment's fields updated with `next`'s (null and undefined leave a field as it was); its state
 * never moves back (deploy:all may deliver a state after deploy:<stack> delivered the next one).
 */
export function mergeDeployment(current, next) {
  const { timeline: _ignored, ...fields } = next || {};
  const merged = { ...(current || {}) };
  for (const [k, v] of Object.entries(fields)) {
    if (v !== undefined && v !== null) merged[k] = v;
  }
  const before = current?.state;
  if (before && fields.state && (STATE_RANK[fields.state] ?? 0) < (STATE_RANK[before] ?? 0)) merged.state = before;
  return merged;
}

/** Newest first by created_at (else updated_at). */
export function newestFirst(deployments) {
  const when = (d) => String(d?.created_at || d?.updated_at || '');
  return [...deployments].sort((a, b) => when(b).localeCompare(when(a)));
}

/** A task's name as the engine gives it: `<service>.<slot>` (replicated) or the service and a short ID. */
export function taskName(service, task) {
  return task?.slot ? `${service}.${task.slot}` : `${service} ${shortId(task?.id ?? task?.task)}`;
}

/** The node a task runs on as people know it: its hostname, else a short ID, else 'unassigned'. */
export function nodeName(task) {
  const id = task?.node_id;
  const node = task?.node;
  if (node && node !== id) return node;
  return id ? id.slice(0, 12) : 'unassigned';
}

/**
 * The tasks of a stack's services grouped by node, nodes by name:
 * [{node, nodeId, tasks: [{service, name, id, state, desired_state, error, exit_code, current_spec, updated_at}]}].
 * Within a node, tasks the swarm wants running come first, then by service and slot, newest first.
 */
export function tasksByNode(services) {
  const nodes = new Map();
  for (const s of Array.isArray(services) ? services : []) {
    for (const t of Array.isArray(s?.tasks) ? s.tasks : []) {
      if (!t) continue;
      const key = t.node_id || '';
      if (!nodes.has(key)) nodes.set(key, { node: nodeName(t), nodeId: t.node_id || null, tasks: [] });
      nodes.get(key).tasks.push({
        service: s.name, name: taskName(s.name, t), id: t.id, slot: t.slot ?? 0, state: t.state ?? 'unknown',
        desired_state: t.desired_state ?? null, error: t.error || null, exit_code: t.exit_code ?? null,
        current_spec: t.current_spec, updated_at: t.updated_at ?? null,
      });
    }
  }
  const running = (t) => (t.desired_state === 'running' ? 0 : 1);
  for (const n of nodes.values()) {
    n.tasks.sort((a, b) => running(a) - running(b) || a.service.localeCompare(b.service) || a.slot - b.slot
      || String(b.updated_at ?? '').localeCompare(String(a.updated_at ?? '')));
  }
  return [...nodes.values()].sort((a, b) => a.node.localeCompare(b.node));
}

/** A service's replicas as "running/desired" (a global service wants one per task it keeps running). */
export function replicasText(service) {
  const tasks = Array.isArray(service?.tasks) ? service.tasks : [];
  const wanted = tasks.filter((t) => t && t.desired_state === 'running').length;
  const desired = service?.mode === 'global' || service?.replicas == null ? wanted : service.replicas;
  return `${service?.running ?? 0}/${desired ?? 0}`;
}

/**
 * One entry of a deployment's timeline, stored (`{at, state, message, detail}`) or live (a
 * deploy:<stack> event), as {key, kind: 'state'|'task'|'rollback', at, state, message, task?}; null
 * for anything else. `key` is the same for the stored and the live form of one event.
 */
export function timelineEntry(e) {
  if (!e || typeof e !== 'object') return null;
  const task = e.type === 'task' ? e : e.detail?.type === 'task' ? e.detail : null;
  if (task) {
    const entry = {
      service: task.service ?? '', slot: task.slot ?? 0, task: task.task ?? null, node: nodeName(task),
      node_id: task.node_id ?? null, state: task.state ?? 'unknown', desired_state: task.desired_state ?? null,
      error: task.error || null, exit_code: task.exit_code ?? null,
    };
    const name = taskName(entry.service, { slot: entry.slot, task: entry.task });
    return {
      key: `task:${entry.task}:${entry.state}`, kind: 'task', at: e.at ?? task.at ?? null, state: entry.state,
      message: e.message ?? `task ${name} ${entry.state}${entry.error ? `: ${entry.error}` : ''}`, task: { ...entry, name },
    };
  }
  if (e.type === 'rollback' || e.detail?.rollback === 'failed') {
    return { key: `rollback:${e.result ?? e.detail?.rollback}`, kind: 'rollback', at: e.at ?? null, state: 'failed', message: e.message ?? '' };
  }
  if (e.type === 'state' || (e.type === undefined && e.state)) {
    return { key: `state:${e.state}`, kind: 'state', at: e.at ?? null, state: e.state, message: e.message ?? '' };
  }
  return null;
}

/** Whether a task entry says the task failed: a failed state, an error, or a non-zero exit code. */
export function taskFailed(task) {
  return Boolean(task) && (TASK_FAILED.has(task.state) || Boolean(task.error)
    || (task.exit_code != null && task.exit_code !== 0));
}

/**
 * Why a deployment failed, from its timeline entries (timelineEntry): {message, task} where message is
 * the failed state's message and task the last failing task (with its error and exit code), or null;
 * null when the deployment did not fail.
 */
export function failureOf(state, entries) {
  const list = (Array.isArray(entries) ? entries : []).filter(Boolean);
  const failedState = [...list].reverse().find((e) => e.kind === 'state' && e.state === 'failed');
  if (state !== 'failed' && state !== 'rolled_back' && !failedState) return null;
  const tasks = list.filter((e) => e.kind === 'task' && taskFailed(e.task)).map((e) => e.task);
  // the task with an exit code or error says most; the last such is the newest
  const task = [...tasks].reverse().find((t) => t.exit_code != null && t.exit_code !== 0)
    ?? [...tasks].reverse().find((t) => t.error) ?? tasks[tasks.length - 1] ?? null;
  return { message: failedState?.message ?? '', task };
}

/** A failing task in words: "exit code 3" and the engine's error. */
export function exitText(task) {
  if (!task) return '';
  return task.exit_code != null ? `exit code ${task.exit_code}` : 'no exit code';
}

/** The lines of a task among a service's recent log lines (GET .../logs), stderr first when any. */
export function taskLines(lines, taskId, max = 10) {
  const mine = (Array.isArray(lines) ? lines : []).filter((l) => l && l.task === taskId);
  const stderr = mine.filter((l) => l.stream === 'stderr');
  return (stderr.length ? stderr : mine).slice(-max).map((l) => String(l.text ?? ''));
}

/** Problems of a refused deploy (the error body's problems) as lines of text. */
export function problemLines(err) {
  const candidates = [err?.body, err?.data, err];
  for (const c of candidates) {
    const list = c?.error?.problems ?? c?.problems;
    if (Array.isArray(list)) {
      return list.map((p) => [p?.key, p?.message].filter(Boolean).join(': ')
        + (p?.line != null ? ` (line ${p.line}${p.column != null ? `, column ${p.column}` : ''})` : ''));
    }
  }
  return [];
}
