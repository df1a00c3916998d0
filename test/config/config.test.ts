import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { completeConfig, resolveConfig, type ResolveConfigOptions } from '../../src/config/config.js';
import type { CreateRotaOptions } from '../../src/index.js';
import { DEFAULT_CONFIG } from '../../src/config/types.js';
import { ValidationError } from '../../src/errors.js';
import { tempDir } from '../cli/serve.js';

/** A fresh directory holding `rota.config.yaml` with `yaml` (none when undefined). */
function dirWith(yaml?: string): string {
  const dir = tempDir('rota-config-');
  if (yaml !== undefined) writeFileSync(join(dir, 'rota.config.yaml'), yaml);
  return dir;
}

function resolveIn(yaml: string | undefined, options: Omit<ResolveConfigOptions, 'cwd'> = {}) {
  const cwd = dirWith(yaml);
  return { cwd, config: resolveConfig({ env: {}, ...options, cwd }) };
}

describe('resolveConfig', () => {
  it('defaults: every key, absolute data dir, generated node id, deeply frozen', () => {
    const { cwd, config } = resolveIn(undefined);
    assert.equal(config.dataDir, join(cwd, '.rota'));
    assert.equal(config.port, DEFAULT_CONFIG.port);
    assert.deepEqual(config.worker, DEFAULT_CONFIG.worker);
    assert.deepEqual(config.http, DEFAULT_CONFIG.http);
    assert.match(config.nodeId, /^.+-\d+-[0-9a-f]{4}$/);
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.worker) && Object.isFrozen(config.http.allowlist));
    assert.throws(() => ((config as { port: number }).port = 1), TypeError);
  });

  const precedence: { name: string; yaml?: string; env?: Record<string, string>; flags?: ResolveConfigOptions['flags']; expect: Record<string, unknown> }[] = [
    { name: 'file over defaults', yaml: 'port: 8000\nworker:\n  concurrency: 3\n', expect: { port: 8000, 'worker.concurrency': 3, 'worker.leaseMs': 30_000 } },
    { name: 'env over file', yaml: 'port: 8000\n', env: { ROTA_PORT: '9000' }, expect: { port: 9000 } },
    { name: 'flags over env', env: { ROTA_PORT: '9000' }, flags: { port: '9100' }, expect: { port: 9100 } },
    { name: 'undefined flags do not override', env: { ROTA_HOST: '0.0.0.0' }, flags: { host: undefined }, expect: { host: '0.0.0.0' } },
    { name: 'empty env means unset', yaml: 'host: 10.0.0.1\n', env: { ROTA_HOST: '' }, expect: { host: '10.0.0.1' } },
    { name: 'port 0 (any free port)', env: { ROTA_PORT: '0' }, expect: { port: 0 } },
    { name: 'ROTA_WORKER=0 disables workers', env: { ROTA_WORKER: '0' }, expect: { 'worker.enabled': false } },
    { name: 'booleans from env', env: { ROTA_SHELL_ENABLED: 'true' }, expect: { 'shell.enabled': true } },
    { name: 'allowlist from a comma list', env: { ROTA_HTTP_ALLOWLIST: '127.0.0.1, 10.0.0.0/8,,*.internal' }, expect: { 'http.allowlist': ['127.0.0.1', '10.0.0.0/8', '*.internal'] } },
    { name: 'byte sizes in the file', yaml: 'http:\n  max_response_bytes: 2mb\nmax_body_bytes: 512kb\n', expect: { 'http.maxResponseBytes': 2 * 1024 * 1024, maxBodyBytes: 512 * 1024 } },
    { name: 'all worker env vars', env: { ROTA_WORKER_CONCURRENCY: '4', ROTA_LEASE_MS: '2000', ROTA_POLL_MS: '50', ROTA_SHUTDOWN_GRACE_MS: '0' }, expect: { 'worker.concurrency': 4, 'worker.leaseMs': 2000, 'worker.pollMs': 50, 'worker.shutdownGraceMs': 0 } },
    { name: 'database url, node id, log level, token', env: { ROTA_DATABASE_URL: 'postgres://u:p@db/rota', ROTA_NODE_ID: 'node-a', ROTA_LOG_LEVEL: 'debug', ROTA_ADMIN_TOKEN: 'rota_0123456789abcdef' }, expect: { databaseUrl: 'postgres://u:p@db/rota', nodeId: 'node-a', logLevel: 'debug', adminToken: 'rota_0123456789abcdef' } },
    { name: 'limits from env', env: { ROTA_MAX_DEPTH: '4', ROTA_WORKSPACE_CONCURRENCY: '5' }, expect: { 'limits.maxDepth': 4, 'limits.workspaceConcurrency': 5 } },
    { name: 'limits in the file, defaults otherwise', yaml: 'limits:\n  workspace_concurrency: 3\n', expect: { 'limits.maxDepth': 16, 'limits.workspaceConcurrency': 3 } },
    { name: 'null database url in the file', yaml: 'database_url: null\nwatch_dir: null\n', expect: { databaseUrl: null, watchDir: null } },
  ];
  for (const c of precedence) {
    it(`precedence: ${c.name}`, () => {
      const { config } = resolveIn(c.yaml, { env: c.env ?? {}, flags: c.flags });
      for (const [path, value] of Object.entries(c.expect)) {
        const actual = path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], config);
        assert.deepEqual(actual, value, path);
      }
    });
  }

  it('paths in the file are relative to the file; env paths to cwd', () => {
    const cwd = dirWith();
    const sub = tempDir('rota-config-file-');
    writeFileSync(join(sub, 'custom.yaml'), 'data_dir: ./state\nwatch_dir: defs\n');
    const fromFile = resolveConfig({ env: {}, cwd, file: join(sub, 'custom.yaml') });
    assert.equal(fromFile.dataDir, join(sub, 'state'));
    assert.equal(fromFile.watchDir, join(sub, 'defs'));
    const fromEnv = resolveConfig({ env: { ROTA_CONFIG: join(sub, 'custom.yaml'), ROTA_DATA_DIR: 'd' }, cwd });
    assert.equal(fromEnv.dataDir, join(cwd, 'd'));
    assert.equal(fromEnv.watchDir, join(sub, 'defs'));
  });

  const errors: { name: string; yaml?: string; env?: Record<string, string>; flags?: ResolveConfigOptions['flags']; file?: string; problems: [string, RegExp][] }[] = [
    { name: 'bad port in env', env: { ROTA_PORT: 'abc' }, problems: [['ROTA_PORT', /^expected an integer 0-65535.*got "abc"$/]] },
    { name: 'port out of range', env: { ROTA_PORT: '70000' }, problems: [['ROTA_PORT', /got 70000/]] },
    { name: 'bad boolean', env: { ROTA_WORKER: 'maybe' }, problems: [['ROTA_WORKER', /expected true or false/]] },
    { name: 'bad log level', env: { ROTA_LOG_LEVEL: 'loud' }, problems: [['ROTA_LOG_LEVEL', /one of debug, info/]] },
    { name: 'non-postgres database url', env: { ROTA_DATABASE_URL: 'mysql://x' }, problems: [['ROTA_DATABASE_URL', /postgres/]] },
    { name: 'weak admin token', env: { ROTA_ADMIN_TOKEN: 'secret' }, problems: [['ROTA_ADMIN_TOKEN', /rota_/]] },
    { name: 'zero concurrency in the file', yaml: 'worker:\n  concurrency: 0\n', problems: [['rota.config.yaml: worker.concurrency', /expected an integer 1-10000, got 0/]] },
    { name: 'unknown nested key', yaml: 'worker:\n  threads: 4\n', problems: [['rota.config.yaml: worker.threads', /unknown key/]] },
    { name: 'unknown top-level key', yaml: 'colour: blue\n', problems: [['rota.config.yaml: colour', /unknown key/]] },
    { name: 'camelCase key in the file', yaml: 'dataDir: x\n', problems: [['rota.config.yaml: dataDir', /snake_case/]] },
    { name: 'wrong type for a section', yaml: 'http: yes\n', problems: [['rota.config.yaml: http', /./]] },
    { name: 'invalid YAML', yaml: 'port: [1,\n', problems: [['rota.config.yaml', /not valid YAML/]] },
    { name: 'not a mapping', yaml: '- 1\n- 2\n', problems: [['rota.config.yaml', /mapping/]] },
    { name: 'bad flag', flags: { port: 'x' }, problems: [['--port', /got "x"/]] },
    { name: 'missing --config file', file: 'nope.yaml', problems: [['--config', /not found/]] },
    { name: 'every problem at once', yaml: 'port: -1\n', env: { ROTA_POLL_MS: '1' }, problems: [['rota.config.yaml: port', /got -1/], ['ROTA_POLL_MS', /got 1/]] },
  ];
  for (const c of errors) {
    it(`rejects: ${c.name}`, () => {
      const cwd = dirWith(c.yaml);
      let caught: unknown;
      try {
        resolveConfig({ env: c.env ?? {}, flags: c.flags, cwd, file: c.file });
      } catch (err) {
        caught = err;
      }
      assert.ok(caught instanceof ValidationError, `expected a ValidationError, got ${String(caught)}`);
      const details = caught.details as { path: string; message: string }[];
      assert.equal(details.length, c.problems.length, JSON.stringify(details));
      c.problems.forEach(([path, message], i) => {
        assert.equal(details[i]!.path, path);
        assert.match(details[i]!.message, message);
      });
      assert.match(caught.message, new RegExp(`^invalid configuration: ${c.problems[0]![0].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
    });
  }
});

describe('completeConfig (createRota config)', () => {
  it('takes a partial configuration at any depth and keeps every other default', () => {
    // typed as users type it: a nested object with one key
    const config: NonNullable<CreateRotaOptions['config']> = { worker: { concurrency: 4 }, http: { allowlist: ['10.0.0.0/8'] } };
    const full = completeConfig(config);
    assert.equal(full.worker.concurrency, 4);
    assert.equal(full.worker.leaseMs, DEFAULT_CONFIG.worker.leaseMs);
    assert.deepEqual(full.http.allowlist, ['10.0.0.0/8']);
    assert.equal(full.http.maxResponseBytes, DEFAULT_CONFIG.http.maxResponseBytes);
  });
});
