/**
 * Run detail (`/runs/$id?step=&tab=`): the step timeline derived from the run log, the selected
 * step's details, pending approvals, the log, inputs and output, artifacts, and the run's actions.
 * Progress arrives live over the run's SSE stream until the run ends (or live updates are paused).
 */
import { Alert, Badge, Group, Loader, SimpleGrid, Skeleton, Stack, Switch, Tabs, Text, Title } from '@mantine/core';
import { getRouteApi } from '@tanstack/react-router';
import { useEffect, useMemo, useState } from 'react';
import { RotaApiError, type RunView, type StepView } from '../../../src/client/index.js';
import { ApiError } from '../components/api-error';
import { EmptyState } from '../components/empty-state';
import { JsonBlock } from '../components/json-block';
import { PageHeader } from '../components/page-header';
import { RunActions } from '../components/run-actions';
import { PendingApprovals } from '../components/run-approvals';
import { TERMINAL, usePendingApprovals, useRun, useRunEvents } from '../components/run-data';
import { EventLog } from '../components/run-event-log';
import { useRunLive, type LiveState } from '../components/run-live';
import { StepPanel } from '../components/run-step-panel';
import { RunArtifacts, RunFacts } from '../components/run-summary';
import { Timeline, TimelineLegend } from '../components/run-timeline';
import { buildTimeline } from '../components/run-timeline-model';
import { StatusBadge } from '../components/status-badge';
import { RouterAnchor } from '../links';
import { useSession } from '../session';

const route = getRouteApi('/runs/$id');
const TABS = ['steps', 'events', 'data', 'artifacts'];

/** A clock that ticks only while something on the page is still moving. */
function useTicker(active: boolean, ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [active, ms]);
  return now;
}

const LIVE_LABEL: Record<LiveState, { text: string; color: string }> = {
  connecting: { text: 'Connecting…', color: 'gray' },
  live: { text: 'Live', color: 'teal' },
  reconnecting: { text: 'Reconnecting…', color: 'orange' },
  paused: { text: 'Paused', color: 'gray' },
  ended: { text: 'Ended', color: 'gray' },
};

/** The step to show when the URL names none: the one that needs attention, else the first. */
function defaultStep(steps: readonly StepView[]): string | null {
  for (const status of ['failed', 'waiting', 'running']) {
    const found = steps.find((s) => s.status === status && !s.on_failure) ?? steps.find((s) => s.status === status);
    if (found) return found.id;
  }
  return steps[0]?.id ?? null;
}

function LiveControl({ state, paused, onPause }: { state: LiveState; paused: boolean; onPause: (paused: boolean) => void }) {
  const label = LIVE_LABEL[state];
  return (
    <Group gap="sm" wrap="wrap">
      <Badge color={label.color} variant="dot" size="lg" radius="sm" role="status" aria-live="polite" data-live={state}>
        {label.text}
      </Badge>
      <Switch label="Pause live updates" checked={paused} onChange={(e) => onPause(e.currentTarget.checked)} />
    </Group>
  );
}

function RunData({ run }: { run: RunView }) {
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
      <Stack gap={4}>
        <Title order={2} size="h5">
          Inputs
        </Title>
        <JsonBlock value={run.inputs} label="Run inputs" maxHeight={480} />
      </Stack>
      <Stack gap={4}>
        <Title order={2} size="h5">
          Output
        </Title>
        {TERMINAL.has(run.status) ? <JsonBlock value={run.output} label="Run output" maxHeight={480} /> : <Text size="sm" c="dimmed">The run has not ended yet.</Text>}
      </Stack>
      <Stack gap={4}>
        <Title order={2} size="h5">
          Activation
        </Title>
        <Text size="xs" c="dimmed">
          what the trigger passed in
        </Text>
        <JsonBlock value={run.activation} label="Activation" maxHeight={480} />
      </Stack>
    </SimpleGrid>
  );
}

function RunPageLoading() {
  return (
    <Stack gap="sm" aria-busy="true" aria-label="Loading the run">
      <Skeleton height={32} width="40%" />
      <Skeleton height={16} width="60%" />
      <Skeleton height={200} />
    </Stack>
  );
}

