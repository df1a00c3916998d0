import { spawn, type ChildProcess } from 'node:child_process';
import { homedir } from 'node:os';
import type { Readable } from 'node:stream';
import { ErrorCode, NonRetriableError, RotaError, abortErrorOf } from '../errors.js';
import { timeoutError } from './abort.js';
import type { ActionContext, ActionDefinition } from './types.js';
import { DURATION_PATTERN, parseDurationMs } from './parse-duration.js';
import type { ErrorDetail } from '../errors.js';
import { hasTemplate, isWholeTemplate } from '../definition/template.js';

export interface ShellConfig {
  command: string[];
  env?: Record<string, string>;
  cwd?: string;
  timeout?: string;
  stdin?: string;
}

export interface ShellOutput {
  exit_code: number;
  stdout: string;
  stderr: string;
  /** True when stdout or stderr went past `shell.maxOutputBytes` and was cut. */
  truncated: boolean;
}

const STDERR_TAIL_CHARS = 2000;
/** After the process exits, how long to wait for stdio to close (a detached grandchild may hold it). */
const STDIO_GRACE_MS = 1000;

class CappedBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;
  constructor(private readonly limit: number) {}
  push(chunk: Buffer): void {
    const room = this.limit - this.size;
    if (chunk.length > room) this.truncated = true;
    if (room <= 0) return;
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.chunks.push(kept);
    this.size += kept.length;
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL'); // the group is already gone, or it was never created
  }
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Resolves when the process has exited and its output is read; rejects on spawn errors or abort. */
function waitForExit(child: ChildProcess, signal: AbortSignal, timeoutMs: number | undefined): Promise<Exit> {
  return new Promise<Exit>((resolve, reject) => {
    const stop = (err: RotaError): void => {
      killGroup(child);
      reject(err);
    };
    const onAbort = (): void => stop(abortErrorOf(signal));
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => stop(timeoutError('command', timeoutMs)), timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      clearTimeout(grace);
      signal.removeEventListener('abort', onAbort);
    };
    let grace: NodeJS.Timeout | undefined;
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err: NodeJS.ErrnoException) => {
      cleanup();
      const what = err.code === 'ENOENT' ? 'executable not found' : err.message;
      reject(new NonRetriableError(`cannot start ${child.spawnfile}: ${what}`, { code: ErrorCode.shell_failed, cause: err }));
    });
    child.on('exit', (code, sig) => {
      grace = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        cleanup();
        resolve({ code, signal: sig });
      }, STDIO_GRACE_MS);
    });
    child.on('close', (code, sig) => {
      cleanup();
      resolve({ code, signal: sig });
    });
  });
}

function collect(stream: Readable | null, limit: number): CappedBuffer {
  const buffer = new CappedBuffer(limit);
  stream?.on('data', (chunk: Buffer) => buffer.push(chunk));
  return buffer;
}

