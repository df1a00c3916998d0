/**
 * The conversation of an agent step, as the API and UI show it: every recorded model and tool call
 * in order (failed ones included) with tokens, cost and latency, plus the step's artifacts.
 */
import { AgentCallKind, type AgentCallStatus } from '../states.js';
import { NotFoundError } from '../errors.js';
import type { Store } from '../store/connect.js';
import { stepInput } from '../store/runs.js';
import { listAgentCalls, listArtifacts, type AgentCallRow, type ArtifactRow } from '../store/agent-calls.js';

export interface AgentCallView {
  seq: number;
  position: number;
  kind: AgentCallKind;
  name: string;
  status: AgentCallStatus;
  request: unknown;
  response: unknown;
  error: unknown;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  cost_usd: number;
  latency_ms: number;
  created_at: string;
}

export interface ArtifactView {
  id: string;
  step_id: string;
  position: number;
  kind: string;
  valid: boolean;
  errors: unknown;
  sha256: string;
  size_bytes: number;
  created_at: string;
  content?: string;
}

export interface ConversationView {
  run_id: string;
  step_id: string;
  /** the step's resolved `with:` (system, prompt, tools, ...) */
  input: unknown;
  calls: AgentCallView[];
  artifacts: ArtifactView[];
  totals: { cost_usd: number; input_tokens: number; output_tokens: number; model_calls: number; tool_calls: number };
}

export async function stepConversation(store: Store, workspaceId: string, runId: string, stepId: string): Promise<ConversationView> {
  const step = await stepInput(store.db, workspaceId, runId, stepId);
  if (!step) throw new NotFoundError(`run ${runId} has no step ${stepId}`);
  const calls = (await listAgentCalls(store.db, runId, stepId)).map(callView);
  const artifacts = (await listArtifacts(store.db, runId)).filter((a) => a.step_id === stepId).map((a) => artifactView(a, true));
  const models = calls.filter((c) => c.kind === AgentCallKind.model);
  return {
    run_id: runId,
    step_id: stepId,
    input: step.input === null ? null : JSON.parse(step.input),
    calls,
    artifacts,
    totals: {
      cost_usd: models.reduce((s, c) => s + c.cost_usd, 0),
      input_tokens: models.reduce((s, c) => s + c.input_tokens, 0),
      output_tokens: models.reduce((s, c) => s + c.output_tokens, 0),
      model_calls: models.length,
      tool_calls: calls.filter((c) => c.kind === AgentCallKind.tool).length,
    },
  };
}

/** Artifacts of a run without their content (for reports). */
export async function runArtifacts(store: Store, runId: string): Promise<ArtifactView[]> {
  return (await listArtifacts(store.db, runId)).map((a) => artifactView(a, false));
}

function callView(row: AgentCallRow): AgentCallView {
  return {
    seq: row.seq,
    position: row.position,
    kind: row.kind,
    name: row.name,
    status: row.status,
    request: row.request === null ? null : JSON.parse(row.request),
    response: row.response === null ? null : JSON.parse(row.response),
    error: row.error === null ? null : JSON.parse(row.error),
    input_tokens: Number(row.input_tokens),
    output_tokens: Number(row.output_tokens),
    cached_tokens: Number(row.cached_tokens),
    cost_usd: Number(row.cost_usd),
    latency_ms: Number(row.latency_ms),
    created_at: new Date(Number(row.created_at)).toISOString(),
  };
}

function artifactView(row: ArtifactRow, withContent: boolean): ArtifactView {
  return {
    id: row.id,
    step_id: row.step_id,
    position: row.position,
    kind: row.kind,
    valid: row.valid === 1,
    errors: row.errors === null ? null : JSON.parse(row.errors),
    sha256: row.sha256,
    size_bytes: Number(row.size_bytes),
    created_at: new Date(Number(row.created_at)).toISOString(),
    ...(withContent ? { content: row.content } : {}),
  };
}
