/**
 * Workspace secrets end to end, on both databases: set through the API, used by an `http` step
 * against a loopback server that echoes what it received, and then searched for everywhere a
 * value could land (every API answer, every log line of the node, every row of every table).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import pino from 'pino';
import { sql } from 'kysely';
import { createApi, serveApi } from '../../src/api/server.js';
import { internalsOf } from '../../src/testing/index.js';
import { eventually, forEachDialect, makeNode, uniqueName, type TestDatabase } from '../support/node.js';
import { apiClient } from './harness.js';
import type { ActionDefinition } from '../../src/actions/types.js';

interface Echo {
  url: string;
  /** what each request carried: authorization header, query string, body */
  seen: { authorization: string | undefined; url: string; body: string }[];
  close(): Promise<void>;
}

/** Answers every request with what it received; `/fail` answers it with HTTP 400. */
async function startEcho(): Promise<Echo> {
  const seen: Echo['seen'] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      seen.push({ authorization: req.headers.authorization, url: req.url ?? '', body });
      res.writeHead(req.url?.startsWith('/fail') ? 400 : 200, { 'content-type': 'application/json', 'x-echo-auth': req.headers.authorization ?? '' });
      res.end(JSON.stringify({ headers: req.headers, url: req.url, body }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A custom action that leaks its secret-capable field into its logs and output. */
const leaky: ActionDefinition<{ token: string }> = {
  type: 'leaky',
  description: 'logs and returns its token',
  configSchema: { type: 'object', properties: { token: { type: 'string' } } },
  secretFields: ['token'],
  handler: async (ctx) => {
    ctx.log.info(`using ${ctx.config.token}`, { token: ctx.config.token });
    return { seen: ctx.config.token, [ctx.config.token]: 'as a key' };
  },
};

/**
 * A custom action that passes its token on through every service it has: an event, a child run's
 * inputs, an approval's message and details, and an event wait's filter; then waits for the approval.
 */
const passer: ActionDefinition<{ token: string; child: string }> = {
  type: 'passer',
  description: 'passes its token on through its services',
  configSchema: { type: 'object', properties: { token: { type: 'string' }, child: { type: 'string' } } },
  secretFields: ['token'],
  handler: async (ctx) => {
    const { token, child } = ctx.config;
    const svc = ctx.services;
    if (ctx.state === undefined) {
      await svc.emitEvent({ name: 'passer.sent', data: { token, [token]: 'as a key' }, id: `passer-${token}` });
      await svc.startRun({ automation: child, inputs: { token }, idempotencyKey: `${ctx.idempotencyKey}:${token}` });
      await svc.waitForEvent!({ name: 'passer.reply', filter: { 'data.token': token }, expiresAt: null });
      const { id } = await svc.requestApproval!({ key: 'approval', kind: 'step', message: `approve ${token}?`, details: { token }, expiresAt: null });
      return ctx.suspend('approval', null, { approval_id: id });
    }
    return ctx.suspend('approval', null, ctx.state);
  },
};

/** A node with an API server and a captured logger at the most verbose level. */
async function setup(db: TestDatabase) {
  const lines: string[] = [];
  const logger = pino({ level: 'trace' }, new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }));
  const node = await makeNode(db, {
    actions: [leaky, passer],
    logger,
    config: { secretKey: randomBytes(32).toString('base64'), http: { allowlist: ['127.0.0.1'], maxResponseBytes: 1 << 20, defaultTimeoutMs: 5000 } },
  });
  const api = await serveApi(createApi(node.rota, { maxBodyBytes: node.rota.config.maxBodyBytes, defaultWorkspace: node.rota.config.defaultWorkspace, logger }), { host: '127.0.0.1', port: 0 });
  const { token } = await node.rota.tokens.create(node.ws, uniqueName('t'), ['admin']);
  const call = apiClient(`${api.url}/api/v1`, token);
  const echo = await startEcho();
  const close = async () => {
    await api.close();
    await echo.close();
  };
  return { node, call, echo, lines, close };
}

async function runToEnd(call: ReturnType<typeof apiClient>, name: string): Promise<{ id: string; status: string }> {
  const started = await call('POST', `/automations/${name}/runs?wait=10s`, { json: { inputs: {} } });
  assert.ok(started.status === 201 || started.status === 200, started.text);
  const run = started.body.run ?? started.body;
  assert.ok(['succeeded', 'failed'].includes(run.status), `run still ${run.status}`);
  return run;
}

/** Every row of every table of the node's database, as text. */
async function everyRow(node: Awaited<ReturnType<typeof setup>>['node']): Promise<string> {
  const { store } = internalsOf(node.rota);
  const tables =
    store.dialect === 'sqlite'
      ? (await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table'`.execute(store.db)).rows.map((r) => r.name)
      : (await sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()`.execute(store.db)).rows.map((r) => r.name);
  assert.ok(tables.includes('workspace_secrets') && tables.includes('steps'), `tables: ${tables.join(', ')}`);
  const dump: string[] = [];
  for (const table of tables) {
    const rows = (await sql`SELECT * FROM ${sql.table(table)}`.execute(store.db)).rows;
    dump.push(`${table}: ${JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`);
  }
  return dump.join('\n');
}

function definition(name: string, echoUrl: string) {
  return {
    name,
    steps: [
      {
        id: 'call',
        action: 'http',
        with: {
          method: 'POST',
          url: `${echoUrl}/ok`,
          headers: { authorization: 'Bearer {{ secrets.API_TOKEN }}' },
          query: { k: '{{ secrets.API_TOKEN }}' },
          body: { token: '{{ secrets.API_TOKEN }}' },
        },
      },
      { id: 'copy', action: 'set', with: { echoed: '{{ steps.call.output.body }}' } },
      { id: 'leak', action: 'leaky', with: { token: '{{ secrets.API_TOKEN }}' } },
      { id: 'fail', action: 'http', with: { method: 'GET', url: `${echoUrl}/fail`, headers: { authorization: 'Bearer {{ secrets.API_TOKEN }}' } } },
    ],
  };
}

forEachDialect('workspace secrets', (db) => {
  test('a secret reaches the server and no API answer, log line or stored row', async () => {
    const { node, call, echo, lines, close } = await setup(db);
    try {
      const value = `tok-${randomBytes(16).toString('hex')}`;
      const created = await call('PUT', '/secrets/API_TOKEN', { json: { value } });
      assert.equal(created.status, 201, created.text);
      assert.deepEqual(Object.keys(created.body).sort(), ['created_at', 'last_used_at', 'name', 'updated_at']);
      assert.equal((await call('PUT', '/secrets/API_TOKEN', { json: { value } })).status, 200);

      const name = uniqueName('sec');
      const applied = await call('PUT', `/automations/${name}`, { json: definition(name, echo.url) });
      assert.equal(applied.status, 201, applied.text);
      assert.equal(applied.body.warnings, undefined);
      const run = await runToEnd(call, name);
      assert.equal(run.status, 'failed');

      // The value did reach the server, in the header, the query and the body.
      assert.equal(echo.seen[0]?.authorization, `Bearer ${value}`);
      assert.ok(echo.seen[0]!.url.includes(`k=${value}`) && echo.seen[0]!.body.includes(value));
      assert.equal(echo.seen[1]?.authorization, `Bearer ${value}`);

      const got = await call('GET', `/runs/${run.id}`);
      const steps = got.body.steps as { id: string; input: any; output: any; error: any }[];
      assert.equal(steps[0]!.input.headers.authorization, 'Bearer {{ secrets.API_TOKEN }}', 'the stored input keeps the placeholder');
      assert.equal(steps[0]!.output.body.headers.authorization, 'Bearer [redacted]', 'the echoed header is redacted');
      assert.deepEqual(steps[2]!.output, { seen: '[redacted]', '[redacted]': 'as a key' });
      assert.match(JSON.stringify(got.body.steps[2].logs), /using \[redacted\]/, 'step log lines are redacted');
      assert.match(JSON.stringify(steps[3]!.error), /\[redacted\]/, 'the error excerpt of the echo is redacted');

      const answers = [
        created.text,
        applied.text,
        got.text,
        (await call('GET', `/runs/${run.id}/events`)).text,
        (await call('GET', `/runs/${run.id}/report`)).text,
        (await call('GET', `/runs/${run.id}/report?format=markdown`, { headers: { accept: 'text/markdown' } })).text,
        (await call('GET', `/runs?automation=${name}`)).text,
        (await call('GET', `/automations/${name}`)).text,
        (await call('GET', `/automations/${name}/versions`)).text,
        (await call('GET', `/automations/${name}/versions/1`)).text,
        (await call('GET', '/events')).text,
        (await call('GET', '/secrets')).text,
      ];
      answers.forEach((text, i) => assert.ok(!text.includes(value), `API answer ${i} holds the secret: ${text.slice(0, 300)}`));
      // Nothing here logs to the node's logger today; this guards the code that will.
      for (const line of lines) assert.ok(!line.includes(value), `log line holds the secret: ${line}`);
      const rows = await everyRow(node);
      assert.ok(rows.includes('workspace_secrets: [{'), 'the secret row is in the dump');
      assert.ok(!rows.includes(value), 'a stored row holds the secret');
      // Also not in its base64 form (a value could be stored encoded).
      assert.ok(!rows.includes(Buffer.from(value).toString('base64')));

      const listed = (await call('GET', '/secrets')).body.items as { name: string; last_used_at: string | null }[];
      assert.equal(listed.length, 1);
      assert.equal(listed[0]!.name, 'API_TOKEN');
      assert.ok(listed[0]!.last_used_at !== null, 'resolving marks the secret used');
    } finally {
      await close();
    }
  });

  test('what an action passes on through its services (event, child run, approval, wait) is stored redacted', async () => {
    const { node, call, lines, close } = await setup(db);
    try {
      const value = `tok-${randomBytes(16).toString('hex')}`;
      assert.equal((await call('PUT', '/secrets/PASSED', { json: { value } })).status, 201);
      const child = uniqueName('child');
      const childDef = { name: child, inputs: { type: 'object', properties: { token: { type: 'string' } } }, steps: [{ id: 's', action: 'set', with: { got: '{{ inputs.token }}' } }] };
      assert.equal((await call('PUT', `/automations/${child}`, { json: childDef })).status, 201);
      const name = uniqueName('pass');
      const def = { name, steps: [{ id: 'p', action: 'passer', with: { token: '{{ secrets.PASSED }}', child } }] };
      assert.equal((await call('PUT', `/automations/${name}`, { json: def })).status, 201);
      const started = await call('POST', `/automations/${name}/runs`, { json: { inputs: {} } });
      assert.equal(started.status, 201, started.text);
      const runId = (started.body.run ?? started.body).id as string;
      const waiting = await eventually(async () => {
        const run = (await call('GET', `/runs/${runId}`)).body;
        if (run.status === "failed") assert.fail(JSON.stringify(run));
        return run.status === "waiting" ? run : undefined;
      });
      assert.equal(waiting.steps[0].error, null, JSON.stringify(waiting.steps[0]));
      const childRuns = await eventually(async () => {
        const list = (await call('GET', `/runs?automation=${child}`)).body.items as { id: string; status: string }[];
        return list.length === 1 && list[0]!.status === 'succeeded' ? list : undefined;
      });

      const events = (await call('GET', '/events')).body.items as { name: string; data: unknown }[];
      const sent = events.find((e) => e.name === 'passer.sent');
      assert.deepEqual(sent?.data, { token: '[redacted]', '[redacted]': 'as a key' }, 'the event is stored, redacted');
      const childRun = (await call('GET', `/runs/${childRuns[0]!.id}`)).body;
      assert.deepEqual(childRun.inputs, { token: '[redacted]' }, 'the child run starts with the redacted value');
      const approvals = (await call('GET', '/approvals')).body.items as { message: string; details: unknown }[];
      assert.equal(approvals.length, 1);
      assert.equal(approvals[0]!.message, 'approve [redacted]?');
      assert.deepEqual(approvals[0]!.details, { token: '[redacted]' });

      const answers = [
        JSON.stringify(waiting),
        JSON.stringify(childRun),
        (await call('GET', `/runs/${runId}/events`)).text,
        (await call('GET', `/runs/${childRuns[0]!.id}/events`)).text,
        (await call('GET', '/events')).text,
        (await call('GET', '/approvals')).text,
        (await call('GET', `/runs/${runId}/report`)).text,
      ];
      answers.forEach((text, i) => assert.ok(!text.includes(value), `API answer ${i} holds the secret: ${text.slice(0, 300)}`));
      for (const line of lines) assert.ok(!line.includes(value), `log line holds the secret: ${line}`);
      const rows = await everyRow(node);
      for (const table of ['events', 'runs', 'approvals', 'run_events', 'event_waits']) assert.ok(rows.includes(`\n${table}: [{`), `${table} has rows`);
      assert.ok(!rows.includes(value), 'a stored row holds the secret');
    } finally {
      await close();
    }
  });

  test('a changed secret takes effect on the next run; a deleted one fails the step with what to do', async () => {
    const { call, echo, close } = await setup(db);
    try {
      const name = uniqueName('rot');
      await call('PUT', '/secrets/ROTATED', { json: { value: 'first-value-1' } });
      const def = { name, steps: [{ id: 'h', action: 'http', with: { url: `${echo.url}/ok`, headers: { authorization: 'Bearer {{ secrets.ROTATED }}' } } }] };
      assert.equal((await call('PUT', `/automations/${name}`, { json: def })).status, 201);
      assert.equal((await runToEnd(call, name)).status, 'succeeded');
      assert.equal((await call('PUT', '/secrets/ROTATED', { json: { value: 'second-value-2' } })).status, 200);
      assert.equal((await runToEnd(call, name)).status, 'succeeded');
      assert.deepEqual(echo.seen.map((s) => s.authorization), ['Bearer first-value-1', 'Bearer second-value-2']);

      assert.equal((await call('DELETE', '/secrets/ROTATED')).status, 204);
      assert.equal((await call('DELETE', '/secrets/ROTATED')).status, 404);
      const failed = await runToEnd(call, name);
      assert.equal(failed.status, 'failed');
      const run = (await call('GET', `/runs/${failed.id}`)).body;
      assert.equal(run.error.code, 'template_unresolved');
      assert.match(run.error.message, /secret "ROTATED" is not set.*rota secrets set ROTATED/);
      assert.equal(echo.seen.length, 2, 'no request without the secret');
    } finally {
      await close();
    }
  });

  test('apply: a secret outside a secret-capable field is refused with its path; an unknown one is a warning', async () => {
    const { call, echo, close } = await setup(db);
    try {
      const bad = await call('PUT', '/automations/badsec', { json: { name: 'badsec', steps: [{ id: 'h', action: 'http', with: { url: `${echo.url}/{{ secrets.API_TOKEN }}` } }] } });
      assert.equal(bad.status, 400, bad.text);
      assert.equal(bad.body.error.code, 'definition_invalid');
      const detail = bad.body.error.details.find((d: { path: string }) => d.path === '$.steps[0].with.url');
      assert.ok(detail, bad.text);
      assert.match(detail.message, /secrets are not allowed in field "url" of action "http" \(secret-capable fields: headers, body, query\)/);

      const warned = await call('PUT', '/automations/later', { json: { name: 'later', steps: [{ id: 'h', action: 'http', with: { url: echo.url, headers: { 'x-key': '{{ secrets.NOT_YET }}' } } }] } });
      assert.equal(warned.status, 201, warned.text);
      assert.deepEqual(warned.body.warnings, [{ path: '$.steps[0].with.headers["x-key"]', message: 'secret "NOT_YET" is not set in this workspace; runs fail at this step until it is (rota secrets set NOT_YET)' }]);
      await call('PUT', '/secrets/NOT_YET', { json: { value: 'now-set' } });
      const again = await call('PUT', '/automations/later', { json: { name: 'later', description: 'v2', steps: [{ id: 'h', action: 'http', with: { url: echo.url, headers: { 'x-key': '{{ secrets.NOT_YET }}' } } }] } });
      assert.equal(again.status, 200, again.text);
      assert.equal(again.body.warnings, undefined);

      assert.equal((await call('PUT', '/secrets/1bad', { json: { value: 'x' } })).status, 400);
      assert.equal((await call('PUT', '/secrets/OK', { json: { value: '' } })).status, 400);
      assert.equal((await call('PUT', '/secrets/OK', { json: { value: 'x', extra: 1 } })).status, 400);
    } finally {
      await close();
    }
  });
});
