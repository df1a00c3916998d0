import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { shellAction, type ShellConfig } from '../../src/actions/shell.js';
import { ErrorCode, NonRetriableError, RetriableError, RotaError } from '../../src/errors.js';
import { completed, makeContext } from './context.js';

type Ctx = Parameters<typeof makeContext<ShellConfig>>[0];

function run(config: ShellConfig, extra: Partial<Ctx> = {}, maxOutputBytes = 64 * 1024) {
  return completed(shellAction.handler(makeContext<ShellConfig>({ config, runtime: { shell: { enabled: true, maxOutputBytes } }, ...extra })));
}

async function failure(promise: Promise<unknown>): Promise<RotaError> {
  const err = await promise.then(
    () => assert.fail('expected the command to fail'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof RotaError, String(err));
  return err;
}

/** A process is gone once it no longer exists or is a zombie nobody reaped. */
function isAlive(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return false;
  return !/^\d+ \(.*\) Z/.test(readFileSync(stat, 'utf8'));
}

async function waitUntilDead(pid: number): Promise<boolean> {
  for (let i = 0; i < 50 && isAlive(pid); i++) await sleep(20);
  return !isAlive(pid);
}

describe('shell action', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rota-shell-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('is disabled unless the configuration enables it', async () => {
    const err = await failure(shellAction.handler(makeContext<ShellConfig>({ config: { command: ['echo', 'hi'] } })));
    assert.ok(err instanceof NonRetriableError);
    assert.equal(err.code, ErrorCode.shell_disabled);
    assert.match(err.message, /shell\.enabled: true/);
  });

  test('passes env to the program; sh -c is the only way to get shell syntax', async () => {
    const out = await run({ command: ['sh', '-c', 'echo $X'], env: { X: 'from env' } });
    assert.deepEqual(out, { exit_code: 0, stdout: 'from env\n', stderr: '', truncated: false });
  });

  test('arguments stay literal: no shell interprets them', async () => {
    const out = await run({ command: ['echo', '; rm -rf /', '$(id)', '`id`', '*', '$HOME'] });
    assert.equal(out.stdout, '; rm -rf / $(id) `id` * $HOME\n');
  });

  test('the environment is PATH and HOME plus env, nothing inherited', async () => {
    process.env.ROTA_TEST_PARENT_SECRET = 'leak';
    try {
      const out = await run({ command: ['sh', '-c', 'echo "${ROTA_TEST_PARENT_SECRET:-unset}"; test -n "$PATH" && test -n "$HOME" && echo ok'] });
      assert.equal(out.stdout, 'unset\nok\n');
    } finally {
      delete process.env.ROTA_TEST_PARENT_SECRET;
    }
  });

  test('stdin and cwd', async () => {
    assert.equal((await run({ command: ['cat'], stdin: 'piped in' })).stdout, 'piped in');
    assert.equal((await run({ command: ['pwd'], cwd: dir })).stdout.trim(), realpathSync(dir));
  });

  test('a non-zero exit fails shell_failed with the exit code and stderr tail', async () => {
    const err = await failure(run({ command: ['sh', '-c', 'echo partial; echo "it broke" >&2; exit 3'] }));
    assert.ok(err instanceof NonRetriableError);
    assert.equal(err.code, ErrorCode.shell_failed);
    assert.match(err.message, /exited with code 3: it broke/);
    assert.deepEqual(err.details, { exit_code: 3, signal: null, stderr_tail: 'it broke\n' });
  });

  test('a missing executable fails shell_failed', async () => {
    const err = await failure(run({ command: ['rota-no-such-program-xyz'] }));
    assert.equal(err.code, ErrorCode.shell_failed);
    assert.match(err.message, /executable not found/);
  });

  test('stdout and stderr are capped each, with a truncated flag', async () => {
    const out = await run({ command: ['sh', '-c', 'head -c 5000 /dev/zero | tr "\\0" a; head -c 50 /dev/zero | tr "\\0" b >&2'] }, {}, 100);
    assert.equal(out.stdout, 'a'.repeat(100));
    assert.equal(out.stderr, 'b'.repeat(50));
    assert.equal(out.truncated, true);
  });

  test('a timeout kills the whole process group and is retriable step_timeout', async () => {
    const pidFile = join(dir, 'timeout.pid');
    const started = Date.now();
    const err = await failure(run({ command: ['sh', '-c', 'sleep 30 & echo $! > "$PIDFILE"; wait'], env: { PIDFILE: pidFile }, timeout: '300ms' }));
    assert.ok(err instanceof RetriableError);
    assert.equal(err.code, ErrorCode.step_timeout);
    assert.ok(Date.now() - started < 5000);
    assert.ok(await waitUntilDead(Number(readFileSync(pidFile, 'utf8'))), 'the background sleep survived');
  });

  test('aborting ctx.signal kills the whole process group', async () => {
    const pidFile = join(dir, 'abort.pid');
    const controller = new AbortController();
    const reason = new RetriableError('shutting down', { code: ErrorCode.canceled });
    setTimeout(() => controller.abort(reason), 300);
    const err = await failure(run({ command: ['sh', '-c', 'sleep 30 & echo $! > "$PIDFILE"; wait'], env: { PIDFILE: pidFile } }, { signal: controller.signal }));
    assert.equal(err, reason);
    assert.ok(await waitUntilDead(Number(readFileSync(pidFile, 'utf8'))), 'the background sleep survived');
  });

  test('a background process holding stdout does not keep the step alive', async () => {
    const started = Date.now();
    const out = await run({ command: ['sh', '-c', 'setsid sleep 3 & echo done'] });
    assert.equal(out.stdout, 'done\n');
    assert.ok(Date.now() - started < 2500);
  });
});
