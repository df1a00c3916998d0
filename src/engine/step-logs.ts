/**
 * A step's log lines (SPEC §7: bounded per step and per run, oldest dropped, the failure kept).
 * Actions write them through `ctx.log`; the executor stores them with the step's result. The
 * limits are `limits.step_log_lines` (default 100) and `limits.run_log_lines` (default 1,000, all
 * steps of a run together): a step whose run has used its lines keeps only its newest ones, at
 * least its last (the failure, when it failed). Lines stored by earlier steps are never rewritten.
 */
import type { StepLogger } from '../actions/types.js';

const MAX_LOG_LINES = 100;
const MAX_LOG_MESSAGE = 2000;

/** A logger that appends to `lines`, keeping the newest `maxLines`. */
export function stepLogger(lines: unknown[], now: () => number, maxLines = MAX_LOG_LINES): StepLogger {
  const push = (level: 'info' | 'warn' | 'error', message: string, data?: unknown) => {
    const line: Record<string, unknown> = { at: new Date(now()).toISOString(), level, message: String(message).slice(0, MAX_LOG_MESSAGE) };
    if (data !== undefined) line.data = data;
    lines.push(line);
    // Bounded: the oldest lines go first, the failure (logged last) is kept.
    if (lines.length > maxLines) lines.splice(0, lines.length - maxLines);
  };
  return { info: (m, d) => push('info', m, d), warn: (m, d) => push('warn', m, d), error: (m, d) => push('error', m, d) };
}

/**
 * The stored lines of a step (JSON, from earlier attempts) followed by `lines`, bounded by the
 * step's limit and by what is left of the run's (`runLinesLeft`: the run's limit less the lines
 * its other steps stored), keeping at least the newest line.
 */
export function mergeLogs(existing: string | null, lines: unknown[], limits: { stepLines?: number; runLinesLeft?: number } = {}): unknown[] {
  const all = [...(existing ? (JSON.parse(existing) as unknown[]) : []), ...lines];
  const cap = Math.max(1, Math.min(limits.stepLines ?? MAX_LOG_LINES, limits.runLinesLeft ?? Infinity));
  return all.length > cap ? all.slice(all.length - cap) : all;
}

/** Lines in a stored step log (JSON array text). */
export function logLineCount(text: string | null): number {
  if (!text) return 0;
  try {
    const lines: unknown = JSON.parse(text);
    return Array.isArray(lines) ? lines.length : 0;
  } catch {
    return 0;
  }
}

