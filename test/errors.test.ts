import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AbortReason,
  AbortedError,
  ErrorCode,
  RetriableError,
  SKIPPED_CODE,
  abortErrorOf,
  errorBody,
  exitCodeFor,
  httpStatusFor,
  isErrorCode,
  toErrorShape,
} from '../src/errors.js';
import { SkipReason } from '../src/states.js';

// The answers every code had before the mappings became tables; a code not listed maps to 500 / 1.
const HTTP: Partial<Record<string, number>> = {
  invalid_request: 400, definition_invalid: 400, inputs_invalid: 400, unauthenticated: 401, forbidden: 403,
  not_found: 404, conflict: 409, payload_too_large: 413, rate_limited: 429, unavailable: 503,
  // a refused retry or replay of a paused automation's run answers like a refused manual start
  automation_paused: 409,
};
const EXIT: Partial<Record<string, number>> = {
  invalid_request: 2, definition_invalid: 2, inputs_invalid: 2, unauthenticated: 3, forbidden: 3, not_found: 4, conflict: 5, unavailable: 6, automation_paused: 5,
};

describe('error code mappings', () => {
  for (const code of Object.values(ErrorCode)) {
    test(`${code} → HTTP ${HTTP[code] ?? 500}, exit ${EXIT[code] ?? 1}`, () => {
      assert.equal(httpStatusFor(code), HTTP[code] ?? 500);
      assert.equal(exitCodeFor(code), EXIT[code] ?? 1);
    });
  }

  test('a custom x_ code and an unknown string map to 500 and exit 1', () => {
    for (const code of ['x_quota_exhausted', 'no_such_code']) {
      assert.equal(httpStatusFor(code), 500);
      assert.equal(exitCodeFor(code), 1);
      assert.equal(isErrorCode(code), false);
    }
  });

  test('every skip reason has its stored skipped_<reason> code', () => {
    for (const reason of Object.values(SkipReason)) {
      assert.equal(SKIPPED_CODE[reason], `skipped_${reason}`);
      assert.ok(isErrorCode(SKIPPED_CODE[reason]));
    }
  });

  test('the error body is {error: {code, message, details}} with details null when absent', () => {
    assert.deepEqual(errorBody(ErrorCode.not_found, 'gone'), { error: { code: 'not_found', message: 'gone', details: null } });
    assert.deepEqual(errorBody(ErrorCode.conflict, 'x', { a: 1 }), { error: { code: 'conflict', message: 'x', details: { a: 1 } } });
  });

  test('toErrorShape uses the fallback code only for non-Rota errors', () => {
    assert.equal(toErrorShape(new Error('boom'), undefined, ErrorCode.tool_failed).code, ErrorCode.tool_failed);
    assert.equal(toErrorShape(new RetriableError('x', { code: ErrorCode.http_error }), undefined, ErrorCode.tool_failed).code, ErrorCode.http_error);
    assert.equal(toErrorShape('text').code, ErrorCode.action_failed);
  });
});

describe('abort reasons', () => {
  const expected: Record<AbortReason, { code: ErrorCode; retriable: boolean }> = {
    step_timeout: { code: ErrorCode.step_timeout, retriable: true },
    run_timeout: { code: ErrorCode.run_timeout, retriable: false },
    cancel: { code: ErrorCode.canceled, retriable: false },
    lease_lost: { code: ErrorCode.lease_lost, retriable: true },
    shutdown: { code: ErrorCode.lease_lost, retriable: true },
  };
  for (const reason of Object.values(AbortReason)) {
    test(`an engine abort for ${reason} reads the same in an action`, () => {
      const controller = new AbortController();
      controller.abort(new AbortedError(reason));
      const err = abortErrorOf(controller.signal);
      assert.ok(err instanceof AbortedError);
      assert.equal(err.abortReason, reason);
      assert.deepEqual({ code: err.code, retriable: err.retriable }, expected[reason]);
    });
  }

  test('a DOM timeout is a retriable step timeout; any other foreign reason a cancel', () => {
    const timedOut = abortErrorOf(AbortSignal.abort(new DOMException('late', 'TimeoutError')));
    assert.deepEqual([timedOut.code, timedOut.retriable], [ErrorCode.step_timeout, true]);
    const aborted = abortErrorOf(AbortSignal.abort());
    assert.deepEqual([aborted.code, aborted.retriable], [ErrorCode.canceled, false]);
  });

  test('a Rota error given as the reason passes unchanged', () => {
    const reason = new RetriableError('shutting down', { code: ErrorCode.canceled });
    const controller = new AbortController();
    controller.abort(reason);
    assert.equal(abortErrorOf(controller.signal), reason);
  });
});
