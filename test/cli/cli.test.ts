// The built `rota` binary against a real `rota serve` child process (SPEC §8 CLI).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { closedPort, runCli, startServe, tempDir, type CliResult, type Served } from './serve.js';
import { openStore } from '../../src/store/connect.js';
import { MIGRATIONS } from '../../src/store/migrate.js';

const HELLO = `name: hello
inputs:
  type: object
  properties:
    who: { type: string }
    count: { type: integer }
  required: [who]
steps:
  - id: greet
    action: set
    with: { greeting: "hello {{ inputs.who }}" }
`;

// Loopback is refused by the SSRF guard: a deterministic, immediate, non-retriable failure.
const BOOM = `name: boom
steps:
  - id: fetch
    action: http
    retry: { max_retries: 0 }
    with: { method: GET, url: "http://127.0.0.1:9/nothing" }
`;

const SLOW = JSON.stringify({ name: 'slow', steps: [{ id: 'nap', action: 'sleep', with: { duration: '10m' } }] });

function runIdOf(result: CliResult): string {
  const match = /^run (\S+) /m.exec(result.stdout);
  assert.ok(match, `no run line in:\n${result.stdout}\n${result.stderr}`);
  return match[1]!;
}

describe('rota CLI against rota serve', () => {
  let server: Served;
  let defs: string;
  const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { env: { ...server.cliEnv(), ...env } });

  before(async () => {
    server = await startServe();
    defs = tempDir('rota-defs-');
    writeFileSync(join(defs, 'hello.yaml'), HELLO);
    writeFileSync(join(defs, 'boom.yml'), BOOM);
    mkdirSync(join(defs, 'nested'));
    writeFileSync(join(defs, 'nested', 'slow.json'), SLOW);
    writeFileSync(join(defs, 'README.md'), 'not a definition');
  });

  after(async () => {
    await server?.stop();
  });

  it('apply -f DIR creates every definition file, then reports them unchanged', async () => {
    const first = await cli(['apply', '-f', defs]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^hello: created \(version 1\)/m);
    assert.match(first.stdout, /^boom: created \(version 1\)/m);
    assert.match(first.stdout, /^slow: created \(version 1\)/m);
    assert.doesNotMatch(first.stdout, /README/);
    const again = await cli(['apply', '-f', defs]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^hello: unchanged \(version 1\)/m);
  });

  it('apply -f marks automations source: file', async () => {
    const result = await cli(['get', 'hello', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const view = JSON.parse(result.stdout);
    assert.equal(view.source, 'file');
    assert.equal(view.source_path, join(defs, 'hello.yaml'));
  });

  it('apply -f an invalid definition exits 2 with the problem path', async () => {
    const bad = join(tempDir('rota-bad-'), 'bad.yaml');
    writeFileSync(bad, 'name: bad\nsteps:\n  - id: a\n    action: no_such_action\n');
    const result = await cli(['apply', '-f', bad]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /error: /);
    assert.match(result.stderr, /steps\[0\]\.action/);
  });

  it('ls prints a table of automations; --json the API page', async () => {
    const table = await cli(['ls']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^NAME\s+STATUS\s+VERSION/m);
    assert.match(table.stdout, /^hello\s+active\s+1\b/m);
    const json = JSON.parse((await cli(['ls', '--json'])).stdout);
    assert.deepEqual(json.items.map((a: { name: string }) => a.name).sort(), ['boom', 'hello', 'slow']);
  });

  it('get prints the definition as YAML; --json the automation', async () => {
    const yaml = await cli(['get', 'hello']);
    assert.equal(yaml.code, 0, yaml.stderr);
    assert.match(yaml.stdout, /^name: hello$/m);
    assert.match(yaml.stdout, /action: set/);
    const json = JSON.parse((await cli(['get', 'hello', '--json'])).stdout);
    assert.equal(json.name, 'hello');
    assert.equal(json.definition.steps[0].id, 'greet');
  });

  it('run --input --wait prints live step progress and exits 0 on success', async () => {
    const result = await cli(['run', 'hello', '--input', 'who=world', '--input', 'count=3', '--wait']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const id = runIdOf(result);
    assert.match(result.stdout, /step\.started\s+greet/);
    assert.match(result.stdout, /step\.succeeded\s+greet/);
    assert.match(result.stdout, new RegExp(`^run ${id} succeeded in `, 'm'));
    assert.match(result.stdout, /^output: \{\n {2}"greeting": "hello world"\n\}$/m, 'the run output at the end');
    const run = JSON.parse((await cli(['runs', 'show', id, '--json'])).stdout);
    // `count=3` is valid JSON, so it arrives as the integer the schema requires
    assert.deepEqual(run.inputs, { who: 'world', count: 3 });
    assert.deepEqual(run.steps[0].output, { greeting: 'hello world' });
  });

  it('run --wait exits 1 when the run fails, with the step error on stderr', async () => {
    const result = await cli(['run', 'boom', '--wait']);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /^run \S+ failed in /m);
    assert.match(result.stderr, /error: step fetch: ssrf_blocked/);
  });

  it('run with inputs that do not match the schema exits 2 and names the input', async () => {
    const result = await cli(['run', 'hello', '--input', 'count=notanumber']);
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assert.match(result.stderr, /^error: /m);
    assert.match(result.stderr, /who|count/);
  });

  it('malformed --input and unknown options exit 2', async () => {
    assert.equal((await cli(['run', 'hello', '--input', 'novalue'])).code, 2);
    assert.equal((await cli(['runs', 'ls', '--limit', 'x'])).code, 2);
    assert.equal((await cli(['ls', '--no-such-flag'])).code, 2);
  });

  it('not found exits 4', async () => {
    const result = await cli(['get', 'does-not-exist']);
    assert.equal(result.code, 4);
    assert.match(result.stderr, /^error: .*not found/m);
    assert.equal((await cli(['runs', 'show', '01ZZZZZZZZZZZZZZZZZZZZZZZZ'])).code, 4);
  });

  it('runs ls filters by automation and status; runs show prints the steps', async () => {
    const list = await cli(['runs', 'ls', '--automation', 'hello', '--json']);
    assert.equal(list.code, 0, list.stderr);
    const page = JSON.parse(list.stdout);
    assert.ok(page.items.length >= 1);
    assert.ok(page.items.every((r: { automation: string }) => r.automation === 'hello'));
    const failed = JSON.parse((await cli(['runs', 'ls', '--status', 'failed', '--json'])).stdout);
    assert.ok(failed.items.length >= 1 && failed.items.every((r: { status: string }) => r.status === 'failed'));
    const table = await cli(['runs', 'ls', '--limit', '1']);
    assert.match(table.stdout, /^ID\s+AUTOMATION\s+STATUS/m);
    const show = await cli(['runs', 'show', page.items[0].id]);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /^greet\s+set\s+succeeded/m);
  });

  it('runs logs prints the event log; -f ends when the run is over', async () => {
    const id = runIdOf(await cli(['run', 'hello', '--input', 'who=logs', '--wait']));
    const logs = await cli(['runs', 'logs', id]);
    assert.equal(logs.code, 0, logs.stderr);
    const lines = logs.stdout.trim().split('\n');
    assert.match(lines[0]!, /#1\s/);
    assert.ok(lines.some((l) => /step\.succeeded\s+greet/.test(l)));
    const json = JSON.parse((await cli(['runs', 'logs', id, '--json'])).stdout);
    assert.equal(json.items.length, lines.length);
    const follow = await cli(['runs', 'logs', id, '-f']);
    assert.equal(follow.code, 0, follow.stderr);
    assert.match(follow.stdout, new RegExp(`^run ${id} succeeded`, 'm'));
  });

  it('runs cancel ends a waiting run canceled', async () => {
    const id = runIdOf(await cli(['run', 'slow']));
    const result = await cli(['runs', 'cancel', id]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`^run ${id} canceled`, 'm'));
    assert.equal(JSON.parse((await cli(['runs', 'show', id, '--json'])).stdout).status, 'canceled');
  });

  it('runs retry and replay start new runs linked to the original', async () => {
    const failed = await cli(['run', 'boom', '--wait']);
    const id = runIdOf(failed);
    const retry = await cli(['runs', 'retry', id, '--json']);
    assert.equal(retry.code, 0, retry.stderr);
    const retried = JSON.parse(retry.stdout);
    assert.notEqual(retried.id, id);
    assert.equal(retried.retry_of, id);
    const replay = await cli(['runs', 'replay', id, '--wait']);
    assert.equal(replay.code, 1, replay.stdout + replay.stderr);
    const replayId = runIdOf(replay);
    assert.equal(JSON.parse((await cli(['runs', 'show', replayId, '--json'])).stdout).replay_of, id);
  });

  it('events emit publishes once per id; bad --data exits 2', async () => {
    const first = await cli(['events', 'emit', 'invoice.overdue', '--data', '{"n":1}', '--id', 'evt-1']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /invoice\.overdue published/);
    const again = await cli(['events', 'emit', 'invoice.overdue', '--data', '{"n":1}', '--id', 'evt-1', '--json']);
    assert.equal(JSON.parse(again.stdout).duplicate, true);
    const bad = await cli(['events', 'emit', 'x', '--data', '{nope']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--data/);
  });

  it('tokens create prints a scoped token once; its scopes are enforced (exit 3)', async () => {
    const created = await cli(['tokens', 'create', 'reader', '--scope', 'runs:read']);
    assert.equal(created.code, 0, created.stderr);
    const token = created.stdout.trim();
    assert.match(token, /^rota_\S+$/);
    assert.equal((await cli(['runs', 'ls'], { ROTA_TOKEN: token })).code, 0);
    const denied = await cli(['ls'], { ROTA_TOKEN: token });
    assert.equal(denied.code, 3, denied.stdout + denied.stderr);
    const list = await cli(['tokens', 'ls']);
    assert.match(list.stdout, /\breader\b.*runs:read/);
  });

  it('workspaces create and ls; tokens create --workspace binds a token to a workspace just created', async () => {
    const created = await cli(['workspaces', 'create', 'team-new']);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /created workspace team-new \(id \S+\)/);
    assert.equal((await cli(['workspaces', 'create', 'team-new'])).code, 5, 'an existing name is a conflict');
    assert.equal((await cli(['workspaces', 'create', 'Bad Name'])).code, 2);
    assert.match((await cli(['workspaces', 'ls'])).stdout, /\bteam-new\b/);
    for (const ws of ['team-new', 'team-later']) {
      const token = await cli(['tokens', 'create', `bot-${ws}`, '--scope', 'automations:read', '--workspace', ws, '--json']);
      assert.equal(token.code, 0, token.stderr);
      const view = JSON.parse(token.stdout);
      assert.equal(view.workspace, ws);
      assert.match(view.workspace_id, /^\S+$/);
      const ls = await cli(['ls', '--json'], { ROTA_TOKEN: view.token });
      assert.deepEqual(JSON.parse(ls.stdout).items, [], `a token of ${ws} sees its own, empty workspace`);
    }
  });

  it('apply without -f is a usage error; apply and get print webhook URLs; webhooks deliveries lists deliveries', async () => {
    const none = await cli(['apply']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /--file/);
    const positional = await cli(['apply', 'some/file.yaml']);
    assert.equal(positional.code, 2, positional.stderr);
    assert.match(positional.stderr, /did you mean `rota apply -f some\/file\.yaml`\?/);
    const mixed = await cli(['apply', '-f', 'a.yaml', 'b.yaml']);
    assert.equal(mixed.code, 2, mixed.stderr);
    assert.match(mixed.stderr, /unexpected argument "b\.yaml": give every file with -f \(`rota apply -f a\.yaml -f b\.yaml`\)/);
    const file = join(tempDir('rota-hook-'), 'hooked.yaml');
    writeFileSync(file, 'name: hooked\ntriggers:\n  - id: gh\n    type: webhook\n    verify: { scheme: none }\nsteps:\n  - id: a\n    action: set\n    with: { v: 1 }\n');
    const applied = await cli(['apply', '-f', file]);
    assert.equal(applied.code, 0, applied.stderr);
    const url = /^ {2}webhook gh: POST (\S+)$/m.exec(applied.stdout)?.[1];
    assert.ok(url?.startsWith(`${server.cliEnv().ROTA_URL}/hooks/`), applied.stdout);
    const get = await cli(['get', 'hooked']);
    assert.ok(get.stdout.includes(`# webhook gh: POST ${url}`), get.stdout);
    assert.equal((await fetch(url!, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status, 202);
    const deliveries = await cli(['webhooks', 'deliveries', 'hooked', 'gh']);
    assert.equal(deliveries.code, 0, deliveries.stderr);
    assert.match(deliveries.stdout, /accepted\s+202/);
  });

  it('events emit prints the runs it started', async () => {
    const file = join(tempDir('rota-listen-'), 'listener.yaml');
    writeFileSync(file, 'name: listener\ntriggers:\n  - id: on-ping\n    type: event\n    name: ping.sent\nsteps:\n  - id: a\n    action: set\n    with: { v: 1 }\n');
    assert.equal((await cli(['apply', '-f', file])).code, 0);
    const emitted = await cli(['events', 'emit', 'ping.sent']);
    assert.equal(emitted.code, 0, emitted.stderr);
    assert.match(emitted.stdout, /^run \S+ \w+ \(listener, trigger on-ping\)$/m);
    assert.match((await cli(['events', 'emit', 'nobody.listens'])).stdout, /started no run/);
  });

  it('a wrong token exits 3; an unreachable server exits 6; each says what to do', async () => {
    const wrong = await cli(['ls'], { ROTA_TOKEN: 'rota_wrong_token_0000000000' });
    assert.equal(wrong.code, 3);
    const none = await cli(['ls'], { ROTA_TOKEN: '' });
    assert.equal(none.code, 3);
    assert.match(none.stderr, /^hint: pass a token with --token or ROTA_TOKEN/m);
    const port = await closedPort();
    const down = await cli(['ls', '--url', `http://127.0.0.1:${port}`]);
    assert.equal(down.code, 6);
    assert.match(down.stderr, /cannot reach the Rota server/);
    assert.match(down.stderr, /^hint: start a server with `rota serve`.*--url or ROTA_URL$/m);
  });

  it('serve on a port in use exits 1 saying how to pick another', async () => {
    const port = new URL(server.url).port;
    const busy = await runCli(['serve'], { env: { ROTA_DATA_DIR: tempDir(), ROTA_PORT: port, ROTA_LOG_LEVEL: 'warn' } });
    assert.equal(busy.code, 1, busy.stdout + busy.stderr);
    assert.match(busy.stderr, /^error: 127\.0\.0\.1:\d+ is already in use \(another Rota may be running there\); pick another port with --port or ROTA_PORT/m);
  });

  it('apply --dry-run reports what apply -f does: a past one-time `at` is fine from a file, other problems the same', async () => {
    const dir = tempDir('rota-past-');
    const trigger = "triggers:\n  - id: once\n    type: schedule\n    at: '2020-01-01T00:00:00Z'\n";
    writeFileSync(join(dir, 'past.yaml'), `name: past-at\n${trigger}steps:\n  - id: a\n    action: set\n    with: { x: 1 }\n`);
    const dry = await cli(['apply', '--dry-run', '-f', join(dir, 'past.yaml')]);
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    assert.match(dry.stdout, /^past-at: valid/m);
    const real = await cli(['apply', '-f', join(dir, 'past.yaml')]);
    assert.equal(real.code, 0, real.stdout + real.stderr);
    assert.match(real.stdout, /^past-at: created \(version 1\)/m);

    writeFileSync(join(dir, 'both.yaml'), `name: past-bad\n${trigger}steps:\n  - id: a\n    action: no_such_action\n`);
    const dryBad = await cli(['apply', '--dry-run', '-f', join(dir, 'both.yaml')]);
    const realBad = await cli(['apply', '-f', join(dir, 'both.yaml')]);
    assert.equal(dryBad.code, 2, dryBad.stderr);
    assert.equal(realBad.code, 2, realBad.stderr);
    assert.match(dryBad.stderr, /steps\[0\]\.action/);
    assert.equal(dryBad.stderr, realBad.stderr, 'the same problems with and without --dry-run');
  });

  it('unarchive makes an archived automation editable again (paused); not archived exits 5; unknown exits 4', async () => {
    const file = join(tempDir('rota-arch-'), 'arch.yaml');
    writeFileSync(file, 'name: arch\nsteps:\n  - id: a\n    action: set\n    with: { x: 1 }\n');
    assert.equal((await cli(['apply', '-f', file])).code, 0);
    const notArchived = await cli(['unarchive', 'arch']);
    assert.equal(notArchived.code, 5, notArchived.stdout + notArchived.stderr);
    assert.match(notArchived.stderr, /^error: automation "arch" is active, not archived$/m);
    const archived = await cli(['archive', 'arch']);
    assert.equal(archived.code, 0, archived.stderr);
    assert.equal(archived.stdout.trim(), 'arch: archived');
    const readOnly = await cli(['resume', 'arch']);
    assert.equal(readOnly.code, 5);
    assert.match(readOnly.stderr, /archived and read-only; unarchive it first \(.*rota unarchive arch\)/);
    const back = await cli(['unarchive', 'arch']);
    assert.equal(back.code, 0, back.stderr);
    assert.equal(back.stdout.trim(), 'arch: paused');
    assert.equal(JSON.parse((await cli(['get', 'arch', '--json'])).stdout).status, 'paused');
    const json = await cli(['unarchive', 'arch', '--json']);
    assert.equal(json.code, 5, 'a second unarchive: no longer archived');
    const resumed = await cli(['resume', 'arch']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(resumed.stdout.trim(), 'arch: active');
    const unknown = await cli(['unarchive', 'no-such-automation']);
    assert.equal(unknown.code, 4, unknown.stdout + unknown.stderr);
    assert.match(unknown.stderr, /^error: .*no-such-automation.*not found/m);
  });

  it('doctor passes against a healthy server and fails on bad configuration', async () => {
    const ok = await cli(['doctor']);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /✓ database/);
    assert.match(ok.stdout, /✓ migrations: current/);
    assert.match(ok.stdout, /✓ server/);
    assert.match(ok.stdout, /✓ token/);
    const bad = await cli(['doctor'], { ROTA_PORT: 'abc' });
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /✗ configuration: ROTA_PORT: expected an integer/);
  });
});

