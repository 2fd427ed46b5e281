// Unit tests of the deployments pages' pure modules under Node: js/format/deployments.js (tasks by
// node, timelines, the failing task, deployment merges) and js/util.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FINISHED, STACK_NAME, failureOf, href, mergeDeployment, newestFirst, nodeName, problemLines, replicasText,
  shortId, stateClass, taskFailed, taskLines, tasksByNode, timelineEntry,
} from '../../main/resources/META-INF/fluxer-dashboard/js/format/deployments.js';
import { errorText, isUnavailable, parsed, safeCall } from '../../main/resources/META-INF/fluxer-dashboard/js/util.js';

test('stack names, links and short ids', () => {
  assert.ok(STACK_NAME.test('shop') && STACK_NAME.test('a-b_c1') && STACK_NAME.test('x'));
  assert.ok(!STACK_NAME.test('-shop') && !STACK_NAME.test('shop_') && !STACK_NAME.test('a b') && !STACK_NAME.test('a'.repeat(51)));
  assert.equal(href.stack('my stack'), '#/deployments/stack/my%20stack');
  assert.equal(href.deployment('0c8a-1'), '#/deployments/deployment/0c8a-1');
  assert.equal(shortId('0c8a1234-aaaa'), '0c8a1234');
  assert.equal(stateClass('rolled_back'), 'rolled_back');
  assert.equal(stateClass('<b>'), 'b');
  assert.equal(stateClass(null), 'unknown');
  assert.ok(FINISHED.has('rolled_back') && !FINISHED.has('converging'));
});

test('a node is named by its hostname, else a short id, else unassigned', () => {
  assert.equal(nodeName({ node_id: 'vwos6bnud9t1xt9crz06lik2m', node: 'manager-1' }), 'manager-1');
  assert.equal(nodeName({ node_id: 'vwos6bnud9t1xt9crz06lik2m', node: 'vwos6bnud9t1xt9crz06lik2m' }), 'vwos6bnud9t1');
  assert.equal(nodeName({ node_id: 'vwos6bnud9t1xt9crz06lik2m' }), 'vwos6bnud9t1');
  assert.equal(nodeName({}), 'unassigned');
});

test('tasks are grouped by node hostname, wanted-running first, then by service and slot', () => {
  const services = [
    { name: 's_web', tasks: [
      { id: 't3', slot: 2, node_id: 'n2', node: 'beta', state: 'running', desired_state: 'running' },
      { id: 't1', slot: 1, node_id: 'n1', node: 'alpha', state: 'failed', desired_state: 'shutdown', error: 'task: non-zero exit (3)', exit_code: 3 },
      { id: 't2', slot: 1, node_id: 'n1', node: 'alpha', state: 'running', desired_state: 'running' },
    ] },
    { name: 's_db', tasks: [{ id: 't4', slot: 1, node_id: 'n1', node: 'alpha', state: 'running', desired_state: 'running' }, null] },
    { name: 's_none' },
  ];
  const groups = tasksByNode(services);
  assert.deepEqual(groups.map((g) => [g.node, g.nodeId]), [['alpha', 'n1'], ['beta', 'n2']]);
  assert.deepEqual(groups[0].tasks.map((t) => t.id), ['t4', 't2', 't1']);
  assert.equal(groups[0].tasks[0].name, 's_db.1');
  assert.equal(groups[0].tasks[2].exit_code, 3);
  assert.deepEqual(tasksByNode(null), []);
});

test('replicas are running/desired; a global service wants the tasks it keeps running', () => {
  assert.equal(replicasText({ mode: 'replicated', replicas: 3, running: 2, tasks: [] }), '2/3');
  assert.equal(replicasText({ mode: 'global', replicas: null, running: 1,
    tasks: [{ desired_state: 'running' }, { desired_state: 'running' }, { desired_state: 'shutdown' }] }), '1/2');
  assert.equal(replicasText({}), '0/0');
});

test('stored and live timeline events give the same entry and key', () => {
  const live = { type: 'task', deployment: 'd', stack: 's', service: 's_web', task: 'x1', slot: 1, node: 'manager-1', node_id: 'n1',
    state: 'failed', desired_state: 'shutdown', error: 'task: non-zero exit (3)', exit_code: 3, at: '2026-11-23T10:42:27.020Z' };
  const stored = { at: '2026-11-23T10:42:27.100Z', state: 'converging', message: 'task s_web.1 failed: task: non-zero exit (3)', detail: live };
  const a = timelineEntry(live);
  const b = timelineEntry(stored);
  assert.equal(a.key, b.key);
  assert.equal(a.kind, 'task');
  assert.equal(a.message, 'task s_web.1 failed: task: non-zero exit (3)');
  assert.deepEqual([b.task.name, b.task.node, b.task.exit_code], ['s_web.1', 'manager-1', 3]);
  assert.equal(b.state, 'failed', 'a stored task note says the task\'s state, not the deployment\'s');
  assert.deepEqual(timelineEntry({ type: 'state', state: 'failed', message: 'm' }), { key: 'state:failed', kind: 'state', at: null, state: 'failed', message: 'm' });
  assert.equal(timelineEntry({ at: 'x', state: 'queued', message: 'deploy requested', detail: {} }).key, 'state:queued');
  assert.equal(timelineEntry({ type: 'rollback', result: 'failed', message: 'did not converge' }).kind, 'rollback');
  assert.equal(timelineEntry({ state: 'failed', message: 'r', detail: { rollback: 'failed' } }).kind, 'rollback');
  assert.equal(timelineEntry({ type: 'other' }), null);
  assert.equal(timelineEntry(null), null);
});

