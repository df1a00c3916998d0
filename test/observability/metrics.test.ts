/**
 * `GET /metrics` scraped from a real server with real tokens and parsed by a Prometheus text
 * parser: values change as runs succeed, fail, are skipped, wait, as webhook deliveries are
 * rejected and agent steps call the LLM stand-in. Auth (401/403/public), the per-automation label
 * switch, the off switch, and (when Debian's promtool is installed) `promtool check metrics`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { Webhook } from 'standardwebhooks';
import parsePrometheusTextFormat, { type PromFamily } from 'parse-prometheus-text-format';
import { apiClient, startTestServer, type TestServer } from '../api/harness.js';
import { DIALECTS, eventually } from '../support/node.js';
import { Recorder, testActions } from '../engine/actions.js';
import { startStandIn, type StandIn } from '../support/llm-stand-in.js';
import { PRICE } from '../agent/harness.js';
import { MAX_MODEL_LABELS, NodeMetrics } from '../../src/observe/metrics.js';
import { createLogger } from '../../src/engine/logger.js';

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;

type Labels = Record<string, string>;

interface Scrape {
  families: Map<string, PromFamily>;
  text: string;
}

async function scrape(url: string, token: string | null): Promise<Scrape> {
  const res = await fetch(`${url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
  return { families: new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f])), text };
}

function matches(labels: Labels | undefined, want: Labels): boolean {
  return Object.entries(want).every(([k, v]) => (labels ?? {})[k] === v);
}

/** Sum of a counter's or gauge's samples whose labels include `want` (0 when none). */
function value(s: Scrape, name: string, want: Labels = {}): number {
  const family = s.families.get(name);
  if (!family) return 0;
  return family.metrics.filter((m) => matches(m.labels, want)).reduce((sum, m) => sum + Number(m.value ?? 0), 0);
}

/**
 * Observations of a histogram's series whose labels include `want`. The parser folds a labelled
 * histogram into one sample without labels, so its `_count` lines are parsed as their own
 * (untyped) family, still by the parser.
 */
function histogramCount(s: Scrape, name: string, want: Labels = {}): number {
  assert.equal(s.families.get(name)?.type, 'HISTOGRAM', `no histogram ${name} in the scrape`);
  const lines = s.text.split('\n').filter((l) => l.startsWith(`${name}_count`));
  if (lines.length === 0) return 0;
  const [counts] = parsePrometheusTextFormat(`# TYPE ${name}_count untyped\n${lines.join('\n')}\n`);
  return counts!.metrics.filter((m) => matches(m.labels, want)).reduce((sum, m) => sum + Number(m.value ?? 0), 0);
}

async function applyOk(api: ReturnType<typeof apiClient>, definition: unknown): Promise<void> {
  const res = await api('POST', '/api/v1/automations', { json: definition });
  assert.equal(res.status, 201, res.text);
}

function signed(id: string, body: string, secret = SECRET): Record<string, string> {
  const at = new Date();
  return { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(secret).sign(id, at, body), 'content-type': 'application/json' };
}

