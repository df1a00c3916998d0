/**
 * Applying definitions as immutable versions, and the automation lifecycle. An unchanged
 * definition (same canonical hash) writes nothing; any change writes version N+1.
 */
import { holdQueuedRuns, releaseQueuedRuns } from '../store/runs.js';
import { transactionRetryingDeadlocks } from '../store/dialect.js';
import { pageLimit, takePage } from '../paging.js';
import type { EngineContext } from '../engine/context.js';
import {
  deleteTriggersExcept,
  findAutomation,
  findWorkspace,
  getVersion,
  insertAutomation,
  lastSavedFromRun,
  insertVersion,
  listAutomations,
  listTriggers,
  listVersions,
  updateAutomation,
  upsertTrigger,
  type AutomationRow,
} from '../store/automations.js';
import type { Conn } from '../store/connect.js';
import { compileDefinition, definitionHash } from '../definition/parse.js';
import { eventTriggerNameProblems } from '../definition/event-pattern.js';
import type { Definition } from '../definition/types.js';
import { ConflictError, DefinitionError, NotFoundError, type ErrorDetail } from '../errors.js';
import { isRecord } from '../definition/json-path.js';
import { updateTrigger } from '../store/schedules.js';
import { freshCursor } from '../scheduler/cursor.js';
import { scheduleHash, slotSource } from '../scheduler/slots.js';
import { Channel } from '../store/channels.js';
import { resetScheduleCursors } from '../triggers/triggers-service.js';
import { randomToken } from '../ids.js';
import { AutomationStatus, PauseReason, TriggerKind } from '../states.js';
import { automationView, versionView } from './convert.js';
import type { ApplyResult, ApplyWarning, AutomationView, Page, VersionView } from './views.js';
import { secretReferences } from '../definition/references.js';

export interface ApplyOptions {
  source?: 'api' | 'file';
  sourcePath?: string;
  mustExist?: string;
  mustNotExist?: boolean;
  /** the version freezes this run's realized plan (`save-as-automation`), with the save's report */
  savedFrom?: { runId: string; report: unknown };
}

/** What applying and pausing automations reaches in the trigger systems. */
export interface AutomationHooks {
  /** Replaces literal webhook secrets by references to encrypted copies (triggers/secrets.ts). */
  sealSecrets(workspaceId: string, definition: Definition): Promise<Definition>;
  /** Names of the workspace secrets that are set (for warnings about `{{ secrets.NAME }}`). */
  secretNames(workspaceId: string): Promise<Set<string>>;
  /** What will not work as written on this node (not an error: the definition is valid). */
  warnings(definition: Definition): { path: string; message: string }[];
  /** A workspace's triggers changed (webhook endpoint cache, event-trigger index). */
  triggersChanged(workspaceId: string): Promise<void>;
  /** An automation's status changed (publishes `automation.paused`). */
  statusChanged(workspaceId: string, row: AutomationRow, status: AutomationStatus): Promise<void>;
}

export class AutomationsService {
  constructor(private readonly ctx: EngineContext, private readonly hooks: AutomationHooks) {}

  /**
   * Reports the same problems apply would for the same `source`, all at once: `rota apply
   * --dry-run` validates as `file`, as the real apply is sent.
   */
  async validate(raw: unknown, workspaceId?: string, opts: Pick<ApplyOptions, 'source'> = {}): Promise<void> {
    this.#compile(raw, await this.#sourceProblems(workspaceId ?? null, raw, opts.source ?? 'api'));
  }

