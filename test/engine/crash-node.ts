/**
 * A Rota node in its own process, for the crash test: it claims runs from the database named in
 * ROTA_CRASH_NODE (JSON `{dataDir, databaseUrl, nodeId, leaseMs, hangFlag}`), prints every probe
 * call as a JSON line on stdout, and is then killed with SIGKILL by the test. Its probe calls that
 * use `hang_if_flag: <hangFlag>` hang forever, ignoring their abort signal.
 */
import { createRota } from '../../src/node/rota.js';
import { Recorder, testActions } from './actions.js';

const options = JSON.parse(process.env.ROTA_CRASH_NODE ?? '{}') as { dataDir: string; databaseUrl: string | null; nodeId: string; leaseMs: number; hangFlag: string };
const recorder = new Recorder();
recorder.flags.add(options.hangFlag);
recorder.onChange = (call) => {
  process.stdout.write(`${JSON.stringify({ runId: call.runId, stepId: call.stepId, attempt: call.attempt, key: call.key, result: call.result })}\n`);
};
const rota = await createRota({
  config: {
    nodeId: options.nodeId,
    dataDir: options.dataDir,
    databaseUrl: options.databaseUrl,
    logLevel: 'silent',
    worker: { concurrency: 10, leaseMs: options.leaseMs, pollMs: 50, shutdownGraceMs: 0, enabled: true },
  },
  actions: testActions(recorder),
});
await rota.start();
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
