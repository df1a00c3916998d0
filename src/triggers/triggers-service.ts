/**
 * What the interfaces ask about triggers: their cursors and counters, a preview of the next fire
 * times, and enabling or disabling one trigger. Enabling (and resuming a paused automation) gives
 * a schedule a fresh cursor: slots that passed while it was off are not caught up, they were
 * deliberately not wanted.
 */
import { AutomationStatus, TriggerKind } from '../states.js';
import { isoInZone } from '../scheduler/zoned-time.js';
import { bumpTriggerGeneration } from '../store/event-triggers.js';
import type { EngineContext } from '../engine/context.js';
import type { ScheduleTriggerDef, WebhookTriggerDef } from '../definition/types.js';
import type { Conn } from '../store/connect.js';
import { findAutomation, listTriggers, type TriggerRow } from '../store/automations.js';
import { getTrigger, updateTrigger } from '../store/schedules.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { catchUpPolicy, freshCursor } from '../scheduler/cursor.js';
import { nextSlots, scheduleSpec, slotSource } from '../scheduler/slots.js';
import { Channel } from '../store/channels.js';
import { iso } from '../time.js';

export interface TriggerDetailView {
  id: string;
  type: string;
  enabled: boolean;
  next_fire_at: string | null;
  last_fire_at: string | null;
  last_fire_id: string | null;
  schedule_hash: string | null;
  misfire_count: number;
  last_misfire_at: string | null;
  /** the automation is paused: nothing fires; `next_fire_at` is then the next fire after a resume now */
  paused: boolean;
  /** consecutive fires that failed to start a run (invalid inputs, inputs mapping, fire errors); 0 after a good fire */
  consecutive_failures: number;
  /** `code: message` of the last failed fire, kept after a good one */
  last_failure: string | null;
  last_failure_at: string | null;
  /** webhook triggers: the `{env: NAME}` variable of the secret when it is unset on this node (every delivery is refused) */
  secret_env_unset?: string | null;
  /** schedule triggers: the timing fields and catch-up policy in effect */
  schedule?: { cron?: string; every?: string; anchor?: string; at?: string; timezone: string; jitter?: string; catch_up: string; max_catch_up: number; misfire_grace_ms: number };
  /** webhook triggers: the endpoint id of `POST /hooks/{workspace}/{endpoint}` */
  endpoint_id?: string | null;
}

export interface SchedulePreview {
  trigger_id: string;
  enabled: boolean;
  /** the automation is paused: nothing fires until it is resumed (the times are those from now) */
  paused: boolean;
  timezone: string;
  /** the next fire times (ISO 8601, UTC), jitter included, from the trigger's cursor on */
  next: string[];
  /** the same times as wall-clock times of `timezone` with their offset */
  next_local: string[];
}

export interface PreviewOptions {
  /** list the fire times at or after this instant (epoch ms) instead of from the cursor */
  from?: number;
}

/** What the triggers service needs of the systems beside it. */
export interface TriggersServiceDeps {
  /** webhook endpoints changed (enabled or disabled): cached lookups must not outlive the answer */
  endpointsChanged(): void;
  /** the variable name of an `{env: NAME}` secret unset on this node, else null */
  unsetEnv(secret: WebhookTriggerDef['verify']['secret']): string | null;
}

const MAX_PREVIEW = 1000;

export class TriggersService {
  constructor(
    private readonly ctx: EngineContext,
    private readonly deps: TriggersServiceDeps,
  ) {}

  async list(workspaceId: string, name: string): Promise<TriggerDetailView[]> {
    const automation = await this.#automation(workspaceId, name);
    const paused = automation.status === AutomationStatus.paused;
    const now = this.ctx.clock.now();
    return (await listTriggers(this.ctx.store.db, automation.id)).map((row) => {
      const view = pausedAware(row, paused, now);
      if (row.type === TriggerKind.webhook) view.secret_env_unset = this.deps.unsetEnv((JSON.parse(row.config) as WebhookTriggerDef).verify.secret);
      return view;
    });
  }

  /** The next `count` fire times of every schedule trigger of the automation. */
  async preview(workspaceId: string, name: string, count: number, options: PreviewOptions = {}): Promise<SchedulePreview[]> {
    const n = Math.min(Math.max(Math.trunc(count) || 1, 1), MAX_PREVIEW);
    const automation = await this.#automation(workspaceId, name);
    const paused = automation.status === AutomationStatus.paused;
    const now = this.ctx.clock.now();
    const rows = (await listTriggers(this.ctx.store.db, automation.id)).filter((t) => t.type === TriggerKind.schedule);
    return rows.map((row) => {
      const def = JSON.parse(row.config) as ScheduleTriggerDef;
      const timezone = def.timezone ?? 'UTC';
      const source = slotSource(def, automation.id, row.trigger_id);
      // From the cursor when it points ahead and will be used; a paused automation or a disabled
      // trigger gets a fresh cursor when it comes back, so its times start from the clock.
      const stored = row.state ? (JSON.parse(row.state) as { slot?: number }).slot : undefined;
      const live = row.enabled === 1 && !paused;
      const after = options.from !== undefined ? options.from - 1 : typeof stored === 'number' && live ? Math.min(stored - 1, now) : now;
      const due = nextSlots(scheduleSpec(def), after, n).map((slot) => source.due(slot));
      return {
        trigger_id: row.trigger_id,
        enabled: row.enabled === 1,
        paused,
        timezone,
        next: due.map((ms) => new Date(ms).toISOString()),
        next_local: due.map((ms) => isoInZone(ms, timezone)),
      };
    });
  }

