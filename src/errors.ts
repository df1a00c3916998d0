import { SkipReason } from './states.js';

/**
 * Rota's error classes. Every error that leaves a boundary (API, CLI, stored run or step) has the
 * one shape `{code, message, step_id?, retriable?, details?}` produced by {@link toErrorShape}.
 */

export const ErrorCode = {
  invalid_request: 'invalid_request',
  definition_invalid: 'definition_invalid',
  inputs_invalid: 'inputs_invalid',
  unauthenticated: 'unauthenticated',
  forbidden: 'forbidden',
  not_found: 'not_found',
  conflict: 'conflict',
  payload_too_large: 'payload_too_large',
  rate_limited: 'rate_limited',
  unavailable: 'unavailable',
  internal: 'internal',
  // run and step failures
  action_failed: 'action_failed',
  http_error: 'http_error',
  network_error: 'network_error',
  step_timeout: 'step_timeout',
  run_timeout: 'run_timeout',
  canceled: 'canceled',
  template_unresolved: 'template_unresolved',
  ssrf_blocked: 'ssrf_blocked',
  shell_disabled: 'shell_disabled',
  shell_failed: 'shell_failed',
  output_too_large: 'output_too_large',
  output_invalid: 'output_invalid',
  child_run_failed: 'child_run_failed',
  /** a run of a paused or archived automation was asked for (a child run, a retry, a replay) */
  automation_paused: 'automation_paused',
  /** a run would start a run deeper than `limits.maxDepth` (child runs, `run.*` event chains) */
  depth_exceeded: 'depth_exceeded',
  lease_lost: 'lease_lost',
  budget_exceeded: 'budget_exceeded',
  model_not_configured: 'model_not_configured',
  provider_error: 'provider_error',
  tool_failed: 'tool_failed',
  max_turns_exceeded: 'max_turns_exceeded',
  artifact_invalid_after_repair: 'artifact_invalid_after_repair',
  /** a planning step's plan was still invalid after one repair turn */
  plan_invalid: 'plan_invalid',
  agent_replay_mismatch: 'agent_replay_mismatch',
  approval_rejected: 'approval_rejected',
  event_timeout: 'event_timeout',
  delegation_timeout: 'delegation_timeout',
  delegation_failed: 'delegation_failed',
  // a skipped run's stored error, one per SkipReason (SKIPPED_CODE below checks that)
  skipped_overlap: 'skipped_overlap',
  skipped_fire_limit: 'skipped_fire_limit',
  skipped_misfire: 'skipped_misfire',
  skipped_budget: 'skipped_budget',
  skipped_paused: 'skipped_paused',
  skipped_invalid_inputs: 'skipped_invalid_inputs',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * A code of a custom action's own, outside Rota's closed set: it must start with `x_` (for example
 * `x_quota_exhausted`), so it never collides with a code Rota adds later. It maps to HTTP 500 and
 * exit code 1.
 *
 * ```ts
 * throw new NonRetriableError('quota used up', { code: 'x_quota_exhausted' });
 * ```
 */
export type CustomErrorCode = `x_${string}`;
/** Every code an error may carry: Rota's own or a custom action's. */
export type AnyErrorCode = ErrorCode | CustomErrorCode;

const CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));
export function isErrorCode(code: string): code is ErrorCode {
  return CODES.has(code);
}

/** The stored error code of a run skipped for `reason`; a new SkipReason fails `tsc` until it has one. */
export const SKIPPED_CODE = {
  overlap: ErrorCode.skipped_overlap,
  fire_limit: ErrorCode.skipped_fire_limit,
  misfire: ErrorCode.skipped_misfire,
  budget: ErrorCode.skipped_budget,
  paused: ErrorCode.skipped_paused,
  invalid_inputs: ErrorCode.skipped_invalid_inputs,
} as const satisfies { [R in SkipReason]: `skipped_${R}` };

export interface ErrorDetail {
  path: string;
  message: string;
}

/** The one error shape stored on runs and steps and returned by the API and CLI. */
export interface ErrorShape {
  code: AnyErrorCode;
  message: string;
  step_id?: string;
  retriable?: boolean;
  details?: unknown;
}

