/**
 * The step timeline: one row per step, each attempt and each wait its own bar, queue time apart.
 * Virtualized (a 500-step run renders the twenty-odd rows in view); each row is a link that
 * selects the step (`?step=`), and ArrowUp/ArrowDown move the selection.
 */
import './run-timeline.css';
import { Group, Text, VisuallyHidden } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { Link, useNavigate } from '@tanstack/react-router';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useRef, type KeyboardEvent } from 'react';
import type { StepView } from '../../../src/client/index.js';
import { duration } from '../format';
import { StatusBadge } from './status-badge';
import { stepSpan, totals, type Marker, type RunTimeline, type Segment } from './run-timeline-model';

const ROW = 34;
const ROW_NARROW = 56;
const MAX_HEIGHT = 440;

interface Scale {
  t0: number;
  span: number;
  now: number;
}

function pct(scale: Scale, t: number): number {
  return Math.min(100, Math.max(0, ((t - scale.t0) / scale.span) * 100));
}

function segmentLabel(seg: Segment, now: number): string {
  const ms = (seg.end ?? now) - seg.start;
  const open = seg.end === null ? ' so far' : '';
  if (seg.kind === 'queue') return `queued ${duration(ms)}${open}`;
  if (seg.kind === 'wait') return `waited for ${seg.waitingFor ?? 'a wake-up'} ${duration(ms)}${open}`;
  if (seg.outcome === 'skipped') return 'skipped';
  const attempt = seg.attempt ? `attempt ${seg.attempt} ` : '';
  const outcome = seg.end === null ? 'running' : seg.outcome ?? 'ran';
  return `${attempt}${outcome} ${duration(ms)}${open}${seg.error?.message ? `: ${seg.error.message}` : ''}`;
}

/** What the bars say, in words (for screen readers and the row's accessible name). */
export function describeSegments(segments: readonly Segment[], now: number): string {
  if (segments.length === 0) return 'not started';
  const parts = segments.slice(0, 6).map((s) => segmentLabel(s, now));
  if (segments.length > 6) parts.push(`and ${segments.length - 6} more`);
  return parts.join(', ');
}

function Bars({ segments, markers, scale }: { segments: readonly Segment[]; markers: readonly Marker[]; scale: Scale }) {
  return (
    <div className="rota-tl-track" aria-hidden="true">
      {segments.map((seg, i) => {
        const left = pct(scale, seg.start);
        const right = pct(scale, seg.end ?? scale.now);
        return (
          <div
            key={i}
            className="rota-tl-bar"
            data-kind={seg.kind}
            data-outcome={seg.outcome}
            data-waiting={seg.waitingFor}
            data-open={seg.end === null ? 'true' : undefined}
            title={segmentLabel(seg, scale.now)}
            style={{ left: `${left}%`, width: `${Math.max(0, right - left)}%` }}
          />
        );
      })}
      {markers.map((m, i) => (
        <div key={`m${i}`} className="rota-tl-marker" title={m.type} style={{ left: `${pct(scale, m.at)}%` }} />
      ))}
    </div>
  );
}

const StepRow = memo(function StepRow({
  runId,
  stepId,
  step,
  segments,
  markers,
  t0,
  span,
  now,
  selected,
  index,
  count,
  start,
  height,
}: {
  runId: string;
  stepId: string;
  step: StepView | undefined;
  segments: readonly Segment[];
  markers: readonly Marker[];
  t0: number;
  span: number;
  now: number;
  selected: boolean;
  index: number;
  count: number;
  start: number;
  height: number;
}) {
  const scale: Scale = { t0, span, now };
  const ms = stepSpan(segments, now) ?? step?.duration_ms ?? null;
  const time = totals(segments, now);
  return (
    <div role="listitem" aria-setsize={count} aria-posinset={index + 1} data-index={index}>
      <Link
        to="/runs/$id"
        params={{ id: runId }}
        search={(prev) => ({ ...prev, step: stepId })}
        replace
        resetScroll={false}
        className="rota-tl-grid rota-tl-row"
        aria-current={selected ? 'true' : undefined}
        data-step={stepId}
        style={{ height, transform: `translateY(${start}px)` }}
      >
        <span className="rota-tl-label" data-planned={step?.planned_by ? 'true' : undefined}>
          <span className="rota-tl-name">{stepId}</span>
          {step && <span className="rota-tl-action">{step.action}</span>}
          {step?.plans && (
            <span className="rota-tl-tag" data-tag="plans" title="a planning step: its output is the plan it made">
              plans
            </span>
          )}
          {step?.planned_by && (
            <span className="rota-tl-tag" data-tag="planned" title={`planned by ${step.planned_by}`}>
              planned
            </span>
          )}
          <StatusBadge status={step?.status ?? 'pending'} size="xs" />
        </span>
        <Bars segments={segments} markers={markers} scale={scale} />
        <span className="rota-tl-dur" title={time.queue > 0 ? `queued ${duration(time.queue)}` : undefined}>
          {duration(ms)}
        </span>
        <VisuallyHidden>{describeSegments(segments, now)}</VisuallyHidden>
      </Link>
    </div>
  );
});

