/**
 * Webhook triggers end to end against a real node (SQLite and PostgreSQL): the senders are real
 * (the standardwebhooks package signs; GitHub's documented example verifies), and every answer of
 * SPEC §4 is checked: 202 after the run is recorded, 200 for a re-delivery, 401 for anything
 * unauthenticated (indistinguishable for unknown and disabled endpoints), 413, the delivery log,
 * write-only secrets and rotation with grace.
 */
import { internalsOf } from '../../src/testing/index.js';
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { apiClient, startTestServer, type ApiCall, type TestServer } from '../api/harness.js';
import { PassThrough } from 'node:stream';
import { createLogger } from '../../src/engine/logger.js';
import { DIALECTS } from '../support/node.js';

const STANDARD_SECRET = `whsec_${randomBytes(24).toString('base64')}`;

function standardDefinition(name: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    inputs: { type: 'object', properties: { n: { type: 'integer' } } },
    triggers: [{ id: 'hook', type: 'webhook', verify: { scheme: 'standard', secret: STANDARD_SECRET }, inputs: { n: '{{ data.n }}' }, ...extra }],
    steps: [{ id: 'a', action: 'set', with: { n: '{{ inputs.n }}' } }],
  };
}

/** Signs like a Standard Webhooks sender does (the package, not our code). */
function signStandard(secret: string, id: string, body: string, at = new Date()): Record<string, string> {
  const signature = new Webhook(secret).sign(id, at, body);
  return { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature, 'content-type': 'application/json' };
}

async function post(url: string, path: string, body: string | Buffer, headers: Record<string, string>) {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, text, body: text ? JSON.parse(text) : null };
}

