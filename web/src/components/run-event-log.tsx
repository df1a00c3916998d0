/** The run log, every entry, virtualized; a filter on type and step; the chosen entry's data in full. */
import './run-timeline.css';
import { Group, Paper, Stack, Text, TextInput, UnstyledButton } from '@mantine/core';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useDeferredValue, useMemo, useRef, useState } from 'react';
import type { RunEventView } from '../../../src/client/index.js';
import { absoluteTime } from '../format';
import { JsonBlock } from './json-block';

const ROW = 30;

/** One line of an entry's data: compact JSON, clipped. */
export function eventSummary(data: unknown, max = 140): string {
  if (data === null || data === undefined) return '';
  const text = JSON.stringify(data);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** One line for an entry: in words where its data says it better (a plan's steps), else its data. */
export function entrySummary(type: string, data: unknown, max = 140): string {
  if (type === 'plan.accepted') {
    const steps = (data as { steps?: unknown } | null)?.steps;
    if (Array.isArray(steps)) {
      const text = `planned ${steps.length} step${steps.length === 1 ? '' : 's'}: ${steps.join(', ')}`;
      return text.length > max ? `${text.slice(0, max)}…` : text;
    }
  }
  return eventSummary(data, max);
}

function tone(type: string): 'bad' | 'good' | undefined {
  if (type.endsWith('failed') || type.endsWith('timed_out') || type.endsWith('retrying') || type === 'artifact.invalid' || type === 'budget.exceeded') return 'bad';
  if (type.endsWith('succeeded') || type === 'artifact.validated' || type === 'plan.accepted') return 'good';
  return undefined;
}

export function EventLog({ events, onSelectStep }: { events: readonly RunEventView[]; onSelectStep?: (stepId: string) => void }) {
  const [filter, setFilter] = useState('');
  const [chosen, setChosen] = useState<number | null>(null);
  const deferred = useDeferredValue(filter.trim().toLowerCase());
  const shown = useMemo(
    () => (deferred ? events.filter((e) => e.type.includes(deferred) || (e.step_id ?? '').toLowerCase().includes(deferred)) : events),
    [events, deferred],
  );
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: shown.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW, overscan: 12 });
  const picked = chosen === null ? null : events.find((e) => e.seq === chosen) ?? null;
  const t0 = events.length > 0 ? Date.parse(events[0].created_at) : 0;

  return (
    <Stack gap="xs">
      <Group gap="sm" wrap="wrap" align="flex-end">
        <TextInput label="Filter entries" description="by type (step.failed, approval) or step id" value={filter} onChange={(e) => setFilter(e.currentTarget.value)} w={320} maw="100%" />
        <Text size="sm" c="dimmed" aria-live="polite">
          {shown.length === events.length ? `${events.length} entries` : `${shown.length} of ${events.length} entries`}
        </Text>
      </Group>
      {shown.length === 0 ? (
        <Text size="sm" c="dimmed">
          {events.length === 0 ? 'The run log is empty.' : 'No entry matches the filter.'}
        </Text>
      ) : (
        <div className="rota-tl-frame">
          <div className="rota-ev-row rota-ev-head" aria-hidden="true">
            <span>seq</span>
            <span className="rota-ev-time">after start</span>
            <span>entry</span>
            <span>step</span>
            <span className="rota-ev-data">data</span>
          </div>
          <div ref={scrollRef} className="rota-tl-scroll" style={{ height: Math.min(480, shown.length * ROW) }}>
            <div role="list" aria-label="Run log" style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
              {virtualizer.getVirtualItems().map((item) => {
                const e = shown[item.index];
                return (
                  <div key={e.seq} role="listitem" aria-setsize={shown.length} aria-posinset={item.index + 1}>
                    <UnstyledButton
                      className="rota-ev-row"
                      onClick={() => setChosen(e.seq === chosen ? null : e.seq)}
                      aria-pressed={e.seq === chosen}
                      style={{ height: ROW, transform: `translateY(${item.start}px)` }}
                      data-seq={e.seq}
                    >
                      <span className="rota-ev-seq">{e.seq}</span>
                      <span className="rota-ev-time" title={absoluteTime(e.created_at)}>
                        +{((Date.parse(e.created_at) - t0) / 1000).toFixed(3)} s
                      </span>
                      <span className="rota-ev-type" data-tone={tone(e.type)}>
                        {e.type}
                      </span>
                      <span className="rota-ev-step">{e.step_id ?? ''}</span>
                      <span className="rota-ev-data">{entrySummary(e.type, e.data)}</span>
                    </UnstyledButton>
                  </div>
                );
              })}
            </div>
          </div>
        </div>
      )}
      {picked && (
        <Paper withBorder p="sm" radius="sm" aria-label={`Entry ${picked.seq}`} component="section">
          <Group justify="space-between" gap="xs" mb="xs" wrap="wrap">
            <Text size="sm" fw={600}>
              #{picked.seq} <span className="rota-mono">{picked.type}</span>
              {picked.step_id && (
                <>
                  {' '}
                  · step{' '}
                  {onSelectStep ? (
                    <UnstyledButton className="rota-mono" td="underline" onClick={() => onSelectStep(picked.step_id!)}>
                      {picked.step_id}
                    </UnstyledButton>
                  ) : (
                    <span className="rota-mono">{picked.step_id}</span>
                  )}
                </>
              )}
            </Text>
            <Text size="xs" c="dimmed">
              {absoluteTime(picked.created_at)}
            </Text>
          </Group>
          <JsonBlock value={picked.data} label={`Data of entry ${picked.seq}`} />
        </Paper>
      )}
    </Stack>
  );
}
