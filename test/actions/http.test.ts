import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { httpAction, type HttpConfig } from '../../src/actions/http.js';
import { ErrorCode, NonRetriableError, RetriableError, RotaError } from '../../src/errors.js';
import { completed, makeContext } from './context.js';
import { json, startServer, type TestServer } from './server.js';

const LOOPBACK = { http: { allowlist: ['127.0.0.1'] } };

function run(config: HttpConfig, extra: Partial<Parameters<typeof makeContext<HttpConfig>>[0]> = {}) {
  return completed(httpAction.handler(makeContext<HttpConfig>({ config, runtime: LOOPBACK, ...extra })));
}

async function rejectsWith(promise: Promise<unknown>, cls: typeof RetriableError | typeof NonRetriableError, code: string): Promise<RotaError> {
  const err = await promise.then(
    () => assert.fail('expected the action to fail'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof cls, `expected ${cls.name}, got ${String(err)}`);
  assert.equal((err as RotaError).code, code, (err as Error).message);
  return err as RotaError;
}

describe('http action', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer((req, res) => {
      const path = new URL(req.url, 'http://x').pathname;
      if (path === '/json') return json(res, 200, { hello: 'world' });
      if (path === '/deep') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"a":'.repeat(150) + '1' + '}'.repeat(150));
      if (path === '/echo') return json(res, 201, { method: req.method, url: req.url, body: req.body, type: req.headers['content-type'] });
      if (path === '/text') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('plain words');
      if (path === '/503') return void res.writeHead(503, { 'retry-after': '7' }).end('x'.repeat(5000));
      if (path === '/404') return json(res, 404, { error: 'nope' });
      if (path === '/429') return void res.writeHead(429).end();
      if (path === '/hang') return; // never answers
      if (path === '/big') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('y'.repeat(10_000));
      if (path === '/stream') {
        res.writeHead(200, { 'content-type': 'text/plain' }); // chunked, no content-length
        let n = 0;
        const timer = setInterval(() => (n++ < 100 && !res.destroyed ? res.write('z'.repeat(1000)) : (clearInterval(timer), res.end())), 1);
        return;
      }
      res.writeHead(500).end();
    });
  });
  after(() => server.close());

  test('GET parses a JSON body and returns status and headers', async () => {
    const out = await run({ url: `${server.url}/json` });
    assert.equal(out.status, 200);
    assert.deepEqual(out.body, { hello: 'world' });
    assert.equal(out.headers['content-type'], 'application/json');
  });

  test('a JSON body nested deeper than 100 levels fails output_invalid, saying what to do; response: text keeps it', async () => {
    const err = await rejectsWith(run({ url: `${server.url}/deep` }), NonRetriableError, ErrorCode.output_invalid);
    assert.match(err.message, /returned JSON nested deeper than 100 levels \(at \$\.body\.a\.a.*\); set `response: text`/);
    assert.equal((err.details as { max_depth: number }).max_depth, 100);
    const out = await run({ url: `${server.url}/deep`, response: 'text' });
    assert.equal(out.body, '{"a":'.repeat(150) + '1' + '}'.repeat(150));
    assert.deepEqual((await run({ url: `${server.url}/json`, response: 'text' })).body, '{"hello":"world"}');
  });

  test('a non-JSON body is returned as text', async () => {
    const out = await run({ url: `${server.url}/text` });
    assert.equal(out.body, 'plain words');
  });

  test('POST sends an object body as JSON, with query parameters', async () => {
    const out = await run({ method: 'POST', url: `${server.url}/echo?a=1`, query: { b: 2, c: ['x', 'y'] }, body: { n: 1 } });
    assert.equal(out.status, 201);
    assert.deepEqual(out.body, { method: 'POST', url: '/echo?a=1&b=2&c=x&c=y', body: '{"n":1}', type: 'application/json' });
  });

  test('a string body is sent as is', async () => {
    const out = await run({ method: 'PUT', url: `${server.url}/echo`, body: 'a=b', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    assert.deepEqual(out.body, { method: 'PUT', url: '/echo', body: 'a=b', type: 'application/x-www-form-urlencoded' });
  });

  test('every request carries the step idempotency key', async () => {
    server.received.length = 0;
    await run({ url: `${server.url}/json` }, { idempotencyKey: 'run_9:fetch:2' });
    assert.equal(server.received[0].headers['idempotency-key'], 'run_9:fetch:2');
  });

  test('503 is retriable http_error with status, bounded excerpt and retry-after', async () => {
    const err = await rejectsWith(run({ url: `${server.url}/503` }), RetriableError, ErrorCode.http_error);
    const details = err.details as { status: number; body_excerpt: string; retry_after_s: number };
    assert.equal(details.status, 503);
    assert.equal(details.body_excerpt.length, 1000);
    assert.equal(details.retry_after_s, 7);
  });

  test('429 is retriable', async () => {
    await rejectsWith(run({ url: `${server.url}/429` }), RetriableError, ErrorCode.http_error);
  });

  test('404 is not retriable', async () => {
    const err = await rejectsWith(run({ url: `${server.url}/404` }), NonRetriableError, ErrorCode.http_error);
    assert.equal((err.details as { status: number }).status, 404);
  });

  test('expect_status makes other statuses succeed', async () => {
    const out = await run({ url: `${server.url}/404`, expect_status: [404] });
    assert.deepEqual(out.body, { error: 'nope' });
    await rejectsWith(run({ url: `${server.url}/json`, expect_status: [201] }), NonRetriableError, ErrorCode.http_error);
  });

  test('a timeout is a retriable step_timeout', async () => {
    const started = Date.now();
    await rejectsWith(run({ url: `${server.url}/hang`, timeout: '150ms' }), RetriableError, ErrorCode.step_timeout);
    assert.ok(Date.now() - started < 2000);
  });

  test('the runtime default timeout applies when none is configured', async () => {
    const ctx = makeContext<HttpConfig>({ config: { url: `${server.url}/hang` }, runtime: { http: { allowlist: ['127.0.0.1'], defaultTimeoutMs: 100 } } });
    await rejectsWith(httpAction.handler(ctx), RetriableError, ErrorCode.step_timeout);
  });

  test('aborting ctx.signal stops the request with the abort reason', async () => {
    const controller = new AbortController();
    const reason = new RetriableError('run canceled', { code: ErrorCode.canceled });
    setTimeout(() => controller.abort(reason), 50);
    const err = await run({ url: `${server.url}/hang` }, { signal: controller.signal }).catch((e: unknown) => e);
    assert.equal(err, reason);
  });

  test('an already aborted signal sends nothing', async () => {
    server.received.length = 0;
    const err = await run({ url: `${server.url}/json` }, { signal: AbortSignal.abort() }).catch((e: unknown) => e);
    assert.ok(err instanceof RotaError && err.code === ErrorCode.canceled);
    assert.equal(server.received.length, 0);
  });

  test('a body over max_response_bytes fails output_too_large', async () => {
    await rejectsWith(run({ url: `${server.url}/big`, max_response_bytes: 1000 }), NonRetriableError, ErrorCode.output_too_large);
  });

  test('the runtime cap stops a chunked body without content-length', async () => {
    const ctx = makeContext<HttpConfig>({
      config: { url: `${server.url}/stream`, max_response_bytes: 1_000_000 },
      runtime: { http: { allowlist: ['127.0.0.1'], maxResponseBytes: 5000 } },
    });
    const err = await rejectsWith(httpAction.handler(ctx), NonRetriableError, ErrorCode.output_too_large);
    assert.deepEqual(err.details, { limit_bytes: 5000 });
  });

  test('a refused connection is a retriable network_error', async () => {
    const closed = await startServer(() => undefined);
    await closed.close();
    await rejectsWith(run({ url: `${closed.url}/` }), RetriableError, ErrorCode.network_error);
  });

  test('loopback is refused without an allowlist, and nothing is sent', async () => {
    server.received.length = 0;
    const ctx = makeContext<HttpConfig>({ config: { url: `${server.url}/json` } });
    const err = await rejectsWith(httpAction.handler(ctx), NonRetriableError, ErrorCode.ssrf_blocked);
    assert.match(err.message, /127\.0\.0\.1/);
    assert.match(err.message, /http\.allowlist/);
    assert.equal(server.received.length, 0);
  });

  test('a CIDR in the allowlist allows loopback', async () => {
    const ctx = makeContext<HttpConfig>({ config: { url: `${server.url}/json` }, runtime: { http: { allowlist: ['127.0.0.0/8'] } } });
    assert.equal((await completed(httpAction.handler(ctx))).status, 200);
  });

  test('a host name resolving to loopback is refused at connect time, allowed by name', async () => {
    const url = `http://localhost:${server.port}/json`;
    await rejectsWith(httpAction.handler(makeContext<HttpConfig>({ config: { url } })), NonRetriableError, ErrorCode.ssrf_blocked);
    const ctx = makeContext<HttpConfig>({ config: { url }, runtime: { http: { allowlist: ['localhost'] } } });
    assert.equal((await completed(httpAction.handler(ctx))).status, 200);
  });
});

