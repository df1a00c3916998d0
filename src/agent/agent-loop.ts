/**
 * The agent loop of one step: model call → tool calls → model call ... until a final answer, then
 * output-schema validation with at most one repair turn. Every call goes through the step's
 * {@link CallMemo}, so a resumed step replays what was recorded and pays for nothing twice.
 * Waiting for a person (tool approval, budget approval) ends the handler with a suspension; the
 * step is called again once the approval is decided, and replays up to the same point.
 */
import { AgentCallKind, AgentCallStatus, ApprovalKind, ApprovalStatus, RunEventType, WaitingFor } from '../states.js';
import type { ModelMessage } from 'ai';
import type { ActionContext, Suspension } from '../actions/types.js';
import type { BudgetLimit } from '../config/types.js';
import { validateValue } from '../definition/json-schema.js';
import { BudgetExceededError, ErrorCode, NonRetriableError, toErrorShape, type ErrorDetail } from '../errors.js';
import { saveArtifact, spentSince } from '../store/agent-calls.js';
import { appendRunEvents, runVersionOf } from '../store/runs.js';
import { getVersion } from '../store/automations.js';
import type { AgentRuntime } from './agent-runtime.js';
import { resolveTools, type LoopTool } from './agent-tools.js';
import { checkBudgets, estimateTokens, type ScopedBudget } from './budget.js';
import { automationDayLimit, startOfUtcDay } from '../engine/daily-budget.js';
import { CallMemo, requestHash } from './call-memo.js';
import { callModel, type ModelTurn } from './model-call.js';
import { checkAnswer, MAX_REPORTED_ERRORS, repairPrompt, schemaInstruction } from './output.js';
import { planAnswerSchema } from '../definition/planning.js';
import type { StepDef } from '../definition/types.js';
import { callCost, type ResolvedModel } from './providers.js';
import { isRecord } from '../definition/json-path.js';
import { sha256Hex } from '../hash.js';
import { endModelSpan, endToolSpan, startModelSpan, startToolSpan } from './gen-ai-spans.js';
import { splitMcpName } from './tool.js';

export interface AgentConfig {
  model?: string;
  system?: string;
  prompt: string;
  tools?: string[];
  output_schema?: unknown;
  max_turns?: number;
  temperature?: number;
  max_tokens?: number;
  require_approval_for?: string[];
  budget?: { max_cost_usd?: number; max_tokens?: number; on_exceed?: 'fail' | 'approval' };
  plan?: true | { allow?: string[]; max_steps?: number };
}

export const DEFAULT_MAX_TURNS = 10;
export const DEFAULT_MAX_TOKENS = 4096;
const EVENT_TEXT = 2000;

/** An internal signal, not an error: thrown inside the loop to end the handler with a suspension. */
class Suspend {
  readonly name = 'Suspend';
  constructor(readonly suspension: Suspension) {}
}

export async function runAgentStep(runtime: AgentRuntime, ctx: ActionContext<AgentConfig>): Promise<unknown> {
  try {
    return await new AgentLoop(runtime, ctx).run();
  } catch (err) {
    if (err instanceof Suspend) return err.suspension;
    throw err;
  }
}

interface RunFacts {
  automationId: string;
  budget: { max_cost_usd?: number; max_tokens?: number; on_exceed?: 'fail' | 'approval'; per_day?: { max_cost_usd?: number; max_tokens?: number } } | undefined;
}

class AgentLoop {
  readonly #cfg: AgentConfig;
  #memo!: CallMemo;
  #model!: ResolvedModel;
  #tools: LoopTool[] = [];
  #facts!: RunFacts;
  /** limits raised by budget approvals, by scope */
  readonly #raised = new Map<string, BudgetLimit>();
  #allowOnce = false;

  constructor(
    private readonly runtime: AgentRuntime,
    private readonly ctx: ActionContext<AgentConfig>,
  ) {
    this.#cfg = ctx.config;
  }