for (const dialect of DIALECTS) {
  describe(`metrics (${dialect})`, () => {
    let server: TestServer;
    let llm: StandIn;
    let admin: ReturnType<typeof apiClient>;
    let metricsToken = '';
    let runsToken = '';

    before(async () => {
      llm = await startStandIn();
      server = await startTestServer({
        dialect,
        actions: testActions(new Recorder()),
        config: {
          secretKey: randomBytes(32).toString('base64'),
          metrics: { enabled: true, public: false, automationLabels: true, gaugeCacheMs: 0 },
          providers: { fake: { kind: 'openai_compatible', baseUrl: llm.openaiBaseUrl, apiKeyEnv: null, headers: {} } },
          models: { default: { model: 'fake:test-model', price: PRICE } },
        },
      });
      admin = apiClient(server.url, server.adminToken);
      const made = await admin('POST', '/api/v1/tokens', { json: { name: 'prometheus', scopes: ['metrics:read'] } });
      assert.equal(made.status, 201, made.text);
      metricsToken = made.body.token;
      runsToken = (await admin('POST', '/api/v1/tokens', { json: { name: 'reader', scopes: ['runs:read'] } })).body.token;
    });
    after(async () => {
      await server?.close();
      await llm?.close();
    });

    test('no token: 401; a token without metrics:read: 403; metrics:read and admin: 200', async () => {
      const none = await fetch(`${server.url}/metrics`);
      assert.equal(none.status, 401);
      assert.equal(((await none.json()) as any).error.code, 'unauthenticated');
      const wrong = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${runsToken}` } });
      assert.equal(wrong.status, 403);
      assert.match(((await wrong.json()) as any).error.message, /metrics:read/);
      const families = await scrape(server.url, metricsToken);
      assert.ok(families.families.has('process_cpu_seconds_total'), 'process metrics are on the node registry');
      assert.equal(families.families.get('rota_runs_queued')?.type, 'GAUGE');
      await scrape(server.url, server.adminToken);
    });

    test('runs started and finished by automation, trigger and status; step durations; queue delay', async () => {
      const before = await scrape(server.url, metricsToken);
      await applyOk(admin, { name: 'm-ok', steps: [{ id: 'a', action: 'set', with: { x: 1 } }, { id: 'b', action: 'set', with: { y: 2 }, needs: ['a'] }] });
      await applyOk(admin, { name: 'm-fail', steps: [{ id: 'a', action: 'probe', with: { fail_times: 1, fail_kind: 'non_retriable' } }] });
      for (const name of ['m-ok', 'm-ok', 'm-fail']) {
        const res = await admin('POST', `/api/v1/automations/${name}/runs?wait=10s`, { json: { inputs: {} } });
        assert.ok(res.status < 300, res.text);
      }
      const after = await eventually(async () => {
        const f = await scrape(server.url, metricsToken);
        return value(f, 'rota_runs_finished_total', { automation: 'm-fail' }) >= 1 ? f : undefined;
      });
      assert.equal(value(after, 'rota_runs_started_total', { automation: 'm-ok', trigger: 'manual' }), 2);
      assert.equal(value(after, 'rota_runs_finished_total', { automation: 'm-ok', trigger: 'manual', status: 'succeeded' }), 2);
      assert.equal(value(after, 'rota_runs_finished_total', { automation: 'm-fail', trigger: 'manual', status: 'failed' }), 1);
      assert.equal(histogramCount(after, 'rota_step_duration_seconds', { action: 'set', status: 'succeeded' }) - histogramCount(before, 'rota_step_duration_seconds', { action: 'set', status: 'succeeded' }), 4);
      assert.equal(histogramCount(after, 'rota_step_duration_seconds', { action: 'probe', status: 'failed' }), 1);
      assert.ok(histogramCount(after, 'rota_queue_delay_seconds', { trigger: 'manual' }) >= 3);
      assert.ok(histogramCount(after, 'rota_db_commit_duration_seconds') > 0);
    });

    test('waiting runs by waiting_for are read from the database', async () => {
      await applyOk(admin, { name: 'm-sleep', steps: [{ id: 's', action: 'sleep', with: { duration: '1h' } }] });
      const before = value(await scrape(server.url, metricsToken), 'rota_runs_waiting', { waiting_for: 'sleep' });
      const started = await admin('POST', '/api/v1/automations/m-sleep/runs', { json: { inputs: {} } });
      assert.ok(started.status < 300, started.text);
      await eventually(async () => (value(await scrape(server.url, metricsToken), 'rota_runs_waiting', { waiting_for: 'sleep' }) === before + 1 ? true : undefined));
      await admin('POST', `/api/v1/runs/${started.body.id}/cancel`);
      await eventually(async () => (value(await scrape(server.url, metricsToken), 'rota_runs_waiting', { waiting_for: 'sleep' }) === before ? true : undefined));
      const f = await scrape(server.url, metricsToken);
      assert.equal(value(f, 'rota_runs_finished_total', { automation: 'm-sleep', status: 'canceled' }), 1);
    });

    test('webhook deliveries by outcome, a rejected one with its reason, a skipped fire by reason', async () => {
      const def = {
        name: 'm-hook',
        inputs: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] },
        triggers: [{ id: 'hook', type: 'webhook', verify: { scheme: 'standard', secret: SECRET }, inputs: { n: '{{ data.n }}' } }],
        steps: [{ id: 'a', action: 'set', with: { n: '{{ inputs.n }}' } }],
      };
      const applied = await admin('POST', '/api/v1/automations', { json: def });
      assert.ok(applied.status < 300, applied.text);
      const endpoint = (await admin('GET', '/api/v1/automations/m-hook/triggers')).body.items[0].endpoint_id as string;
      const path = `/hooks/default/${endpoint}`;
      const post = (body: string, headers: Record<string, string>) => fetch(`${server.url}${path}`, { method: 'POST', headers, body });
      const ok = JSON.stringify({ n: 1 });
      assert.equal((await post(ok, signed('d-1', ok))).status, 202);
      assert.equal((await post(ok, signed('d-1', ok))).status, 200);
      const forged = signed('d-2', ok, `whsec_${randomBytes(24).toString('base64')}`);
      assert.equal((await post(ok, forged)).status, 401);
      const bad = JSON.stringify({ n: 'not a number' });
      assert.equal((await post(bad, signed('d-3', bad))).status, 202);
      const f = await scrape(server.url, metricsToken);
      assert.equal(value(f, 'rota_webhook_deliveries_total', { outcome: 'accepted' }), 2);
      assert.equal(value(f, 'rota_webhook_deliveries_total', { outcome: 'duplicate' }), 1);
      assert.equal(value(f, 'rota_webhook_deliveries_total', { outcome: 'rejected', reason: 'bad_signature' }), 1);
      assert.equal(value(f, 'rota_runs_skipped_total', { automation: 'm-hook', trigger: 'webhook', reason: 'invalid_inputs' }), 1);
    });

    test('an agent step: LLM calls, tokens and cost by provider and model', async () => {
      llm.script([{ text: 'done', usage: { input: 1000, output: 500 } }]);
      await applyOk(admin, { name: 'm-agent', steps: [{ id: 'ask', action: 'agent', with: { prompt: 'say done' } }] });
      const res = await admin('POST', '/api/v1/automations/m-agent/runs?wait=10s', { json: { inputs: {} } });
      assert.equal(res.body.status, 'succeeded', res.text);
      const f = await scrape(server.url, metricsToken);
      const model = { provider: 'fake', model: 'test-model' };
      assert.equal(value(f, 'rota_llm_calls_total', { ...model, status: 'ok' }), 1);
      assert.equal(value(f, 'rota_llm_tokens_total', { ...model, direction: 'input' }), 1000);
      assert.equal(value(f, 'rota_llm_tokens_total', { ...model, direction: 'output' }), 500);
      // PRICE: $1 per 1M input tokens, $2 per 1M output tokens
      assert.ok(Math.abs(value(f, 'rota_llm_cost_usd_total', model) - (1000 * 1 + 500 * 2) / 1e6) < 1e-12);
      assert.equal(histogramCount(f, 'rota_llm_call_duration_seconds', model), 1);
    });

    test('schedule lateness is observed for every recorded slot', async () => {
      await applyOk(admin, { name: 'm-cron', triggers: [{ id: 'tick', type: 'schedule', cron: '* * * * * *' }], steps: [{ id: 'a', action: 'set', with: { x: 1 } }] });
      await eventually(async () => (histogramCount(await scrape(server.url, metricsToken), 'rota_schedule_lateness_seconds') > 0 ? true : undefined), 5_000, 'a schedule slot');
      const f = await scrape(server.url, metricsToken);
      assert.ok(value(f, 'rota_runs_started_total', { automation: 'm-cron', trigger: 'schedule' }) >= 0);
      await admin('POST', '/api/v1/automations/m-cron/pause');
    });

    test('promtool check metrics accepts the exposition (skipped without promtool)', async (t) => {
      if (spawnSync('promtool', ['--version']).error) return t.skip('promtool is not installed (apt-get install prometheus)');
      const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } })).text();
      const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      const problems = `${check.stdout}\n${check.stderr}`.split('\n').filter((l) => l.trim() !== '');
      // prom-client's own process gauges (nodejs_active_*_total) fail the naming lint; ours must
      // not, and nothing may fail to parse (a parse error names no metric)
      const known = /^nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$/;
      assert.deepEqual(problems.filter((l) => !known.test(l)), [], 'promtool problems');
    });
  });
}

describe('metrics switches (sqlite)', () => {
  test('public mode needs no token, and automation_labels: false drops the automation label', async () => {
    const server = await startTestServer({ dialect: 'sqlite', config: { metrics: { enabled: true, public: true, automationLabels: false, gaugeCacheMs: 0 } } });
    try {
      const admin = apiClient(server.url, server.adminToken);
      await applyOk(admin, { name: 'quiet', steps: [{ id: 'a', action: 'set', with: { x: 1 } }] });
      await admin('POST', '/api/v1/automations/quiet/runs?wait=10s', { json: { inputs: {} } });
      const f = await scrape(server.url, null);
      const finished = f.families.get('rota_runs_finished_total');
      assert.ok(finished && finished.metrics.length > 0);
      for (const m of finished.metrics) assert.equal(m.labels?.automation, undefined);
      assert.equal(value(f, 'rota_runs_finished_total', { trigger: 'manual', status: 'succeeded' }), 1);
    } finally {
      await server.close();
    }
  });

  test('metrics turned off: /metrics answers 404 with how to turn them on', async () => {
    const server = await startTestServer({ dialect: 'sqlite', config: { metrics: { enabled: false, public: false, automationLabels: true, gaugeCacheMs: 0 } } });
    try {
      const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${server.adminToken}` } });
      assert.equal(res.status, 404);
      assert.match(((await res.json()) as any).error.message, /metrics\.enabled/);
    } finally {
      await server.close();
    }
  });
});

describe('model labels', () => {
  test('the first MAX_MODEL_LABELS provider/model pairs are labels, later ones count as other', async () => {
    const metrics = new NodeMetrics({ automationLabels: true, gaugeCacheMs: 5_000, openRuns: async () => ({ queued: 0, waiting: new Map() }), logger: createLogger('silent') });
    const call = (model: string) => metrics.modelCall({ provider: 'p', model, status: 'ok', inputTokens: 1, outputTokens: 1, costUsd: 0, seconds: 0.01 });
    for (let i = 0; i < MAX_MODEL_LABELS + 5; i++) call(`m${i}`);
    call('m0');
    const body = (await metrics.scrape()).body;
    assert.match(body, /^rota_llm_calls_total\{provider="p",model="m0",status="ok"\} 2$/m);
    assert.match(body, /^rota_llm_calls_total\{provider="p",model="other",status="ok"\} 5$/m);
    assert.doesNotMatch(body, new RegExp(`model="m${MAX_MODEL_LABELS}"`));
  });
});
