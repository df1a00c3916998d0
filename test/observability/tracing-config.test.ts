/** Tracing configuration: the OpenTelemetry variables, the file keys, precedence and errors. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { completeConfig, resolveConfig } from '../../src/config/config.js';
import { tracingEnabled, type TracingConfig } from '../../src/config/types.js';
import { ValidationError } from '../../src/errors.js';
import { tempDir } from '../cli/serve.js';

function resolve(env: Record<string, string>, yaml?: string): TracingConfig {
  const cwd = tempDir('rota-tracing-config-');
  if (yaml !== undefined) writeFileSync(join(cwd, 'rota.config.yaml'), yaml);
  return resolveConfig({ env, cwd }).tracing;
}

describe('tracing configuration', () => {
  const cases: { name: string; env?: Record<string, string>; yaml?: string; expect: Partial<TracingConfig>; on: boolean }[] = [
    { name: 'default: off, nothing set', expect: { endpoint: null, enabled: true, serviceName: 'rota', sampleRatio: 1 }, on: false },
    { name: 'OTEL_EXPORTER_OTLP_ENDPOINT is a base URL: /v1/traces is appended', env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }, expect: { endpoint: 'http://collector:4318/v1/traces' }, on: true },
    { name: 'the traces endpoint is used as it is and wins', env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/custom' }, expect: { endpoint: 'http://b:4318/custom' }, on: true },
    { name: 'the file key', yaml: 'tracing:\n  endpoint: http://file:4318/v1/traces\n  service_name: jobs\n  sample_ratio: 0.25\n  headers: { X-Api-Key: k }\n', expect: { endpoint: 'http://file:4318/v1/traces', serviceName: 'jobs', sampleRatio: 0.25, headers: { 'X-Api-Key': 'k' } }, on: true },
    { name: 'env over file', env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://env:4318/v1/traces', OTEL_SERVICE_NAME: 'svc' }, yaml: 'tracing:\n  endpoint: http://file:4318/v1/traces\n', expect: { endpoint: 'http://env:4318/v1/traces', serviceName: 'svc' }, on: true },
    { name: 'tracing.enabled false keeps it off with an endpoint', env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }, yaml: 'tracing:\n  enabled: false\n', expect: { enabled: false }, on: false },
    { name: 'OTEL_SDK_DISABLED=true turns it off', env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }, expect: { enabled: false }, on: false },
    { name: 'ROTA_TRACING decides over OTEL_SDK_DISABLED', env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true', ROTA_TRACING: '1' }, expect: { enabled: true }, on: true },
    { name: 'ROTA_TRACING_SAMPLE_RATIO', env: { ROTA_TRACING_SAMPLE_RATIO: '.5' }, expect: { sampleRatio: 0.5 }, on: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const tracing = resolve(c.env ?? {}, c.yaml);
      for (const [key, value] of Object.entries(c.expect)) assert.deepEqual(tracing[key as keyof TracingConfig], value, key);
      assert.equal(tracingEnabled(tracing), c.on);
    });
  }

  const bad: { env?: Record<string, string>; yaml?: string; message: RegExp }[] = [
    { env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, message: /OTEL_EXPORTER_OTLP_ENDPOINT: expected an http:\/\/ or https:\/\/ URL of an OTLP\/HTTP traces receiver/ },
    { env: { ROTA_TRACING_SAMPLE_RATIO: '2' }, message: /ROTA_TRACING_SAMPLE_RATIO: expected a number from 0 to 1, got 2/ },
    { env: { ROTA_TRACING_SAMPLE_RATIO: 'half' }, message: /ROTA_TRACING_SAMPLE_RATIO: expected a number from 0 to 1, got "half"/ },
    { yaml: 'tracing:\n  endpiont: http://x\n', message: /tracing\.endpiont: unknown key/ },
    { yaml: 'tracing:\n  service_name: ""\n', message: /tracing\.service_name: expected a service name/ },
  ];
  for (const b of bad) {
    it(`rejects ${JSON.stringify(b.env ?? b.yaml)}`, () => {
      assert.throws(() => resolve(b.env ?? {}, b.yaml), (err: unknown) => err instanceof ValidationError && b.message.test(err.message));
    });
  }

  it('completeConfig (code) accepts a partial tracing object and validates it', () => {
    assert.equal(completeConfig({ tracing: { endpoint: 'http://x:4318/v1/traces' } }).tracing.serviceName, 'rota');
    assert.throws(() => completeConfig({ tracing: { sampleRatio: -1 } }), /config\.tracing\.sampleRatio: expected a number from 0 to 1/);
  });
});
