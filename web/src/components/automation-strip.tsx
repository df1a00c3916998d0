/** An automation's recent outcomes as a strip of small marks, oldest left, newest right, plus its success rate. */
import { Group, Text, Tooltip } from '@mantine/core';
import type { AutomationStatsView } from '../../../src/client/index.js';
import { relativeTime } from '../format';
import { RouterAnchor } from '../links';
import { statusColor } from './status-badge';
import { useNow } from './time';
import './automation-strip.css';

/** "10 succeeded, 2 failed" — the strip's words for screen readers and the tooltip. */
export function outcomeSummary(recent: AutomationStatsView['recent']): string {
  const counts = new Map<string, number>();
  for (const r of recent) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${n} ${status.replace('_', ' ')}`).join(', ');
}

export function RunStrip({ name, stats }: { name: string; stats: AutomationStatsView | undefined }) {
  const now = useNow(60_000);
  if (!stats) return <span aria-hidden="true" className="rota-strip rota-strip-loading" />;
  const open = stats.open.queued + stats.open.running + stats.open.waiting;
  if (stats.recent.length === 0) {
    return (
      <Text size="xs" c="dimmed">
        {open > 0 ? `${open} in progress, none ended yet` : 'no runs yet'}
      </Text>
    );
  }
  const summary = `Last ${stats.recent.length} runs: ${outcomeSummary(stats.recent)}${open > 0 ? `; ${open} in progress` : ''}`;
  return (
    <Group gap={6} wrap="nowrap">
      <RouterAnchor to="/runs" search={{ automation: name }} aria-label={`${summary}. Show the runs of ${name}`} underline="never" className="rota-strip-link">
        <span className="rota-strip" data-testid="run-strip">
          {[...stats.recent].reverse().map((r) => (
            <span
              key={r.id}
              className="rota-strip-mark"
              data-status={r.status}
              title={`${r.status.replace('_', ' ')} · ended ${relativeTime(r.ended_at, now)}`}
              style={{ background: `var(--mantine-color-${statusColor(r.status)}-filled)`, height: r.status === 'succeeded' ? 12 : 18 }}
            />
          ))}
        </span>
      </RouterAnchor>
      {open > 0 && (
        <Tooltip label={`${stats.open.running} running, ${stats.open.waiting} waiting, ${stats.open.queued} queued`}>
          <Text size="xs" c="blue" fw={600} aria-label={`${open} in progress`}>
            +{open}
          </Text>
        </Tooltip>
      )}
    </Group>
  );
}

/** "92%" of the runs that count (succeeded, failed, timed out), with what it is of on hover. */
export function SuccessRate({ stats }: { stats: AutomationStatsView | undefined }) {
  if (!stats) return null;
  if (stats.success_rate === null) {
    return (
      <Text size="sm" c="dimmed">
        –
      </Text>
    );
  }
  const rated = stats.recent.filter((r) => r.status === 'succeeded' || r.status === 'failed' || r.status === 'timed_out').length;
  const pct = Math.round(stats.success_rate * 100);
  const color = pct >= 95 ? 'teal' : pct >= 80 ? 'yellow' : 'red';
  return (
    <Tooltip label={`${Math.round(stats.success_rate * rated)} of the last ${rated} finished runs succeeded (canceled and skipped runs not counted)`}>
      <Text size="sm" fw={600} data-testid="success-rate" tabIndex={0} style={{ display: 'inline-flex', alignItems: 'center', gap: 6 }}>
        <span aria-hidden="true" className="rota-rate-dot" style={{ background: `var(--mantine-color-${color}-filled)` }} />
        {pct}%
      </Text>
    </Tooltip>
  );
}
