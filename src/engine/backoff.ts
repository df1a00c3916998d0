import type { RetryPolicy } from '../definition/types.js';

/**
 * Delay before retry number `retry` (1 = first retry). Exponential doubles from the base; jitter
 * picks uniformly in [delay/2, delay] ("equal jitter") so synchronized failures spread out without
 * ever retrying sooner than half the nominal delay.
 */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  let delay: number;
  switch (policy.backoff) {
    case 'fixed':
      delay = policy.baseDelayMs;
      break;
    case 'linear':
      delay = policy.baseDelayMs * retry;
      break;
    case 'exponential':
      delay = policy.baseDelayMs * 2 ** Math.min(retry - 1, 40);
      break;
    default: {
      const never: never = policy.backoff;
      throw new Error(`unknown backoff ${String(never)}`);
    }
  }
  delay = Math.min(delay, policy.maxDelayMs);
  if (policy.jitter) delay = delay / 2 + random() * (delay / 2);
  return Math.round(delay);
}
