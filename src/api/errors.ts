/**
 * The one place where anything thrown while answering a request becomes the public error shape
 * `{"error": {code, message, details}}` with its status.
 */
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ZodError } from 'zod';
import { ErrorCode, RateLimitedError, RotaError, ValidationError, errorBody, httpStatusFor, type ErrorBody } from '../errors.js';
import { toJsonPath } from '../definition/json-path.js';
import type { ApiLogger } from './api-env.js';

export type ApiErrorBody = ErrorBody;

interface Mapped {
  status: number;
  body: ApiErrorBody;
}

export { errorBody };

/** Maps a thrown value to status and body; `unexpected` is true when it must be logged. */
export function mapError(err: unknown): Mapped & { unexpected: boolean } {
  if (err instanceof RotaError) {
    const status = httpStatusFor(err.code);
    if (status >= 500 && err.code !== ErrorCode.unavailable) return { ...internal(), unexpected: true };
    return { status, body: errorBody(err.code, err.message, err.details), unexpected: false };
  }
  if (err instanceof HTTPException) return { ...fromHttpException(err), unexpected: err.status >= 500 };
  return { ...internal(), unexpected: true };
}

function internal(): Mapped {
  return { status: 500, body: errorBody(ErrorCode.internal, 'internal error; see the server log') };
}

// HTTPExceptions come from hono's own middleware (body limit, media-type gate, malformed JSON).
function fromHttpException(err: HTTPException): Mapped {
  switch (err.status) {
    case 401:
      return { status: 401, body: errorBody(ErrorCode.unauthenticated, 'authentication required') };
    case 404:
      return { status: 404, body: errorBody(ErrorCode.not_found, 'not found') };
    case 413:
      return { status: 413, body: errorBody(ErrorCode.payload_too_large, 'request body too large') };
    case 415:
      return { status: 400, body: errorBody(ErrorCode.invalid_request, 'unsupported Content-Type; send application/json') };
    default:
      if (err.status >= 500) return internal();
      return { status: 400, body: errorBody(ErrorCode.invalid_request, err.message || 'invalid request') };
  }
}

export function respondError(c: Context, err: unknown, logger: ApiLogger): Response {
  const mapped = mapError(err);
  if (mapped.unexpected) {
    logger.error({ err, method: c.req.method, path: c.req.path }, 'unexpected error while answering a request');
  }
  if (err instanceof RateLimitedError) c.header('Retry-After', String(Math.max(1, Math.ceil(err.retryAfterSeconds))));
  return c.json(mapped.body, mapped.status as 400);
}

export function onErrorHandler(logger: ApiLogger): ErrorHandler {
  return (err, c) => respondError(c, err, logger);
}

export const notFoundHandler: NotFoundHandler = (c) =>
  c.json(errorBody(ErrorCode.not_found, `no route for ${c.req.method} ${c.req.path}`), 404);

const TARGET_NAMES: Record<string, string> = { json: 'body', query: 'query', param: 'path', header: 'header' };

/** zod failures of any request part → 400 `invalid_request` with one `{path, message}` per issue. */
export function validationError(target: string, error: ZodError): ValidationError {
  const where = TARGET_NAMES[target] ?? target;
  const details = error.issues.map((issue) => ({
    path: toJsonPath(issue.path.filter((p): p is string | number => typeof p !== 'symbol'), where === 'body' ? '$' : where),
    message: issue.message,
  }));
  const first = details[0];
  const summary = first ? `${first.path}: ${first.message}` : 'validation failed';
  return new ValidationError(`invalid request ${where}: ${summary}`, details);
}

/** `defaultHook` of every OpenAPIHono: validation failures go through the one mapper. */
export function validationHook(logger: ApiLogger) {
  return (result: { success: boolean; target: string; error?: ZodError }, c: Context): Response | undefined => {
    if (result.success || !result.error) return undefined;
    return respondError(c, validationError(result.target, result.error), logger);
  };
}