function spawnCommand(ctx: ActionContext<ShellConfig>): ChildProcess {
  const [file, ...args] = ctx.config.command;
  const env = { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', HOME: process.env.HOME ?? homedir(), ...ctx.config.env };
  // detached: the command leads its own process group, so abort can kill everything it started.
  const child = spawn(file, args, { shell: false, env, cwd: ctx.config.cwd, detached: true, stdio: 'pipe' });
  child.stdin?.on('error', () => undefined); // EPIPE when the command exits without reading stdin
  child.stdin?.end(ctx.config.stdin ?? '');
  return child;
}

async function handler(ctx: ActionContext<ShellConfig>): Promise<ShellOutput> {
  if (!ctx.runtime.shell.enabled) {
    throw new NonRetriableError('the shell action is disabled; set `shell.enabled: true` in the configuration to enable it', {
      code: ErrorCode.shell_disabled,
    });
  }
  const { command, timeout } = ctx.config;
  if (command.length === 0) throw new NonRetriableError('command: needs at least the executable', { code: ErrorCode.shell_failed });
  const timeoutMs = timeout === undefined ? undefined : parseDurationMs(timeout, 'timeout');
  const child = spawnCommand(ctx);
  const stdout = collect(child.stdout, ctx.runtime.shell.maxOutputBytes);
  const stderr = collect(child.stderr, ctx.runtime.shell.maxOutputBytes);
  const exit = await waitForExit(child, ctx.signal, timeoutMs);
  const output: ShellOutput = { exit_code: exit.code ?? -1, stdout: stdout.text(), stderr: stderr.text(), truncated: stdout.truncated || stderr.truncated };
  if (exit.code === 0) return output;
  const how = exit.code === null ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  const stderrTail = output.stderr.slice(-STDERR_TAIL_CHARS);
  throw new NonRetriableError(`${command[0]} ${how}${stderrTail ? `: ${stderrTail.trim().split('\n').pop()}` : ''}`, {
    code: ErrorCode.shell_failed,
    details: { exit_code: exit.code, signal: exit.signal, stderr_tail: stderrTail },
  });
}

const SHELLS = /^(?:sh|bash|dash|zsh|ksh|mksh|ash|fish|pwsh|powershell)(?:\.exe)?$/;
const ENV_HINT = 'pass the value through env (env: {NAME: "{{ ... }}"}) and read "$NAME" in the script';

/**
 * Templates never splice into what a program parses as code (audit D6): a placeholder may only be
 * a whole argv element after the first, and not the script of `sh -c` and its kin.
 */
function checkCommand(config: Record<string, unknown>, path: string): ErrorDetail[] {
  const command = config.command;
  const at = `${path}.command`;
  if (typeof command === 'string') return hasTemplate(command) ? [{ path: at, message: `command must be a literal argv array, not a template; ${ENV_HINT}` }] : [];
  if (!Array.isArray(command)) return [];
  const program = typeof command[0] === 'string' ? (command[0].split(/[\\/]/).pop() ?? '') : '';
  const problems: ErrorDetail[] = [];
  command.forEach((arg, i) => {
    if (typeof arg !== 'string' || !hasTemplate(arg)) return;
    const where = `${at}[${i}]`;
    if (i === 0) problems.push({ path: where, message: `the executable cannot come from a template; name it literally and ${ENV_HINT}` });
    else if (!isWholeTemplate(arg)) problems.push({ path: where, message: `a placeholder inside a larger argument is spliced into it; make the placeholder the whole argument, or ${ENV_HINT}` });
    else if (SHELLS.test(program) && /^-[A-Za-z]*c[A-Za-z]*$/.test(String(command[i - 1]))) {
      problems.push({ path: where, message: `this argument is the script ${program} runs, so a template here is code; ${ENV_HINT}` });
    }
  });
  return problems;
}

/**
 * `shell`: runs a program (no shell interpretation: `command` is the argv). Disabled unless the
 * configuration sets `shell.enabled: true`.
 *
 * @example
 * - id: build
 *   action: shell
 *   with: { command: [npm, run, build], cwd: /srv/app, timeout: 10m, env: { NODE_ENV: production } }
 */
export const shellAction: ActionDefinition<ShellConfig, ShellOutput> = {
  type: 'shell',
  description:
    'Runs a program with arguments (argv array; no shell, so nothing is interpreted: use ' +
    '[sh, -c, "..."] for shell syntax) and returns {exit_code, stdout, stderr, truncated}. The ' +
    'environment is PATH and HOME plus env. A placeholder may only be a whole argument after the ' +
    'first (never the script of sh -c): give values to scripts through env. A non-zero exit fails ' +
    'the step (not retried). Disabled ' +
    'unless the configuration sets shell.enabled: true.',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['command'],
    properties: {
      command: { type: 'array', minItems: 1, items: { type: 'string' }, description: 'argv; the first item is the executable' },
      env: { type: 'object', additionalProperties: { type: 'string' } },
      cwd: { type: 'string', minLength: 1 },
      timeout: { type: 'string', pattern: DURATION_PATTERN },
      stdin: { type: 'string' },
    },
  },
  outputSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['exit_code', 'stdout', 'stderr', 'truncated'],
    properties: {
      exit_code: { type: 'integer' },
      stdout: { type: 'string' },
      stderr: { type: 'string' },
      truncated: { type: 'boolean' },
    },
  },
  secretFields: ['env'],
  checkConfig: checkCommand,
  handler,
};