describe('http action redirects', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer((req, res) => {
      const url = new URL(req.url, 'http://x');
      const to = url.searchParams.get('to');
      if (url.pathname === '/redirect' && to) return void res.writeHead(Number(url.searchParams.get('status') ?? 302), { location: to }).end();
      if (url.pathname === '/loop') return void res.writeHead(302, { location: '/loop' }).end();
      json(res, 200, { method: req.method, body: req.body, auth: req.headers.authorization ?? null });
    });
  });
  after(() => server.close());

  const via = (to: string, status = 302): string => `${server.url}/redirect?status=${status}&to=${encodeURIComponent(to)}`;

  test('follows a redirect to an allowed address', async () => {
    const out = await run({ url: via('/final'), headers: { authorization: 'Bearer t' } });
    assert.deepEqual(out.body, { method: 'GET', body: '', auth: 'Bearer t' });
  });

  test('303 turns POST into GET; 307 keeps method and body', async () => {
    assert.deepEqual((await run({ method: 'POST', url: via('/final', 303), body: { a: 1 } })).body, { method: 'GET', body: '', auth: null });
    assert.deepEqual((await run({ method: 'POST', url: via('/final', 307), body: { a: 1 } })).body, { method: 'POST', body: '{"a":1}', auth: null });
  });

  test('a redirect to a blocked address is refused', async () => {
    for (const target of ['http://169.254.169.254/latest/meta-data/', `http://[::1]:${server.port}/`, `http://127.0.0.2:${server.port}/`]) {
      const err = await rejectsWith(run({ url: via(target) }), NonRetriableError, ErrorCode.ssrf_blocked);
      assert.match(err.message, /allowlist/);
    }
  });

  test('a redirect to another scheme is refused', async () => {
    await rejectsWith(run({ url: via('file:///etc/passwd') }), NonRetriableError, ErrorCode.ssrf_blocked);
  });

  test('more than 5 redirects fail', async () => {
    server.received.length = 0;
    await rejectsWith(run({ url: `${server.url}/loop` }), NonRetriableError, ErrorCode.http_error);
    assert.equal(server.received.length, 6);
  });
});

