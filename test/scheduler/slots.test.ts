// Fire times of cron/every/at schedules, table-driven: DST in several zones, croner's L/#/W and
// seconds, `every` anchored to its slots, and strictly-after semantics.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nextSlot, nextSlots, scheduleHash, scheduleSpec, slotSource } from '../../src/scheduler/slots.js';
import { fireId, jitterOffset } from '../../src/scheduler/fire-id.js';
import type { ScheduleTriggerDef } from '../../src/definition/types.js';

const t = (iso: string) => Date.parse(iso);
const isos = (slots: number[]) => slots.map((s) => new Date(s).toISOString().replace('.000Z', 'Z'));
const sched = (fields: Partial<ScheduleTriggerDef>): ScheduleTriggerDef => ({ id: 's', type: 'schedule', ...fields });

describe('slots: cron in time zones (DST per SPEC §4)', () => {
  const cases: Array<[string, string, string, string, string[]]> = [
    // [what, cron, timezone, after, expected next slots]
    ['NY spring-forward: 02:30 does not exist, fires once at 03:00 EDT', '30 2 * * *', 'America/New_York', '2024-03-09T12:00:00Z', ['2024-03-10T07:00:00Z', '2024-03-11T06:30:00Z']],
    ['NY spring-forward: 01:30 exists (EST)', '30 1 * * *', 'America/New_York', '2024-03-09T12:00:00Z', ['2024-03-10T06:30:00Z', '2024-03-11T05:30:00Z']],
    ['NY fall-back: 01:30 happens twice, fires once (EDT)', '30 1 * * *', 'America/New_York', '2024-11-02T12:00:00Z', ['2024-11-03T05:30:00Z', '2024-11-04T06:30:00Z']],
    ['NY fall-back: 02:30 once, in EST', '30 2 * * *', 'America/New_York', '2024-11-02T12:00:00Z', ['2024-11-03T07:30:00Z', '2024-11-04T07:30:00Z']],
    ['NY fall-back: after the first 01:30 the second one does not fire', '30 1 * * *', 'America/New_York', '2024-11-03T05:30:00Z', ['2024-11-04T06:30:00Z']],
    ['Berlin spring-forward: 02:30 → 03:00 CEST', '30 2 * * *', 'Europe/Berlin', '2024-03-30T12:00:00Z', ['2024-03-31T01:00:00Z', '2024-04-01T00:30:00Z']],
    ['Berlin fall-back: 02:30 fires once', '30 2 * * *', 'Europe/Berlin', '2024-10-26T12:00:00Z', ['2024-10-27T00:30:00Z', '2024-10-28T01:30:00Z']],
    ['Berlin weekdays at 9', '0 9 * * 1-5', 'Europe/Berlin', '2024-03-29T12:00:00Z', ['2024-04-01T07:00:00Z', '2024-04-02T07:00:00Z']],
    ['Kigali: UTC+2, no DST', '0 9 * * *', 'Africa/Kigali', '2024-03-30T00:00:00Z', ['2024-03-30T07:00:00Z', '2024-03-31T07:00:00Z', '2024-04-01T07:00:00Z']],
    ['Lord Howe spring (+30 min): 02:15 does not exist, fires at 02:30 +11', '15 2 * * *', 'Australia/Lord_Howe', '2024-10-05T00:00:00Z', ['2024-10-05T15:30:00Z', '2024-10-06T15:15:00Z']],
    ['Lord Howe fall (-30 min): 01:45 happens twice, fires once', '45 1 * * *', 'Australia/Lord_Howe', '2024-04-06T00:00:00Z', ['2024-04-06T14:45:00Z', '2024-04-07T15:15:00Z']],
    ['UTC default', '0 0 * * *', 'UTC', '2024-01-01T00:00:00Z', ['2024-01-02T00:00:00Z']],
  ];
  for (const [what, cron, tz, after, expected] of cases) {
    test(what, () => {
      assert.deepEqual(isos(nextSlots(scheduleSpec(sched({ cron, timezone: tz })), t(after), expected.length)), expected);
    });
  }
});

