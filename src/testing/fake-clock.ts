/**
 * A clock that moves only when a test moves it. Timers set on it (the worker's polls and leases,
 * step and run timeouts, retry delays, run watches) fire when `advance`/`set` carries the time
 * past them, one by one in time order, with `now()` reading each timer's own time while it runs;
 * between two timers the event loop turns once, so the async work a timer starts gets going
 * before the next one fires. Work that waits on real I/O (a PostgreSQL round trip) may still be
 * under way when `advance` returns: poll its observable result, not the wall clock.
 *
 *   const clock = new FakeClock('2030-01-01T00:00:00Z');
 *   const rota = await createRota({ clock, ... });
 *   await clock.advance(400); // every timer due within the next 400 ms has fired, in order
 */
import type { Clock, TimerHandle } from '../clock.js';

interface FakeTimer {
  at: number;
  seq: number;
  fn: () => void;
}

/** A runaway re-arming timer (a 0 ms interval) would otherwise spin forever. */
const MAX_FIRES_PER_MOVE = 100_000;

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class FakeClock implements Clock {
  #t: number;
  #seq = 0;
  readonly #timers = new Set<FakeTimer>();

  constructor(start: number | string) {
    this.#t = typeof start === 'string' ? Date.parse(start) : start;
  }

  /** The current time (epoch ms). */
  get t(): number {
    return this.#t;
  }

  now = (): number => this.#t;

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const timer: FakeTimer = { at: this.#t + Math.max(0, delayMs), seq: ++this.#seq, fn };
    this.#timers.add(timer);
    // Already due: fires on a later turn, as a real 0 ms timer would, without moving time.
    if (timer.at <= this.#t) setImmediate(() => this.#fire(timer));
    return timer;
  }

  clearTimer(handle: TimerHandle | null | undefined): void {
    if (handle) this.#timers.delete(handle as FakeTimer);
  }

  /** The times of the pending timers, earliest first (a test waits for a timer to be armed). */
  dueTimes(): number[] {
    return [...this.#timers].map((t) => t.at).sort((a, b) => a - b);
  }

  /** Moves the time forward by `ms` (backward for a negative `ms`, firing nothing). */
  advance(ms: number): Promise<void> {
    return this.set(this.#t + ms);
  }

  /** Moves the time to `to`, firing every timer due by then in order; a time in the past just sets it. */
  async set(to: number | string): Promise<void> {
    const target = typeof to === 'string' ? Date.parse(to) : to;
    for (let fired = 0; ; fired++) {
      if (fired > MAX_FIRES_PER_MOVE) throw new Error(`more than ${MAX_FIRES_PER_MOVE} timers fired moving the clock; a timer re-arms itself at 0 ms`);
      const next = this.#next();
      if (!next || next.at > target) break;
      this.#t = Math.max(this.#t, next.at);
      this.#fire(next);
      await turn();
    }
    this.#t = target;
    await turn();
  }

  #next(): FakeTimer | null {
    let best: FakeTimer | null = null;
    for (const timer of this.#timers) if (!best || timer.at < best.at || (timer.at === best.at && timer.seq < best.seq)) best = timer;
    return best;
  }

  #fire(timer: FakeTimer): void {
    if (!this.#timers.delete(timer)) return;
    timer.fn();
  }
}