export class RotaError extends Error {
  readonly code: AnyErrorCode;
  readonly retriable: boolean;
  readonly details?: unknown;
  constructor(code: AnyErrorCode, message: string, opts: { retriable?: boolean; details?: unknown; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = opts.retriable ?? false;
    this.details = opts.details;
  }
}

/** A definition (or part of one) is invalid; `details` lists every problem with its JSON path. */
export class DefinitionError extends RotaError {
  constructor(message: string, readonly problems: ErrorDetail[]) {
    super(ErrorCode.definition_invalid, message, { details: problems });
  }
}

export class ValidationError extends RotaError {
  constructor(message: string, problems: ErrorDetail[] = [], code: ErrorCode = ErrorCode.invalid_request) {
    super(code, message, { details: problems });
  }
}

export class NotFoundError extends RotaError {
  constructor(message: string) {
    super(ErrorCode.not_found, message);
  }
}

export class ConflictError extends RotaError {
  constructor(message: string, details?: unknown) {
    super(ErrorCode.conflict, message, { details });
  }
}

export class AuthError extends RotaError {
  constructor(code: typeof ErrorCode.unauthenticated | typeof ErrorCode.forbidden, message: string) {
    super(code, message);
  }
}

export class RateLimitedError extends RotaError {
  constructor(message: string, readonly retryAfterSeconds: number) {
    super(ErrorCode.rate_limited, message, { details: { retry_after_s: retryAfterSeconds } });
  }
}

/** Thrown by actions for failures that a retry cannot fix. */
export class NonRetriableError extends RotaError {
  constructor(message: string, opts: { code?: AnyErrorCode; details?: unknown; cause?: unknown } = {}) {
    super(opts.code ?? ErrorCode.action_failed, message, { retriable: false, details: opts.details, cause: opts.cause });
  }
}

/** Thrown by actions for transient failures (network, timeouts, 429/5xx) that a retry may fix. */
export class RetriableError extends RotaError {
  constructor(message: string, opts: { code?: AnyErrorCode; details?: unknown; cause?: unknown } = {}) {
    super(opts.code ?? ErrorCode.action_failed, message, { retriable: true, details: opts.details, cause: opts.cause });
  }
}

export class BudgetExceededError extends RotaError {
  constructor(message: string, details?: unknown) {
    super(ErrorCode.budget_exceeded, message, { details });
  }
}

/** Normalizes anything thrown into the stored error shape (`fallbackCode` for a non-Rota error). Never includes a stack trace. */
export function toErrorShape(err: unknown, stepId?: string, fallbackCode: ErrorCode = ErrorCode.action_failed): ErrorShape {
  let shape: ErrorShape;
  if (err instanceof RotaError) {
    shape = { code: err.code, message: err.message, retriable: err.retriable };
    if (err.details !== undefined) shape.details = err.details;
  } else if (err instanceof Error) {
    shape = { code: fallbackCode, message: err.message || err.name, retriable: false };
  } else {
    shape = { code: fallbackCode, message: typeof err === 'string' ? err : 'unknown error', retriable: false };
  }
  if (stepId !== undefined) shape.step_id = stepId;
  return shape;
}

/** HTTP status per error code; the one place this mapping lives. */
const HTTP_STATUS = {
  invalid_request: 400,
  definition_invalid: 400,
  inputs_invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
  action_failed: 500,
  http_error: 500,
  network_error: 500,
  step_timeout: 500,
  run_timeout: 500,
  canceled: 500,
  template_unresolved: 500,
  ssrf_blocked: 500,
  shell_disabled: 500,
  shell_failed: 500,
  output_too_large: 500,
  output_invalid: 500,
  child_run_failed: 500,
  automation_paused: 409,
  depth_exceeded: 500,
  lease_lost: 500,
  budget_exceeded: 500,
  model_not_configured: 500,
  provider_error: 500,
  tool_failed: 500,
  max_turns_exceeded: 500,
  artifact_invalid_after_repair: 500,
  plan_invalid: 500,
  agent_replay_mismatch: 500,
  approval_rejected: 500,
  event_timeout: 500,
  delegation_timeout: 500,
  delegation_failed: 500,
  skipped_overlap: 500,
  skipped_fire_limit: 500,
  skipped_misfire: 500,
  skipped_budget: 500,
  skipped_paused: 500,
  skipped_invalid_inputs: 500,
} as const satisfies Record<ErrorCode, number>;

/** CLI exit code per API error code (documented in the README). */
const EXIT_CODE = {
  invalid_request: 2,
  definition_invalid: 2,
  inputs_invalid: 2,
  unauthenticated: 3,
  forbidden: 3,
  not_found: 4,
  conflict: 5,
  unavailable: 6,
  payload_too_large: 1,
  rate_limited: 1,
  internal: 1,
  action_failed: 1,
  http_error: 1,
  network_error: 1,
  step_timeout: 1,
  run_timeout: 1,
  canceled: 1,
  template_unresolved: 1,
  ssrf_blocked: 1,
  shell_disabled: 1,
  shell_failed: 1,
  output_too_large: 1,
  output_invalid: 1,
  child_run_failed: 1,
  automation_paused: 5,
  depth_exceeded: 1,
  lease_lost: 1,
  budget_exceeded: 1,
  model_not_configured: 1,
  provider_error: 1,
  tool_failed: 1,
  max_turns_exceeded: 1,
  artifact_invalid_after_repair: 1,
  plan_invalid: 1,
  agent_replay_mismatch: 1,
  approval_rejected: 1,
  event_timeout: 1,
  delegation_timeout: 1,
  delegation_failed: 1,
  skipped_overlap: 1,
  skipped_fire_limit: 1,
  skipped_misfire: 1,
  skipped_budget: 1,
  skipped_paused: 1,
  skipped_invalid_inputs: 1,
} as const satisfies Record<ErrorCode, number>;

/** HTTP status for an error code; a custom (or unknown) code is a 500. */
export function httpStatusFor(code: string): number {
  return isErrorCode(code) ? HTTP_STATUS[code] : 500;
}

/** CLI exit code for an API error code; a custom (or unknown) code exits 1. */
export function exitCodeFor(code: string): number {
  return isErrorCode(code) ? EXIT_CODE[code] : 1;
}

/** The API's error body `{"error": {code, message, details}}`, built only here. */
export interface ErrorBody {
  error: { code: AnyErrorCode; message: string; details: unknown };
}

export function errorBody(code: AnyErrorCode, message: string, details: unknown = null): ErrorBody {
  return { error: { code, message, details: details ?? null } };
}

/** The error a canceled run (and each step it stopped) records. */
export function canceledRunError(): { code: typeof ErrorCode.canceled; message: string } {
  return { code: ErrorCode.canceled, message: 'run was canceled' };
}

/**
 * Why the engine aborts an action's `ctx.signal`. The signal's `reason` is an {@link AbortedError}
 * carrying one of these, so an action and the engine read the same outcome from it.
 */
export const AbortReason = {
  /** The step ran past its own timeout: retried like any transient failure. */
  step_timeout: 'step_timeout',
  /** The run ran past its deadline: the run ends timed_out. */
  run_timeout: 'run_timeout',
  /** The run was canceled: the run ends canceled. */
  cancel: 'cancel',
  /** This node lost the run's lease: another node owns the run and executes the step again. */
  lease_lost: 'lease_lost',
  /** This node is shutting down: the run is released and executed again elsewhere. */
  shutdown: 'shutdown',
} as const;
export type AbortReason = (typeof AbortReason)[keyof typeof AbortReason];

const ABORT_ERROR = {
  step_timeout: { code: ErrorCode.step_timeout, retriable: true, message: 'step exceeded its timeout' },
  run_timeout: { code: ErrorCode.run_timeout, retriable: false, message: 'run exceeded its timeout' },
  cancel: { code: ErrorCode.canceled, retriable: false, message: 'run was canceled' },
  lease_lost: { code: ErrorCode.lease_lost, retriable: true, message: 'step was interrupted (lease_lost)' },
  shutdown: { code: ErrorCode.lease_lost, retriable: true, message: 'step was interrupted (shutdown)' },
} as const satisfies Record<AbortReason, { code: ErrorCode; retriable: boolean; message: string }>;

/** The reason the engine aborts a signal with; the one mapping from an abort to an error. */
export class AbortedError extends RotaError {
  constructor(readonly abortReason: AbortReason, cause?: unknown) {
    const { code, message, retriable } = ABORT_ERROR[abortReason];
    super(code, message, { retriable, cause });
  }
}

/**
 * The error an aborted signal stands for. The engine's aborts carry an {@link AbortedError} (any
 * Rota error is passed on unchanged); a DOM `TimeoutError` is a step timeout and any other reason
 * a cancel, mapped by the same table.
 */
export function abortErrorOf(signal: AbortSignal): RotaError {
  const reason: unknown = signal.reason;
  if (reason instanceof RotaError) return reason;
  const timedOut = reason instanceof Error && reason.name === 'TimeoutError';
  return new AbortedError(timedOut ? AbortReason.step_timeout : AbortReason.cancel, reason);
}
