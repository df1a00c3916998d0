/**
 * Field checks of schedule triggers, shared by the definition schema and the scheduler: each
 * returns an error message, or null when the value is valid.
 */
import { Cron } from 'croner';

/** 5 fields, 6 with seconds, or a nickname (`@hourly`); also rejects patterns that never fire. */
export function checkCron(pattern: string, timezone = 'UTC'): string | null {
  const fields = pattern.trim().split(/\s+/);
  if (!pattern.trim().startsWith('@') && fields.length !== 5 && fields.length !== 6) {
    return `invalid cron "${pattern}": expected 5 fields (6 with seconds), got ${fields.length}`;
  }
  let job: Cron | undefined;
  try {
    job = new Cron(pattern, { timezone, paused: true });
    if (job.nextRun() === null) return `cron "${pattern}" never fires`;
    return null;
  } catch (err) {
    return `invalid cron "${pattern}": ${(err as Error).message.replace(/^CronPattern: /, '')}`;
  } finally {
    job?.stop();
  }
}

export function checkTimezone(timezone: string): string | null {
  try {
    new Intl.DateTimeFormat(undefined, { timeZone: timezone });
    return null;
  } catch {
    return `unknown timezone "${timezone}" (use an IANA name such as Europe/Berlin or UTC)`;
  }
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/;

/** An RFC 3339 timestamp with an explicit offset (`2026-03-01T09:00:00+01:00`). */
export function checkRfc3339(text: string): string | null {
  const m = RFC3339.exec(text);
  const bad = `invalid time "${text}": expected RFC 3339 with an offset, e.g. 2026-03-01T09:00:00Z`;
  if (!m) return bad;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const offsetOk = m[9] === undefined || (Number(m[9]) <= 23 && Number(m[10]) <= 59);
  const ok = month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 60;
  return ok && offsetOk && !Number.isNaN(Date.parse(text)) ? null : bad;
}
