/**
 * `rota secrets set|ls|rm` against a real `rota serve`, with an automation whose http step sends
 * the secret to a loopback server: the value set from stdin or --from-env is the one that arrives.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, startServe, tempDir, type Served } from './serve.js';

describe('rota secrets against rota serve', () => {
  let server: Served;
  let echo: Server;
  const received: (string | undefined)[] = [];
  const cli = (args: string[], opts: { env?: Record<string, string>; stdin?: string } = {}) => runCli(args, { env: { ...server.cliEnv(), ...opts.env }, stdin: opts.stdin });

  before(async () => {
    echo = createServer((req, res) => {
      received.push(req.headers.authorization);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ auth: req.headers.authorization }));
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const { port } = echo.address() as { port: number };
    server = await startServe({ env: { ROTA_HTTP_ALLOWLIST: '127.0.0.1' } });
    const dir = tempDir('rota-secrets-');
    const file = join(dir, 'call.json');
    writeFileSync(file, JSON.stringify({ name: 'call', steps: [{ id: 'h', action: 'http', with: { url: `http://127.0.0.1:${port}/`, headers: { authorization: 'Bearer {{ secrets.CLI_TOKEN }}' } } }] }));
    const applied = await cli(['apply', '-f', file]);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stderr, /warning: \$\.steps\[0\]\.with\.headers\.authorization: secret "CLI_TOKEN" is not set/);
  });

  after(async () => {
    await server?.stop();
    await new Promise((resolve) => echo?.close(resolve));
  });

  async function runCall(): Promise<void> {
    const run = await cli(['run', 'call', '--wait']);
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  }

  it('set reads the value from stdin (one trailing newline dropped) and from --from-env', async () => {
    const fromStdin = await cli(['secrets', 'set', 'CLI_TOKEN'], { stdin: 'stdin-value-1\n' });
    assert.equal(fromStdin.code, 0, fromStdin.stderr);
    assert.equal(fromStdin.stdout.trim(), 'secret CLI_TOKEN created');
    await runCall();
    const fromEnv = await cli(['secrets', 'set', 'CLI_TOKEN', '--from-env', 'MY_TOKEN'], { env: { MY_TOKEN: 'env-value-2' } });
    assert.equal(fromEnv.code, 0, fromEnv.stderr);
    assert.equal(fromEnv.stdout.trim(), 'secret CLI_TOKEN updated');
    await runCall();
    assert.deepEqual(received, ['Bearer stdin-value-1', 'Bearer env-value-2']);
  });

  it('set without a value is a usage error that says how to give one', async () => {
    const unset = await cli(['secrets', 'set', 'CLI_TOKEN', '--from-env', 'NOT_SET_ANYWHERE']);
    assert.equal(unset.code, 2);
    assert.match(unset.stderr, /environment variable NOT_SET_ANYWHERE is not set or empty/);
    const empty = await cli(['secrets', 'set', 'CLI_TOKEN'], { stdin: '' });
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /stdin was empty/);
    const badName = await cli(['secrets', 'set', '1-bad'], { stdin: 'x' });
    assert.equal(badName.code, 2);
    assert.match(badName.stderr, /secret name/);
  });

  it('ls shows names and times, never values; rm deletes', async () => {
    const json = await cli(['secrets', 'ls', '--json']);
    assert.equal(json.code, 0, json.stderr);
    const items = JSON.parse(json.stdout).items as { name: string; last_used_at: string | null }[];
    assert.deepEqual(items.map((s) => s.name), ['CLI_TOKEN']);
    assert.ok(items[0]!.last_used_at !== null);
    assert.doesNotMatch(json.stdout, /value-/);
    const table = await cli(['secrets', 'ls']);
    assert.match(table.stdout, /^NAME\s+CREATED\s+UPDATED\s+LAST USED$/m);
    assert.match(table.stdout, /CLI_TOKEN/);
    assert.doesNotMatch(table.stdout, /value-/);

    const rm = await cli(['secrets', 'rm', 'CLI_TOKEN']);
    assert.equal(rm.code, 0, rm.stderr);
    assert.equal(rm.stdout.trim(), 'secret CLI_TOKEN deleted');
    const again = await cli(['secrets', 'rm', 'CLI_TOKEN']);
    assert.equal(again.code, 4);
    assert.match(again.stderr, /secret "CLI_TOKEN" not found/);
    assert.equal((await cli(['secrets', 'ls'])).stdout.trim(), 'no secrets');
  });
});
