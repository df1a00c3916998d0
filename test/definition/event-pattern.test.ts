// One event name matcher for event triggers (compiled once per trigger) and wait_for_event (one-off).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePattern, eventNameMatches, matchesPattern } from '../../src/definition/event-pattern.js';
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
