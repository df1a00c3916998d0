/**
 * Property test: whatever headers and body arrive at a webhook endpoint (live, unknown, `none`,
 * `hmac`, `github`), the answer is never a 5xx, and a 2xx only ever comes from an endpoint that
 * can accept it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { apiClient, startTestServer, type TestServer } from '../api/harness.js';

describe('webhooks: random requests never cause a 5xx (sqlite)', () => {
  let server: TestServer;
  const paths: Record<string, string> = {};

  before(async () => {
    server = await startTestServer({ dialect: 'sqlite' });
    const api = apiClient(server.url, server.adminToken);
    const definition = {
      name: 'fuzzed',
      inputs: { type: 'object', properties: { n: { type: 'integer' } } },
      triggers: [
        { id: 'open', type: 'webhook', verify: { scheme: 'none' }, filter: { 'data.kind': { $in: ['a', 'b'] } }, inputs: { n: '{{ data.n }}' } },
        { id: 'mac', type: 'webhook', verify: { scheme: 'hmac', secret: 's3cret' }, max_body: '4kb' },
        { id: 'gh', type: 'webhook', verify: { scheme: 'github', secret: 's3cret' } },
        { id: 'std', type: 'webhook', verify: { scheme: 'standard', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' } },
      ],
      steps: [{ id: 'a', action: 'set', with: { n: '{{ inputs.n }}' } }],
    };
    const created = await api('POST', '/api/v1/automations', { json: definition });
    assert.equal(created.status, 201, created.text);
    for (const t of created.body.triggers) paths[t.id] = t.webhook_path;
    paths.unknown = '/hooks/default/AAAAAAAAAAAAAAAAAAAAAAAA';
    paths.weird = '/hooks/%00/..%2F';
  });
  after(async () => server?.close());

  test('any headers, content types and bodies', async () => {
    const headerName = fc.constantFrom(
      'content-type',
      'webhook-id',
      'webhook-timestamp',
      'webhook-signature',
      'x-hub-signature-256',
      'x-github-delivery',
      'x-signature',
      'x-timestamp',
      'idempotency-key',
      'authorization',
      'x-github-event',
    );
    const headerValue = fc.oneof(
      fc.string({ maxLength: 80 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
      fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain', 'sha256=zz', 'v1,abc', '0', '99999999999999999', String(Math.floor(Date.now() / 1000))),
    );
    const body = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? ''),
      fc.string({ maxLength: 300 }),
      fc.constantFrom('{', 'payload=%7B', 'payload={"a":1}', '', '\u0000\uffff'),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...Object.keys(paths)), fc.dictionary(headerName, headerValue, { maxKeys: 6 }), body, async (target, headers, text) => {
        const res = await fetch(`${server.url}${paths[target]}`, { method: 'POST', headers, body: text });
        const answer = await res.text();
        assert.ok(res.status < 500, `${res.status} for ${target} ${JSON.stringify(headers)} ${JSON.stringify(text)}: ${answer}`);
        if (res.status < 300) assert.equal(target, 'open', `${target} accepted ${JSON.stringify(headers)}`);
      }),
      { numRuns: 150 },
    );
  });

  test('deep and wide JSON on every endpoint: never a 5xx; deep and authenticated is a 400 naming the limit, logged', async () => {
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const wide = `{${Array.from({ length: 40_000 }, (_, i) => `"k${i}":[${i}]`).join(',')}}`;
    for (const target of Object.keys(paths)) {
      for (const body of [deep, `{"kind":"a","n":1,"x":${'['.repeat(9000)}${']'.repeat(9000)}}`, wide, `payload=${encodeURIComponent(deep)}`]) {
        const type = body.startsWith('payload=') ? 'application/x-www-form-urlencoded' : 'application/json';
        const res = await fetch(`${server.url}${paths[target]}`, { method: 'POST', headers: { 'content-type': type }, body });
        const text = await res.text();
        assert.ok(res.status < 500, `${target}: ${res.status} ${text.slice(0, 200)}`);
        if (target === 'open' && body !== wide) {
          assert.equal(res.status, 400, text);
          assert.match(JSON.parse(text).error.message, /nested deeper than 100 levels at \$/);
        }
      }
    }
    const api = apiClient(server.url, server.adminToken);
    const log = await api('GET', '/api/v1/automations/fuzzed/triggers/open/deliveries');
    assert.ok(log.body.items.some((d: { reason: string; status_code: number }) => d.reason === 'too_deep' && d.status_code === 400), JSON.stringify(log.body.items.slice(0, 3)));
  });

  test('an unauthenticated body over a small max_body is answered like one to an unknown endpoint (no existence oracle)', async () => {
    const body = JSON.stringify({ pad: 'x'.repeat(5000) }); // over mac's 4kb, under the 1 MiB server limit
    const answers = [];
    for (const target of ['mac', 'unknown']) {
      const res = await fetch(`${server.url}${paths[target]}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature': 'sha256=00' }, body });
      answers.push({ status: res.status, body: await res.text() });
    }
    assert.equal(answers[0]!.status, 401);
    assert.deepEqual(answers[0], answers[1]);
  });
});