  async run(): Promise<unknown> {
    const { ctx, runtime } = this;
    this.#facts = await this.#runFacts();
    this.#memo = await CallMemo.load(
      runtime.store,
      { runId: ctx.run.id, stepId: ctx.step.id, workspaceId: ctx.run.workspaceId, automationId: this.#facts.automationId },
      () => ctx.now(),
    );
    this.#model = runtime.models.resolve(this.#cfg.model ?? 'default');
    this.#tools = await resolveTools(runtime, this.#cfg.tools ?? [], ctx.signal);
    const maxTurns = this.#cfg.max_turns ?? DEFAULT_MAX_TURNS;
    const planning = ctx.planning;
    const schema = planning ? planAnswerSchema : this.#cfg.output_schema;
    const instruction = planning ? planning.instruction() : schema === undefined ? undefined : schemaInstruction(schema);
    const system = [this.#cfg.system, instruction].filter((s) => s !== undefined).join('\n\n') || undefined;
    const messages: ModelMessage[] = [{ role: 'user', content: this.#cfg.prompt }];
    let appended: ModelMessage[] = [...messages];
    let turns = 0;
    let repairing = false;
    for (;;) {
      const turn = await this.#modelCall(system, messages, appended);
      turns++;
      messages.push(...turn.messages);
      appended = [];
      if (turn.toolCalls.length > 0) {
        if (repairing || turns >= maxTurns) {
          throw new NonRetriableError(`agent step reached max_turns (${maxTurns}) while the model still calls tools`, { code: ErrorCode.max_turns_exceeded, details: { max_turns: maxTurns } });
        }
        const results: ModelMessage = { role: 'tool', content: [] };
        for (const call of turn.toolCalls) {
          const output = await this.#toolCall(call);
          (results.content as unknown[]).push({ type: 'tool-result', toolCallId: call.id, toolName: call.name, output: { type: 'json', value: output ?? null } });
        }
        messages.push(results);
        appended = [results];
        continue;
      }
      if (schema === undefined) return { text: turn.text, turns };
      const position = this.#memo.position - 1;
      const check = checkAnswer(turn.text, schema);
      const errors = !check.ok ? check.errors : planning ? planning.check((check.value as { steps: unknown }).steps) : [];
      await this.#saveArtifact(position, turn.text, errors, repairing);
      if (errors.length === 0 && check.ok) {
        if (!planning) return check.value;
        const answer = check.value as { steps: StepDef[]; summary?: string };
        return { steps: planning.join(answer.steps), ...(answer.summary !== undefined ? { summary: answer.summary } : {}) };
      }
      if (repairing) {
        throw planning
          ? new NonRetriableError(`the plan is still invalid after one repair turn: ${errors[0]!.path}: ${errors[0]!.message}`, { code: ErrorCode.plan_invalid, details: errors.slice(0, MAX_REPORTED_ERRORS) })
          : new NonRetriableError('the final answer is still invalid after one repair turn', {
              code: ErrorCode.artifact_invalid_after_repair,
              details: errors.slice(0, MAX_REPORTED_ERRORS),
            });
      }
      repairing = true;
      const repair: ModelMessage = { role: 'user', content: repairPrompt(errors, planning ? 'plan' : 'schema') };
      messages.push(repair);
      appended = [repair];
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Model calls

  async #modelCall(system: string | undefined, messages: ModelMessage[], appended: ModelMessage[]): Promise<ModelTurn> {
    const maxTokens = this.#cfg.max_tokens ?? DEFAULT_MAX_TOKENS;
    const request = { system, messages, tools: this.#tools, temperature: this.#cfg.temperature, maxTokens };
    const hash = requestHash({ model: this.#model.ref, system, messages, tools: this.#tools.map((t) => t.name), temperature: this.#cfg.temperature ?? null, maxTokens });
    while (this.#memo.peekKind() === 'budget') this.#applyBudgetRecord(this.#memo.take('budget', 'budget'));
    const recorded = this.#memo.take('model', hash) as ModelTurn | null;
    if (recorded) {
      this.#allowOnce = false;
      return recorded;
    }

    const estimated = estimateTokens({ system, messages, tools: this.#tools.map((t) => [t.modelName, t.description, t.inputSchema]) });
    await this.#checkBudget(estimated, maxTokens);
    const summary = { model: this.#model.ref, appended_messages: appended, tools: this.#tools.map((t) => t.name), max_tokens: maxTokens, temperature: this.#cfg.temperature ?? null, estimated_input_tokens: estimated };
    const started = performance.now();
    const span = startModelSpan(this.ctx.trace, this.#model, { maxTokens, temperature: this.#cfg.temperature });
    let turn: ModelTurn;
    try {
      turn = await callModel(this.#model, request, this.ctx.signal);
    } catch (err) {
      endModelSpan(span, { error: toErrorShape(err, undefined, ErrorCode.provider_error) });
      if (this.ctx.signal.aborted) throw err;
      const { code, message } = toErrorShape(err, undefined, ErrorCode.provider_error);
      const error = { code, message };
      const latencyMs = performance.now() - started;
      this.#observeCall('error', { input: 0, output: 0 }, 0, latencyMs);
      await this.#memo.record({
        kind: AgentCallKind.model, name: this.#model.ref, hash, request: summary, response: null, status: AgentCallStatus.error, error, latencyMs,
        event: { type: RunEventType.agent_model_call, data: { model: this.#model.ref, status: AgentCallStatus.error, error, latency_ms: Math.round(latencyMs) } },
      });
      throw err;
    }
    const latencyMs = performance.now() - started;
    const costUsd = callCost(this.#model.price, turn.usage);
    this.#observeCall('ok', turn.usage, costUsd, latencyMs);
    endModelSpan(span, { turn, costUsd });
    await this.#memo.record({
      kind: AgentCallKind.model, name: this.#model.ref, hash, request: summary, response: turn, status: AgentCallStatus.ok, tokens: turn.usage, costUsd, latencyMs,
      event: {
        type: RunEventType.agent_model_call,
        data: {
          model: this.#model.ref, status: AgentCallStatus.ok, finish_reason: turn.finishReason,
          tool_calls: turn.toolCalls.map((c) => c.name), text: clip(turn.text, EVENT_TEXT),
          input_tokens: turn.usage.input, output_tokens: turn.usage.output, cached_tokens: turn.usage.cached,
          cost_usd: costUsd, latency_ms: Math.round(latencyMs),
        },
      },
    });
    return turn;
  }

  #observeCall(status: 'ok' | 'error', usage: { input: number; output: number }, costUsd: number, latencyMs: number): void {
    const { provider, modelId } = this.#model;
    this.runtime.telemetry.modelCall({ provider, model: modelId, status, inputTokens: usage.input, outputTokens: usage.output, costUsd, seconds: latencyMs / 1000 });
  }

  async #checkBudget(estimatedInput: number, maxTokens: number): Promise<void> {
    if (this.#allowOnce) {
      this.#allowOnce = false;
      return;
    }
    const worst = { tokens: estimatedInput + maxTokens, costUsd: callCost(this.#model.price, { input: estimatedInput, output: maxTokens, cached: 0 }) };
    const budgets = await this.#budgets();
    const decision = checkBudgets(budgets, worst);
    if (decision.ok) return;
    const onExceed = this.#cfg.budget?.on_exceed ?? this.#facts.budget?.on_exceed ?? 'fail';
    const details = { scope: decision.scope, limit: limitView(decision.limit), spent: { cost_usd: decision.spent.costUsd, tokens: decision.spent.tokens }, worst_case: { cost_usd: worst.costUsd, tokens: worst.tokens } };
    if (onExceed === 'approval' && this.ctx.services.requestApproval && this.ctx.services.getApproval) {
      const position = this.#memo.position;
      const { id } = await this.ctx.services.requestApproval({
        key: `budget:${position}`,
        kind: ApprovalKind.budget,
        message: `Agent step "${this.ctx.step.id}" needs a higher ${decision.scope} budget: ${decision.reason}`,
        details: { ...details, approve_with: 'optional {max_cost_usd, max_tokens}: the new limit of this scope' },
        expiresAt: null,
      });
      const state = await this.ctx.services.getApproval(id);
      if (!state || state.state === ApprovalStatus.pending) throw new Suspend(this.ctx.suspend(WaitingFor.approval, null, { approval_id: id, kind: ApprovalKind.budget, position }));
      if (state.state === ApprovalStatus.aborted) return this.#abortRun();
      if (state.state === ApprovalStatus.approved) {
        const raised = isRecord(state.value) ? { scope: decision.scope, max_cost_usd: num(state.value.max_cost_usd), max_tokens: num(state.value.max_tokens) } : { scope: decision.scope };
        await this.#memo.record({
          kind: AgentCallKind.budget, name: decision.scope, hash: 'budget', request: details, response: { approval_id: id, ...raised }, status: AgentCallStatus.ok, latencyMs: 0,
          event: { type: RunEventType.budget_raised, data: { approval_id: id, ...raised } },
        });
        this.#applyBudgetRecord({ approval_id: id, ...raised });
        return this.#checkBudget(estimatedInput, maxTokens);
      }
    }
    await this.#event(RunEventType.budget_exceeded, { ...details, reason: decision.reason });
    throw new BudgetExceededError(`model call not made: ${decision.reason}`, details);
  }

  #applyBudgetRecord(record: unknown): void {
    if (!isRecord(record)) return;
    const scope = String(record.scope);
    const maxCostUsd = num(record.max_cost_usd);
    const maxTokens = num(record.max_tokens);
    if (maxCostUsd === undefined && maxTokens === undefined) {
      this.#allowOnce = true;
      return;
    }
    const before = this.#raised.get(scope) ?? {};
    this.#raised.set(scope, { ...before, ...(maxCostUsd !== undefined ? { maxCostUsd } : {}), ...(maxTokens !== undefined ? { maxTokens } : {}) });
  }

  async #budgets(): Promise<ScopedBudget[]> {
    const db = this.runtime.store.db;
    const out: ScopedBudget[] = [];
    const limit = (scope: string, base: BudgetLimit | null | undefined): BudgetLimit | null => {
      const raised = this.#raised.get(scope);
      const merged = { ...(base ?? {}), ...(raised ?? {}) };
      return merged.maxCostUsd === undefined && merged.maxTokens === undefined ? null : merged;
    };
    const step = limit('step', this.#cfg.budget ? { maxCostUsd: this.#cfg.budget.max_cost_usd, maxTokens: this.#cfg.budget.max_tokens } : null);
    if (step) out.push({ scope: 'step', limit: step, spent: this.#memo.stepSpent });
    const run = limit('run', this.#facts.budget ? { maxCostUsd: this.#facts.budget.max_cost_usd, maxTokens: this.#facts.budget.max_tokens } : null);
    if (run) out.push({ scope: 'run', limit: run, spent: await spentSince(db, { runId: this.ctx.run.id }, 0) });
    const day = startOfUtcDay(this.ctx.now());
    const automation = limit('automation_day', automationDayLimit(this.runtime.config.budgets.automationPerDay, this.#facts.budget?.per_day));
    if (automation) out.push({ scope: 'automation_day', limit: automation, spent: await spentSince(db, { automationId: this.#facts.automationId }, day) });
    const workspace = limit('workspace_day', this.runtime.config.budgets.workspacePerDay);
    if (workspace) out.push({ scope: 'workspace_day', limit: workspace, spent: await spentSince(db, { workspaceId: this.ctx.run.workspaceId }, day) });
    return out.map((b) => ({ ...b, limit: stripUndefined(b.limit) }));
  }

  // ---------------------------------------------------------------------------------------------
  // Tool calls

  async #toolCall(call: { id: string; name: string; input: unknown }): Promise<unknown> {
    const tool = this.#tools.find((t) => t.modelName === call.name);
    const requested = isRecord(call.input) ? call.input : {};
    const hash = requestHash({ tool: call.name, arguments: requested });
    const recorded = this.#memo.take('tool', hash) as { output: unknown } | null;
    if (recorded) return recorded.output;

    const position = this.#memo.position;
    let args = requested;
    let approval: Record<string, unknown> | null = null;
    if (tool && (this.#cfg.require_approval_for ?? []).includes(tool.name)) {
      const decided = await this.#approveTool(tool, requested, call.id, position);
      approval = decided.approval;
      if (decided.rejected) {
        const output = { rejected: true, message: `A person rejected this call of ${tool.name}${decided.comment ? `: ${decided.comment}` : ''}. Do not retry it; continue without it.` };
        await this.#recordTool(call.name, tool.name, hash, requested, requested, output, 0, approval);
        return output;
      }
      args = decided.args;
    }
    const started = performance.now();
    const span = startToolSpan(this.ctx.trace, { name: tool?.name ?? call.name, callId: call.id, type: tool && splitMcpName(tool.name) ? 'extension' : 'function' });
    let output: unknown;
    try {
      output = await this.#invokeTool(tool, call.name, args, position);
    } finally {
      endToolSpan(span, output);
    }
    await this.#recordTool(call.name, tool?.name ?? call.name, hash, requested, args, output, performance.now() - started, approval);
    return output;
  }

  async #invokeTool(tool: LoopTool | undefined, modelName: string, args: Record<string, unknown>, position: number): Promise<unknown> {
    if (!tool) return { error: `unknown tool "${modelName}"; available: ${this.#tools.map((t) => t.modelName).join(', ') || 'none'}` };
    const check = validateValue(tool.inputSchema, args);
    if (!check.ok) return { error: 'invalid arguments', details: check.errors.slice(0, MAX_REPORTED_ERRORS) };
    try {
      return await tool.invoke(check.value as Record<string, unknown>, {
        signal: this.ctx.signal,
        idempotencyKey: `${this.ctx.run.id}:${this.ctx.step.id}:tool:${position}`,
        run: { id: this.ctx.run.id, workspaceId: this.ctx.run.workspaceId, automation: this.ctx.run.automation, version: this.ctx.run.version },
        step: this.ctx.step,
        services: this.ctx.services,
        runtime: this.ctx.runtime,
        log: this.ctx.log,
      });
    } catch (err) {
      if (this.ctx.signal.aborted) throw err;
      // The model is told and may recover; a retry of the whole step would repeat paid-for turns.
      const { code, message } = toErrorShape(err, undefined, ErrorCode.tool_failed);
      const error = { code, message };
      return { error };
    }
  }

  async #approveTool(
    tool: LoopTool,
    requested: Record<string, unknown>,
    callId: string,
    position: number,
  ): Promise<{ rejected: boolean; args: Record<string, unknown>; comment: string | null; approval: Record<string, unknown> }> {
    const services = this.ctx.services;
    if (!services.requestApproval || !services.getApproval) {
      throw new NonRetriableError(`tool "${tool.name}" requires an approval, but approvals are not available on this node`, { code: ErrorCode.action_failed });
    }
    const { id } = await services.requestApproval({
      key: `tool:${position}`,
      kind: ApprovalKind.tool_call,
      message: `Agent step "${this.ctx.step.id}" wants to call ${tool.name}`,
      details: { tool: tool.name, arguments: requested, tool_call_id: callId, input_schema: tool.inputSchema },
      expiresAt: null,
    });
    const state = await services.getApproval(id);
    if (!state || state.state === ApprovalStatus.pending) throw new Suspend(this.ctx.suspend(WaitingFor.approval, null, { approval_id: id, kind: ApprovalKind.tool_call, tool: tool.name, position }));
    if (state.state === ApprovalStatus.aborted) return this.#abortRun();
    const approval = { id, state: state.state, decided_by: state.decided_by ?? null, comment: state.comment ?? null };
    if (state.state !== ApprovalStatus.approved) return { rejected: true, args: requested, comment: state.comment ?? null, approval };
    const edited = isRecord(state.value) ? state.value : null;
    return { rejected: false, args: edited ?? requested, comment: state.comment ?? null, approval: { ...approval, edited: edited !== null } };
  }

  async #recordTool(modelName: string, name: string, hash: string, requested: unknown, used: unknown, output: unknown, latencyMs: number, approval: Record<string, unknown> | null): Promise<void> {
    await this.#memo.record({
      kind: AgentCallKind.tool, name, hash,
      request: { tool: name, model_name: modelName, arguments: requested, ...(used !== requested ? { arguments_used: used } : {}), approval },
      response: { output },
      status: AgentCallStatus.ok, latencyMs,
      event: { type: RunEventType.agent_tool_call, data: { tool: name, arguments: bounded(used), output: bounded(output), latency_ms: Math.round(latencyMs), ...(approval ? { approval } : {}) } },
    });
  }

  async #abortRun(): Promise<never> {
    // A node's services always cancel; without them (an action tested alone) the step fails `canceled`.
    await this.ctx.services.cancelRun?.();
    throw new NonRetriableError('the run was aborted by an approver', { code: ErrorCode.canceled });
  }

  // ---------------------------------------------------------------------------------------------
  // Artifacts, events, facts

  async #saveArtifact(position: number, content: string, errors: ErrorDetail[], repair: boolean): Promise<void> {
    const now = this.ctx.now();
    const valid = errors.length === 0;
    const sha256 = sha256Hex(content);
    await this.runtime.store.db.transaction().execute(async (tx) => {
      const row = await saveArtifact(tx, {
        id: this.runtime.ids(), run_id: this.ctx.run.id, step_id: this.ctx.step.id, position, kind: repair ? 'repair' : 'answer',
        valid: valid ? 1 : 0, errors: valid ? null : JSON.stringify(errors.slice(0, 50)), sha256, size_bytes: Buffer.byteLength(content), content, created_at: now,
      });
      const type = valid ? (repair ? RunEventType.artifact_repaired : RunEventType.artifact_validated) : RunEventType.artifact_invalid;
      await appendRunEvents(tx, this.ctx.run.id, [{ type, step_id: this.ctx.step.id, data: { artifact_id: row.id, position, valid, sha256, errors: errors.slice(0, MAX_REPORTED_ERRORS) }, key: `artifact:${this.ctx.step.id}:${position}` }], now);
    });
  }

  /**
   * Run-log entries of the agent (budget checks, approvals asked): not fenced by the lease like
   * the executor's writes, on purpose. Each is idempotent by its key (step, attempt, call
   * position), and what it reports already happened: an executor that lost its lease still made
   * that call and paid for it, so the log saying so is true.
   */
  async #event(type: RunEventType, data: unknown): Promise<void> {
    await appendRunEvents(this.runtime.store.db, this.ctx.run.id, [{ type, step_id: this.ctx.step.id, data, key: `${type}:${this.ctx.step.id}:${this.ctx.attempt}:${this.#memo.position}` }], this.ctx.now());
  }

  async #runFacts(): Promise<RunFacts> {
    const db = this.runtime.store.db;
    const run = await runVersionOf(db, this.ctx.run.id);
    const version = await getVersion(db, run.automation_id, run.version);
    const definition = version ? (JSON.parse(version.definition) as { execution?: { budget?: RunFacts['budget'] } }) : {};
    return { automationId: run.automation_id, budget: definition.execution?.budget };
  }
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

function stripUndefined(limit: BudgetLimit): BudgetLimit {
  const out: BudgetLimit = {};
  if (limit.maxCostUsd !== undefined) out.maxCostUsd = limit.maxCostUsd;
  if (limit.maxTokens !== undefined) out.maxTokens = limit.maxTokens;
  return out;
}

function limitView(limit: BudgetLimit): { max_cost_usd?: number; max_tokens?: number } {
  return { ...(limit.maxCostUsd !== undefined ? { max_cost_usd: limit.maxCostUsd } : {}), ...(limit.maxTokens !== undefined ? { max_tokens: limit.maxTokens } : {}) };
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Values in run events are bounded; the full ones live in agent_calls. */
function bounded(value: unknown, max = 4000): unknown {
  const json = JSON.stringify(value ?? null);
  return json.length <= max ? value : { truncated: true, size: json.length, preview: json.slice(0, max) };
}
