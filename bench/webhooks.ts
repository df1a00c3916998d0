/**
 * `npm run bench` (webhooks): ingestion of signed `standard` webhooks with 1 KiB JSON bodies on
 * SQLite and PostgreSQL. A node (engine + API, workers off: the ingestion role, so queued runs do
 * not compete for the 2 cores) listens on loopback; a load generator in a separate process
 * (keep-alive, 32 requests in flight, pre-signed by the standardwebhooks package) sends
 * BENCH_WEBHOOKS (default 5000) distinct deliveries after 300 warm-up ones. Reported: requests/s
 * and p50/p99 latency until the 202, which is sent after the run is committed.
 * Set BENCH_WEBHOOK_WORKER=1 to keep workers executing the runs meanwhile; BENCH_DIALECTS as usual.
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

interface ClientJob {
  url: string;
  secret: string;
  count: number;
  warmup: number;
}

interface ClientResult {
  seconds: number;
  latencies: number[];
  statuses: Record<string, number>;
}

/** The load generator (child process): pre-signs every delivery, then keeps IN_FLIGHT requests going. */
async function client(job: ClientJob): Promise<ClientResult> {
  const signer = new Webhook(job.secret);
  const pad = 'x'.repeat(1000);
  const total = job.warmup + job.count;
  const prepared = Array.from({ length: total }, (_, i) => {
    const body = JSON.stringify({ n: i, pad }).slice(0, 1024);
    const id = `msg_${i}_${randomBytes(4).toString('hex')}`;
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
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
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
  let next = 0;
  let t0 = 0;
  const loop = async () => {
    while (next < total) {
      const i = next++;
      if (i === job.warmup) t0 = performance.now();
      const start = performance.now();
      const status = await send(i);
      if (i >= job.warmup) {
        latencies.push(performance.now() - start);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, loop));
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  return { seconds, latencies, statuses };
}

async function server(dialect: 'sqlite' | 'postgres'): Promise<Record<string, unknown>> {
  const { createRota } = await import('../src/engine/rota.js');
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
      const job: ClientJob = { url: `${api.url}${applied.automation.triggers[0]!.webhook_path}`, secret, count: COUNT, warmup: WARMUP };
      const result = await runClient(job);
      const runs = await rota.runs.list(ws, { automation: 'hooked', limit: 1 });
      if (runs.total !== COUNT + WARMUP) throw new Error(`expected ${COUNT + WARMUP} runs, found ${runs.total}`);
      const sorted = result.latencies.sort((a, b) => a - b);
      const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
      return {
        dialect,
        webhooks: COUNT,
        workers: worker ? 'on' : 'off',
        'requests/s': Math.round(COUNT / result.seconds),
        'p50 ms': q(0.5).toFixed(2),
        'p99 ms': q(0.99).toFixed(2),
        statuses: JSON.stringify(result.statuses),
      };
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
    results.push(await server(dialect));
    console.log(JSON.stringify(results[results.length - 1]));
  }
  console.table(results);
}
