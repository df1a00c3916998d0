/**
 * Event name patterns of event triggers: dot-separated segments where `*` matches exactly one
 * segment and `**` one or more (`issue.*` matches `issue.opened`, not `issue.comment.created`;
 * `issue.**` matches both). Anything else is compared literally.
 */
export type EventPattern = { kind: 'exact'; name: string } | { kind: 'wildcard'; source: string; regex: RegExp };

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