describe('http action SSRF refusals', () => {
  const blocked = [
    'http://127.0.0.1/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:7f00:1]/',
    'http://0.0.0.0/',
    'http://[::]/',
    'http://169.254.169.254/latest/meta-data/',
    'http://10.1.2.3/',
    'http://192.168.0.1/',
    'http://172.16.5.4/',
    'http://100.64.0.1/',
    'http://2130706433/', // 127.0.0.1 as one number
    'http://[fd00::1]/',
    'http://[fe80::1]/',
    'http://[64:ff9b::a9fe:a9fe]/', // NAT64 of 169.254.169.254
  ];
  for (const url of blocked) {
    test(`refuses ${url}`, async () => {
      const err = await rejectsWith(httpAction.handler(makeContext<HttpConfig>({ config: { url } })), NonRetriableError, ErrorCode.ssrf_blocked);
      assert.match(err.message, /http\.allowlist/);
    });
  }

  for (const url of ['file:///etc/passwd', 'ftp://example.com/', 'gopher://127.0.0.1:6379/']) {
    test(`refuses the scheme of ${url}`, async () => {
      const err = await rejectsWith(httpAction.handler(makeContext<HttpConfig>({ config: { url } })), NonRetriableError, ErrorCode.ssrf_blocked);
      assert.match(err.message, /only http and https/);
    });
  }
});
