/**
 * Without tracing configured, the OpenTelemetry SDK is not even loaded: a child process runs a
 * node through a run and reports every module it loaded (ESM through a resolve hook, CommonJS
 * from the require cache). The same child with tracing on loads it, so the check can fail.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startOtlpReceiver } from '../support/otlp-receiver.js';

const SDK = /[/\\]@opentelemetry[/\\](sdk-trace-base|exporter-trace-otlp-http|otlp-exporter-base|otlp-transformer|resources|context-async-hooks|core)[/\\]/;
const API = /[/\\]@opentelemetry[/\\]api[/\\]/;

async function runChild(env: Record<string, string>): Promise<{ status: string; modules: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'rota-module-log-'));
  const log = join(dir, 'modules.txt');
  try {
    const script = fileURLToPath(new URL('./traced-child.ts', import.meta.url));
    const hook = fileURLToPath(new URL('./module-log.mjs', import.meta.url));
    const { OTEL_EXPORTER_OTLP_ENDPOINT: _a, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: _b, ...parentEnv } = process.env;
    const child = spawn(process.execPath, ['--import', hook, '--import', 'tsx', script], { env: { ...parentEnv, ...env, ROTA_MODULE_LOG: log }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (c) => (out += String(c)));
    child.stderr!.on('data', (c) => (err += String(c)));
    const [code] = await once(child, 'exit');
    assert.equal(code, 0, `child failed: ${err}`);
    const report = JSON.parse(out.trim().split('\n').at(-1)!) as { status: string; cjs: string[] };
    const esm = (await readFile(log, 'utf8')).split('\n').filter(Boolean);
    return { status: report.status, modules: [...esm, ...report.cjs] };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('tracing off: the OpenTelemetry SDK is never loaded, only the API; on: it is, and spans arrive', async () => {
  const otlp = await startOtlpReceiver();
  const target = createServer((req, res) => req.resume().on('end', () => res.writeHead(200).end('ok')));
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(target.address() as { port: number }).port}/`;
  try {
    const off = await runChild({ ROTA_CHILD_TARGET: url });
    assert.equal(off.status, 'succeeded');
    assert.ok(off.modules.some((m) => API.test(m)), 'the API is loaded (the module log works)');
    assert.deepEqual(off.modules.filter((m) => SDK.test(m)), [], 'no SDK module is loaded without tracing');
    assert.equal(otlp.spans.length, 0);

    const on = await runChild({ ROTA_CHILD_TARGET: url, ROTA_CHILD_OTLP: otlp.endpoint });
    assert.equal(on.status, 'succeeded');
    assert.ok(on.modules.some((m) => /sdk-trace-base/.test(m)), 'with tracing the SDK is loaded');
    assert.ok(otlp.spans.some((s) => s.name === 'run child'), 'and its spans are exported by rota.stop()');
  } finally {
    await otlp.close();
    await new Promise((resolve) => target.close(resolve));
  }
});
