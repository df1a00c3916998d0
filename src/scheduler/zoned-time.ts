/**
 * An instant as the wall-clock time of a timezone with its UTC offset (RFC 3339, e.g.
 * `2026-03-29T03:00:00+02:00`): how a schedule's user reads its fire times.
 */
const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(timezone: string): Intl.DateTimeFormat {
  let format = formats.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'longOffset',
    });
    if (formats.size >= 1_000) formats.clear();
    formats.set(timezone, format);
  }
  return format;
}

export function isoInZone(ms: number, timezone: string): string {
  const parts: Record<string, string> = {};
  for (const part of formatFor(timezone).formatToParts(new Date(ms))) parts[part.type] = part.value;
  // longOffset is "GMT" for a zero offset, otherwise "GMT+05:45"
  const zone = parts.timeZoneName ?? 'GMT';
  const offset = zone === 'GMT' ? '+00:00' : zone.slice(3);
  const millis = ((ms % 1000) + 1000) % 1000;
  const fraction = millis === 0 ? '' : `.${String(millis).padStart(3, '0')}`;
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${fraction}${offset}`;
}
