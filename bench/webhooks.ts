/**
 * `npm run bench` (webhooks): ingestion of signed `standard` webhooks with 1 KiB JSON bodies on
 * SQLite and PostgreSQL. A node (engine + API, workers off: the ingestion role, so queued runs do
 * not compete for the 2 cores) listens on loopback; a load generator in a separate process
 * (keep-alive, deliveries pre-signed by the standardwebhooks package) runs two phases with
 * distinct deliveries, after 300 warm-up ones:
 * - saturation: 32 requests in flight, BENCH_WEBHOOKS (default 5000) deliveries: the most
 *   requests/s the node takes, and p50/p99 latency until the 202 at that load;
 * - offered rate: deliveries sent on a fixed schedule (open loop) at the target rate
 *   (SQLite 1,500/s, PostgreSQL 800/s; BENCH_WEBHOOK_RATE overrides) for
 *   BENCH_WEBHOOK_RATE_SECONDS (default 4): latency counted from each delivery's scheduled send
 *   time, so a stall delays every delivery behind it instead of hiding them.
 * The 202 is sent after the run is committed. BENCH_WEBHOOK_WORKER=1 keeps workers executing the
 * runs meanwhile; BENCH_DIALECTS as usual.
 */
import { benchDatabase } from './database.js';
import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

const COUNT = Number(process.env.BENCH_WEBHOOKS ?? 5000);
const WARMUP = 300;
const IN_FLIGHT = 32;
const TARGET_RATE = { sqlite: 1500, postgres: 800 } as const;
const RATE_SECONDS = Number(process.env.BENCH_WEBHOOK_RATE_SECONDS ?? 4);

interface ClientJob {
  url: string;
  secret: string;
  count: number;
  warmup: number;
  /** open loop at this many requests/s (null: closed loop, IN_FLIGHT at a time) */
  rate: number | null;
}

interface ClientResult {
  seconds: number;
  latencies: number[];
  statuses: Record<string, number>;
}

/** The load generator (child process): pre-signs every delivery, then sends them (closed or open loop). */
async function client(job: ClientJob): Promise<ClientResult> {
  const signer = new Webhook(job.secret);
  const pad = 'x'.repeat(1000);
  const total = job.warmup + job.count;
  const tag = randomBytes(4).toString('hex');
  const prepared = Array.from({ length: total }, (_, i) => {
    const body = JSON.stringify({ n: i, pad }).slice(0, 1024);
    const id = `msg_${tag}_${i}`;
    const at = new Date();
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': signer.sign(id, at, body),
      },
    };
  });
  const agent = new Agent({ keepAlive: true, maxSockets: job.rate === null ? IN_FLIGHT : 512 });
  const target = new URL(job.url);
  const send = (i: number) =>
    new Promise<number>((resolve, reject) => {
      const { body, headers } = prepared[i]!;
      const req = request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers, agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(body);
    });
  const statuses: Record<string, number> = {};
  const latencies: number[] = [];
  const measure = async (i: number, since: number) => {
    const status = await send(i);
    if (i >= job.warmup) {
      latencies.push(performance.now() - since);
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  };
  let next = 0;
  const closed = async () => {
    while (next < job.warmup) await measure(next++, performance.now());
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, closed));
  const t0 = performance.now();
  if (job.rate === null) {
    const loop = async () => {
      while (next < total) await measure(next++, performance.now());
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, loop));
  } else {
    const interval = 1000 / job.rate;
    const inFlight: Promise<void>[] = [];
    while (next < total) {
      const due = job.warmup + Math.floor((performance.now() - t0) / interval) + 1;
      for (; next < Math.min(due, total); next++) inFlight.push(measure(next, t0 + (next - job.warmup) * interval));
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await Promise.all(inFlight);
  }
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  return { seconds, latencies, statuses };
}

async function server(dialect: 'sqlite' | 'postgres'): Promise<Record<string, unknown>[]> {
  const { createRota } = await import('../src/node/rota.js');
  const { createApi, serveApi } = await import('../src/api/server.js');
  const database = await benchDatabase(dialect, 'hooks');
  const worker = process.env.BENCH_WEBHOOK_WORKER === '1';
  const rota = await createRota({
    config: {
      dataDir: database.dataDir,
      databaseUrl: database.url,
      logLevel: 'error',
      secretKey: randomBytes(32).toString('base64'),
      worker: { concurrency: 10, leaseMs: 30_000, pollMs: 1_000, shutdownGraceMs: 1_000, enabled: worker },
    },
  });
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  try {
    await rota.bootstrap();
    await rota.start();
    const ws = (await rota.workspaces.ensure('default')).id;
    const applied = await rota.automations.apply(ws, {
      name: 'hooked',
      inputs: { type: 'object', properties: { n: { type: 'integer' } } },
      triggers: [{ id: 'hook', type: 'webhook', verify: { scheme: 'standard', secret }, inputs: { n: '{{ data.n }}' } }],
      steps: [{ id: 'a', action: 'set', with: { n: '{{ inputs.n }}' } }],
    });
    const app = createApi(rota, { maxBodyBytes: 1024 * 1024, defaultWorkspace: 'default' });
    const api = await serveApi(app, { host: '127.0.0.1', port: 0 });
    try {
      const url = `${api.url}${applied.automation.triggers[0]!.webhook_path}`;
      const rate = Number(process.env.BENCH_WEBHOOK_RATE ?? TARGET_RATE[dialect]);
      const phases: Array<{ mode: string; job: ClientJob }> = [
        { mode: `${IN_FLIGHT} in flight`, job: { url, secret, count: COUNT, warmup: WARMUP, rate: null } },
        { mode: `${rate}/s offered`, job: { url, secret, count: Math.round(rate * RATE_SECONDS), warmup: WARMUP, rate } },
      ];
      const rows: Record<string, unknown>[] = [];
      for (const { mode, job } of phases) {
        const result = await runClient(job);
        const sorted = result.latencies.sort((a, b) => a - b);
        const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
        rows.push({
          dialect,
          load: mode,
          webhooks: job.count,
          workers: worker ? 'on' : 'off',
          'requests/s': Math.round(job.count / result.seconds),
          'p50 ms': q(0.5).toFixed(2),
          'p99 ms': q(0.99).toFixed(2),
          statuses: JSON.stringify(result.statuses),
        });
      }
      const expected = phases.reduce((n, { job }) => n + job.warmup + job.count, 0);
      const runs = await rota.runs.list(ws, { automation: 'hooked', limit: 1 });
      if (runs.total !== expected) throw new Error(`expected ${expected} runs, found ${runs.total}`);
      return rows;
    } finally {
      await api.close();
    }
  } finally {
    await rota.stop({ graceMs: 1_000 });
    await database.drop();
  }
}

function runClient(job: ClientJob): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--client'], { execArgv: import.meta.url.endsWith('.ts') ? ['--import', 'tsx'] : [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (message) => resolve(message as ClientResult));
    child.once('error', reject);
    child.once('exit', (code) => code !== 0 && reject(new Error(`load generator exited ${code}`)));
    child.send(job);
  });
}

if (process.argv.includes('--client')) {
  process.once('message', (job) => {
    void client(job as ClientJob).then((result) => process.send!(result, () => process.exit(0)));
  });
} else {
  const results: Record<string, unknown>[] = [];
  for (const dialect of (process.env.BENCH_DIALECTS ?? 'sqlite,postgres').split(',') as ('sqlite' | 'postgres')[]) {
    for (const row of await server(dialect)) {
      results.push(row);
      console.log(JSON.stringify(row));
    }
  }
  console.table(results);
}
