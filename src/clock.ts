/**
 * The engine's notion of time. Everything that waits (worker polls and leases, step and run
 * timeouts, retry delays, run watches, wake retries, the scheduler) sets its timers on the
 * injected clock, so tests on a fake clock are exact and pay no real time.
 *
 * An embedding application may pass its own clock to `createRota`:
 *
 * @example
 * const rota = await createRota({ clock: systemClock });
 * // a test: const clock = new FakeClock(Date.parse('2030-01-01T00:00:00Z'));
 * //         await createRota({ clock }); await clock.advance(60_000);
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
