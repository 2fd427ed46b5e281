// Unit tests of the stack editor's pure part (js/pages/plan.js) under Node: variables, the request
// body, the dry run's answer as the editor shows it, and line ranges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ACTIONS, lineRange, parseEnv, planView, requestBody, summaryText,
} from '../../main/resources/META-INF/fluxer-dashboard/js/pages/plan.js';

test('variables are KEY=value lines; blanks and comments are skipped, other lines reported by number', () => {
  const { vars, bad } = parseEnv('A=1\n\n# note\n B = two=2 \nnot a pair\n=empty key\nC=');
  assert.deepEqual(vars, { A: '1', B: ' two=2 ', C: '' });
  assert.deepEqual(bad, [5, 6]);
  assert.deepEqual(parseEnv(undefined), { vars: {}, bad: [] });
  assert.deepEqual(parseEnv('X=1\r\nY=2').vars, { X: '1', Y: '2' });
});

test('the request body carries env and prune only when given', () => {
  assert.deepEqual(requestBody('services: {}', {}, false), { stackFile: 'services: {}' });
  assert.deepEqual(requestBody('f', { A: '1' }, true), { stackFile: 'f', env: { A: '1' }, prune: true });
  assert.deepEqual(requestBody('f', null, false), { stackFile: 'f' });
});

test('a plan with errors is not deployable; problems are sorted by line, those without a line last', () => {
  const view = planView({
    errors: [
      { key: 'services.web.deploy.replicas', message: 'must be an integer', line: 6, column: 17 },
      { message: 'no services' },
      { key: 'services.a', message: 'x', line: 2 },
    ],
    warnings: [{ key: 'services.web.container_name', message: 'not applied', line: 4 }],
    services: [{ name: 's_web', action: 'create' }],
  });
  assert.equal(view.deployable, false);
  assert.deepEqual(view.errors.map((e) => e.line), [2, 6, null]);
  assert.equal(view.errors[1].where, 'line 6, column 17');
  assert.equal(view.errors[1].column, 17);
  assert.equal(view.errors[2].where, '');
  assert.equal(view.warnings[0].where, 'line 4');
  assert.equal(view.summaryText, '3 errors: nothing can be deployed');
});

test('a plan without errors counts the services by action, in the order the summary lists them', () => {
  const view = planView({
    services: [
      { name: 's_web', action: 'update', changes: ['TaskTemplate.ContainerSpec.Env[GREETING]'] },
      { name: 's_worker', action: 'unchanged' },
      { name: 's_new', action: 'create' },
      { name: 's_old', action: 'keep' },
      { name: 's_x', action: 'unchanged', changes: null },
    ],
  });
  assert.equal(view.deployable, true);
  assert.deepEqual(view.summary, { create: 1, update: 1, remove: 0, unchanged: 2, keep: 1 });
  assert.equal(view.summaryText, '1 to create · 1 to update · 2 unchanged · 1 kept (not in the file)');
  assert.deepEqual(view.services[0].changes, ['TaskTemplate.ContainerSpec.Env[GREETING]']);
  assert.deepEqual(view.services[4].changes, []);
  assert.deepEqual(ACTIONS.map(([a]) => a), ['create', 'update', 'remove', 'unchanged', 'keep']);
});

test('an empty or odd answer gives an empty, deployable plan', () => {
  for (const answer of [null, {}, { services: 'no', errors: 3 }]) {
    const view = planView(answer);
    assert.equal(view.deployable, true);
    assert.deepEqual(view.services, []);
    assert.equal(view.summaryText, 'no services');
  }
  assert.equal(summaryText({ update: 1 }, 1), '1 error: nothing can be deployed');
  assert.equal(summaryText({ remove: 2 }), '2 to remove');
});

test('a line range is [start, end) of that line, clamped to the text', () => {
  const text = 'a\nbb\n\nccc';
  assert.deepEqual(lineRange(text, 1), [0, 1]);
  assert.deepEqual(lineRange(text, 2), [2, 4]);
  assert.deepEqual(lineRange(text, 3), [5, 5]);
  assert.deepEqual(lineRange(text, 4), [6, 9]);
  assert.deepEqual(lineRange(text, 9), [9, 9]);
  assert.deepEqual(lineRange('', 1), [0, 0]);
});
