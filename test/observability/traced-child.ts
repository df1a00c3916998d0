/**
 * Child process of sdk-loading.test.ts: one Rota node on a fresh SQLite directory runs a run with
 * an http step (tracing on when ROTA_CHILD_OTLP names a receiver), then prints the CommonJS
 * modules it loaded as one JSON line (the ESM ones are logged by module-log.mjs).
 */
import { createRequire } from 'node:module';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRota } from '../../src/node/rota.js';

const endpoint = process.env.ROTA_CHILD_OTLP || null;
const target = process.env.ROTA_CHILD_TARGET!;
const dataDir = await mkdtemp(join(tmpdir(), 'rota-traced-child-'));
const rota = await createRota({
  config: {
    dataDir,
    logLevel: 'silent',
    http: { allowlist: ['127.0.0.1'] },
    worker: { pollMs: 50, shutdownGraceMs: 0 },
    tracing: { endpoint },
  },
});
try {
  await rota.bootstrap();
  await rota.start();
  const ws = await rota.workspaces.ensure('default');
  await rota.automations.apply(ws.id, { name: 'child', steps: [{ id: 'a', action: 'set', with: { x: 1 } }, { id: 'b', action: 'http', needs: ['a'], with: { url: target } }] });
  const { run } = await rota.runs.start(ws.id, 'child', { inputs: {} });
  const ended = await rota.runs.wait(ws.id, run.id, 10_000);
  await rota.stop({ graceMs: 0 });
  const cjs = Object.keys(createRequire(import.meta.url).cache);
  process.stdout.write(`${JSON.stringify({ status: ended.status, cjs })}\n`);
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
