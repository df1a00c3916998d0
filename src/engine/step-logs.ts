/**
 * A step's log lines (SPEC §7: bounded per step, oldest dropped, the failure kept). Actions write
 * them through `ctx.log`; the executor stores them with the step's result.
 */
import type { StepLogger } from '../actions/types.js';

const MAX_LOG_LINES = 100;
const MAX_LOG_MESSAGE = 2000;

/** A logger that appends to `lines`, keeping the newest {@link MAX_LOG_LINES}. */
export function stepLogger(lines: unknown[], now: () => number): StepLogger {
  const push = (level: 'info' | 'warn' | 'error', message: string, data?: unknown) => {
    const line: Record<string, unknown> = { at: new Date(now()).toISOString(), level, message: String(message).slice(0, MAX_LOG_MESSAGE) };
    if (data !== undefined) line.data = data;
    lines.push(line);
    // Bounded: the oldest lines go first, the failure (logged last) is kept.
    if (lines.length > MAX_LOG_LINES) lines.splice(0, lines.length - MAX_LOG_LINES);
  };
  return { info: (m, d) => push('info', m, d), warn: (m, d) => push('warn', m, d), error: (m, d) => push('error', m, d) };
}

/** The stored lines of a step (JSON, from earlier attempts) followed by `lines`, bounded. */
export function mergeLogs(existing: string | null, lines: unknown[]): unknown[] {
  const all = [...(existing ? (JSON.parse(existing) as unknown[]) : []), ...lines];
  return all.length > MAX_LOG_LINES ? all.slice(all.length - MAX_LOG_LINES) : all;
}

