/**
 * The engine's notion of time. Everything that waits (worker polls and leases, step and run
 * timeouts, retry delays, run watches, wake retries, the event sweep, the scheduler) sets its
 * timers on the clock passed to `createRota` (default `systemClock`), so a test on a fake clock
 * is exact and pays no real time.
 *
 * A custom clock keeps one contract: a timer set with `delayMs` fires once `now()` has moved
 * `delayMs` past the time it was set (a millisecond early is tolerated: the worker re-checks),
 * never synchronously inside `setTimer`, and not at all once cleared.
 *
 * @example
 * import { createRota, systemClock, type Clock } from 'rota';
 * // a node whose time runs one hour ahead, e.g. to rehearse tonight's schedules
 * const ahead: Clock = {
 *   now: () => systemClock.now() + 3_600_000,
 *   setTimer: (delayMs, fn, options) => systemClock.setTimer(delayMs, fn, options),
 *   clearTimer: (handle) => systemClock.clearTimer(handle),
 * };
 * const rota = await createRota({ clock: ahead });
 */

/** An opaque handle of a pending timer; pass it to `Clock.clearTimer`. */
export type TimerHandle = object;

export interface TimerOptions {
  /** The timer does not keep the process alive (Node's `unref`); a fake clock ignores it. */
  unref?: boolean;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Calls `fn` once, when `delayMs` of this clock's time have passed (at `now() + delayMs`); a
   * delay of 0 or less fires on a later turn, never synchronously.
   */
  setTimer(delayMs: number, fn: () => void, options?: TimerOptions): TimerHandle;
  /** Cancels a pending timer; a fired, cleared or missing handle is ignored. */
  clearTimer(handle: TimerHandle | null | undefined): void;
}

/** Node's timers hold at most 2^31-1 ms; longer delays are re-armed in pieces. */
const MAX_NODE_DELAY = 2 ** 31 - 1;

class SystemTimer {
  timeout: NodeJS.Timeout | null = null;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(delayMs, fn, options) {
    const timer = new SystemTimer();
    const arm = (remaining: number) => {
      const step = Math.min(Math.max(0, remaining), MAX_NODE_DELAY);
      timer.timeout = setTimeout(() => (remaining > MAX_NODE_DELAY ? arm(remaining - MAX_NODE_DELAY) : fn()), step);
      if (options?.unref) timer.timeout.unref();
    };
    arm(delayMs);
    return timer;
  },
  clearTimer(handle) {
    if (handle instanceof SystemTimer && handle.timeout) clearTimeout(handle.timeout);
  },
};

/** Resolves after `ms` of the clock's time, or rejects with the signal's reason once it aborts. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clock.clearTimer(timer);
      reject(signal!.reason);
    };
    const timer = clock.setTimer(ms, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Calls `fn` every `ms` of the clock's time (a re-armed timer); returns the function that stops it. */
export function every(clock: Clock, ms: number, fn: () => void, options?: TimerOptions): () => void {
  let timer: TimerHandle | null = null;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    timer = clock.setTimer(ms, tick, options);
    fn();
  };
  timer = clock.setTimer(ms, tick, options);
  return () => {
    stopped = true;
    clock.clearTimer(timer);
  };
}