for (const dialect of DIALECTS) {
  describe(`webhooks (${dialect})`, () => {
    let server: TestServer;
    let api: ApiCall;
    // the node's log lines (debug and up), captured to prove secrets never reach them
    let stderr = '';
    const logStream = new PassThrough();
    logStream.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

    before(async () => {
      server = await startTestServer({ dialect, logger: createLogger('debug', { format: 'json', destination: logStream }), config: { secretKey: randomBytes(32).toString('base64') } });
      api = apiClient(server.url, server.adminToken);
    });
    after(async () => {
      await server?.close();
    });

    async function hookPath(name: string, trigger = 'hook'): Promise<string> {
      const got = await api('GET', `/api/v1/automations/${name}`);
      const view = got.body.triggers.find((t: { id: string }) => t.id === trigger);
      assert.match(view.endpoint_id, /^[A-Za-z0-9_-]{24}$/);
      assert.equal(view.webhook_path, `/hooks/default/${view.endpoint_id}`);
      return view.webhook_path as string;
    }

    test('a standard-signed delivery answers 202 with a durable run; the re-delivery returns it with 200', async () => {
      assert.equal((await api('POST', '/api/v1/automations', { json: standardDefinition('wh-standard') })).status, 201);
      const path = await hookPath('wh-standard');
      const body = JSON.stringify({ n: 7 });
      const headers = signStandard(STANDARD_SECRET, 'msg_1', body);
      const first = await post(server.url, path, body, headers);
      assert.equal(first.status, 202, first.text);
      assert.equal(first.body.delivery_id, 'msg_1');
      assert.equal(first.body.runs.length, 1);
      const runId = first.body.runs[0].id;
      // recorded before the answer: readable at once, with the activation envelope
      const run = await api('GET', `/api/v1/runs/${runId}`);
      assert.equal(run.status, 200);
      assert.deepEqual(run.body.inputs, { n: 7 });
      assert.equal(run.body.activation.kind, 'webhook');
      assert.equal(run.body.activation.idempotency_key, 'webhook:hook:msg_1');
      assert.deepEqual(run.body.activation.data, { n: 7 });
      assert.equal(run.body.activation.headers['webhook-id'], 'msg_1');
      assert.equal(run.body.activation.headers['webhook-signature'], undefined, 'signatures are not kept');

      const again = await post(server.url, path, body, signStandard(STANDARD_SECRET, 'msg_1', body));
      assert.equal(again.status, 200, again.text);
      assert.equal(again.body.duplicate, true);
      assert.equal(again.body.runs[0].id, runId);
      const runs = await api('GET', '/api/v1/runs?automation=wh-standard');
      assert.equal(runs.body.total, 1);
    });

    test('unauthenticated requests get 401 and record nothing but a counter', async () => {
      const path = await hookPath('wh-standard');
      const body = JSON.stringify({ n: 1 });
      const good = signStandard(STANDARD_SECRET, 'msg_bad', body);
      const cases: [string, Record<string, string>][] = [
        ['bad signature', { ...good, 'webhook-signature': `v1,${randomBytes(32).toString('base64')}` }],
        ['other secret', signStandard(`whsec_${randomBytes(24).toString('base64')}`, 'msg_bad', body)],
        ['stale timestamp', signStandard(STANDARD_SECRET, 'msg_bad', body, new Date(Date.now() - 6 * 60_000))],
        ['future timestamp', signStandard(STANDARD_SECRET, 'msg_bad', body, new Date(Date.now() + 6 * 60_000))],
        ['missing signature', { 'webhook-id': 'msg_bad', 'webhook-timestamp': good['webhook-timestamp']!, 'content-type': 'application/json' }],
        ['no headers', { 'content-type': 'application/json' }],
      ];
      for (const [what, headers] of cases) {
        const res = await post(server.url, path, body, headers);
        assert.equal(res.status, 401, `${what}: ${res.text}`);
        assert.deepEqual(res.body, { error: { code: 'unauthenticated', message: 'webhook verification failed', details: null } }, what);
      }
      // a tampered body with a valid signature of the original
      const tampered = await post(server.url, path, JSON.stringify({ n: 2 }), good);
      assert.equal(tampered.status, 401);
      const runs = await api('GET', '/api/v1/runs?automation=wh-standard');
      assert.equal(runs.body.total, 1, 'no run from any of them');
      const log = await api('GET', '/api/v1/automations/wh-standard/triggers/hook/deliveries');
      assert.equal(log.status, 200, log.text);
      assert.equal(log.body.unauthenticated.count, cases.length + 1);
      assert.ok(log.body.items.every((d: { delivery_id: string }) => d.delivery_id !== 'msg_bad'), 'rejected requests are not logged one by one');
      assert.deepEqual(
        log.body.items.map((d: { outcome: string }) => d.outcome),
        ['duplicate', 'accepted'],
      );
    });

    test('a body over max_body is 413 (declared or streamed); the default limit is 1 MiB', async () => {
      assert.equal((await api('POST', '/api/v1/automations', { json: standardDefinition('wh-small', { max_body: '1kb' }) })).status, 201);
      const path = await hookPath('wh-small');
      const big = JSON.stringify({ pad: 'x'.repeat(2000) });
      const res = await post(server.url, path, big, signStandard(STANDARD_SECRET, 'msg_big', big));
      assert.equal(res.status, 413, res.text);
      assert.equal(res.body.error.code, 'payload_too_large');
      // chunked, without Content-Length
      const stream = new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(big));
          controller.close();
        },
      });
      const chunked = await fetch(`${server.url}${path}`, { method: 'POST', body: stream, headers: signStandard(STANDARD_SECRET, 'msg_big', big), duplex: 'half' } as RequestInit);
      assert.equal(chunked.status, 413);
      const standardPath = await hookPath('wh-standard');
      const huge = JSON.stringify({ pad: 'x'.repeat(1024 * 1024) });
      assert.equal((await post(server.url, standardPath, huge, signStandard(STANDARD_SECRET, 'msg_huge', huge))).status, 413);
      assert.equal((await post(server.url, '/hooks/default/unknownendpointid000000', huge, {})).status, 413);
    });

    test('GitHub: the documented signature example verifies; X-GitHub-Delivery is the delivery id; headers filter', async () => {
      const definition = {
        name: 'wh-github',
        triggers: [
          {
            id: 'gh',
            type: 'webhook',
            verify: { scheme: 'github', secret: "It's a Secret to Everybody" },
            filter: { 'headers.x-github-event': 'push' },
          },
        ],
        steps: [{ id: 'a', action: 'set', with: { ok: true } }],
      };
      assert.equal((await api('POST', '/api/v1/automations', { json: definition })).status, 201);
      const path = await hookPath('wh-github', 'gh');
      const headers = {
        'x-hub-signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
        'x-github-delivery': 'd-1',
        'x-github-event': 'push',
        'content-type': 'text/plain',
      };
      const res = await post(server.url, path, 'Hello, World!', headers);
      assert.equal(res.status, 202, res.text);
      const run = await api('GET', `/api/v1/runs/${res.body.runs[0].id}`);
      assert.equal(run.body.activation.data, 'Hello, World!');
      assert.equal(run.body.activation.headers['x-github-event'], 'push');
      const wrong = await post(server.url, path, 'Hello, World?', headers);
      assert.equal(wrong.status, 401);
      const noDelivery = await post(server.url, path, 'Hello, World!', { ...headers, 'x-github-delivery': '' });
      assert.equal(noDelivery.status, 401);
    });

    test('a filtered delivery records no run and can be retried with the same id later', async () => {
      const definition = standardDefinition('wh-filter', { filter: { 'data.action': 'opened' } });
      assert.equal((await api('POST', '/api/v1/automations', { json: definition })).status, 201);
      const path = await hookPath('wh-filter');
      const closed = JSON.stringify({ action: 'closed', n: 1 });
      const first = await post(server.url, path, closed, signStandard(STANDARD_SECRET, 'msg_f', closed));
      assert.equal(first.status, 200, first.text);
      assert.deepEqual(first.body, { delivery_id: 'msg_f', runs: [], filtered: true, duplicate: false });
      // the definition changes; the sender retries the same delivery
      const widened = standardDefinition('wh-filter', { filter: { 'data.action': { $in: ['opened', 'closed'] } } });
      assert.equal((await api('PUT', '/api/v1/automations/wh-filter', { json: widened })).status, 200);
      const retry = await post(server.url, path, closed, signStandard(STANDARD_SECRET, 'msg_f', closed));
      assert.equal(retry.status, 202, retry.text);
      assert.equal(retry.body.runs.length, 1);
      const log = await api('GET', '/api/v1/automations/wh-filter/triggers/hook/deliveries');
      assert.deepEqual(
        log.body.items.map((d: { outcome: string; reason: string | null; status_code: number }) => [d.outcome, d.reason, d.status_code]),
        [['accepted', null, 202], ['filtered', 'filter', 200]],
      );
    });

    test('a disabled trigger answers unauthenticated requests exactly like an unknown endpoint', async () => {
      const definition = standardDefinition('wh-disabled', { enabled: false });
      assert.equal((await api('POST', '/api/v1/automations', { json: definition })).status, 201);
      const disabled = await hookPath('wh-disabled');
      const body = JSON.stringify({ n: 1 });
      const forged = { ...signStandard(STANDARD_SECRET, 'm', body), 'webhook-signature': `v1,${randomBytes(32).toString('base64')}` };
      const answers = [];
      for (const path of [disabled, await hookPath('wh-standard'), '/hooks/default/AAAAAAAAAAAAAAAAAAAAAAAA', '/hooks/nope/AAAAAAAAAAAAAAAAAAAAAAAA', '/hooks/default/bad%20id']) {
        const res = await fetch(`${server.url}${path}`, { method: 'POST', body, headers: forged });
        answers.push({ status: res.status, body: await res.text(), type: res.headers.get('content-type') });
      }
      for (const answer of answers.slice(1)) assert.deepEqual(answer, answers[0]);
      // the sender that knows the secret learns that it is disabled; nothing runs
      const signed = await post(server.url, disabled, body, signStandard(STANDARD_SECRET, 'm2', body));
      assert.equal(signed.status, 409, signed.text);
      assert.equal((await api('GET', '/api/v1/runs?automation=wh-disabled')).body.total, 0);
    });

    test('hmac and token schemes; none is explicit', async () => {
      const definition = {
        name: 'wh-schemes',
        triggers: [
          { id: 'mac', type: 'webhook', verify: { scheme: 'hmac', secret: 'mac-secret', header: 'X-Sig', timestamp_header: 'X-Ts', delivery_id_header: 'X-Id' } },
          { id: 'tok', type: 'webhook', verify: { scheme: 'token', secret: 'tok-secret' } },
          { id: 'hdr', type: 'webhook', verify: { scheme: 'token', secret: 'hdr-secret', header: 'X-Token' } },
          { id: 'open', type: 'webhook', verify: { scheme: 'none' } },
        ],
        steps: [{ id: 'a', action: 'set', with: { ok: true } }],
      };
      assert.equal((await api('POST', '/api/v1/automations', { json: definition })).status, 201, 'schemes');
      const body = '{"x":1}';
      const ts = String(Math.floor(Date.now() / 1000));
      const mac = createHmac('sha256', 'mac-secret').update(`${ts}.${body}`).digest('hex');
      const json = { 'content-type': 'application/json' };
      const macPath = await hookPath('wh-schemes', 'mac');
      assert.equal((await post(server.url, macPath, body, { ...json, 'x-sig': `sha256=${mac}`, 'x-ts': ts, 'x-id': 'h1' })).status, 202);
      assert.equal((await post(server.url, macPath, body, { ...json, 'x-sig': `sha256=${mac}`, 'x-ts': ts, 'x-id': 'h1' })).status, 200);
      assert.equal((await post(server.url, macPath, body, { ...json, 'x-sig': `sha256=${mac}`, 'x-ts': String(Number(ts) - 400), 'x-id': 'h2' })).status, 401);
      assert.equal((await post(server.url, macPath, body, { ...json, 'x-sig': `sha256=${'0'.repeat(64)}`, 'x-ts': ts })).status, 401);
      const tokPath = await hookPath('wh-schemes', 'tok');
      assert.equal((await post(server.url, tokPath, body, { ...json, authorization: 'Bearer tok-secret' })).status, 202);
      assert.equal((await post(server.url, tokPath, body, { ...json, authorization: 'Bearer tok-secreT' })).status, 401);
      const hdrPath = await hookPath('wh-schemes', 'hdr');
      assert.equal((await post(server.url, hdrPath, body, { ...json, 'x-token': 'hdr-secret' })).status, 202);
      assert.equal((await post(server.url, hdrPath, body, { ...json, authorization: 'Bearer hdr-secret' })).status, 401);
      assert.equal((await post(server.url, await hookPath('wh-schemes', 'open'), body, json)).status, 202);
      // definition-time checks
      const invalid = await api('POST', '/api/v1/automations', {
        json: { name: 'wh-invalid', triggers: [{ id: 'a', type: 'webhook', verify: { scheme: 'github' } }, { id: 'b', type: 'webhook', verify: { scheme: 'none', secret: 'x' } }, { id: 'c', type: 'webhook', verify: { scheme: 'standard', secret: 'short' } }], steps: [{ id: 's', action: 'set', with: {} }] },
      });
      assert.equal(invalid.status, 400);
      const paths = invalid.body.error.details.map((d: { path: string }) => d.path);
      assert.ok(paths.includes('$.triggers[0].verify'), JSON.stringify(paths));
      assert.ok(paths.includes('$.triggers[1].verify.secret'), JSON.stringify(paths));
    });

    test('secrets are write-only: replaced by a reference, never returned, never logged; rotation keeps the old one for its grace', async () => {
      const literal = `whsec_${randomBytes(24).toString('base64')}`;
      const definition = { ...standardDefinition('wh-secret'), triggers: [{ id: 'hook', type: 'webhook', verify: { scheme: 'standard', secret: literal } }] };
      const created = await api('POST', '/api/v1/automations', { json: definition });
      assert.equal(created.status, 201, created.text);
      const ref = created.body.definition.triggers[0].verify.secret;
      assert.match(ref.secret_ref, /^sec_/);
      // re-applying the same literal changes nothing (same reference, no new version)
      const again = await api('PUT', '/api/v1/automations/wh-secret', { json: definition });
      assert.equal(again.body.version, 1);
      // the view can be sent back as it is (the reference stands for the stored secret)
      const roundTrip = await api('PUT', '/api/v1/automations/wh-secret', { json: { ...again.body.definition, description: 'edited' } });
      assert.equal(roundTrip.status, 200, roundTrip.text);
      assert.equal(roundTrip.body.version, 2);
      // a reference of another trigger is refused
      const stolen = await api('PUT', '/api/v1/automations/wh-standard', {
        json: { ...standardDefinition('wh-standard'), triggers: [{ id: 'hook', type: 'webhook', verify: { scheme: 'standard', secret: ref } }] },
      });
      assert.equal(stolen.status, 400, stolen.text);

      const path = await hookPath('wh-secret');
      const body = '{}';
      assert.equal((await post(server.url, path, body, signStandard(literal, 'r1', body))).status, 202);
      const next = `whsec_${randomBytes(24).toString('base64')}`;
      const rotated = await api('POST', '/api/v1/automations/wh-secret/triggers/hook/secret', { json: { secret: next, grace: '1h' } });
      assert.equal(rotated.status, 200, rotated.text);
      assert.ok(Date.parse(rotated.body.previous_valid_until) > Date.now() + 59 * 60_000);
      assert.equal((await post(server.url, path, body, signStandard(next, 'r2', body))).status, 202, 'new secret');
      assert.equal((await post(server.url, path, body, signStandard(literal, 'r3', body))).status, 202, 'old secret in its grace period');
      assert.equal((await api('POST', '/api/v1/automations/wh-secret/triggers/hook/secret', { json: { secret: `whsec_${randomBytes(24).toString('base64')}` } })).status, 200);
      assert.equal((await post(server.url, path, body, signStandard(next, 'r4', body))).status, 401, 'rotation without grace retires the previous one');

      const everything = [
        (await api('GET', '/api/v1/automations/wh-secret')).text,
        (await api('GET', '/api/v1/automations/wh-secret/versions')).text,
        (await api('GET', '/api/v1/automations/wh-secret/versions/1')).text,
        (await api('GET', '/api/v1/automations')).text,
        (await api('GET', '/api/v1/automations/wh-secret/triggers/hook/deliveries')).text,
        (await api('GET', '/api/v1/runs?automation=wh-secret')).text,
        created.text,
        rotated.text,
        stderr,
      ].join('\n');
      assert.match(stderr, /webhook delivery/, 'the node\'s log lines were captured (and searched)');
      for (const secret of [literal, next, literal.slice(6), next.slice(6), STANDARD_SECRET.slice(6)]) assert.ok(!everything.includes(secret), 'a secret leaked');
      // stored encrypted: not in the database in clear either
      const rows = await internalsOf(server.rota).store.db.selectFrom('secrets').selectAll().execute();
      assert.ok(rows.length >= 2 && rows.every((r) => !r.ciphertext.includes(literal.slice(6)) && !r.ciphertext.includes(next.slice(6))));
      const versions = await internalsOf(server.rota).store.db.selectFrom('automation_versions').select('definition').execute();
      assert.ok(versions.every((v) => !v.definition.includes(literal.slice(6))));
    });

    test('env secrets are read at verification time; the delivery log is bounded', async () => {
      process.env.ROTA_TEST_WEBHOOK_TOKEN = 'from-env-1';
      const definition = {
        name: 'wh-env',
        triggers: [{ id: 'hook', type: 'webhook', verify: { scheme: 'token', secret: { env: 'ROTA_TEST_WEBHOOK_TOKEN' }, delivery_id_header: 'X-Id' } }],
        steps: [{ id: 'a', action: 'set', with: {} }],
      };
      assert.equal((await api('POST', '/api/v1/automations', { json: definition })).status, 201);
      const path = await hookPath('wh-env');
      assert.equal((await post(server.url, path, '', { authorization: 'Bearer from-env-1', 'x-id': 'e0' })).status, 202);
      process.env.ROTA_TEST_WEBHOOK_TOKEN = 'from-env-2';
      assert.equal((await post(server.url, path, '', { authorization: 'Bearer from-env-1', 'x-id': 'e1' })).status, 401);
      const rotate = await api('POST', '/api/v1/automations/wh-env/triggers/hook/secret', { json: { secret: 'x' } });
      assert.equal(rotate.status, 409);
      for (let i = 0; i < 230; i++) {
        const res = await post(server.url, path, '', { authorization: 'Bearer from-env-2', 'x-id': `b${i}` });
        assert.equal(res.status, 202);
      }
      const page = await api('GET', '/api/v1/automations/wh-env/triggers/hook/deliveries?limit=200');
      const count = await internalsOf(server.rota).store.db.selectFrom('webhook_deliveries').select((eb) => eb.fn.countAll<number>().as('n')).where('trigger_id', '=', 'hook').where('delivery_id', 'like', 'b%').executeTakeFirstOrThrow();
      assert.ok(Number(count.n) <= 220, `bounded log, got ${count.n}`);
      assert.equal(page.body.items.length, 200);
      assert.equal(page.body.items[0].delivery_id, 'b229');
      delete process.env.ROTA_TEST_WEBHOOK_TOKEN;
    });
  });
}