  async apply(workspaceId: string, raw: unknown, opts: ApplyOptions = {}): Promise<ApplyResult> {
    const source = opts.source ?? 'api';
    const compiled = this.#compile(raw, await this.#sourceProblems(workspaceId, raw, source));
    // a literal secret never reaches the stored definition, its hash or the plan cache
    const definition = await this.hooks.sealSecrets(workspaceId, compiled.definition);
    if (opts.mustExist !== undefined && opts.mustExist !== definition.name) {
      throw new ConflictError(`definition name "${definition.name}" does not match "${opts.mustExist}"`);
    }
    const hash = definitionHash(definition);
    const now = this.ctx.clock.now();
    const saved = opts.savedFrom ? { saved_from_run: opts.savedFrom.runId, freeze_report: JSON.stringify(opts.savedFrom.report) } : {};
    const outcome = await this.ctx.store.db.transaction().execute(async (tx) => {
      const existing = await findAutomation(tx, workspaceId, definition.name);
      if (!existing) {
        if (opts.mustExist !== undefined) throw new NotFoundError(`automation "${definition.name}" not found`);
        const id = this.ctx.ids();
        await insertAutomation(tx, {
          id,
          workspace_id: workspaceId,
          name: definition.name,
          status: AutomationStatus.active,
          source,
          source_path: opts.sourcePath ?? null,
          paused_overlay: 0,
          consecutive_failures: 0,
          latest_version: 1,
          description: definition.description ?? null,
          created_at: now,
          updated_at: now,
        });
        await insertVersion(tx, { automation_id: id, version: 1, definition: JSON.stringify(definition), hash, created_at: now, ...saved });
        await this.#syncTriggers(tx, id, definition, now, source);
        return { id, version: 1, created: true, changed: true };
      }
      if (opts.mustNotExist) throw new ConflictError(`automation "${definition.name}" already exists; use PUT to replace it`);
      if (existing.status === AutomationStatus.archived) throw archivedError(definition.name);
      if (existing.source === 'file' && source === 'api') {
        throw new ConflictError(`automation "${definition.name}" is defined in the file ${existing.source_path ?? ''}; edit that file (the API may only pause or resume it)`);
      }
      const latest = await getVersion(tx, existing.id, existing.latest_version);
      if (latest?.hash === hash) return { id: existing.id, version: existing.latest_version, created: false, changed: false };
      const version = existing.latest_version + 1;
      await insertVersion(tx, { automation_id: existing.id, version, definition: JSON.stringify(definition), hash, created_at: now, ...saved });
      await updateAutomation(tx, existing.id, {
        latest_version: version,
        description: definition.description ?? null,
        source,
        source_path: opts.sourcePath ?? existing.source_path,
        updated_at: now,
      });
      await this.#syncTriggers(tx, existing.id, definition, now, source);
      return { id: existing.id, version, created: false, changed: true };
    });
    this.ctx.plans.put(outcome.id, outcome.version, { ...compiled, definition });
    if (outcome.changed) await this.hooks.triggersChanged(workspaceId);
    if (outcome.changed) this.ctx.notifier.schedulesChanged();
    const warnings = [...missingSecretWarnings(definition, await this.hooks.secretNames(workspaceId)), ...this.hooks.warnings(definition)];
    return { automation: await this.get(workspaceId, definition.name), created: outcome.created, changed: outcome.changed, warnings };
  }