describe('rota db migrate', () => {
  it('applies migrations to a fresh database, then reports it up to date; doctor says "no database" before and creates none', async () => {
    const dataDir = tempDir();
    const port = await closedPort();
    const env = { ROTA_DATA_DIR: dataDir, ROTA_URL: `http://127.0.0.1:${port}` };
    const none = await runCli(['doctor'], { env });
    assert.equal(none.code, 1);
    assert.match(none.stdout, /✗ database: no database: /);
    assert.match(none.stdout, /✗ server/);
    assert.equal(existsSync(join(dataDir, 'rota.db')), false, 'doctor created no database file');
    const first = await runCli(['db', 'migrate'], { env });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^applied 001-initial$/m);
    const second = await runCli(['db', 'migrate'], { env });
    assert.match(second.stdout, /up to date/);
    assert.match((await runCli(['doctor'], { env })).stdout, /✓ migrations: current/);
  });
});

describe('rota doctor on a database at an older migration level', () => {
  it('names the pending migrations and how to apply them (exit 1); after rota db migrate they are current', async () => {
    const dataDir = tempDir();
    const applied = 6;
    const store = await openStore({ dataDir, migrate: false });
    try {
      // as a node of an older release left it: the first migrations only, recorded under their ids
      await store.db.schema.createTable('rota_migrations').addColumn('id', 'text', (c) => c.primaryKey()).addColumn('applied_at', 'bigint', (c) => c.notNull()).execute();
      for (const migration of MIGRATIONS.slice(0, applied)) {
        await store.db.transaction().execute(async (tx) => {
          await migration.up(tx);
          await tx.insertInto('rota_migrations' as never).values({ id: migration.id, applied_at: Date.now() } as never).execute();
        });
      }
    } finally {
      await store.close();
    }
    const pending = MIGRATIONS.slice(applied).map((m) => m.id);
    assert.ok(pending.length >= 2);
    const env = { ROTA_DATA_DIR: dataDir, ROTA_URL: `http://127.0.0.1:${await closedPort()}` };
    const doctor = await runCli(['doctor'], { env });
    assert.equal(doctor.code, 1, doctor.stdout + doctor.stderr);
    assert.match(doctor.stdout, /✓ database: reachable/);
    const line = doctor.stdout.split('\n').find((l) => l.includes('migrations'));
    assert.equal(line?.trim(), `✗ migrations: pending: ${pending.join(', ')} (run rota db migrate, or start rota serve)`);
    const migrated = await runCli(['db', 'migrate'], { env });
    assert.equal(migrated.code, 0, migrated.stderr);
    for (const id of pending) assert.match(migrated.stdout, new RegExp(`^applied ${id}$`, 'm'));
    assert.doesNotMatch(migrated.stdout, /applied 001-initial/);
    assert.match((await runCli(['doctor'], { env })).stdout, /✓ migrations: current/);
  });
});