export function RunPage() {
  const { id } = route.useParams();
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const { client } = useSession();
  const run = useRun(id);
  const events = useRunEvents(id);
  const [paused, setPaused] = useState(false);
  const status = run.data?.status;
  const ended = status !== undefined && TERMINAL.has(status);
  const live = useRunLive({ client, runId: id, ended, paused, ready: run.data !== undefined && events.data !== undefined, steps: run.data?.steps?.length ?? 0 });
  const tick = useTicker(!ended && !paused && run.data !== undefined, 1_000);
  // entries carry the server's clock: never draw "now" before the newest of them
  const lastEvent = events.data && events.data.length > 0 ? events.data[events.data.length - 1] : null;
  const now = Math.max(tick, lastEvent ? Date.parse(lastEvent.created_at) : 0);
  const approvals = usePendingApprovals(id, status === 'waiting' || status === 'running' || status === 'queued');

  const steps = run.data?.steps;
  const stepKey = steps?.map((s) => s.id).join('\n') ?? '';
  const timeline = useMemo(() => buildTimeline(events.data ?? [], stepKey ? stepKey.split('\n') : []), [events.data, stepKey]);
  const stepMap = useMemo(() => new Map((steps ?? []).map((s) => [s.id, s])), [steps]);
  const selected = search.step ?? defaultStep(steps ?? []);
  const tab = search.tab && TABS.includes(search.tab) ? search.tab : 'steps';
  const stepEvents = useMemo(() => (selected ? (events.data ?? []).filter((e) => e.step_id === selected) : []), [events.data, selected]);

  if (run.isPending) return <RunPageLoading />;
  if (run.error) {
    if (run.error instanceof RotaApiError && run.error.status === 404) {
      return (
        <EmptyState title="Run not found">
          No run <code>{id}</code> in this workspace. It may have been pruned by retention, or belong to another workspace. <RouterAnchor to="/runs" search={{}} underline="always">
            Browse the runs
          </RouterAnchor>.
        </EmptyState>
      );
    }
    return <ApiError error={run.error} title="The run could not be loaded" />;
  }

  const r = run.data;
  const pending = ended ? [] : approvals.data ?? [];
  // an agent step's tool approvals are shown in its conversation, where their call is
  const selectedStep = selected ? stepMap.get(selected) : undefined;
  const inline = tab === 'steps' && selectedStep?.action === 'agent' ? pending.filter((a) => a.step_id === selected) : [];
  const above = pending.filter((a) => !inline.includes(a));
  const t0 = timeline.queuedAt ?? Date.parse(r.queued_at);
  const selectStep = (stepId: string) => void navigate({ search: (prev) => ({ ...prev, step: stepId, tab: undefined }), replace: true, resetScroll: false });

  return (
    <>
      <PageHeader
        title={
          <Group gap="sm" wrap="wrap" component="span">
            <span>Run</span>
            <span className="rota-mono" style={{ fontSize: '0.6em', wordBreak: 'break-all' }}>
              {r.id}
            </span>
            <StatusBadge status={r.status} size="lg" />
            {r.pinned && (
              <Badge variant="default" radius="sm">
                pinned
              </Badge>
            )}
          </Group>
        }
        description={
          <>
            <RouterAnchor to="/automations/$name" params={{ name: r.automation }} search={{}} underline="always">
              {r.automation}
            </RouterAnchor>{' '}
            v{r.version} · {r.trigger_kind} trigger{r.waiting_for ? ` · waiting for ${r.waiting_for}` : ''}
          </>
        }
        actions={<RunActions run={r} />}
      />
      {!ended && (
        <Group justify="space-between" mb="sm" wrap="wrap" gap="xs">
          <LiveControl state={live} paused={paused} onPause={setPaused} />
        </Group>
      )}
      <RunFacts run={r} timeline={timeline} now={now} />
      {r.error && (
        <Alert color="red" variant="light" mb="md" title={`${r.error.code}${r.error.step_id ? ` in step ${r.error.step_id}` : ''}`} role="alert">
          <Text size="sm" style={{ wordBreak: 'break-word' }}>
            {r.error.message}
          </Text>
        </Alert>
      )}
      <ApiError error={approvals.error} title="Pending approvals could not be loaded" />
      <PendingApprovals approvals={above} />
      <Tabs value={tab} onChange={(v) => void navigate({ search: (prev) => ({ ...prev, tab: v && v !== 'steps' ? v : undefined }), replace: true, resetScroll: false })} keepMounted={false}>
        <Tabs.List mb="sm">
          <Tabs.Tab value="steps">Steps ({steps?.length ?? 0})</Tabs.Tab>
          <Tabs.Tab value="events">Events ({events.data?.length ?? 0})</Tabs.Tab>
          <Tabs.Tab value="data">Inputs and output</Tabs.Tab>
          <Tabs.Tab value="artifacts">Artifacts ({timeline.artifacts.length})</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="steps">
          {events.error ? (
            <ApiError error={events.error} title="The run log could not be loaded" />
          ) : events.isPending ? (
            <Loader role="status" size="sm" aria-label="Loading the run log" />
          ) : (
            <Stack gap="md">
              <Stack gap={6}>
                <TimelineLegend />
                <Timeline runId={r.id} timeline={timeline} steps={stepMap} selected={selected} now={timeline.endedAt ?? now} />
              </Stack>
              {selected ? (
                <StepPanel
                  runId={r.id}
                  stepId={selected}
                  step={selectedStep}
                  steps={stepMap}
                  line={timeline.steps.get(selected)}
                  events={stepEvents}
                  pending={inline}
                  t0={t0}
                  now={now}
                />
              ) : (
                <Text size="sm" c="dimmed">
                  This run has no steps.
                </Text>
              )}
            </Stack>
          )}
        </Tabs.Panel>
        <Tabs.Panel value="events">
          {events.error ? <ApiError error={events.error} title="The run log could not be loaded" /> : events.data ? <EventLog events={events.data} onSelectStep={selectStep} /> : <Loader role="status" size="sm" aria-label="Loading the run log" />}
        </Tabs.Panel>
        <Tabs.Panel value="data">
          <RunData run={r} />
        </Tabs.Panel>
        <Tabs.Panel value="artifacts">
          <RunArtifacts runId={r.id} artifacts={timeline.artifacts} />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}
