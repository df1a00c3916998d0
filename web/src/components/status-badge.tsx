import { Badge } from '@mantine/core';

/** Run, step, automation and approval states, one colour each. */
const COLORS: Record<string, string> = {
  succeeded: 'teal',
  approved: 'teal',
  active: 'teal',
  accepted: 'teal',
  failed: 'red',
  timed_out: 'red',
  rejected: 'red',
  aborted: 'red',
  canceled: 'gray',
  skipped: 'gray',
  archived: 'gray',
  expired: 'gray',
  duplicate: 'gray',
  filtered: 'gray',
  queued: 'indigo',
  running: 'blue',
  waiting: 'yellow',
  pending: 'yellow',
  paused: 'orange',
};

export function statusColor(status: string): string {
  return COLORS[status] ?? 'gray';
}

export function StatusBadge({ status, size = 'sm' }: { status: string; size?: 'xs' | 'sm' | 'md' | 'lg' }) {
  return (
    <Badge color={statusColor(status)} variant="light" size={size} radius="sm" data-status={status}>
      {status.replace('_', ' ')}
    </Badge>
  );
}
