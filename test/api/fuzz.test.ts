// Property: no malformed request crashes the API (never a 5xx, always the error shape) or changes
// stored automations and runs.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { type ApiCall, apiClient, startTestServer, type TestServer } from './harness.js';
import { DIALECTS } from '../support/node.js';

const RUNS = Number(process.env.ROTA_FUZZ_RUNS ?? 150);

type BodyKind = 'none' | 'json' | 'definition';
interface Endpoint {
  method: string;
  /** `{name}` / `{id}` are replaced; `existing` lets them be real ones (only where the body is always malformed) */
  path: string;
  body: BodyKind;
  existing?: boolean;
  query?: fc.Arbitrary<string>;
}

const badLimit = fc.constantFrom('0', '-1', '201', 'abc', '1.5', '1e400', '', '99999999999999999999');
const badQuery = (extra: fc.Arbitrary<string>[]) =>
  fc.oneof(badLimit.map((v) => `limit=${encodeURIComponent(v)}`), ...extra);

const ENDPOINTS: Endpoint[] = [
  { method: 'POST', path: '/api/v1/automations', body: 'definition' },
  { method: 'POST', path: '/api/v1/automations/validate', body: 'definition' },
  { method: 'PUT', path: '/api/v1/automations/{name}', body: 'definition', existing: true },
  { method: 'GET', path: '/api/v1/automations', body: 'none', query: badQuery([fc.constant('status=bogus'), fc.string().map((s) => `status=${encodeURIComponent(s)}`)]) },
  { method: 'GET', path: '/api/v1/automations/{name}', body: 'none' },
  { method: 'GET', path: '/api/v1/automations/{name}/versions', body: 'none' },
  { method: 'GET', path: '/api/v1/automations/{name}/versions/{id}', body: 'none' },
  { method: 'POST', path: '/api/v1/automations/{name}/pause', body: 'none' },
  { method: 'POST', path: '/api/v1/automations/{name}/resume', body: 'none' },
  { method: 'POST', path: '/api/v1/automations/{name}/archive', body: 'none' },
  { method: 'POST', path: '/api/v1/automations/{name}/unarchive', body: 'none' },
  { method: 'POST', path: '/api/v1/automations/{name}/runs', body: 'json', existing: true },
  {
    method: 'GET',
    path: '/api/v1/runs',
    body: 'none',
    query: badQuery([
      fc.constantFrom('status=done', 'status=succeeded,', 'since=yesterday', 'until=2024-13-45T00:00:00Z', 'since=1'),
      fc.string({ minLength: 1 }).map((s) => `since=${encodeURIComponent(s)}`),
    ]),
  },
  { method: 'GET', path: '/api/v1/runs/{id}', body: 'none' },
  { method: 'GET', path: '/api/v1/runs/{id}/events', body: 'none' },
  { method: 'GET', path: '/api/v1/runs/{id}/stream', body: 'none' },
  { method: 'GET', path: '/api/v1/runs/{id}/report', body: 'none' },
  { method: 'POST', path: '/api/v1/runs/{id}/cancel', body: 'none' },
  { method: 'POST', path: '/api/v1/runs/{id}/retry', body: 'none' },
  { method: 'POST', path: '/api/v1/runs/{id}/replay', body: 'json', existing: true },
  { method: 'POST', path: '/api/v1/events', body: 'json' },
  { method: 'GET', path: '/api/v1/events', body: 'none', query: badQuery([]) },
  { method: 'POST', path: '/api/v1/tokens', body: 'json' },
  { method: 'DELETE', path: '/api/v1/tokens/{id}', body: 'none' },
  { method: 'GET', path: '/api/v1/{name}', body: 'none' },
];

/** JSON text that does not parse. */
const notJson = fc.oneof(
  fc.string({ minLength: 1 }),
  fc.jsonValue().map((v) => JSON.stringify(v)).filter((t) => t.length > 1).map((t) => t.slice(0, t.length - 1)),
  fc.constantFrom('{', '{"inputs": {', '[1, 2', '{"name": "x",}', "{'a': 1}", 'NaN', 'undefined', '\u0000'),
).filter((text) => {
  if (text.trim() === '') return false;
  try {
    JSON.parse(text);
    return false;
  } catch {
    return true;
  }
});

