// Unit tests of the dashboard's pure modules under Node (node --test): the diff, the audit and log
// formatting, namespace options in the settings form, and the shared number formats.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collapse, diffLines, diffStats, splitLines } from '../../main/resources/META-INF/fluxer-dashboard/js/pages/diff.js';
import { actionLabel, auditQuery, detailFacts, resultKind } from '../../main/resources/META-INF/fluxer-dashboard/js/format/audit.js';
import {
  clock, compileFilter, jsonLine, levelKind, lineKey, matchRanges, matches, source, tsKey,
} from '../../main/resources/META-INF/fluxer-dashboard/js/format/logs.js';
import { fmt } from '../../main/resources/META-INF/fluxer-dashboard/js/ui.js';
import {
  changes, durationWords, formValues, optionsFrom, parseDuration, shown, splitDuration,
} from '../../main/resources/META-INF/fluxer-dashboard/js/format/namespace.js';

test('a diff of one changed line is one removal then one addition, with line numbers', () => {
  const d = diffLines('a\nb\nc\n', 'a\nB\nc\n');
  assert.deepEqual(d.map((x) => [x.type, x.text, x.oldLine, x.newLine]), [
    ['same', 'a', 1, 1], ['del', 'b', 2, null], ['add', 'B', null, 2], ['same', 'c', 3, 3]]);
  assert.deepEqual(diffStats(d), { added: 1, removed: 1, same: 2 });
});

test('a diff of equal texts has no change; CRLF and LF texts are equal', () => {
  assert.ok(diffLines('x\r\ny\r\n', 'x\ny').every((x) => x.type === 'same'));
  assert.deepEqual(splitLines(''), []);
  assert.deepEqual(splitLines('a\n'), ['a']);
});

test('collapse keeps the context around changes and folds the rest', () => {
  const before = Array.from({ length: 30 }, (_, i) => `line ${i}`);
  const after = before.slice();
  after[15] = 'changed';
  const parts = collapse(diffLines(before, after), 2);
  assert.deepEqual(parts.map((p) => [p.type, p.lines.length]), [['skip', 13], ['lines', 6], ['skip', 12]]);
  assert.ok(parts[1].lines.some((op) => op.type === 'add' && op.text === 'changed'));
});

test('audit actions read as words; unknown sub-actions keep their last part', () => {
  assert.equal(actionLabel('key.create'), 'Create API key');
  assert.equal(actionLabel('stack.hook.rotate'), 'Webhook (rotate)');
  assert.equal(actionLabel('something'), 'something');
  assert.equal(resultKind('accepted'), 'up');
  assert.equal(resultKind('refused'), 'draining');
  assert.equal(resultKind('failed'), 'down');
});

test('audit detail facts come in a fixed order, long values cut, unknown keys left out', () => {
  const facts = detailFacts({ node: 'n1', status: 201, secret: 'x', error: 'e'.repeat(300) });
  assert.deepEqual(facts.map(([k]) => k), ['status', 'error', 'node']);
  assert.equal(facts[1][1].length, 201);
  assert.deepEqual(detailFacts(null), []);
});

test('the audit query leaves out empty filters and encodes the others', () => {
  assert.equal(auditQuery({ stack: ' shop ', actor: '', action: 'key', limit: 50 }), '?stack=shop&action=key&limit=50');
  assert.equal(auditQuery({ actor: 'a b&c' }), '?actor=a+b%26c');
  assert.equal(auditQuery({}), '');
});

test('log timestamps sort as time even when the engine drops trailing zeros', () => {
  const a = tsKey('2026-11-23T11:28:41.39Z');
  const b = tsKey('2026-11-23T11:28:41.390000001Z');
  const c = tsKey('2026-11-23T11:28:41Z');
  assert.ok(c < a && a < b, `${c} < ${a} < ${b}`);
  assert.equal(tsKey('not a time'), '');
  assert.equal(clock('2026-11-23T11:28:41.390029837Z'), '11:28:41.390');
});