describe('slots: cron syntax', () => {
  const cases: Array<[string, string, string, string[]]> = [
    ['L: last day of the month', '0 0 L * *', '2024-02-01T00:00:00Z', ['2024-02-29T00:00:00Z', '2024-03-31T00:00:00Z']],
    ['#: second Friday', '0 0 * * 5#2', '2024-02-01T00:00:00Z', ['2024-02-09T00:00:00Z', '2024-03-08T00:00:00Z']],
    ['W: weekday nearest the 15th (15 June 2024 is a Saturday)', '0 0 15W * *', '2024-06-01T00:00:00Z', ['2024-06-14T00:00:00Z', '2024-07-15T00:00:00Z']],
    ['seconds field', '*/15 * * * * *', '2024-01-01T00:00:00Z', ['2024-01-01T00:00:15Z', '2024-01-01T00:00:30Z', '2024-01-01T00:00:45Z']],
    ['@hourly alias', '@hourly', '2024-01-01T00:10:00Z', ['2024-01-01T01:00:00Z', '2024-01-01T02:00:00Z']],
    ['strictly after: exactly on a slot gives the next one', '0 * * * *', '2024-01-01T01:00:00Z', ['2024-01-01T02:00:00Z']],
    ['strictly after: one ms before a slot gives that slot', '0 * * * *', '2024-01-01T00:59:59.999Z', ['2024-01-01T01:00:00Z']],
    ['strictly after: within the slot second gives the next one', '* * * * * *', '2024-01-01T00:00:00.500Z', ['2024-01-01T00:00:01Z']],
  ];
  for (const [what, cron, after, expected] of cases) {
    test(what, () => assert.deepEqual(isos(nextSlots(scheduleSpec(sched({ cron })), t(after), expected.length)), expected));
  }
});

describe('slots: every and at', () => {
  const cases: Array<[string, Partial<ScheduleTriggerDef>, string, string[]]> = [
    ['every 1h: epoch-aligned, not aligned to when it was created', { every: '1h' }, '2024-01-01T00:30:00Z', ['2024-01-01T01:00:00Z', '2024-01-01T02:00:00Z']],
    ['every 1h: strictly after a slot', { every: '1h' }, '2024-01-01T01:00:00Z', ['2024-01-01T02:00:00Z']],
    ['every 90s', { every: '90s' }, '2024-01-01T00:00:00Z', ['2024-01-01T00:01:30Z', '2024-01-01T00:03:00Z']],
    ['every 1h with an anchor', { every: '1h', anchor: '2024-01-01T00:15:00Z' }, '2024-01-01T00:15:00Z', ['2024-01-01T01:15:00Z', '2024-01-01T02:15:00Z']],
    ['every 1h: the anchor may lie in the future', { every: '1h', anchor: '2030-01-01T00:20:00+01:00' }, '2024-01-01T00:00:00Z', ['2024-01-01T00:20:00Z']],
    ['every ignores the timezone (an interval is absolute time)', { every: '1d', timezone: 'America/New_York' }, '2024-03-09T12:00:00Z', ['2024-03-10T00:00:00Z', '2024-03-11T00:00:00Z']],
    ['at: in the future', { at: '2024-05-01T09:00:00+02:00' }, '2024-01-01T00:00:00Z', ['2024-05-01T07:00:00Z']],
    ['at: exactly now is not after now', { at: '2024-05-01T07:00:00Z' }, '2024-05-01T07:00:00Z', []],
    ['at: in the past', { at: '2024-05-01T07:00:00Z' }, '2024-06-01T00:00:00Z', []],
  ];
  for (const [what, fields, after, expected] of cases) {
    test(what, () => assert.deepEqual(isos(nextSlots(scheduleSpec(sched(fields)), t(after), Math.max(expected.length, 1))), expected));
  }
  test('at: nextSlot is null once passed', () => assert.equal(nextSlot({ kind: 'at', atMs: 10 }, 10), null));
});

describe('slots: jitter and hashes', () => {
  test('jitter is deterministic per slot and within [0, jitter)', () => {
    const source = slotSource(sched({ every: '1m', jitter: '30s' }), 'aut', 's');
    const offsets = new Set<number>();
    for (let i = 1; i <= 200; i++) {
      const slot = i * 60_000;
      const due = source.due(slot);
      assert.equal(due, source.due(slot));
      assert.ok(due >= slot && due < slot + 30_000, `due ${due} of slot ${slot}`);
      offsets.add(due - slot);
    }
    assert.ok(offsets.size > 100, 'offsets are spread');
    assert.equal(jitterOffset(fireId('a', 'b', 1), 0), 0);
  });
  test('fire ids depend on automation, trigger and slot only', () => {
    assert.equal(fireId('a', 't', 1000), fireId('a', 't', 1000));
    assert.notEqual(fireId('a', 't', 1000), fireId('a', 't', 1001));
    assert.notEqual(fireId('a', 't', 1000), fireId('a', 'u', 1000));
    assert.notEqual(fireId('a', 't', 1000), fireId('b', 't', 1000));
    assert.match(fireId('a', 't', 1), /^sch_[0-9a-f]{32}$/);
  });
  test('the schedule hash covers timing fields only', () => {
    const base = sched({ cron: '0 9 * * *', timezone: 'Europe/Berlin' });
    assert.equal(scheduleHash(base), scheduleHash({ ...base, catch_up: 'replay', inputs: { a: 1 }, overlap: 'queue' }));
    for (const change of [{ cron: '0 10 * * *' }, { timezone: 'UTC' }, { jitter: '5s' }]) assert.notEqual(scheduleHash(base), scheduleHash({ ...base, ...change }));
  });
});
