// Real `rota serve` processes: two and three nodes on one PostgreSQL database with 200 schedules
// firing every second record every slot exactly once, also when a node is SIGKILLed midway; and a
// downtime test per catch-up policy (stop the server, let slots pass, start it again).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createClient, type RotaClient } from '../../src/client/index.js';
import { createPostgresSchema } from '../support/postgres.js';
import { randomToken, runCli, startServe, tempDir, type Served } from '../cli/serve.js';

const TRIGGERS = 200;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));


interface SlotRow {
  automation_name: string;
  status: string;
  skip_reason: string | null;
  activation: string;
  error: string | null;
}

/** Every recorded slot per automation: fired slots and the slots of misfire episodes. */
function slotsByAutomation(rows: SlotRow[]) {
  const out = new Map<string, { fired: number[]; missed: number[]; runs: SlotRow[] }>();
  for (const row of rows) {
    const entry = out.get(row.automation_name) ?? { fired: [], missed: [], runs: [] };
    out.set(row.automation_name, entry);
    entry.runs.push(row);
    const data = (JSON.parse(row.activation) as { data: { slot: string } }).data;
    if (row.skip_reason === 'misfire') {
      const d = (JSON.parse(row.error!) as { details: { first_slot: string; last_slot: string } }).details;
      for (let s = Date.parse(d.first_slot); s <= Date.parse(d.last_slot); s += 1000) entry.missed.push(s);
    } else {
      entry.fired.push(Date.parse(data.slot));
    }
  }
  return out;
}

/** Fired and missed slots together cover one contiguous range of 1 s slots, each exactly once. */
function assertContiguous(name: string, fired: number[], missed: number[]): { first: number; last: number } {
  const all = [...fired, ...missed].sort((a, b) => a - b);
  assert.ok(all.length > 0, `${name}: no slots at all`);
  assert.equal(new Set(all).size, all.length, `${name}: a slot was recorded twice`);
  for (let i = 1; i < all.length; i++) assert.equal(all[i]! - all[i - 1]!, 1000, `${name}: gap after ${new Date(all[i - 1]!).toISOString()}`);
  return { first: all[0]!, last: all[all.length - 1]! };
}

async function queryRuns(url: string): Promise<SlotRow[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<SlotRow>(`SELECT automation_name, status, skip_reason, activation, error FROM runs WHERE trigger_kind = 'schedule'`)).rows;
  } finally {
    await c.end();
  }
}

function definition(name: string, trigger: Record<string, unknown>) {
  return { name, triggers: [{ id: 'tick', type: 'schedule', ...trigger }], steps: [{ id: 'a', action: 'set', with: { x: 1 } }] };
}

async function applyMany(client: RotaClient, count: number, prefix: string): Promise<void> {
  for (let i = 0; i < count; i += 20) {
    await Promise.all(
      Array.from({ length: Math.min(20, count - i) }, (_, j) => client.automations.apply(`${prefix}-${i + j}`, definition(`${prefix}-${i + j}`, { every: '1s', overlap: 'allow' }))),
    );
  }
}