const huge = fc.constantFrom('1e999', '-1e999', '123456789012345678901234567890', '1e-999');
/** JSON that parses but never fits any body schema (all are strict objects with typed fields). */
const wrongJson = fc.oneof(
  fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.constant(null), fc.array(fc.jsonValue())).map((v) => JSON.stringify(v)),
  huge,
  fc
    .dictionary(fc.string().filter((k) => !['name', 'scopes', 'workspace', 'inputs', 'version', 'data', 'id', 'steps'].includes(k)), fc.jsonValue(), { minKeys: 1 })
    .map((o) => JSON.stringify(o)),
  fc.constantFrom('name', 'inputs', 'version', 'scopes').chain((key) =>
    fc.oneof(huge, fc.constantFrom('[]', '""', 'true', '-1', '0.5')).map((value) => `{"${key}": ${value}}`),
  ),
);
const malformedBody = fc.oneof(notJson, wrongJson);

const contentType = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8') },
  fc.constantFrom(undefined, '', 'text/plain', 'application/yaml', 'text/yaml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/vnd.api+json', '*/*', 'application/json; charset', 'json'),
);

const headerText = fc.string({ unit: fc.constantFrom(...' !"#$%&\'()*+,-./0123456789:;<=>?@AZaz[\\]^_`{|}~\t'.split('')), maxLength: 40 }).map((s) => s.trim());
const idempotencyKey = fc.option(fc.oneof(fc.constant(''), fc.constant('x'.repeat(201)), headerText.map((s) => `key ${s}`), headerText), { nil: undefined });

const pathSegment = fc
  .oneof(fc.string({ maxLength: 80 }), fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,10}$/), fc.constantFrom('x'.repeat(300), '01ARZ3NDEKTSV4RRFFQ69G5FAV', '%', ' '))
  .map((s) => encodeURIComponent(s))
  .filter((s) => s !== '' && s !== '.' && s !== '..');

interface Case {
  endpoint: Endpoint;
  name: string;
  id: string;
  query: string | null;
  body: string | undefined;
  contentType: string | undefined;
  idempotencyKey: string | undefined;
  auth: 'admin' | 'admin-lowercase' | 'none' | string;
  workspace: string | undefined;
}

function caseArbitrary(existing: { names: string[]; runId: string }): fc.Arbitrary<Case> {
  return fc.constantFrom(...ENDPOINTS).chain((endpoint) =>
    fc.record({
      endpoint: fc.constant(endpoint),
      name: endpoint.existing ? fc.oneof(fc.constantFrom(...existing.names), pathSegment) : pathSegment.filter((s) => !existing.names.includes(s)),
      id: endpoint.existing ? fc.oneof(fc.constant(existing.runId), pathSegment) : pathSegment,
      query: endpoint.query ? endpoint.query : fc.constant(null),
      body: endpoint.body === 'none' ? fc.option(fc.oneof(malformedBody, fc.constant('{}')), { nil: undefined }) : malformedBody,
      contentType,
      idempotencyKey,
      auth: fc.oneof(
        { weight: 6, arbitrary: fc.constant('admin') },
        fc.constantFrom('admin-lowercase', 'none', 'Bearer', 'Bearer rota_', 'Basic YWRtaW46YWRtaW4=', 'rota_abc'),
        headerText.map((s) => `Bearer rota_${s}`),
      ),
      workspace: fc.option(fc.oneof(headerText, fc.constant('default')), { nil: undefined, freq: 4 }),
    }),
  );
}

function requestOf(c: Case, adminToken: string): { url: string; init: RequestInit } {
  let path = c.endpoint.path.replace('{name}', c.name).replace('{id}', c.id);
  if (c.query !== null) path += `?${c.query}`;
  const headers: Record<string, string> = {};
  if (c.auth === 'admin') headers.authorization = `Bearer ${adminToken}`;
  else if (c.auth === 'admin-lowercase') headers.authorization = `bearer ${adminToken}`;
  else if (c.auth !== 'none') headers.authorization = c.auth;
  if (c.contentType !== undefined) headers['content-type'] = c.contentType;
  if (c.idempotencyKey !== undefined) headers['idempotency-key'] = c.idempotencyKey;
  if (c.workspace !== undefined) headers['x-rota-workspace'] = c.workspace;
  const hasBody = c.body !== undefined && c.endpoint.method !== 'GET';
  return { url: path, init: { method: c.endpoint.method, headers, body: hasBody ? c.body : undefined } };
}

