/**
 * Deterministic fire ids: every node computes the same id for the same slot of the same trigger,
 * and the id is the run's idempotency key (unique per automation in the database), so a slot can
 * be recorded at most once whatever the number of nodes, restarts and races.
 */
import { sha256Hex } from '../hash.js';

/** `sch_` + 32 hex digits of sha256(automation, trigger, slot in epoch ms). */
export function fireId(automationId: string, triggerId: string, slotMs: number): string {
  const digest = sha256Hex(`${automationId}\u0000${triggerId}\u0000${slotMs}`);
  return `sch_${digest.slice(0, 32)}`;
}

/**
 * Deterministic jitter of one slot in [0, jitterMs): derived from the fire id, so every node delays
 * the same slot by the same amount and a restart does not move it.
 */
export function jitterOffset(id: string, jitterMs: number): number {
  if (jitterMs <= 0) return 0;
  return parseInt(id.slice(4, 17), 16) % jitterMs;
}