describe('rota serve --watch', () => {
  it('loads definitions as source: file, re-applies changed files, and exits 0 on SIGTERM', async () => {
    const dir = tempDir('rota-watch-');
    writeFileSync(join(dir, 'hello.yaml'), HELLO);
    const server = await startServe({ args: ['--watch', dir] });
    try {
      const cli = (args: string[]) => runCli(args, { env: server.cliEnv() });
      const first = JSON.parse((await cli(['get', 'hello', '--json'])).stdout);
      assert.equal(first.source, 'file');
      assert.equal(first.version, 1);
      writeFileSync(join(dir, 'hello.yaml'), readFileSync(join(dir, 'hello.yaml'), 'utf8').replace('hello {{', 'hi {{'));
      const deadline = Date.now() + 10_000;
      let version = 1;
      while (version === 1 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        version = JSON.parse((await cli(['get', 'hello', '--json'])).stdout).version;
      }
      assert.equal(version, 2);
      assert.match(server.stdout(), /watch: hello: updated \(version 2\)/);
    } finally {
      const exit = await server.stop();
      assert.deepEqual(exit, { code: 0, signal: null });
    }
  });

  it('prints the admin token on first start only', async () => {
    const dataDir = tempDir();
    const first = await startServe({ dataDir, adminToken: null });
    const token = first.adminToken;
    await first.stop();
    assert.match(token ?? '', /^rota_/);
    const second = await startServe({ dataDir, adminToken: null });
    try {
      assert.equal(second.adminToken, null);
      assert.equal((await runCli(['ls'], { env: { ROTA_URL: second.url, ROTA_TOKEN: token! } })).code, 0);
    } finally {
      await second.stop();
    }
  });
});