const deepObject = (n: number, leaf = '1') => `${'{"a":'.repeat(n)}${leaf}${'}'.repeat(n)}`;
const deepArray = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
/** Bodies nested a few thousand levels deep (~20 KB), at the root and where each route reads user JSON. */
const DEEP_BODIES = [
  deepObject(5000),
  deepArray(10_000),
  `{"inputs":${deepObject(5000)}}`,
  `{"name":"deep","data":${deepObject(5000)}}`,
  `{"output":${deepObject(5000)}}`,
  `{"decision":"approve","value":${deepObject(5000)}}`,
  `{"name":"deep","steps":[{"id":"a","action":"set","with":${deepObject(5000)}}]}`,
  `{"name":"deep","triggers":[{"id":"e","type":"event","name":"x","filter":${deepObject(5000, '{"$eq":1}')}}],"steps":[]}`,
];
const WIDE = `{"data":{${Array.from({ length: 40_000 }, (_, i) => `"k${i}":[${i}]`).join(',')}}}`;

/** Every route that reads a JSON body: `{run}` is a real run id. */
const BODY_ROUTES = [
  'POST /api/v1/automations',
  'POST /api/v1/automations/validate',
  'PUT /api/v1/automations/fuzz-target',
  'POST /api/v1/automations/fuzz-target/runs',
  'POST /api/v1/runs/{run}/replay',
  'POST /api/v1/events',
  'POST /api/v1/tokens',
  'POST /api/v1/approvals/apr_unknown/decision',
  'POST /api/v1/automations/fuzz-target/triggers/t/secret',
  'POST /api/v1/callbacks/dlg_unknown',
];

for (const dialect of DIALECTS) {
  describe(`api: malformed requests (${dialect})`, () => {
    let server: TestServer;
    let api: ApiCall;
    let runId: string;

    before(async () => {
      server = await startTestServer({ dialect });
      api = apiClient(server.url, server.adminToken);
      const definition = { name: 'fuzz-target', inputs: { type: 'object', properties: { n: { type: 'integer' } } }, steps: [{ id: 's', action: 'set', with: { n: 1 } }] };
      assert.equal((await api('POST', '/api/v1/automations', { json: definition })).status, 201);
      const run = await api('POST', '/api/v1/automations/fuzz-target/runs?wait=20s', { json: { inputs: { n: 1 } } });
      assert.equal(run.body.status, 'succeeded', run.text);
      runId = run.body.id;
    });
    after(async () => server?.close());

    test('every malformed request is a 4xx with the error shape and changes nothing', async () => {
      const snapshot = async () => [(await api('GET', '/api/v1/automations?limit=200')).body, (await api('GET', '/api/v1/runs?limit=200')).body];
      const before = await snapshot();
      await fc.assert(
        fc.asyncProperty(caseArbitrary({ names: ['fuzz-target'], runId }), async (c) => {
          const { url, init } = requestOf(c, server.adminToken);
          const res = await fetch(`${server.url}${url}`, init);
          const text = await res.text();
          const what = `${init.method} ${url} -> ${res.status} ${text.slice(0, 300)}`;
          assert.ok(res.status >= 400 && res.status < 500, what);
          const body = JSON.parse(text);
          assert.equal(typeof body.error.code, 'string', what);
          assert.equal(typeof body.error.message, 'string', what);
          assert.ok('details' in body.error, what);
          assert.ok(!/\n\s+at /.test(text), `no stack traces: ${what}`);
        }),
        { numRuns: RUNS },
      );
      assert.deepEqual(await snapshot(), before);
    });

    test('JSON nested thousands of levels deep is a 400 naming the limit on every route; wide JSON is no 5xx', async () => {
      for (const route of BODY_ROUTES) {
        const [method, template] = route.split(' ') as [string, string];
        const url = `${server.url}${template.replace('{run}', runId)}`;
        const authorization = template.includes('/callbacks/') ? 'Bearer rcb_unknown' : `Bearer ${server.adminToken}`;
        const send = (body: string) => fetch(url, { method, headers: { authorization, 'content-type': 'application/json' }, body });
        for (const body of DEEP_BODIES) {
          const res = await send(body);
          const text = await res.text();
          assert.equal(res.status, 400, `${route} ${body.slice(0, 40)}: ${res.status} ${text.slice(0, 200)}`);
          assert.match(JSON.parse(text).error.message, /nested deeper than 100 levels at \$/, route);
        }
        const wide = await send(WIDE);
        assert.ok(wide.status < 500, `${route} wide: ${wide.status} ${(await wide.text()).slice(0, 200)}`);
      }
      const yaml = await fetch(`${server.url}/api/v1/automations/validate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/yaml' },
        body: `name: deep\nsteps: []\nx: ${'['.repeat(3000)}${']'.repeat(3000)}\n`,
      });
      assert.equal(yaml.status, 400, await yaml.text());
    });
  });
}