describe('scheduler: real processes on one PostgreSQL database', () => {
  const servers: Served[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.stop(5_000)));
  });

  for (const nodes of [3, 2]) {
    test(`${nodes} nodes, ${TRIGGERS} schedules every 1s for 30s${nodes === 3 ? ', one node SIGKILLed midway' : ''}: every slot exactly once`, async () => {
      const db = await createPostgresSchema();
      const token = randomToken();
      const env = { ROTA_DATABASE_URL: db.url, ROTA_SHUTDOWN_GRACE_MS: '0' };
      try {
        // The first node migrates the fresh schema; the others start once it is up.
        const first = await startServe({ adminToken: token, env, args: ['--no-worker'] });
        servers.push(first);
        const rest = await Promise.all(Array.from({ length: nodes - 1 }, () => startServe({ adminToken: token, env, args: ['--no-worker'] })));
        servers.push(...rest);
        const all = [first, ...rest];
        const client = createClient({ url: first.url, token });
        await applyMany(client, TRIGGERS, 'tick');
        const appliedAt = Date.now();
        await sleep(15_000);
        if (nodes === 3) {
          all[1]!.kill('SIGKILL');
          await all[1]!.wait();
        }
        await sleep(15_000);
        const stopAt = Date.now();
        await Promise.all(all.map((s) => s.stop(5_000)));
        const rows = await queryRuns(db.url);
        const byAutomation = slotsByAutomation(rows);
        assert.equal(byAutomation.size, TRIGGERS);
        for (const [name, { fired, missed }] of byAutomation) {
          assert.equal(missed.length, 0, `${name}: misfires`);
          const { first: firstSlot, last } = assertContiguous(name, fired, missed);
          assert.ok(firstSlot <= appliedAt + 30_000 && last >= stopAt - 3_000, `${name}: slots ${new Date(firstSlot).toISOString()}..${new Date(last).toISOString()}`);
        }
        assert.ok(rows.length >= TRIGGERS * 28, `only ${rows.length} runs`);
      } finally {
        await db.drop();
      }
    });
  }

  test('downtime: skip_missed, coalesce and replay after a restart; preview through the CLI', async () => {
    const dataDir = tempDir();
    const token = randomToken();
    const env = { ROTA_SHUTDOWN_GRACE_MS: '0' };
    let server = await startServe({ dataDir, adminToken: token, env, args: ['--no-worker'] });
    servers.push(server);
    const client = createClient({ url: server.url, token });
    const common = { every: '1s', overlap: 'allow', misfire_grace: '1s' };
    await client.automations.apply('skip', definition('skip', { ...common }));
    await client.automations.apply('coalesce', definition('coalesce', { ...common, catch_up: 'coalesce' }));
    await client.automations.apply('replay', definition('replay', { ...common, catch_up: 'replay', max_catch_up: 3 }));
    const preview = await runCli(['schedule', 'next', 'replay', '--count', '3', '--json'], { env: server.cliEnv() });
    assert.equal(preview.code, 0, preview.stderr);
    assert.equal((JSON.parse(preview.stdout) as { items: Array<{ next: string[] }> }).items[0]!.next.length, 3);
    await sleep(2_500);
    await server.stop();
    // Long enough that replay (max_catch_up 3) still leaves ≥3 older slots to the misfire record,
    // however quickly the node restarts.
    await sleep(8_000);
    server = await startServe({ dataDir, adminToken: token, env, args: ['--no-worker'] });
    servers.push(server);
    await sleep(2_500);
    const triggers = await createClient({ url: server.url, token }).triggers.list('skip');
    await server.stop();

    const { Kysely, SqliteDialect } = await import('kysely');
    const Database = (await import('better-sqlite3')).default;
    const sqlite = new Database(`${dataDir}/rota.db`, { readonly: true });
    const kdb = new Kysely<{ runs: SlotRow & { id: string; trigger_kind: string } }>({ dialect: new SqliteDialect({ database: sqlite }) });
    const rows = await kdb.selectFrom('runs').select(['automation_name', 'status', 'skip_reason', 'activation', 'error']).where('trigger_kind', '=', 'schedule').orderBy('id').execute();
    await kdb.destroy();
    const by = slotsByAutomation(rows);
    for (const name of ['skip', 'coalesce', 'replay']) {
      const { fired, missed, runs } = by.get(name)!;
      assertContiguous(name, fired, missed);
      const misfires = runs.filter((r) => r.skip_reason === 'misfire');
      assert.equal(misfires.length, 1, `${name}: one misfire episode`);
      const catchUps = runs.map((r) => (JSON.parse(r.activation) as { data: { catch_up: string | null; coalesced?: number } }).data).filter((d) => d.catch_up);
      if (name === 'skip') assert.equal(catchUps.length, 0);
      if (name === 'coalesce') {
        assert.equal(catchUps.length, 1);
        assert.equal(catchUps[0]!.coalesced, missed.length + 1);
      }
      if (name === 'replay') assert.deepEqual(catchUps.map((d) => d.catch_up), ['replay', 'replay', 'replay']);
      assert.ok(missed.length >= 3, `${name}: ${missed.length} missed slots`);
    }
    const skip = triggers[0]!;
    assert.ok(skip.misfire_count >= 4 && skip.last_misfire_at !== null, JSON.stringify(skip));
  });
});

