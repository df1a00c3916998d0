// Property: whatever sequence of definition edits, restarts, racing nodes and clock jumps (also
// backwards), no slot of a trigger is ever recorded twice, and no slot is recorded before it is due.
import { internalsOf } from '../../src/testing/index.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { forEachDialect, uniqueName, type TestNode } from '../support/node.js';
import { clockNode, MIN, runsOf, scheduled } from './harness.js';
import { FakeClock } from '../support/fake-clock.js';

const SCHEDULES = [
  { every: '1m' },
  { every: '90s' },
  { cron: '*/2 * * * *' },
  { cron: '*/30 * * * * *' },
  { every: '1m', jitter: '20s' },
  { cron: '15 * * * * *', timezone: 'Australia/Lord_Howe' },
];
const CATCH_UP = ['skip_missed', 'coalesce', 'replay'] as const;

type Action =
  | { kind: 'advance'; ms: number }
  | { kind: 'back'; ms: number }
  | { kind: 'edit'; schedule: number; catchUp: number; steps: boolean }
  | { kind: 'restart'; node: number }
  | { kind: 'fire'; nodes: number[] };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 6 * MIN }) }),
  fc.record({ kind: fc.constant('back' as const), ms: fc.integer({ min: 0, max: 3 * MIN }) }),
  fc.record({ kind: fc.constant('edit' as const), schedule: fc.nat(SCHEDULES.length - 1), catchUp: fc.nat(2), steps: fc.boolean() }),
  fc.record({ kind: fc.constant('restart' as const), node: fc.nat(1) }),
  fc.record({ kind: fc.constant('fire' as const), nodes: fc.array(fc.nat(1), { minLength: 1, maxLength: 3 }) }),
);

forEachDialect('scheduler property', (db) => {
  test('no slot fires twice across edits, restarts, racing nodes and clock jumps', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 3, maxLength: 14 }), async (actions) => {
        const clock = new FakeClock(Date.parse('2030-01-01T10:00:00Z'));
        const nodes: TestNode[] = [await clockNode(db, clock), await clockNode(db, clock)];
        const name = uniqueName('prop');
        const define = (schedule: number, catchUp: number, steps: boolean) =>
          scheduled(name, { ...SCHEDULES[schedule], catch_up: CATCH_UP[catchUp], overlap: 'allow' }, steps ? { description: `edit ${clock.t}` } : {});
        await nodes[0]!.apply(define(0, 0, false));
        let maxClock = clock.t;
        try {
          for (const a of actions) {
            if (a.kind === 'advance') await clock.advance(a.ms);
            else if (a.kind === 'back') await clock.advance(-a.ms);
            else if (a.kind === 'edit') await nodes[0]!.apply(define(a.schedule, a.catchUp, a.steps));
            else if (a.kind === 'restart') {
              await nodes[a.node]!.stop();
              nodes[a.node] = await clockNode(db, clock);
            } else await Promise.all(a.nodes.map((i) => internalsOf(nodes[i]!.rota).scheduler.runDue()));
            maxClock = Math.max(maxClock, clock.t);
          }
          await Promise.all(nodes.map((n) => internalsOf(n.rota).scheduler.runDue()));
          const runs = await runsOf(nodes[0]!, name);
          const slots = runs.map((r) => (r.activation as { data: { slot: string } }).data.slot);
          assert.equal(new Set(slots).size, slots.length, `a slot was recorded twice: ${slots.join(', ')}`);
          for (const slot of slots) assert.ok(Date.parse(slot) <= maxClock, `slot ${slot} recorded before it was due`);
        } finally {
          await Promise.all(nodes.map((n) => n.stop()));
        }
      }),
      { numRuns: 12 },
    );
  });
});
