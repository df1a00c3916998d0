// Cursor decisions for each catch_up policy, grace boundaries, `at`, and very long outages.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { catchUpPolicy, decide, SCAN_LIMIT, type CatchUpPolicy } from '../../src/scheduler/cursor.js';
import { slotSource } from '../../src/scheduler/slots.js';
import type { ScheduleTriggerDef } from '../../src/definition/types.js';

const t = (hhmmss: string) => Date.parse(`2024-01-01T${hhmmss}Z`);
const hm = (ms: number) => new Date(ms).toISOString().slice(11, 19);
const minutely = slotSource({ id: 's', type: 'schedule', every: '1m' }, 'a', 's');
const policy = (p: Partial<CatchUpPolicy>): CatchUpPolicy => ({ catchUp: 'skip_missed', maxCatchUp: 100, graceMs: 60_000, ...p });

function summary(d: ReturnType<typeof decide>) {
  return {
    fires: d.fires.map((f) => `${hm(f.slot)}${f.catchUp ? `:${f.catchUp}` : ''}${f.coalesced ? `x${f.coalesced}` : ''}`),
    misfire: d.misfire ? `${d.misfire.count} ${hm(d.misfire.first)}-${hm(d.misfire.last)}` : null,
    late: d.late,
    next: d.next === null ? null : hm(d.next),
  };
}

describe('cursor decisions', () => {
  const cases: Array<[string, string, string, Partial<CatchUpPolicy>, ReturnType<typeof summary>]> = [
    ['not due yet', '10:00:00', '09:59:59', {}, { fires: [], misfire: null, late: 0, next: '10:00:00' }],
    ['due exactly now', '10:00:00', '10:00:00', {}, { fires: ['10:00:00'], misfire: null, late: 0, next: '10:01:00' }],
    ['a little late is on time', '10:00:00', '10:00:59', {}, { fires: ['10:00:00'], misfire: null, late: 0, next: '10:01:00' }],
    ['late by exactly the grace is a misfire', '10:00:00', '10:01:00', {}, { fires: ['10:01:00'], misfire: '1 10:00:00-10:00:00', late: 1, next: '10:02:00' }],
    ['skip_missed: one episode, on-time slot still fires', '10:00:00', '10:10:30', {}, { fires: ['10:10:00'], misfire: '10 10:00:00-10:09:00', late: 10, next: '10:11:00' }],
    ['coalesce: one run for the latest due slot', '10:00:00', '10:10:30', { catchUp: 'coalesce' }, { fires: ['10:10:00:coalescex11'], misfire: '10 10:00:00-10:09:00', late: 10, next: '10:11:00' }],
    ['coalesce: latest missed slot when none is on time', '10:00:00', '10:10:00', { catchUp: 'coalesce', graceMs: 0 }, { fires: ['10:10:00:coalescex11'], misfire: '10 10:00:00-10:09:00', late: 11, next: '10:11:00' }],
    ['coalesce: nothing missed fires normally', '10:00:00', '10:00:10', { catchUp: 'coalesce' }, { fires: ['10:00:00'], misfire: null, late: 0, next: '10:01:00' }],
    ['replay: every missed slot in order', '10:00:00', '10:03:30', { catchUp: 'replay' }, { fires: ['10:00:00:replay', '10:01:00:replay', '10:02:00:replay', '10:03:00'], misfire: null, late: 3, next: '10:04:00' }],
    ['replay: at most max_catch_up, the latest ones; older are the episode', '10:00:00', '10:10:30', { catchUp: 'replay', maxCatchUp: 3 }, { fires: ['10:07:00:replay', '10:08:00:replay', '10:09:00:replay', '10:10:00'], misfire: '7 10:00:00-10:06:00', late: 10, next: '10:11:00' }],
    ['a finished schedule stays finished', 'none', '10:00:00', {}, { fires: [], misfire: null, late: 0, next: null }],
  ];
  for (const [what, cursor, now, p, expected] of cases) {
    test(what, () => assert.deepEqual(summary(decide(minutely, cursor === 'none' ? null : t(cursor), t(now), policy(p))), expected));
  }

  test('at: fired on time, then no next slot', () => {
    const at = slotSource({ id: 's', type: 'schedule', at: '2024-01-01T10:00:00Z' }, 'a', 's');
    assert.deepEqual(summary(decide(at, t('10:00:00'), t('10:00:01'), policy({}))), { fires: ['10:00:00'], misfire: null, late: 0, next: null });
    assert.deepEqual(summary(decide(at, t('10:00:00'), t('10:05:00'), policy({}))), { fires: [], misfire: '1 10:00:00-10:00:00', late: 1, next: null });
    assert.deepEqual(summary(decide(at, t('10:00:00'), t('10:05:00'), policy({ catchUp: 'coalesce' }))), { fires: ['10:00:00:coalescex1'], misfire: null, late: 1, next: null });
  });

  test('jittered slots are due at slot + jitter', () => {
    const jittered = slotSource({ id: 's', type: 'schedule', every: '1m', jitter: '30s' }, 'a', 's');
    const slot = t('10:00:00');
    const due = jittered.due(slot);
    assert.equal(decide(jittered, slot, due - 1, policy({})).fires.length, 0);
    assert.deepEqual(decide(jittered, slot, due, policy({})).fires, [{ slot, catchUp: null }]);
  });

  test('a two-day outage of a 1s schedule is decided quickly and lands after now', () => {
    const everySecond = slotSource({ id: 's', type: 'schedule', every: '1s' }, 'a', 's');
    const now = t('00:00:00') + 2 * 86_400_000 + 500;
    const started = performance.now();
    const d = decide(everySecond, t('00:00:00'), now, policy({ catchUp: 'replay', maxCatchUp: 5 }));
    assert.ok(performance.now() - started < 2_000);
    assert.ok(d.misfire?.truncated);
    assert.ok(d.misfire!.count >= SCAN_LIMIT - 5);
    assert.equal(d.next, now + 500);
    assert.ok(d.fires.every((f) => f.slot <= now));
  });

  test('policy defaults: skip_missed, 100, 60s', () => {
    assert.deepEqual(catchUpPolicy({ id: 's', type: 'schedule', every: '1m' } as ScheduleTriggerDef), { catchUp: 'skip_missed', maxCatchUp: 100, graceMs: 60_000 });
    assert.deepEqual(catchUpPolicy({ id: 's', type: 'schedule', every: '1m', catch_up: 'replay', max_catch_up: 5, misfire_grace: '5m' }), { catchUp: 'replay', maxCatchUp: 5, graceMs: 300_000 });
  });
});
