/**
 * Operator logs: a node's JSON lines captured through a destination stream. The run-finished,
 * start/stop, rejected-delivery and skipped-fire lines are there with their fields; and the whole
 * log, at debug level, holds none of the secrets that passed through the node (a workspace secret
 * used by an http step, a webhook signing secret, API tokens, the signature of a delivery).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { PassThrough } from 'node:stream';
import { Webhook } from 'standardwebhooks';
import { apiClient, startTestServer, type TestServer } from '../api/harness.js';
import { DIALECTS, eventually, forEachDialect, makeNode } from '../support/node.js';
import { internalsOf } from '../../src/testing/index.js';
import { createLogger } from '../../src/engine/logger.js';
import { createNodeTelemetry } from '../../src/observe/node-telemetry.js';

interface Line {
  level: number;
  msg: string;
  [key: string]: unknown;
}

function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return {
    logger: createLogger('debug', { format: 'json', destination: stream }),
    text: () => text,
    lines: (): Line[] => text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Line),
  };
}

async function echoServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

for (const dialect of DIALECTS) {
  describe(`operator logs (${dialect})`, () => {
    const log = capture();
    let server: TestServer;
    let echo: Awaited<ReturnType<typeof echoServer>>;
    const workspaceSecret = `ws-secret-${randomBytes(12).toString('hex')}`;
    const signingSecret = `whsec_${randomBytes(24).toString('base64')}`;
    let signature = '';
    let token = '';

    before(async () => {
      echo = await echoServer();
      server = await startTestServer({
        dialect,
        logger: log.logger,
        config: { secretKey: randomBytes(32).toString('base64'), http: { allowlist: ['127.0.0.1'], maxResponseBytes: 1 << 20, defaultTimeoutMs: 5_000 } },
      });
    });
    after(async () => {
      await server?.close();
      await echo?.close();
    });

    test('run finished, skipped fires and rejected deliveries are logged, and no secret is', async () => {
      const api = apiClient(server.url, server.adminToken);
      const made = await api('POST', '/api/v1/tokens', { json: { name: 'ops', scopes: ['runs:read', 'metrics:read'] } });
      assert.equal(made.status, 201, made.text);
      token = made.body.token;
      assert.equal((await apiClient(server.url, token)('GET', '/api/v1/runs')).status, 200);
      assert.ok((await api('PUT', '/api/v1/secrets/API_KEY', { json: { value: workspaceSecret } })).status < 300);
      const def = {
        name: 'logged',
        inputs: { type: 'object', properties: { n: { type: 'integer' } } },
        triggers: [{ id: 'hook', type: 'webhook', verify: { scheme: 'standard', secret: signingSecret }, inputs: { n: '{{ data.n }}' } }],
        steps: [{ id: 'call', action: 'http', with: { method: 'POST', url: `${echo.url}/x`, headers: { authorization: 'Bearer {{ secrets.API_KEY }}' }, body: { key: '{{ secrets.API_KEY }}' } } }],
      };
      const applied = await api('POST', '/api/v1/automations', { json: def });
      assert.equal(applied.status, 201, applied.text);
      const run = await api('POST', '/api/v1/automations/logged/runs?wait=10s', { json: { inputs: {} } });
      assert.equal(run.body.status, 'succeeded', run.text);

      const endpoint = (await api('GET', '/api/v1/automations/logged/triggers')).body.items[0].endpoint_id as string;
      const post = (body: string, headers: Record<string, string>) => fetch(`${server.url}/hooks/default/${endpoint}`, { method: 'POST', headers, body });
      const body = JSON.stringify({ n: 'not a number' });
      const at = new Date();
      signature = new Webhook(signingSecret).sign('d-1', at, body);
      const headers = { 'webhook-id': 'd-1', 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature, 'content-type': 'application/json' };
      assert.equal((await post(body, headers)).status, 202, 'a skipped run (invalid inputs)');
      assert.equal((await post(body, { ...headers, 'webhook-signature': signature.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')) })).status, 401);

      const lines = await eventually(() => {
        const all = log.lines();
        return all.some((l) => l.msg === 'webhook delivery rejected') ? all : undefined;
      });
      const finished = lines.find((l) => l.msg === 'run finished' && l.run_id === run.body.id);
      assert.ok(finished, 'a run-finished line');
      assert.equal(finished.level, 30, 'at info');
      assert.equal(finished.automation, 'logged');
      assert.equal(finished.status, 'succeeded');
      assert.equal(typeof finished.duration_ms, 'number');
      assert.equal(finished.cost_usd, 0);
      const skipped = lines.find((l) => l.msg === 'fire skipped');
      assert.equal(skipped?.reason, 'invalid_inputs');
      const rejected = lines.find((l) => l.msg === 'webhook delivery rejected');
      assert.equal(rejected?.reason, 'bad_signature');
      const started = lines.find((l) => l.msg === 'node started');
      assert.deepEqual(started?.roles, ['worker', 'scheduler']);
      assert.equal((started?.database as { kind: string }).kind, dialect);
      assert.equal(typeof started?.time, 'string', 'ISO timestamps');

      const text = log.text();
      for (const [what, secret] of [['workspace secret', workspaceSecret], ['signing secret', signingSecret], ['signing secret (base64 part)', signingSecret.slice(6)], ['signature', signature], ['token', token], ['admin token', server.adminToken]] as const) {
        assert.ok(!text.includes(secret), `the log holds the ${what}`);
      }
    });
  });
}

forEachDialect('slow commits and sweeper batches in the log', (db) => {
    test('a commit above slow_commit_ms is a warn line; each retention batch an info line', async () => {
      const log = capture();
      // threshold 0: every group commit counts as slow
      const node = await makeNode(db, { logger: log.logger, config: { slowCommitMs: 0, retention: { enabled: false, batchPause: 0 } } });
      {
        await node.rota.automations.apply(node.ws, { name: 'logged', execution: { retention: { max_runs: 1 } }, steps: [{ id: 'a', action: 'set', with: { v: 1 } }] });
        for (let i = 0; i < 3; i++) await node.waitEnd((await node.rota.runs.start(node.ws, 'logged', {})).run.id);
        const slow = await eventually(() => log.lines().find((l) => l.msg === 'slow database commit'), 5_000, 'a slow-commit line');
        assert.equal(slow.level, 40); // pino's warn
        assert.equal(slow.threshold_ms, 0);
        assert.equal(typeof slow.duration_ms, 'number');
        assert.ok(Number(slow.items) >= 1);
        await internalsOf(node.rota).sweeper.sweep();
        const batch = log.lines().find((l) => l.msg === 'retention: batch deleted');
        assert.ok(batch, 'the sweeper logged its batch');
        assert.equal(batch.level, 30); // pino's info
        assert.deepEqual((batch.retention as { runs: unknown }).runs, { age: 0, count: 2, keep_failed: 0 });
      }
    });
});

describe('logger', () => {
  test('redacts secret-named keys wherever a caller puts them, in json and pretty format', () => {
    for (const format of ['json', 'pretty'] as const) {
      const stream = new PassThrough();
      let text = '';
      stream.on('data', (c: Buffer) => (text += c.toString()));
      const logger = createLogger('info', { format, destination: stream });
      logger.info({ token: 'tok-1', headers: { authorization: 'Bearer tok-2', cookie: 'c=tok-3' }, config: { secretKey: 'tok-4', adminToken: 'tok-5' }, req: { password: 'tok-6' } }, 'careless line');
      for (const t of ['tok-1', 'tok-2', 'tok-3', 'tok-4', 'tok-5', 'tok-6']) assert.ok(!text.includes(t), `${format}: ${t} was logged: ${text}`);
      assert.match(text, /careless line/);
      assert.match(text, /\[redacted\]/);
    }
  });
});

describe('node telemetry', () => {
  test('an observation that throws is dropped, never thrown into the engine', () => {
    const failing = createLogger('debug', { format: 'json', destination: new PassThrough() });
    failing.info = (() => {
      throw new Error('logger broke');
    }) as typeof failing.info;
    const telemetry = createNodeTelemetry({ logger: failing, metrics: null, slowCommitMs: 1_000 });
    assert.doesNotThrow(() => telemetry.runFinished({ runId: 'r', automation: 'a', trigger: 'manual', status: 'succeeded', durationMs: 1, costUsd: 0 } as never));
    assert.doesNotThrow(() => telemetry.runFinished({ runId: 'r', automation: 'a', trigger: 'manual', status: 'succeeded', durationMs: 1, costUsd: 0 } as never));
  });
});
