// One event name matcher for event triggers (compiled once per trigger) and wait_for_event (one-off).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePattern, eventNameMatches, eventTriggerNameProblems, isEventPattern, matchesPattern } from '../../src/definition/event-pattern.js';
import { validateValue } from '../../src/definition/json-schema.js';
import { waitForEventAction } from '../../src/actions/wait-for-event.js';

test('event name patterns: * is one segment, ** one or more, the rest literal (triggers and waits alike)', () => {
  const table: [string, string, boolean][] = [
    ['issue.opened', 'issue.opened', true],
    ['issue.opened', 'issue.closed', false],
    ['order.paid', 'order.paid.late', false],
    ['issue.*', 'issue.opened', true],
    ['issue.*', 'issue.comment.created', false],
    ['issue.*', 'issue', false],
    ['order.*', 'orders.paid', false],
    ['issue.**', 'issue.comment.created', true],
    ['issue.**', 'issue', false],
    ['order.**', 'order.paid', true],
    ['order.**', 'order.paid.late', true],
    ['order.**', 'orders.paid.late', false],
    ['**.late', 'order.paid.late', true],
    ['order.**.late', 'order.paid.late', true],
    ['order.**.late', 'order.late', false],
    ['*.failed', 'run.failed', true],
    ['*.paid', 'invoice.paid', true],
    ['*', 'deploy', true],
    ['*', 'run.failed', false],
    ['a+b.*', 'a+b.c', true],
    ['a+b.*', 'aab.c', false],
    ['issue.*d', 'issue.opened', false],
  ];
  for (const [pattern, name, expected] of table) {
    assert.equal(matchesPattern(compilePattern(pattern), name), expected, `trigger: ${pattern} ~ ${name}`);
    assert.equal(eventNameMatches(pattern, name), expected, `wait: ${pattern} ~ ${name}`);
  }
});

test('wait_for_event accepts exactly the names the matcher understands', () => {
  const table: [string, boolean][] = [
    ['order.paid', true],
    ['order.*', true],
    ['order.**', true],
    ['**.late', true],
    ['*', true],
    ['**', true],
    ['svc:billing.order-paid_v2', true],
    ['x'.repeat(200), true],
    ['x'.repeat(201), false],
    ['', false],
    ['order.pa*', false],
    ['order.***', false],
    ['*order', false],
    ['order paid', false],
    ['order/paid', false],
  ];
  for (const [name, ok] of table) assert.equal(validateValue(waitForEventAction.configSchema, { name }).ok, ok, name);
});

test('event trigger names: refused exactly when the matcher would compare a * (or another character) literally', () => {
  const table: [string, boolean][] = [
    ['order.created', true],
    ['order.*', true],
    ['order.**', true],
    ['svc:billing.order-paid_v2', true],
    ['ord*', false],
    ['order.>', false],
    ['order.pa*', false],
    ['*order', false],
    ['order/paid', false],
  ];
  for (const [name, ok] of table) {
    const problems = eventTriggerNameProblems({ triggers: [{ id: 'x', type: 'webhook' }, { id: 'e', type: 'event', name }] });
    assert.equal(problems.length === 0, ok, `${name}: ${JSON.stringify(problems)}`);
    if (!ok) assert.equal(problems[0]!.path, '$.triggers[1].name');
    assert.equal(isEventPattern(name), ok, name);
  }
  // what the schema reports (spaces, length) is not reported twice
  assert.deepEqual(eventTriggerNameProblems({ triggers: [{ type: 'event', name: 'order paid' }, { type: 'event', name: '' }] }), []);
  // refused names could never fire: a published name ([A-Za-z0-9_.:-]) never holds * or >
  assert.equal(eventNameMatches('ord*', 'order.created'), false);
  assert.equal(eventNameMatches('order.>', 'order.created'), false);
  // and every accepted pattern's * segments are wildcards, not literals
  for (const [name, ok] of table) {
    if (!ok || !name.includes('*')) continue;
    assert.equal(compilePattern(name).kind, 'wildcard', name);
  }
});
