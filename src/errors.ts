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
  lease_lost: 'lease_lost',
  budget_exceeded: 'budget_exceeded',
  model_not_configured: 'model_not_configured',
  provider_error: 'provider_error',
  tool_failed: 'tool_failed',
  max_turns_exceeded: 'max_turns_exceeded',
  artifact_invalid_after_repair: 'artifact_invalid_after_repair',
  agent_replay_mismatch: 'agent_replay_mismatch',
  approval_rejected: 'approval_rejected',
  event_timeout: 'event_timeout',
  delegation_timeout: 'delegation_timeout',
  delegation_failed: 'delegation_failed',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ErrorDetail {
  path: string;
  message: string;
}

/** The one error shape stored on runs and steps and returned by the API and CLI. */
export interface ErrorShape {
  code: string;
  message: string;
  step_id?: string;
  retriable?: boolean;
  details?: unknown;
}

export class RotaError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  readonly details?: unknown;
  constructor(code: string, message: string, opts: { retriable?: boolean; details?: unknown; cause?: unknown } = {}) {
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
  constructor(message: string, problems: ErrorDetail[] = [], code: string = ErrorCode.invalid_request) {
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
  constructor(message: string, opts: { code?: string; details?: unknown; cause?: unknown } = {}) {
    super(opts.code ?? ErrorCode.action_failed, message, { retriable: false, details: opts.details, cause: opts.cause });
  }
}

/** Thrown by actions for transient failures (network, timeouts, 429/5xx) that a retry may fix. */
export class RetriableError extends RotaError {
  constructor(message: string, opts: { code?: string; details?: unknown; cause?: unknown } = {}) {
    super(opts.code ?? ErrorCode.action_failed, message, { retriable: true, details: opts.details, cause: opts.cause });
  }
}

export class BudgetExceededError extends RotaError {
  constructor(message: string, details?: unknown) {
    super(ErrorCode.budget_exceeded, message, { details });
  }
}

/** Normalizes anything thrown into the stored error shape. Never includes a stack trace. */
export function toErrorShape(err: unknown, stepId?: string): ErrorShape {
  let shape: ErrorShape;
  if (err instanceof RotaError) {
    shape = { code: err.code, message: err.message, retriable: err.retriable };
    if (err.details !== undefined) shape.details = err.details;
  } else if (err instanceof Error) {
    shape = { code: ErrorCode.action_failed, message: err.message || err.name, retriable: false };
  } else {
    shape = { code: ErrorCode.action_failed, message: typeof err === 'string' ? err : 'unknown error', retriable: false };
  }
  if (stepId !== undefined) shape.step_id = stepId;
  return shape;
}

/** HTTP status for an error code; the one place this mapping lives. */
export function httpStatusFor(code: string): number {
  switch (code) {
    case ErrorCode.invalid_request:
    case ErrorCode.definition_invalid:
    case ErrorCode.inputs_invalid:
      return 400;
    case ErrorCode.unauthenticated:
      return 401;
    case ErrorCode.forbidden:
      return 403;
    case ErrorCode.not_found:
      return 404;
    case ErrorCode.conflict:
      return 409;
    case ErrorCode.payload_too_large:
      return 413;
    case ErrorCode.rate_limited:
      return 429;
    case ErrorCode.unavailable:
      return 503;
    default:
      return 500;
  }
}

/** CLI exit code for an API error code (documented in the README). */
export function exitCodeFor(code: string): number {
  switch (code) {
    case ErrorCode.invalid_request:
    case ErrorCode.definition_invalid:
    case ErrorCode.inputs_invalid:
      return 2;
    case ErrorCode.unauthenticated:
    case ErrorCode.forbidden:
      return 3;
    case ErrorCode.not_found:
      return 4;
    case ErrorCode.conflict:
      return 5;
    case ErrorCode.unavailable:
      return 6;
    default:
      return 1;
  }
}
