/**
 * The real `rota serve` binary: its stderr carries JSON log lines (stderr is a pipe here, so the
 * default format is json) with the start line and a run-finished line, `/metrics` answers with a
 * token, and `--log-format pretty` switches to text. Needs `node scripts/build.mjs` first.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServe } from '../cli/serve.js';
import { eventually } from '../support/node.js';

describe('rota serve logs', () => {
  test('JSON lines on stderr: node started, run finished; /metrics with the admin token', async () => {
    const served = await startServe({ env: { ROTA_LOG_LEVEL: 'info' } });
    try {
      const auth = { authorization: `Bearer ${served.adminToken}`, 'content-type': 'application/json' };
      const applied = await fetch(`${served.url}/api/v1/automations`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'served', steps: [{ id: 'a', action: 'set', with: { x: 1 } }] }) });
      assert.equal(applied.status, 201, await applied.text());
      const run = (await (await fetch(`${served.url}/api/v1/automations/served/runs?wait=10s`, { method: 'POST', headers: auth, body: '{}' })).json()) as { id: string; status: string };
      assert.equal(run.status, 'succeeded');
      const lines = await eventually(() => {
        const parsed = served.stderr().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
        return parsed.some((l) => l.msg === 'run finished' && l.run_id === run.id) ? parsed : undefined;
      });
      const started = lines.find((l) => l.msg === 'node started');
      assert.ok(started, served.stderr());
      assert.deepEqual(started.roles, ['worker', 'scheduler']);
      assert.equal((started.database as { kind: string }).kind, 'sqlite');
      const finished = lines.find((l) => l.msg === 'run finished' && l.run_id === run.id)!;
      assert.equal(finished.automation, 'served');
      assert.equal(finished.status, 'succeeded');
      const metrics = await fetch(`${served.url}/metrics`, { headers: { authorization: `Bearer ${served.adminToken}` } });
      assert.equal(metrics.status, 200);
      assert.match(await metrics.text(), /rota_runs_finished_total\{automation="served",trigger="manual",status="succeeded"\} 1/);
      assert.ok(!served.stderr().includes(served.adminToken!), 'the admin token is not in the log');
    } finally {
      await served.stop();
    }
  });

  test('--log-format pretty writes text lines, not JSON', async () => {
    const served = await startServe({ env: { ROTA_LOG_LEVEL: 'info' }, args: ['--log-format', 'pretty'] });
    try {
      await eventually(() => (served.stderr().includes('node started') ? true : undefined));
      const line = served.stderr().split('\n').find((l) => l.includes('node started'))!;
      assert.ok(!line.trimStart().startsWith('{'), line);
      assert.match(line, /INFO/);
    } finally {
      await served.stop();
    }
  });
});
