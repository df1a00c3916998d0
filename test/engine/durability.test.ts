/**
 * Leases and shutdown across two nodes on one database.
 *
 * The crash is a real one: node A runs in a child process (crash-node.ts) and is killed with
 * SIGKILL while a step is in flight, so it neither releases its lease nor writes anything more;
 * only the lease's expiry lets node B (this process) take the run over. In-process ways to "stop"
 * A are all graceful (`Worker.stop` releases the lease and logs `run.released`), which is the
 * other test here.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { Recorder } from './actions.js';
import { AbortReason } from '../../src/errors.js';
import { eventually, forEachDialect, makeNode, stepOf, uniqueName, type TestDatabase } from '../support/node.js';

interface ChildCall {
  runId: string;
  stepId: string;
  attempt: number;
  key: string;
  result: string;
}

function spawnCrashNode(db: TestDatabase, nodeId: string, hangFlag: string): { child: ChildProcess; calls: ChildCall[]; ready: Promise<void>; stderr: () => string } {
  const script = fileURLToPath(new URL('./crash-node.ts', import.meta.url));
  const env = { ...process.env, ROTA_CRASH_NODE: JSON.stringify({ dataDir: db.dataDir, databaseUrl: db.databaseUrl, nodeId, leaseMs: 500, hangFlag }) };
  const child = spawn(process.execPath, ['--import', 'tsx', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const calls: ChildCall[] = [];
  let err = '';
  child.stderr!.on('data', (chunk) => (err += String(chunk)));
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const msg = JSON.parse(line) as ChildCall & { ready?: boolean };
    if (msg.ready) onReady();
    else calls.push(msg);
  });
  return { child, calls, ready, stderr: () => err };
}

forEachDialect('engine: leases, crashes and graceful shutdown', (db) => {
  test('a crashed node’s run is taken over after its lease expires: the in-flight step re-runs with the same key, completed steps do not', async () => {
    const b = await makeNode(db, { start: false, config: { worker: { leaseMs: 500 } } });
    const name = uniqueName('crash');
    const hangFlag = `${name}-hang`;
    await b.apply({
      name,
      steps: [
        { id: 'first', action: 'probe' },
        { id: 'inflight', action: 'probe', with: { hang_if_flag: hangFlag, ignore_abort: true, output: { finished_by: 'b' } } },
        { id: 'last', action: 'probe' },
      ],
    });
    const run = await b.start(name);
    const nodeA = `crash-${name}`;
    const a = spawnCrashNode(db, nodeA, hangFlag);
    try {
      await Promise.race([a.ready, once(a.child, 'exit').then(() => assert.fail(`crash node exited early: ${a.stderr()}`))]);
      const started = await eventually(() => a.calls.find((c) => c.stepId === 'inflight'), 10_000, 'node A to start the in-flight step');
      assert.deepEqual(a.calls.map((c) => [c.stepId, c.result]), [['first', 'running'], ['first', 'ok'], ['inflight', 'running']]);
      a.child.kill('SIGKILL');
      await once(a.child, 'exit');
      assert.equal(started.key, `${run.id}:inflight`);

      const orphaned = await b.get(run.id);
      assert.equal(orphaned.status, 'running', 'the killed node released nothing');
      assert.equal(stepOf(orphaned, 'first').status, 'succeeded');
      assert.equal(stepOf(orphaned, 'inflight').status, 'running');

      await b.rota.start();
      const done = await b.waitEnd(run.id);
      assert.equal(done.status, 'succeeded');
      assert.deepEqual(stepOf(done, 'inflight').output, { finished_by: 'b' });
      assert.deepEqual(b.recorder.of(run.id).map((c) => [c.stepId, c.key]), [
        ['inflight', started.key],
        ['last', `${run.id}:last`],
      ]);
      const takeover = (await b.events(run.id)).filter((e) => e.type === 'run.lease_taken_over');
      assert.equal(takeover.length, 1);
      assert.deepEqual(takeover[0].data, { node: b.rota.nodeId, previous_owner: nodeA });
      assert.equal((await b.events(run.id)).filter((e) => e.type === 'step.succeeded' && e.step_id === 'first').length, 1);
      // the takeover is counted on the node that took over (GET /metrics)
      assert.match((await b.rota.metrics!.scrape()).body, /^rota_lease_takeovers_total 1$/m);
    } finally {
      if (a.child.exitCode === null && a.child.signalCode === null) a.child.kill('SIGKILL');
    }
  });

  test('graceful stop lets a short in-flight step finish, releases a long one, and another node resumes it', async () => {
    const recorder = new Recorder();
    const a = await makeNode(db, { recorder });
    const b = await makeNode(db, { recorder, start: false });
    const name = uniqueName('drain');
    const hangFlag = `${name}-hang`;
    await a.apply({
      name,
      steps: [
        { id: 'short', action: 'probe', needs: [], with: { delay_ms: 150, output: { short: true } } },
        { id: 'long', action: 'probe', needs: [], with: { hang_if_flag: hangFlag, output: { long: true } } },
        { id: 'after', action: 'set', needs: ['short', 'long'], with: { both: ['{{ steps.short.output.short }}', '{{ steps.long.output.long }}'] } },
      ],
    });
    recorder.flags.add(hangFlag);
    const run = await a.start(name);
    await eventually(() => (recorder.of(run.id).length === 2 ? true : undefined), 3_000, 'both steps to start');
    const before = Date.now();
    await a.stop(500);
    const stoppedAfter = Date.now() - before;
    assert.ok(stoppedAfter >= 450 && stoppedAfter < 3_000, `stop took ${stoppedAfter} ms`);

    const released = await b.get(run.id);
    assert.equal(released.status, 'running');
    assert.equal(stepOf(released, 'short').status, 'succeeded', 'the short step finished within the grace period and was kept');
    assert.equal(stepOf(released, 'long').status, 'running');
    const long = recorder.of(run.id, 'long');
    assert.deepEqual(long.map((c) => [c.result, c.abortReason]), [['aborted', AbortReason.shutdown]]);
    const releasedEvents = (await b.events(run.id)).filter((e) => e.type === 'run.released');
    assert.deepEqual(releasedEvents.map((e) => e.data), [{ node: a.rota.nodeId }]);

    recorder.flags.delete(hangFlag);
    await b.rota.start();
    const done = await b.waitEnd(run.id);
    assert.equal(done.status, 'succeeded');
    assert.deepEqual(done.output, { both: [true, true] });
    const calls = recorder.of(run.id);
    assert.deepEqual(calls.map((c) => [c.stepId, c.key]), [
      ['short', `${run.id}:short`],
      ['long', `${run.id}:long`],
      ['long', `${run.id}:long`],
    ]);
    assert.equal(stepOf(done, 'long').attempt, 1);
  });

  test('graceful stop waits for a run that finishes within the grace period', async () => {
    const a = await makeNode(db);
    const name = uniqueName('drain-all');
    await a.apply({ name, steps: [{ id: 'a', action: 'probe', with: { delay_ms: 150 } }, { id: 'b', action: 'probe', with: { delay_ms: 50 } }] });
    const run = await a.start(name);
    await eventually(() => (a.recorder.of(run.id).length > 0 ? true : undefined), 3_000, 'the run to start');
    await a.stop(5_000);
    const observer = await makeNode(db, { start: false });
    const done = await observer.get(run.id);
    assert.equal(done.status, 'succeeded');
    assert.equal((await observer.events(run.id)).filter((e) => e.type === 'run.released').length, 0);
  });

  if (db.dialect === 'postgres') {
    test('runs created on one node wake the workers of another at once (NOTIFY in the insert statement), not at their next poll', async () => {
      const name = uniqueName('woken');
      const ingest = await makeNode(db, { config: { worker: { enabled: false } } });
      await ingest.apply({ name, triggers: [{ id: 'on', type: 'event', name: `${name}.go` }], steps: [{ id: 'a', action: 'probe' }] });
      // Polls once at start (nothing to claim yet), then not for ten minutes.
      const worker = await makeNode(db, { config: { worker: { pollMs: 600_000 } } });
      await new Promise((resolve) => setTimeout(resolve, 200));
      // Concurrent fires share one commit-queue batch: one insert statement for all of them.
      await Promise.all(Array.from({ length: 8 }, (_, i) => ingest.rota.events.emit(ingest.ws, { name: `${name}.go`, data: { i } })));
      const runs = await eventually(async () => {
        const page = await worker.rota.runs.list(worker.ws, { automation: name, limit: 20 });
        return page.items.length === 8 && page.items.every((r) => r.status === 'succeeded') ? page.items : undefined;
      }, 10_000, 'the other node to run the 8 runs');
      assert.equal(new Set(worker.recorder.calls.map((c) => c.runId)).size, 8);
      assert.equal(runs.length, 8);
    });
  }
});
