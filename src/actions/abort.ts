import { ErrorCode, RetriableError, RotaError } from '../errors.js';

/**
 * The error an action throws when `ctx.signal` aborts it. The engine decides what the abort means
 * (cancel, timeout, shutdown); a reason that already is a Rota error is passed on unchanged.
 */
export function abortErrorOf(signal: AbortSignal): RotaError {
  const reason: unknown = signal.reason;
  if (reason instanceof RotaError) return reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    return new RetriableError('step timed out', { code: ErrorCode.step_timeout, cause: reason });
  }
  return new RetriableError('step aborted', { code: ErrorCode.canceled, cause: reason });
}

export function timeoutError(what: string, ms: number): RetriableError {
  return new RetriableError(`${what} timed out after ${ms} ms`, { code: ErrorCode.step_timeout, details: { timeout_ms: ms } });
}