test('a log line is attributed by slot and node hostname, within its stack', () => {
  assert.equal(source('shop_web', { slot: 2, node: 'manager-1' }, 'shop'), 'web.2 on manager-1');
  assert.equal(source('shop_web', { node_id: 'abcdefghijklmnop' }, ''), 'shop_web on abcdefghijkl');
  assert.notEqual(lineKey('s', { task: 't', ts: '1', text: 'a' }), lineKey('s', { task: 't', ts: '1', text: 'b' }));
});

test('JSON lines give their level, message and other fields; other text is not JSON', () => {
  const j = jsonLine('{"level":"warn","msg":"slow","ms":1200,"time":"x","ctx":{"a":1}}');
  assert.deepEqual(j, { level: 'warn', message: 'slow', fields: [['ms', '1200'], ['ctx', '{"a":1}']] });
  assert.equal(jsonLine('plain text'), null);
  assert.equal(jsonLine('{not json}'), null);
  assert.equal(jsonLine('[1,2]'), null);
  assert.equal(levelKind('ERROR'), 'error');
  assert.equal(levelKind('warning'), 'warn');
  assert.equal(levelKind(30), 'info');
  assert.equal(levelKind('chatty'), null);
});

test('the log filter marks every non-empty match and reports an invalid expression', () => {
  const { regex } = compileFilter('err');
  assert.ok(matches(regex, 'An ERR here'), 'lower case matches any case');
  assert.ok(matches(regex, 'An ERR here'), 'twice: no state kept between tests');
  assert.deepEqual(matchRanges('err1 err2', regex), [[0, 3], [5, 8]]);
  assert.deepEqual(matchRanges('abc', compileFilter('x*').regex), []);
  assert.ok(compileFilter('(').error);
  assert.equal(compileFilter('').regex, null);
  assert.equal(matches(compileFilter('Err').regex, 'err'), false, 'mixed case is case-sensitive');
});

test('numbers, bytes and durations are formatted for people', () => {
  assert.equal(fmt.int(1234567), '1,234,567');
  assert.equal(fmt.int(NaN), '–');
  assert.equal(fmt.bytes(1536), '1.5 KiB');
  assert.equal(fmt.duration(3725), '1h 2m');
  assert.equal(fmt.duration(59), '59s');
});


test('durations read as the relay writes them and show in the largest whole unit', () => {
  assert.equal(parseDuration('300000ms'), 300000);
  assert.equal(parseDuration('60'), 60000);
  assert.equal(parseDuration('2h'), 7200000);
  assert.equal(parseDuration('5 minutes'), null);
  assert.deepEqual(splitDuration(300000), { value: 5, unit: 'm' });
  assert.deepEqual(splitDuration(1500), { value: 1500, unit: 'ms' });
  assert.equal(durationWords(3600000), '1 hour');
  assert.equal(durationWords(300000), '5 minutes');
});

test('a namespace round-trips through the form: the same options come back', () => {
  const ns = { name: 'chat', history_size: 10, history_ttl: '300000ms', presence: true, allow_subscribe_for_client: true,
    allowed_delta_types: ['fossil'], allow_subscribe_for_role: 'ops' };
  const back = optionsFrom(formValues(ns));
  assert.deepEqual(back, { history_size: 10, history_ttl: '5m', presence: true, allow_subscribe_for_client: true,
    allow_subscribe_for_role: 'ops', allowed_delta_types: ['fossil'] });
  assert.deepEqual(changes(ns, back), [], 'a duration written otherwise is no change');
});

test('a save lists exactly what changes, in words', () => {
  const before = { history_size: 10, history_ttl: '300000ms', presence: true };
  const after = { history_size: 10, history_ttl: '10m', join_leave: true };
  assert.deepEqual(changes(before, after).map((c) => [c.key, c.before, c.after]), [
    ['history_ttl', '5 minutes', '10 minutes'], ['presence', 'on', 'off'], ['join_leave', 'off', 'on']]);
  assert.equal(shown('channel_regex', ''), '–');
});

test('the form refuses what cannot be sent, naming the field', () => {
  const values = formValues({});
  values.history_size = -1;
  assert.throws(() => optionsFrom(values), /Publications kept/);
  values.history_size = 5;
  values.history_ttl = { value: '1.5', unit: 'm' };
  assert.throws(() => optionsFrom(values), /Kept for/);
});