function Axis({ scale }: { scale: Scale }) {
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return (
    <div className="rota-tl-grid rota-tl-head" aria-hidden="true">
      <span className="rota-tl-label">step</span>
      <div className="rota-tl-axis">
        {ticks.map((f) => (
          <span key={f} className="rota-tl-tick" style={{ left: `${f * 100}%` }}>
            {f === 0 ? '0' : duration(scale.span * f)}
          </span>
        ))}
      </div>
      <span className="rota-tl-dur">duration</span>
    </div>
  );
}

export function TimelineLegend() {
  const items: { kind: string; outcome?: string; waiting?: string; label: string }[] = [
    { kind: 'queue', label: 'queued' },
    { kind: 'exec', label: 'running' },
    { kind: 'exec', outcome: 'succeeded', label: 'succeeded' },
    { kind: 'exec', outcome: 'failed', label: 'failed' },
    { kind: 'exec', outcome: 'retrying', label: 'failed, retried' },
    { kind: 'wait', label: 'waiting' },
    { kind: 'wait', waiting: 'retry', label: 'retry backoff' },
  ];
  return (
    <Group gap="md" wrap="wrap" aria-label="Legend">
      {items.map((item) => (
        <span key={item.label} className="rota-tl-legend">
          <span className="rota-tl-bar" data-kind={item.kind} data-outcome={item.outcome} data-waiting={item.waiting} aria-hidden="true" />
          {item.label}
        </span>
      ))}
    </Group>
  );
}

export function Timeline({
  runId,
  timeline,
  steps,
  selected,
  now,
}: {
  runId: string;
  timeline: RunTimeline;
  steps: ReadonlyMap<string, StepView>;
  selected: string | null;
  now: number;
}) {
  const narrow = useMediaQuery('(max-width: 640px)') ?? false;
  const rowHeight = narrow ? ROW_NARROW : ROW;
  const scrollRef = useRef<HTMLDivElement>(null);
  const navigate = useNavigate();
  const order = timeline.order;
  const virtualizer = useVirtualizer({ count: order.length, getScrollElement: () => scrollRef.current, estimateSize: () => rowHeight, overscan: 8 });

  useEffect(() => {
    virtualizer.measure();
  }, [rowHeight, virtualizer]);

  const selectedIndex = selected ? order.indexOf(selected) : -1;
  useEffect(() => {
    if (selectedIndex >= 0) virtualizer.scrollToIndex(selectedIndex, { align: 'auto' });
  }, [selectedIndex, virtualizer]);

  const t0 = timeline.queuedAt ?? timeline.run[0]?.start ?? now;
  const t1 = timeline.endedAt ?? now;
  const scale: Scale = { t0, span: Math.max(1, t1 - t0), now };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp' && e.key !== 'Home' && e.key !== 'End') return;
    if (order.length === 0) return;
    e.preventDefault();
    const from = selectedIndex < 0 ? -1 : selectedIndex;
    const next = e.key === 'Home' ? 0 : e.key === 'End' ? order.length - 1 : Math.min(order.length - 1, Math.max(0, from + (e.key === 'ArrowDown' ? 1 : -1)));
    void navigate({ to: '/runs/$id', params: { id: runId }, search: (prev) => ({ ...prev, step: order[next] }), replace: true, resetScroll: false });
    virtualizer.scrollToIndex(next, { align: 'auto' });
    // the row exists once the virtualizer rendered it
    requestAnimationFrame(() => requestAnimationFrame(() => scrollRef.current?.querySelector<HTMLElement>(`[data-index="${next}"] a`)?.focus()));
  };

  const runSegments = timeline.run;
  const height = Math.min(MAX_HEIGHT, Math.max(order.length, 1) * rowHeight);
  return (
    <div className="rota-tl-frame">
      <Axis scale={scale} />
      <div className="rota-tl-grid rota-tl-run" style={{ height: rowHeight }}>
        <span className="rota-tl-label">
          <Text size="xs" fw={600} component="span">
            run
          </Text>
        </span>
        <Bars segments={runSegments} markers={[]} scale={scale} />
        <span className="rota-tl-dur">{duration(t1 - t0)}</span>
        <VisuallyHidden>{describeSegments(runSegments, now)}</VisuallyHidden>
      </div>
      {order.length === 0 ? (
        <Text size="sm" c="dimmed" p="sm">
          No step has started yet.
        </Text>
      ) : (
        <div ref={scrollRef} className="rota-tl-scroll" style={{ height }} onKeyDown={onKeyDown}>
          <div role="list" aria-label={`Steps (${order.length})`} style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {virtualizer.getVirtualItems().map((item) => {
              const id = order[item.index];
              const line = timeline.steps.get(id)!;
              return (
                <StepRow
                  key={id}
                  runId={runId}
                  stepId={id}
                  step={steps.get(id)}
                  segments={line.segments}
                  markers={line.markers}
                  t0={scale.t0}
                  span={scale.span}
                  now={scale.now}
                  selected={id === selected}
                  index={item.index}
                  count={order.length}
                  start={item.start}
                  height={rowHeight}
                />
              );
            })}
          </div>
        </div>
      )}
    </div>
  );
}
