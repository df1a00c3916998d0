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
