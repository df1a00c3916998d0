import assert from 'node:assert/strict';
import { test } from 'node:test';
import { every, sleep, systemClock } from '../src/clock.js';
import { FakeClock } from './support/fake-clock.js';

test('FakeClock: timers fire in time order when the clock passes them, reading their own time', async () => {
  const clock = new FakeClock(1_000);
  const fired: Array<[string, number]> = [];
  clock.setTimer(30, () => fired.push(['c', clock.now()]));
  clock.setTimer(10, () => {
    fired.push(['a', clock.now()]);
    clock.setTimer(5, () => fired.push(['a+5', clock.now()]));
  });
  const cleared = clock.setTimer(20, () => fired.push(['cleared', clock.now()]));
  clock.setTimer(10, () => fired.push(['b', clock.now()]));
  clock.clearTimer(cleared);
  await clock.advance(29);
  assert.deepEqual(fired, [['a', 1_010], ['b', 1_010], ['a+5', 1_015]]);
  assert.equal(clock.now(), 1_029);
  assert.deepEqual(clock.dueTimes(), [1_030]);
  await clock.advance(1);
  assert.deepEqual(fired.at(-1), ['c', 1_030]);
  await clock.advance(-500);
  assert.equal(clock.now(), 530, 'a backward jump fires nothing');
});

test('FakeClock: a timer already due fires on a later turn without moving time; async chains run between timers', async () => {
  const clock = new FakeClock(0);
  let due = false;
  clock.setTimer(0, () => (due = true));
  assert.equal(due, false, 'never synchronously');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(due, true);
  const steps: number[] = [];
  void (async () => {
    await sleep(clock, 10);
    steps.push(clock.now());
    await sleep(clock, 10);
    steps.push(clock.now());
  })();
  await clock.advance(25);
  assert.deepEqual(steps, [10, 20]);
  assert.equal(clock.now(), 25);
});

test('every re-arms until stopped; sleep rejects with the abort reason', async () => {
  const clock = new FakeClock(0);
  const ticks: number[] = [];
  const stop = every(clock, 50, () => ticks.push(clock.now()));
  await clock.advance(160);
  stop();
  await clock.advance(100);
  assert.deepEqual(ticks, [50, 100, 150]);
  assert.deepEqual(clock.dueTimes(), []);
  const controller = new AbortController();
  const slept = sleep(clock, 1_000, controller.signal);
  controller.abort('stop');
  await assert.rejects(slept, (err) => err === 'stop');
  assert.deepEqual(clock.dueTimes(), [], 'the aborted sleep cleared its timer');
});

test('systemClock: a timer fires after its delay and a cleared one never does', async () => {
  let fired = 0;
  const cleared = systemClock.setTimer(1, () => (fired += 100));
  systemClock.clearTimer(cleared);
  const started = Date.now();
  await new Promise<void>((resolve) => systemClock.setTimer(5, () => resolve(void (fired += 1))));
  assert.ok(Date.now() - started >= 4);
  await sleep(systemClock, 5);
  assert.equal(fired, 1);
  systemClock.clearTimer(null);
});
