import type { ErrorCode } from '../errors.js';

/** An error answered by the Rota API (`{"error": {code, message, details}}`), or the server being unreachable. */
export class RotaApiError extends Error {
  /** HTTP status; 0 when the server could not be reached */
  readonly status: number;
  /** stable error code, e.g. `not_found`, `definition_invalid`, `unavailable` (see `ErrorCode`); kept a string because a newer server may send a code this client does not know */
  readonly code: string;
  readonly details: unknown;
  constructor(status: number, code: string, message: string, details?: unknown, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RotaApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** The `{path, message}` problems in `details`, when the server sent a list of them. */
  get problems(): { path: string; message: string }[] {
    if (!Array.isArray(this.details)) return [];
    return this.details
      .filter((d): d is { path: unknown; message: unknown } => typeof d === 'object' && d !== null && 'message' in d)
      .map((d) => ({ path: String(d.path ?? ''), message: String(d.message) }));
  }
}

/** The error code a status means when the body carries none (a proxy's 502, say). */
export function codeForStatus(status: number): ErrorCode {
  if (status === 400 || status === 422) return 'invalid_request';
  if (status === 401) return 'unauthenticated';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 413) return 'payload_too_large';
  if (status === 429) return 'rate_limited';
  if (status === 502 || status === 503 || status === 504) return 'unavailable';
  return 'internal';
}

/** Builds the error of a non-2xx response from its body text. */
export function errorFromResponse(status: number, statusText: string, bodyText: string): RotaApiError {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    body = undefined;
  }
  const error = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
  if (typeof error === 'object' && error !== null) {
    const e = error as { code?: unknown; message?: unknown; details?: unknown };
    const code = typeof e.code === 'string' ? e.code : codeForStatus(status);
    const message = typeof e.message === 'string' ? e.message : `${status} ${statusText}`;
    return new RotaApiError(status, code, message, e.details);
  }
  const snippet = bodyText.trim().slice(0, 200);
  return new RotaApiError(status, codeForStatus(status), `${status} ${statusText}${snippet ? `: ${snippet}` : ''}`);
}

/** fetch() rejected: connection refused, DNS failure, TLS error, reset. */
export function unreachable(baseUrl: string, err: unknown): RotaApiError {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? (err as Error).message;
  return new RotaApiError(0, 'unavailable', `cannot reach the Rota server at ${baseUrl} (${why})`, undefined, { cause: err });
}
