// `rota approvals` (the built binary) against a real `rota serve`.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli, startServe, type Served } from '../cli/serve.js';

const FLOW = JSON.stringify({
  name: 'needs-ok',
  steps: [{ id: 'ok', action: 'approval', with: { message: 'Deploy v2?', details: { version: 2 } } }],
});

describe('rota approvals against rota serve', () => {
  let server: Served;
  const cli = (args: string[]) => runCli(args, { env: server.cliEnv() });

  before(async () => {
    server = await startServe();
  });
  after(async () => {
    await server?.stop();
  });

  async function waitingRun(): Promise<string> {
    const api = (path: string, init: RequestInit = {}): Promise<{ id: string; status: string }> =>
      fetch(`${server.url}/api/v1${path}`, { ...init, headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' } }).then(
        (r) => r.json() as Promise<{ id: string; status: string }>,
      );
    await api('/automations/needs-ok', { method: 'PUT', body: FLOW });
    const run = await api('/automations/needs-ok/runs', { method: 'POST', body: '{}' });
    for (let i = 0; i < 200; i++) {
      if ((await api(`/runs/${run.id}`)).status === 'waiting') return run.id;
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.fail('run never waited');
  }

  it('ls shows the pending approval; approve --value --comment completes the run; a conflicting decision exits 5', async () => {
    const runId = await waitingRun();
    const ls = await cli(['approvals', 'ls']);
    assert.equal(ls.code, 0, ls.stderr);
    assert.match(ls.stdout, /Deploy v2\?/);
    const json = JSON.parse((await cli(['approvals', 'ls', '--json'])).stdout);
    const approval = json.items.find((a: { run_id: string }) => a.run_id === runId);
    assert.ok(approval);
    const show = await cli(['approvals', 'show', approval.id]);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /"version": 2/);

    const approve = await cli(['approvals', 'approve', approval.id, '--value', '{"version":3}', '--comment', 'go']);
    assert.equal(approve.code, 0, approve.stderr);
    assert.match(approve.stdout, new RegExp(`approval ${approval.id} approved`));
    const again = await cli(['approvals', 'approve', approval.id]);
    assert.equal(again.code, 0, 'repeating the same decision is idempotent');
    const conflict = await cli(['approvals', 'reject', approval.id]);
    assert.equal(conflict.code, 5, conflict.stderr);
    assert.match(conflict.stderr, /conflict|already/);
    const badJson = await cli(['approvals', 'approve', approval.id, '--value', '{oops']);
    assert.equal(badJson.code, 2);

    let status = '';
    let output: unknown;
    for (let i = 0; i < 200 && status !== 'succeeded'; i++) {
      const run = JSON.parse((await cli(['runs', 'show', runId, '--json'])).stdout);
      status = run.status;
      output = run.output;
      if (status !== 'succeeded') await new Promise((r) => setTimeout(r, 25));
    }
    assert.equal(status, 'succeeded');
    assert.deepEqual((output as { value: unknown }).value, { version: 3 });
    const empty = await cli(['approvals', 'ls', '--state', 'pending']);
    assert.doesNotMatch(empty.stdout, new RegExp(approval.id));
  });

  it('reject and abort', async () => {
    const rejected = await waitingRun();
    const abortedRun = await waitingRun();
    const list = JSON.parse((await cli(['approvals', 'ls', '--json'])).stdout).items as { id: string; run_id: string }[];
    const idOf = (run: string) => list.find((a) => a.run_id === run)!.id;
    assert.equal((await cli(['approvals', 'reject', idOf(rejected), '--comment', 'no'])).code, 0);
    assert.equal((await cli(['approvals', 'abort', idOf(abortedRun)])).code, 0);
    const statusOf = async (id: string) => {
      for (let i = 0; i < 200; i++) {
        const run = JSON.parse((await cli(['runs', 'show', id, '--json'])).stdout);
        if (!['waiting', 'running', 'queued'].includes(run.status)) return run;
        await new Promise((r) => setTimeout(r, 25));
      }
      return null;
    };
    const r1 = await statusOf(rejected);
    assert.equal(r1.status, 'failed');
    assert.equal(r1.error.code, 'approval_rejected');
    assert.equal((await statusOf(abortedRun)).status, 'canceled');
    const unknown = await cli(['approvals', 'show', 'NOPE']);
    assert.equal(unknown.code, 4);
  });
});