test('a failed deployment names its last task with an exit code; one that did not fail names none', () => {
  const task = (id, state, extra = {}) => timelineEntry({ type: 'task', service: 's_web', task: id, slot: 1, node: 'h', node_id: 'n', state, ...extra });
  const entries = [
    timelineEntry({ type: 'state', state: 'converging', message: 'waiting' }),
    task('a', 'running'),
    task('a', 'failed', { error: 'task: non-zero exit (3)', exit_code: 3 }),
    task('b', 'rejected', { error: 'No such image' }),
    timelineEntry({ type: 'state', state: 'failed', message: 'the engine rolled back the update of s_web' }),
    timelineEntry({ type: 'state', state: 'rolled_back', message: 'back' }),
  ];
  const why = failureOf('rolled_back', entries);
  assert.equal(why.message, 'the engine rolled back the update of s_web');
  assert.deepEqual([why.task.task, why.task.exit_code, why.task.error], ['a', 3, 'task: non-zero exit (3)']);
  assert.equal(failureOf('succeeded', entries.slice(0, 2)), null);
  assert.equal(failureOf('converging', entries.slice(0, 3)), null);
  const noTask = failureOf('failed', [timelineEntry({ type: 'state', state: 'failed', message: 'deadline' })]);
  assert.deepEqual(noTask, { message: 'deadline', task: null });
  const rejected = failureOf('failed', [task('b', 'rejected', { error: 'No such image' })]);
  assert.equal(rejected.task.error, 'No such image');
  assert.ok(taskFailed({ state: 'complete', exit_code: 1 }) && !taskFailed({ state: 'complete', exit_code: 0 }) && !taskFailed(null));
});

test('a task\'s log lines: its stderr when it wrote any, else all its lines, the last ones', () => {
  const lines = [
    { task: 'a', stream: 'stdout', text: 'starting' },
    { task: 'b', stream: 'stderr', text: 'other task' },
    { task: 'a', stream: 'stderr', text: 'boom' },
  ];
  assert.deepEqual(taskLines(lines, 'a'), ['boom']);
  assert.deepEqual(taskLines(lines.slice(0, 1), 'a'), ['starting']);
  assert.deepEqual(taskLines(Array.from({ length: 20 }, (_, i) => ({ task: 'a', stream: 'stderr', text: String(i) })), 'a', 3), ['17', '18', '19']);
  assert.deepEqual(taskLines(undefined, 'a'), []);
});

test('a deployment\'s state never goes back; missing fields keep their value', () => {
  const d = mergeDeployment({ id: 'd', stack: 's', state: 'converging', revision: 2 }, { state: 'updating', revision: null, kind: 'deploy', timeline: [1] });
  assert.deepEqual(d, { id: 'd', stack: 's', state: 'converging', revision: 2, kind: 'deploy' });
  assert.equal(mergeDeployment(d, { state: 'rolled_back' }).state, 'rolled_back');
  assert.equal(mergeDeployment(null, { id: 'x', state: 'queued' }).state, 'queued');
  assert.deepEqual(newestFirst([{ id: 1, created_at: '2026-01-01' }, { id: 2, created_at: '2026-02-01' }, { id: 3, updated_at: '2026-03-01' }])
    .map((x) => x.id), [3, 2, 1]);
});

test('a refused deploy\'s problems read as lines', () => {
  const err = { status: 400, body: { error: { message: 'bad', problems: [
    { key: 'services.a.deploy.replicas', message: 'must be an integer', line: 13, column: 17 },
    { message: 'no services' }] } } };
  assert.deepEqual(problemLines(err), ['services.a.deploy.replicas: must be an integer (line 13, column 17)', 'no services']);
  assert.deepEqual(problemLines(new Error('x')), []);
});

test('util: parsed data, safe calls, errors in words', () => {
  assert.deepEqual(parsed('{"a":1}'), { a: 1 });
  assert.equal(parsed('not json'), null);
  assert.deepEqual(parsed({ b: 2 }), { b: 2 });
  assert.equal(parsed(3), null);
  safeCall(() => { throw new Error('gone'); });
  safeCall(null);
  assert.ok(isUnavailable({ status: 503 }) && isUnavailable({ status: 502 }) && !isUnavailable({ status: 500 }) && !isUnavailable(null));
  assert.match(errorText({ status: 503 }), /control plane is not running/);
  assert.equal(errorText({ status: 0, message: 'cannot reach the relay' }), 'Cannot reach the relay');
  assert.equal(errorText({ status: 404, message: 'no stack x' }), 'no stack x');
  assert.equal(errorText(null), 'unknown error');
});