  /**
   * A one-time `at` in the past is refused when it is new or changed (a stored trigger that kept its
   * `at` has simply fired). Read from the raw definition so it joins the shape errors; the check in
   * #syncTriggers stays the guard inside the transaction.
   */
  #compile(raw: unknown, extra: ErrorDetail[]) {
    return compileDefinition(raw, (type) => this.ctx.actions.get(type), [...eventTriggerNameProblems(raw), ...extra]);
  }

  /**
   * The rules that depend on where a definition comes from: a one-time `at` in the past is
   * refused from the API, not from a file, which is applied again (`--watch`, deploys) long after
   * its `at` passed.
   */
  async #sourceProblems(workspaceId: string | null, raw: unknown, source: 'api' | 'file'): Promise<ErrorDetail[]> {
    return source === 'api' ? this.#pastAtProblems(workspaceId, raw) : [];
  }

  async #pastAtProblems(workspaceId: string | null, raw: unknown): Promise<ErrorDetail[]> {
    if (!isRecord(raw) || !Array.isArray(raw.triggers)) return [];
    const now = this.ctx.clock.now();
    const past = raw.triggers.flatMap((t: unknown, i) =>
      isRecord(t) && t.type === TriggerKind.schedule && typeof t.at === 'string' && Date.parse(t.at) <= now ? [{ i, id: t.id, at: t.at }] : [],
    );
    if (past.length === 0) return [];
    const existing = workspaceId === null || typeof raw.name !== 'string' ? undefined : await findAutomation(this.ctx.store.db, workspaceId, raw.name);
    const stored = existing ? await listTriggers(this.ctx.store.db, existing.id) : [];
    const keptAt = (id: unknown, at: string): boolean =>
      stored.some((row) => row.trigger_id === id && row.type === TriggerKind.schedule && (JSON.parse(row.config) as { at?: string }).at === at);
    return past.filter((p) => !keptAt(p.id, p.at)).map((p) => ({ path: `$.triggers[${p.i}].at`, message: `${p.at} is in the past; give a future time` }));
  }

  /**
   * Trigger rows mirror the latest version; their durable state (cursors, endpoint ids) is kept.
   * A schedule whose timing fields changed (see scheduler/slots.ts `scheduleHash`) gets a fresh
   * cursor; any other edit keeps it. `enabled` follows the definition only when the definition's
   * own value changed, so an API toggle or a retired `at` survives unrelated edits.
   */
  async #syncTriggers(tx: Conn, automationId: string, definition: Definition, now: number, source: 'api' | 'file' = 'file'): Promise<void> {
    const triggers = definition.triggers ?? [];
    const existing = new Map((await listTriggers(tx, automationId)).map((t) => [t.trigger_id, t]));
    for (const [i, t] of triggers.entries()) {
      const old = existing.get(t.id);
      const declared = t.enabled === false ? 0 : 1;
      const oldDeclared = old ? ((JSON.parse(old.config) as { enabled?: boolean }).enabled === false ? 0 : 1) : null;
      let enabled = old && old.type === t.type && oldDeclared === declared ? old.enabled : declared;
      let cursor: { next_fire_at: number | null; state: string | null; schedule_hash: string } | null = null;
      if (t.type === TriggerKind.schedule) {
        const hash = scheduleHash(t);
        if (!old || old.type !== TriggerKind.schedule || old.schedule_hash !== hash) {
          if (t.at !== undefined && Date.parse(t.at) <= now && source === 'api') {
            const problem = { path: `$.triggers[${i}].at`, message: `${t.at} is in the past; give a future time` };
            throw new DefinitionError(`definition is invalid: ${problem.path}: ${problem.message}`, [problem]);
          }
          cursor = { ...freshCursor(slotSource(t, automationId, t.id), now), schedule_hash: hash };
          enabled = declared;
          if (cursor.next_fire_at === null && t.at !== undefined) enabled = 0;
        }
      }
      await upsertTrigger(tx, {
        automation_id: automationId,
        trigger_id: t.id,
        type: t.type,
        config: JSON.stringify(t),
        enabled,
        endpoint_id: old?.endpoint_id ?? (t.type === TriggerKind.webhook ? randomToken(18) : null),
        next_fire_at: cursor ? cursor.next_fire_at : (old?.next_fire_at ?? null),
        last_fire_at: old?.last_fire_at ?? null,
        last_fire_id: old?.last_fire_id ?? null,
        schedule_hash: cursor ? cursor.schedule_hash : (old?.schedule_hash ?? null),
        misfire_count: old?.misfire_count ?? 0,
        last_misfire_at: old?.last_misfire_at ?? null,
        state: cursor ? cursor.state : (old?.state ?? null),
        updated_at: now,
      });
      if (cursor && old) await updateTrigger(tx, automationId, t.id, { next_fire_at: cursor.next_fire_at, state: cursor.state, schedule_hash: cursor.schedule_hash });
    }
    await deleteTriggersExcept(tx, automationId, triggers.map((t) => t.id));
    // Other nodes' schedulers re-plan at commit (PostgreSQL); this node's after it (see apply).
    await this.ctx.store.notify(tx, Channel.schedules);
  }

  async get(workspaceId: string, name: string): Promise<AutomationView> {
    const { db } = this.ctx.store;
    const row = await this.#row(db, workspaceId, name);
    return this.#view(db, row);
  }

  async list(workspaceId: string, opts: { status?: AutomationStatus; cursor?: string | null; limit?: number } = {}): Promise<Page<AutomationView>> {
    const { db } = this.ctx.store;
    const limit = pageLimit(opts.limit);
    const { rows, total } = await listAutomations(db, workspaceId, { status: opts.status, after: opts.cursor, limit: limit + 1 });
    const page = takePage(rows, limit, (r) => r.name);
    return { items: await Promise.all(page.rows.map((r) => this.#view(db, r))), next_cursor: page.next_cursor, total };
  }

  async versions(workspaceId: string, name: string): Promise<VersionView[]> {
    const row = await this.#row(this.ctx.store.db, workspaceId, name);
    return (await listVersions(this.ctx.store.db, row.id)).map(versionView);
  }

  async version(workspaceId: string, name: string, version: number): Promise<VersionView> {
    const row = await this.#row(this.ctx.store.db, workspaceId, name);
    const v = await getVersion(this.ctx.store.db, row.id, version);
    if (!v) throw new NotFoundError(`version ${version} of automation "${name}" not found`);
    return versionView(v);
  }

  async setStatus(workspaceId: string, name: string, status: AutomationStatus): Promise<AutomationView> {
    const row = await this.#row(this.ctx.store.db, workspaceId, name);
    if (row.status === AutomationStatus.archived && status !== AutomationStatus.archived) throw archivedError(name);
    return this.#setStatus(workspaceId, row, status);
  }

  async unarchive(workspaceId: string, name: string): Promise<AutomationView> {
    const row = await this.#row(this.ctx.store.db, workspaceId, name);
    if (row.status !== AutomationStatus.archived) throw new ConflictError(`automation "${name}" is ${row.status}, not archived`);
    return this.#setStatus(workspaceId, row, AutomationStatus.paused);
  }

  async #setStatus(workspaceId: string, row: AutomationRow, status: AutomationStatus): Promise<AutomationView> {
    const { db } = this.ctx.store;
    const name = row.name;
    // For file-sourced automations the status is an overlay: applying the file never resets it.
    const now = this.ctx.clock.now();
    // The automation row, then its queued runs: the opposite order to a claim's, so PostgreSQL may
    // pick this as a deadlock victim; it then simply runs again.
    await transactionRetryingDeadlocks(db, async (tx) => {
      const active = status === AutomationStatus.active;
      // Resuming resets the circuit breaker's count: the failures before the pause are forgiven.
      const pause = active ? { paused_reason: null, paused_at: null, consecutive_failures: 0 } : { paused_reason: PauseReason.manual, paused_at: now };
      await updateAutomation(tx, row.id, { status, paused_overlay: active ? 0 : 1, updated_at: now, ...pause });
      // Slots that passed while paused are not caught up: pausing meant not wanting them.
      if (status === AutomationStatus.active && row.status !== AutomationStatus.active) await resetScheduleCursors(tx, this.ctx, row.id, now);
      // Runs queued before a pause wait for the resume instead of starting.
      if (active) await releaseQueuedRuns(tx, row.id, now);
      else await holdQueuedRuns(tx, row.id);
    });
    this.ctx.notifier.schedulesChanged();
    if (status === AutomationStatus.active) this.ctx.notifier.runsAvailable();
    if (status !== row.status) await this.hooks.statusChanged(workspaceId, row, status);
    return this.get(workspaceId, name);
  }

  async #view(conn: Conn, row: AutomationRow): Promise<AutomationView> {
    const version = await getVersion(conn, row.id, row.latest_version);
    const ws = await findWorkspace(conn, row.workspace_id);
    const view = automationView(row, ws?.name ?? row.workspace_id, JSON.parse(version!.definition), await listTriggers(conn, row.id));
    view.saved_from_run = await lastSavedFromRun(conn, row.id);
    return view;
  }

  async #row(conn: Conn, workspaceId: string, name: string): Promise<AutomationRow> {
    const row = await findAutomation(conn, workspaceId, name);
    if (!row) throw new NotFoundError(`automation "${name}" not found`);
    return row;
  }
}

function missingSecretWarnings(definition: Definition, known: Set<string>): ApplyWarning[] {
  return secretReferences(definition)
    .filter((ref) => !known.has(ref.name))
    .map((ref) => ({ path: ref.path, message: `secret "${ref.name}" is not set in this workspace; runs fail at this step until it is (rota secrets set ${ref.name})` }));
}

function archivedError(name: string): ConflictError {
  return new ConflictError(`automation "${name}" is archived and read-only; unarchive it first (POST /api/v1/automations/${name}/unarchive, rota unarchive ${name}), then resume it`);
}
