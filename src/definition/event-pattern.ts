/**
 * Event name patterns, shared by event triggers and `wait_for_event`: dot-separated segments where
 * `*` matches exactly one segment and `**` one or more (`issue.*` matches `issue.opened`, not
 * `issue.comment.created`; `issue.**` matches both). Any other segment is compared literally.
 */
export type EventPattern = { kind: 'exact'; name: string } | { kind: 'wildcard'; source: string; regex: RegExp };

/**
 * What a `wait_for_event` name may be: up to 200 characters of published event names
 * ([A-Za-z0-9_.:-]) where a `*` stands only as a whole `*` or `**` segment (an `ord*` segment would
 * be compared literally and could never match a published name).
 */
export const EVENT_PATTERN_REGEX = '^(?=[A-Za-z0-9_.:*-]{1,200}$)(?:[A-Za-z0-9_:-]*|\\*\\*?)(?:\\.(?:[A-Za-z0-9_:-]*|\\*\\*?))*$';

const PATTERN = new RegExp(EVENT_PATTERN_REGEX);

/** How patterns are written, for the messages that refuse one. */
export const EVENT_PATTERN_SYNTAX =
  'names use [A-Za-z0-9_.:-] (up to 200 characters); * stands only as a whole segment: * matches one segment ' +
  '(order.* matches order.created), ** one or more (order.** also matches order.item.added)';

export function isEventPattern(pattern: string): boolean {
  return PATTERN.test(pattern);
}

/**
 * Event triggers whose `name` the matcher would compare literally although it cannot be a
 * published name (`ord*`, `order.>`): such a trigger would never fire. Checked when a definition
 * is applied or validated, not in the schema, so a version stored before still compiles.
 */
export function eventTriggerNameProblems(raw: unknown): { path: string; message: string }[] {
  if (typeof raw !== 'object' || raw === null || !Array.isArray((raw as { triggers?: unknown }).triggers)) return [];
  const triggers = (raw as { triggers: unknown[] }).triggers;
  return triggers.flatMap((t, i) => {
    if (typeof t !== 'object' || t === null) return [];
    const { type, name } = t as { type?: unknown; name?: unknown };
    // names with spaces or of the wrong length are the schema's to report
    if (type !== 'event' || typeof name !== 'string' || !/^[^\s]{1,200}$/.test(name) || isEventPattern(name)) return [];
    return [{ path: `$.triggers[${i}].name`, message: `"${name}" is not an event name or pattern: ${EVENT_PATTERN_SYNTAX}` }];
  });
}

export function compilePattern(pattern: string): EventPattern {
  const segments = pattern.split('.');
  if (!segments.includes('*') && !segments.includes('**')) return { kind: 'exact', name: pattern };
  const body = segments
    .map((segment) => (segment === '**' ? '[^.]+(?:\\.[^.]+)*' : segment === '*' ? '[^.]+' : segment.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')))
    .join('\\.');
  return { kind: 'wildcard', source: pattern, regex: new RegExp(`^${body}$`) };
}

export function matchesPattern(pattern: EventPattern, name: string): boolean {
  return pattern.kind === 'exact' ? pattern.name === name : pattern.regex.test(name);
}

/** One-off match of a pattern string; callers matching many names compile once instead. */
export function eventNameMatches(pattern: string, name: string): boolean {
  return matchesPattern(compilePattern(pattern), name);
}
