/**
 * `rota/client` covers the API: every operation of the served OpenAPI document maps to a client
 * method (or is a listed exception with its reason), and the methods added for coverage work
 * against a real server.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, RotaApiError, type RotaClient } from '../../src/client/index.js';
import { startTestServer, type TestServer } from '../api/harness.js';

/** operationId → the client method (a dotted path on the client) that calls it. */
const CLIENT_METHOD: Record<string, string> = {
  getHealthz: 'health',
  getReadyz: 'ready',
  getMetrics: 'metrics',
  postCallbacksById: 'callback',
  postAutomations: 'automations.create',
  getAutomations: 'automations.list',
  postAutomationsValidate: 'automations.validate',
  putAutomationsByName: 'automations.apply',
  getAutomationsByName: 'automations.get',
  getAutomationsByNameVersions: 'automations.versions',
  getAutomationsByNameVersionsByVersion: 'automations.version',
  postAutomationsByNamePause: 'automations.pause',
  postAutomationsByNameResume: 'automations.resume',
  postAutomationsByNameArchive: 'automations.archive',
  postAutomationsByNameUnarchive: 'automations.unarchive',
  postAutomationsByNameRuns: 'automations.run',
  getAutomationsByNameCosts: 'automations.costs',
  getCosts: 'costs',
  getAutomationStats: 'automations.stats',
  getAutomationsByNameTriggers: 'triggers.list',
  getAutomationsByNameSchedule: 'triggers.preview',
  postAutomationsByNameTriggersByIdEnable: 'triggers.enable',
  postAutomationsByNameTriggersByIdDisable: 'triggers.disable',
  getAutomationsByNameTriggersByIdDeliveries: 'webhooks.deliveries',
  postAutomationsByNameTriggersByIdSecret: 'webhooks.rotateSecret',
  getRuns: 'runs.list',
  getRunsById: 'runs.get',
  getRunsByIdEvents: 'runs.events',
  getRunsByIdStream: 'streamRunEvents',
  postRunsByIdCancel: 'runs.cancel',
  pinRun: 'runs.pin',
  unpinRun: 'runs.unpin',
  postRunsByIdRetry: 'runs.retry',
  postRunsByIdReplay: 'runs.replay',
  bulkRuns: 'runs.bulk',
  saveRunAsAutomation: 'runs.saveAsAutomation',
  getRunsByIdReport: 'runs.report',
  getRunsByIdStepsByStepConversation: 'runs.conversation',
  previewRetention: 'retention.preview',
  pruneRuns: 'retention.prune',
  getApprovals: 'approvals.list',
  getApprovalsById: 'approvals.get',
  postApprovalsByIdDecision: 'approvals.decide',
  postEvents: 'events.emit',
  getEvents: 'events.list',
  putSecretsByName: 'secrets.set',
  getSecrets: 'secrets.list',
  deleteSecretsByName: 'secrets.remove',
  getWorkspaces: 'workspaces.list',
  postWorkspaces: 'workspaces.create',
  postTokens: 'tokens.create',
  getTokens: 'tokens.list',
  deleteTokensById: 'tokens.revoke',
  getCatalogActions: 'catalog.actions',
  getCatalogTools: 'catalog.tools',
  getWhoami: 'whoami',
};

/** Operations the client deliberately does not call, each with the reason. */
const NOT_IN_CLIENT: Record<string, string> = {
  postHooksByWorkspaceByEndpoint:
    'webhook deliveries come from the sending system, signed with the trigger secret (Standard Webhooks, GitHub, HMAC); not a call made with a Rota token',
};

let server: TestServer;
let client: RotaClient;
let operations: { id: string; method: string; path: string }[];

before(async () => {
  server = await startTestServer({ dialect: 'sqlite' });
  client = createClient({ url: server.url, token: server.adminToken });
  const doc = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, { operationId?: string }>> };
  operations = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).flatMap(([method, op]) => (op && typeof op === 'object' && 'responses' in op ? [{ id: op.operationId ?? '', method, path }] : [])),
  );
});
after(() => server.close());

function methodAt(path: string): unknown {
  return path.split('.').reduce<unknown>((obj, key) => (obj as Record<string, unknown> | undefined)?.[key], client);
}

test('every API operation has an operationId and a client method, or is a listed exception', () => {
  assert.ok(operations.length > 40, `the document lists the API (${operations.length} operations)`);
  const missing = operations.filter((op) => !(op.id in CLIENT_METHOD) && !(op.id in NOT_IN_CLIENT));
  assert.deepEqual(missing, [], 'add a client method for each (and map it above), or list it in NOT_IN_CLIENT with a reason');
  for (const op of operations) {
    assert.notEqual(op.id, '', `${op.method} ${op.path} has an operationId`);
    if (op.id in CLIENT_METHOD) assert.equal(typeof methodAt(CLIENT_METHOD[op.id]!), 'function', `client.${CLIENT_METHOD[op.id]} (for ${op.id}) is a method`);
  }
});

test('the map names no operation the API no longer has', () => {
  const ids = new Set(operations.map((op) => op.id));
  assert.deepEqual(Object.keys({ ...CLIENT_METHOD, ...NOT_IN_CLIENT }).filter((id) => !ids.has(id)), []);
});

test('the methods added for coverage reach their routes', async () => {
  assert.match(await client.metrics(), /^# HELP /m);
  await client.automations.apply('covered', {
    name: 'covered',
    triggers: [{ id: 'hook', type: 'webhook', verify: { scheme: 'standard', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' } }],
    steps: [{ id: 'a', action: 'set', with: { v: 1 } }],
  });
  const costs = await client.automations.costs('covered', { days: 7 });
  assert.equal(costs.automation, 'covered');
  assert.equal(costs.cost_usd, 0);
  const workspace = await client.costs({ days: 7 });
  assert.deepEqual([workspace.days, workspace.entries, workspace.totals], [7, [], { cost_usd: 0, tokens: 0, calls: 0 }]);
  const rotated = await client.webhooks.rotateSecret('covered', 'hook', 'whsec_dGhpcyBpcyBhIG5ldyBzZWNyZXQgMTIzNDU2', { grace: '1h' });
  assert.equal(rotated.rotated, true);
  assert.equal(typeof rotated.previous_valid_until, 'string');
  const { run } = await client.automations.run('covered', { wait: '5s' });
  const conversation = await client.runs.conversation(run.id, 'a');
  assert.deepEqual([conversation.run_id, conversation.step_id, conversation.calls], [run.id, 'a', []]);
  await assert.rejects(client.runs.conversation('run_nope', 'a'), (err: unknown) => err instanceof RotaApiError && err.status === 404);
  const bulk = await client.runs.bulk({ action: 'cancel', ids: [run.id] });
  assert.deepEqual(bulk.results.map((r) => [r.id, r.outcome, r.reason]), [[run.id, 'skipped', 'already_ended']]);
  // a callback with a token no delegation holds: refused, and the client did not send its own token
  await assert.rejects(client.callback('dlg_nope', 'rcb_wrong', { output: 1 }), (err: unknown) => err instanceof RotaApiError && [401, 404].includes(err.status));
  await assert.rejects(client.callback('dlg_nope', 'rota_not_a_callback_token', { output: 1 }), (err: unknown) => err instanceof RotaApiError && err.status === 401);
});
