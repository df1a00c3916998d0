/**
 * Pure decisions of the scheduler: given a trigger's cursor (its next slot) and the clock, which
 * slots fire, which are recorded as one misfire episode, and where the cursor goes next.
 *
 * A slot is due when `due(slot) = slot + jitter(slot)` has passed. A due slot later than
 * `misfire_grace` is missed; `catch_up` decides what happens to missed slots (SPEC §4):
 * - skip_missed: one `skipped` run (reason misfire) for all of them; on-time slots still fire;
 * - coalesce: one run for the latest due slot; the other due slots are the misfire episode;
 * - replay: the latest `max_catch_up` missed slots fire in order; older ones are the misfire episode.
 */
import type { ScheduleTriggerDef } from '../definition/types.js';
import { parseDuration } from '../definition/duration.js';

export const DEFAULT_MAX_CATCH_UP = 100;
export const DEFAULT_MISFIRE_GRACE_MS = 60_000;
/** Missed slots listed one by one per decision; beyond it the decision jumps to the recent ones. */
export const SCAN_LIMIT = 100_000;

export type CatchUp = 'skip_missed' | 'coalesce' | 'replay';

export interface CatchUpPolicy {
  catchUp: CatchUp;
  maxCatchUp: number;
  graceMs: number;
}

export function catchUpPolicy(def: ScheduleTriggerDef): CatchUpPolicy {
  return {
    catchUp: def.catch_up ?? 'skip_missed',
    maxCatchUp: def.max_catch_up ?? DEFAULT_MAX_CATCH_UP,
    graceMs: def.misfire_grace === undefined ? DEFAULT_MISFIRE_GRACE_MS : parseDuration(def.misfire_grace),
  };
}

/** What the decision needs to know about the schedule. */
export interface SlotSource {
  /** first slot strictly after the instant, or null */
  next(afterMs: number): number | null;
  /** when a slot is due (the slot plus its deterministic jitter) */
  due(slot: number): number;
  /** the largest jitter, to bound the jump past unenumerated slots */
  maxJitterMs: number;
}

export interface SlotFire {
  slot: number;
  /** set for late slots fired by catch-up */
  catchUp: 'replay' | 'coalesce' | null;
  /** coalesce: how many due slots this one run stands for */
  coalesced?: number;
}

export interface MisfireEpisode {
  /** missed slots not fired (more were missed, unlisted, when `truncated`) */
  count: number;
  first: number;
  last: number;
  truncated: boolean;
}

export interface Decision {
  fires: SlotFire[];
  misfire: MisfireEpisode | null;
  /** late slots beyond grace in this decision, whatever the policy did with them */
  late: number;
  /** the cursor's next slot, or null when the schedule has ended (`at` fired) */
  next: number | null;
}

export function decide(source: SlotSource, cursorSlot: number | null, now: number, policy: CatchUpPolicy): Decision {
  const missed: number[] = [];
  const onTime: number[] = [];
  let truncated = false;
  let slot = cursorSlot;
  while (slot !== null && source.due(slot) <= now) {
    if (!truncated && missed.length >= SCAN_LIMIT) {
      // A long outage of a fast schedule: jump to the slots that can still be on time; the ones
      // in between are missed too but not listed (the episode says `truncated`).
      truncated = true;
      const resume = source.next(now - policy.graceMs - source.maxJitterMs);
      if (resume !== null && resume > slot) slot = resume;
    }
    if (now - source.due(slot) >= policy.graceMs) missed.push(slot);
    else onTime.push(slot);
    slot = source.next(slot);
  }
  const next = slot;
  const late = missed.length;
  const episode = (slots: number[]): MisfireEpisode | null =>
    slots.length === 0 ? null : { count: slots.length, first: slots[0]!, last: slots[slots.length - 1]!, truncated };
  const normal = onTime.map((s): SlotFire => ({ slot: s, catchUp: null }));

  if (missed.length === 0) return { fires: normal, misfire: null, late, next };
  switch (policy.catchUp) {
    case 'skip_missed':
      return { fires: normal, misfire: episode(missed), late, next };
    case 'coalesce': {
      const all = [...missed, ...onTime];
      return { fires: [{ slot: all[all.length - 1]!, catchUp: 'coalesce', coalesced: all.length }], misfire: episode(all.slice(0, -1)), late, next };
    }
    case 'replay': {
      const dropped = Math.max(0, missed.length - policy.maxCatchUp);
      const replayed = missed.slice(dropped).map((s): SlotFire => ({ slot: s, catchUp: 'replay' }));
      return { fires: [...replayed, ...normal], misfire: episode(missed.slice(0, dropped)), late, next };
    }
    default: {
      const never: never = policy.catchUp;
      throw new Error(`unknown catch_up ${String(never)}`);
    }
  }
}

/** Cursor columns of a trigger as stored: `next_fire_at` is when the slot is due; state keeps the slot. */
export interface StoredCursor {
  next_fire_at: number | null;
  state: string | null;
}

/** A reset cursor: the first slot strictly after `now` (null when the schedule has ended). */
export function freshCursor(source: SlotSource, now: number): StoredCursor {
  return storeCursor(source, source.next(now));
}

export function storeCursor(source: SlotSource, slot: number | null): StoredCursor {
  return slot === null ? { next_fire_at: null, state: null } : { next_fire_at: source.due(slot), state: JSON.stringify({ slot }) };
}

/** The slot a stored cursor points at (the due time when no slot was stored). */
export function cursorSlot(cursor: StoredCursor): number | null {
  if (cursor.next_fire_at === null) return null;
  try {
    const state = cursor.state === null ? null : (JSON.parse(cursor.state) as { slot?: unknown });
    if (state && typeof state.slot === 'number') return state.slot;
  } catch {
    // a state written by an older version: fall back to the due time
  }
  return Number(cursor.next_fire_at);
}
