/**
 * The `rota` binary (the bundle, where the SDK is a code-split chunk) with the standard
 * OpenTelemetry variable: a run started through the API with a traceparent is exported, in the
 * caller's trace, by the time SIGTERM has stopped the server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServe, servedApi } from '../cli/serve.js';
import { startOtlpReceiver } from '../support/otlp-receiver.js';

test('rota serve with OTEL_EXPORTER_OTLP_ENDPOINT exports a run\'s spans, flushed on SIGTERM', async () => {
  const otlp = await startOtlpReceiver();
  const served = await startServe({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint.replace(/\/v1\/traces$/, ''), OTEL_SERVICE_NAME: 'rota-serve-test' } });
  try {
    const api = servedApi(() => served, served.adminToken!);
    assert.equal((await api('POST', '/automations', { name: 'served', steps: [{ id: 'a', action: 'set', with: { x: 1 } }] })).status, 201);
    const traceId = 'c'.repeat(31) + '3';
    const run = await api('POST', '/automations/served/runs?wait=10s', {}, { traceparent: `00-${traceId}-${'d'.repeat(15)}4-01` });
    assert.equal(run.body.status, 'succeeded', JSON.stringify(run.body));
    const exit = await served.stop();
    assert.equal(exit.code, 0, served.stderr());
    const spans = otlp.spans.filter((s) => s.traceId === traceId);
    assert.deepEqual(spans.map((s) => s.name).sort(), ['run served', 'segment served', 'step a']);
    assert.ok(spans.every((s) => s.resource['service.name'] === 'rota-serve-test'));
  } finally {
    await served.stop();
    await otlp.close();
  }
});
