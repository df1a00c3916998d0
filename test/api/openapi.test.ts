/**
 * The published OpenAPI document passes a maintained OpenAPI 3.1 validator (Redocly's, with its
 * recommended rules): any error fails the test. A broken copy proves the check can fail.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createConfig, lintFromString, type NormalizedProblem } from '@redocly/openapi-core';
import { deriveOperationId } from '../../src/api/openapi-document.js';
import { apiClient, startTestServer, type TestServer } from './harness.js';

async function problems(doc: unknown): Promise<NormalizedProblem[]> {
  const config = await createConfig({
    extends: ['recommended'],
    rules: { 'operation-operationId': 'error', 'operation-operationId-unique': 'error', 'no-empty-servers': 'error', struct: 'error' },
  });
  const found = await lintFromString({ source: JSON.stringify(doc), absoluteRef: 'openapi.json', config });
  return found.filter((p) => p.severity === 'error');
}

const describeProblems = (list: NormalizedProblem[]): string =>
  list.slice(0, 20).map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? '?'}`).join('\n');

describe('api: the OpenAPI document', () => {
  let server: TestServer;
  let doc: any;
  before(async () => {
    server = await startTestServer({ dialect: 'sqlite' });
    const res = await apiClient(server.url, null)('GET', '/api/openapi.json');
    assert.equal(res.status, 200);
    doc = res.body;
  });
  after(() => server?.close());

  test('has no validation error', async () => {
    const errors = await problems(doc);
    assert.equal(errors.length, 0, describeProblems(errors));
  });

  test('names its servers, gives every operation a unique operationId and leaks no middleware', () => {
    assert.ok(Array.isArray(doc.servers) && doc.servers.length > 0);
    const ids: string[] = [];
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(item)) {
        if (typeof op !== 'object' || !('responses' in op)) continue;
        assert.equal(typeof op.operationId, 'string', `${method} ${path} has an operationId`);
        assert.ok(!('middleware' in op), `${method} ${path} leaks middleware`);
        ids.push(op.operationId);
      }
    }
    assert.ok(ids.length > 20, `${ids.length} operations`);
    assert.equal(new Set(ids).size, ids.length, 'operationIds are unique');
  });

  test('a broken document fails the validator', async () => {
    const broken = structuredClone(doc);
    const [path, item] = Object.entries<any>(broken.paths)[0]!;
    const op = Object.values<any>(item)[0];
    delete op.operationId;
    op.responses = 'none';
    broken.paths[path].get = { ...op, middleware: [{}] };
    const errors = await problems(broken);
    assert.ok(errors.some((p) => p.ruleId === 'operation-operationId'), describeProblems(errors));
    assert.ok(errors.some((p) => p.ruleId === 'struct'), describeProblems(errors));
  });

  test('operationIds derive from method and path', () => {
    assert.equal(deriveOperationId('post', '/api/v1/automations/{name}/runs'), 'postAutomationsByNameRuns');
    assert.equal(deriveOperationId('get', '/healthz'), 'getHealthz');
    assert.equal(deriveOperationId('get', '/api/v1'), 'getRoot');
  });
});