  async setEnabled(workspaceId: string, name: string, triggerId: string, enabled: boolean): Promise<TriggerDetailView> {
    const automation = await this.#automation(workspaceId, name);
    const now = this.ctx.clock.now();
    const type = await this.ctx.store.db.transaction().execute(async (tx) => {
      const row = await getTrigger(tx, automation.id, triggerId);
      if (!row) throw new NotFoundError(`trigger "${triggerId}" not found on automation "${name}"`);
      if (!enabled) {
        await updateTrigger(tx, automation.id, triggerId, { enabled: 0, updated_at: now });
      } else if (row.enabled !== 1) {
        if (row.type === TriggerKind.schedule) {
          const def = JSON.parse(row.config) as ScheduleTriggerDef;
          const cursor = freshCursor(slotSource(def, automation.id, triggerId), now);
          if (cursor.next_fire_at === null) {
            throw new ConflictError(`trigger "${triggerId}" is a one-shot schedule whose time (${def.at}) has passed; set a new \`at\` time in the definition to schedule it again`);
          }
          await updateTrigger(tx, automation.id, triggerId, { enabled: 1, ...cursor, updated_at: now });
        } else {
          await updateTrigger(tx, automation.id, triggerId, { enabled: 1, updated_at: now });
        }
      }
      await notifySchedules(tx, this.ctx);
      // Event triggers are matched from a per-workspace index; a new generation rebuilds it.
      if (row.type === TriggerKind.event) await bumpTriggerGeneration(tx, workspaceId);
      return row.type;
    });
    this.ctx.notifier.schedulesChanged();
    // before the answer: a delivery after it must see the new state, not a cached endpoint row
    if (type === TriggerKind.webhook) this.deps.endpointsChanged();
    return pausedAware((await getTrigger(this.ctx.store.db, automation.id, triggerId))!, automation.status === AutomationStatus.paused, now);
  }

  async #automation(workspaceId: string, name: string) {
    const automation = await findAutomation(this.ctx.store.db, workspaceId, name);
    if (!automation) throw new NotFoundError(`automation "${name}" not found`);
    return automation;
  }
}

/** Fresh cursors for every schedule trigger of an automation (on resume). */
export async function resetScheduleCursors(conn: Conn, ctx: EngineContext, automationId: string, now: number): Promise<void> {
  for (const row of await listTriggers(conn, automationId)) {
    if (row.type !== TriggerKind.schedule || row.enabled !== 1) continue;
    const cursor = freshCursor(slotSource(JSON.parse(row.config) as ScheduleTriggerDef, automationId, row.trigger_id), now);
    await updateTrigger(conn, automationId, row.trigger_id, { ...cursor, ...(cursor.next_fire_at === null ? { enabled: 0 } : {}), updated_at: now });
  }
  await notifySchedules(conn, ctx);
}

async function notifySchedules(conn: Conn, ctx: EngineContext): Promise<void> {
  await ctx.store.notify(conn, Channel.schedules);
}

/** Resuming gives a fresh cursor, so for a paused automation the stored one (past by now) is not what fires next. */
function pausedAware(row: TriggerRow, paused: boolean, now: number): TriggerDetailView {
  const view = triggerDetailView(row);
  view.paused = paused;
  if (paused && row.type === TriggerKind.schedule && row.enabled === 1) {
    view.next_fire_at = iso(freshCursor(slotSource(JSON.parse(row.config) as ScheduleTriggerDef, row.automation_id, row.trigger_id), now).next_fire_at);
  }
  return view;
}

export function triggerDetailView(row: TriggerRow): TriggerDetailView {
  const view: TriggerDetailView = {
    id: row.trigger_id,
    type: row.type,
    enabled: row.enabled === 1,
    next_fire_at: iso(row.next_fire_at),
    last_fire_at: iso(row.last_fire_at),
    last_fire_id: row.last_fire_id,
    schedule_hash: row.schedule_hash,
    misfire_count: Number(row.misfire_count),
    last_misfire_at: iso(row.last_misfire_at),
    paused: false,
    consecutive_failures: Number(row.failure_count),
    last_failure: row.last_failure,
    last_failure_at: iso(row.last_failure_at),
  };
  if (row.type === TriggerKind.schedule) {
    const def = JSON.parse(row.config) as ScheduleTriggerDef;
    const policy = catchUpPolicy(def);
    view.schedule = {
      ...(def.cron !== undefined ? { cron: def.cron } : {}),
      ...(def.every !== undefined ? { every: def.every } : {}),
      ...(def.anchor !== undefined ? { anchor: def.anchor } : {}),
      ...(def.at !== undefined ? { at: def.at } : {}),
      timezone: def.timezone ?? 'UTC',
      ...(def.jitter !== undefined ? { jitter: def.jitter } : {}),
      catch_up: policy.catchUp,
      max_catch_up: policy.maxCatchUp,
      misfire_grace_ms: policy.graceMs,
    };
  }
  if (row.type === TriggerKind.webhook) view.endpoint_id = row.endpoint_id;
  return view;
}
