/**
 * Fire times of schedule triggers (SPEC §4), pure: given a schedule and an instant, the next slot
 * strictly after it. Slots are epoch milliseconds.
 *
 * - `cron`: croner 11 in the trigger's timezone. DST follows Vixie cron: a wall-clock time that does
 *   not exist (02:30 on spring-forward day) fires once at the first instant after the gap; a fixed
 *   time that happens twice (01:30 on fall-back day) fires once. Patterns with `*` in the hour field
 *   follow real time through the repeated hour.
 * - `every`: anchor + k·interval (the Unix epoch unless `anchor` is set), independent of when runs
 *   end and of the timezone: an interval is absolute time.
 * - `at`: one slot.
 */
import { Cron } from 'croner';
import type { ScheduleTriggerDef } from '../definition/types.js';
import { parseDuration } from '../definition/duration.js';
import type { SlotSource } from './cursor.js';
import { fireId, jitterOffset } from './fire-id.js';
import { sha256Hex } from '../hash.js';

export type ScheduleSpec =
  | { kind: 'cron'; pattern: string; timezone: string }
  | { kind: 'every'; intervalMs: number; anchorMs: number }
  | { kind: 'at'; atMs: number };

export function scheduleSpec(def: ScheduleTriggerDef): ScheduleSpec {
  if (def.cron !== undefined) return { kind: 'cron', pattern: def.cron, timezone: def.timezone ?? 'UTC' };
  if (def.every !== undefined) {
    return { kind: 'every', intervalMs: parseDuration(def.every), anchorMs: def.anchor === undefined ? 0 : Date.parse(def.anchor) };
  }
  if (def.at !== undefined) return { kind: 'at', atMs: Date.parse(def.at) };
  throw new Error(`schedule trigger "${def.id}" has none of cron, every, at`);
}

// Parsing a pattern costs more than a lookup (~15 µs per nextRun here); patterns repeat a lot.
const crons = new Map<string, Cron>();
function cronFor(pattern: string, timezone: string): Cron {
  const key = `${timezone}\u0000${pattern}`;
  let job = crons.get(key);
  if (!job) {
    // croner converts through Intl for a named zone (~150 µs per nextRun here); UTC as a fixed
    // offset takes ~25 µs, which matters at thousands of fires per minute.
    job = isUtc(timezone) ? new Cron(pattern, { utcOffset: 0, paused: true }) : new Cron(pattern, { timezone, paused: true });
    if (crons.size >= 5_000) crons.delete(crons.keys().next().value as string);
    crons.set(key, job);
  }
  return job;
}

const nextRuns = new Map<string, number | null>();

function isUtc(timezone: string): boolean {
  return timezone === 'UTC' || timezone === 'Etc/UTC' || timezone === 'Etc/GMT' || timezone === 'GMT';
}

/** The first slot strictly after `afterMs`, or null when there is none (a past `at`). */
export function nextSlot(spec: ScheduleSpec, afterMs: number): number | null {
  switch (spec.kind) {
    case 'cron': {
      // Schedules share patterns (every `0 9 * * 1-5`) and fire at the same slots: the answer for
      // one serves all of them (~25 µs per nextRun saved per fire).
      const key = `${spec.timezone}\u0000${spec.pattern}\u0000${afterMs}`;
      const known = nextRuns.get(key);
      if (known !== undefined) return known;
      const next = cronFor(spec.pattern, spec.timezone).nextRun(new Date(afterMs));
      const slot = next === null ? null : next.getTime();
      if (nextRuns.size >= 20_000) nextRuns.clear();
      nextRuns.set(key, slot);
      return slot;
    }
    case 'every':
      return spec.anchorMs + (Math.floor((afterMs - spec.anchorMs) / spec.intervalMs) + 1) * spec.intervalMs;
    case 'at':
      return spec.atMs > afterMs ? spec.atMs : null;
    default: {
      const never: never = spec;
      throw new Error(`unknown schedule ${JSON.stringify(never)}`);
    }
  }
}

/** The next `count` slots strictly after `afterMs` (fewer when the schedule ends). */
export function nextSlots(spec: ScheduleSpec, afterMs: number, count: number): number[] {
  const out: number[] = [];
  let cursor = afterMs;
  while (out.length < count) {
    const slot = nextSlot(spec, cursor);
    if (slot === null) break;
    out.push(slot);
    cursor = slot;
  }
  return out;
}

/** The fields that make up "the schedule": changing any of them resets the cursor (SPEC §4). */
export function scheduleHash(def: ScheduleTriggerDef): string {
  const fields = { cron: def.cron, every: def.every, at: def.at, timezone: def.timezone ?? 'UTC', anchor: def.anchor, jitter: def.jitter };
  return sha256Hex(JSON.stringify(fields)).slice(0, 16);
}

export function jitterMs(def: ScheduleTriggerDef): number {
  return def.jitter === undefined ? 0 : parseDuration(def.jitter);
}

/** The slot source of one trigger, as the cursor decisions see it (jitter included). */
export function slotSource(def: ScheduleTriggerDef, automationId: string, triggerId: string): SlotSource {
  const spec = scheduleSpec(def);
  const jitter = jitterMs(def);
  return {
    next: (after) => nextSlot(spec, after),
    due: (slot) => (jitter === 0 ? slot : slot + jitterOffset(fireId(automationId, triggerId, slot), jitter)),
    maxJitterMs: jitter,
  };
}
