import { ErrorCode, RetriableError } from '../errors.js';

/** An action's own time limit (a request, a process) ran out: a retriable step timeout. */
export function timeoutError(what: string, ms: number): RetriableError {
  return new RetriableError(`${what} timed out after ${ms} ms`, { code: ErrorCode.step_timeout, details: { timeout_ms: ms } });
}
