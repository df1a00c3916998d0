/** The selected step: what it was given and gave, its logs, error, cost, attempts and waits, and for agents the conversation. */
import { Alert, Badge, Code, Group, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import type { ApprovalView, RunEventView, StepView } from '../../../src/client/index.js';
import { count, duration, usd } from '../format';
import { RouterAnchor } from '../links';
import { JsonBlock } from './json-block';
import { Conversation } from './run-conversation';
import { PlanTable, planOf } from './run-plan';
import { entrySummary } from './run-event-log';
import { stepSpan, type Segment, type StepTimeline } from './run-timeline-model';
import { StatusBadge } from './status-badge';
import { Time } from './time';
import { ScrollTable } from './scroll-table';

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" component="div">
        {children}
      </Text>
    </div>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Stack gap={4} component="section" aria-label={title}>
      <Title order={3} size="h5">
        {title}
      </Title>
      {children}
    </Stack>
  );
}

const WAITING_TEXT: Record<string, string> = { sleep: 'Wakes', retry: 'The next attempt starts' };
const WAITING_UNTIL: Record<string, string> = {
  approval: 'Until a person decides.',
  event: 'Until a matching event is published in the workspace.',
  delegation: 'Until the delegate runtime calls back.',
  child_run: 'Until the child run ends.',
};

const KIND_LABEL: Record<Segment['kind'], string> = { queue: 'queued', exec: 'attempt', wait: 'wait' };
const OUTCOME_LABEL: Record<Segment['kind'], string> = { queue: 'picked up by a worker', exec: 'done', wait: 'woke' };

function Attempts({ segments, t0, now }: { segments: readonly Segment[]; t0: number; now: number }) {
  return (
    <ScrollTable minWidth={480} label="Attempts and waits, scrolls sideways">
      <Table fz="sm" verticalSpacing={2} withTableBorder>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>what</Table.Th>
            <Table.Th>attempt</Table.Th>
            <Table.Th>at (after run start)</Table.Th>
            <Table.Th>took</Table.Th>
            <Table.Th>outcome</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {segments.map((s, i) => (
            <Table.Tr key={i}>
              <Table.Td>{s.kind === 'wait' ? `wait: ${s.waitingFor ?? '?'}` : KIND_LABEL[s.kind]}</Table.Td>
              <Table.Td>{s.attempt ?? '–'}</Table.Td>
              <Table.Td>+{duration(s.start - t0)}</Table.Td>
              <Table.Td>
                {duration((s.end ?? now) - s.start)}
                {s.end === null ? ' so far' : ''}
              </Table.Td>
              <Table.Td>
                {s.end === null ? 'ongoing' : s.outcome ?? OUTCOME_LABEL[s.kind]}
                {s.error?.message ? `: ${s.error.code ?? ''} ${s.error.message}` : ''}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollTable>
  );
}

function Logs({ logs }: { logs: StepView['logs'] }) {
  if (logs.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        The step wrote no log lines.
      </Text>
    );
  }
  return (
    <Paper withBorder p="xs" radius="sm" style={{ maxHeight: 320, overflow: 'auto' }} tabIndex={0} aria-label="Log lines">
      <Stack gap={2} className="rota-mono">
        {logs.map((line, i) => (
          <Group key={i} gap="xs" wrap="nowrap" align="flex-start">
            <time dateTime={line.at} style={{ whiteSpace: 'nowrap' }} title={line.at}>
              {new Date(line.at).toLocaleTimeString()}
            </time>
            <Badge size="xs" radius="sm" variant="light" color={line.level === 'error' ? 'red' : line.level === 'warn' ? 'yellow' : 'gray'} style={{ flex: 'none' }}>
              {line.level}
            </Badge>
            <span style={{ wordBreak: 'break-word' }}>
              {line.message}
              {line.data !== undefined && <span style={{ color: 'var(--mantine-color-dimmed)' }}> {JSON.stringify(line.data)}</span>}
            </span>
          </Group>
        ))}
      </Stack>
    </Paper>
  );
}

function StepEvents({ events }: { events: readonly RunEventView[] }) {
  return (
    <ScrollTable minWidth={720} label="Log entries of this step, scrolls sideways">
      <Table fz="xs" verticalSpacing={2} withTableBorder>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>seq</Table.Th>
            <Table.Th>when</Table.Th>
            <Table.Th>entry</Table.Th>
            <Table.Th>data</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {events.slice(-100).map((e) => (
            <Table.Tr key={e.seq}>
              <Table.Td>{e.seq}</Table.Td>
              <Table.Td>
                <Time iso={e.created_at} />
              </Table.Td>
              <Table.Td className="rota-mono">{e.type}</Table.Td>
              <Table.Td className="rota-mono" style={{ wordBreak: 'break-word' }}>
                {entrySummary(e.type, e.data, 200)}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollTable>
  );
}

/** A planning step's plan, or why there is none yet; and, for a planned step, who planned it. */
function PlanSection({ runId, step, steps }: { runId: string; step: StepView; steps: ReadonlyMap<string, StepView> }) {
  const plan = planOf(step.output);
  return (
    <Section title={plan ? `Plan (${plan.length} step${plan.length === 1 ? '' : 's'})` : 'Plan'}>
      {plan ? (
        <>
          <Text size="xs" c="dimmed">
            The steps this planning step answered with; they joined the run under its name (<span className="rota-mono">{step.id}.…</span>), each after what it needs. The output below holds the plan as JSON.
          </Text>
          <PlanTable runId={runId} planner={step.id} plan={plan} steps={steps} />
        </>
      ) : (
        <Text size="sm" c="dimmed">
          {step.status === 'failed' ? 'No plan was accepted (the step failed).' : step.status === 'skipped' ? 'The step was skipped: it never planned.' : 'No plan yet: the steps it plans join the run once its answer is accepted.'}
        </Text>
      )}
    </Section>
  );
}

function PlannedBy({ runId, planner }: { runId: string; planner: string }) {
  return (
    <Text size="sm" data-testid="planned-by">
      planned by{' '}
      <RouterAnchor to="/runs/$id" params={{ id: runId }} search={(prev: Record<string, unknown>) => ({ ...prev, step: planner, tab: undefined })} replace resetScroll={false} className="rota-mono" underline="always">
        {planner}
      </RouterAnchor>
    </Text>
  );
}

export function StepPanel({
  runId,
  stepId,
  step,
  steps,
  line,
  events,
  pending,
  t0,
  now,
}: {
  runId: string;
  stepId: string;
  step: StepView | undefined;
  /** every step of the run, by id (a plan's rows show their status) */
  steps: ReadonlyMap<string, StepView>;
  line: StepTimeline | undefined;
  events: readonly RunEventView[];
  pending: readonly ApprovalView[];
  t0: number;
  now: number;
}) {
  if (!step) {
    return (
      <Text size="sm" c="dimmed">
        The run has no step “{stepId}”. Pick one in the timeline.
      </Text>
    );
  }
  const reused = record(step.external_ref).reused_from;
  const tokens = (line?.inputTokens ?? 0) + (line?.outputTokens ?? 0);
  const error = step.error;
  const errorDetails = error ? (error as { details?: unknown }).details : undefined;
  return (
    <Stack gap="md" aria-label={`Step ${stepId}`} component="article">
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="xs">
        <Group gap="xs" wrap="wrap">
          <Title order={2} size="h4" className="rota-mono">
            {stepId}
          </Title>
          <Badge variant="default" radius="sm">
            {step.action}
          </Badge>
          <StatusBadge status={step.status} />
          {step.on_failure && (
            <Badge variant="light" radius="sm" color="orange">
              on_failure
            </Badge>
          )}
          {step.plans && (
            <Badge variant="light" radius="sm" color="violet" title="a planning step: its output is the plan it made">
              plans
            </Badge>
          )}
          {step.planned_by && <PlannedBy runId={runId} planner={step.planned_by} />}
        </Group>
      </Group>
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} spacing="xs" verticalSpacing="xs">
        <Fact label="attempt">{step.attempt || '–'}</Fact>
        <Fact label="duration">
          {duration(stepSpan(line?.segments ?? [], now) ?? step.duration_ms)}
          {step.attempt > 1 && step.duration_ms !== null ? ` (last attempt ${duration(step.duration_ms)})` : ''}
        </Fact>
        <Fact label="started">
          <Time iso={step.started_at} />
        </Fact>
        <Fact label="ended">
          <Time iso={step.ended_at} />
        </Fact>
        <Fact label="cost">{usd(step.cost_usd)}</Fact>
        <Fact label="tokens">{line && line.modelCalls > 0 ? `${count(tokens)} (${count(line.inputTokens)} in, ${count(line.outputTokens)} out)` : '–'}</Fact>
      </SimpleGrid>
      {step.waiting_for && (
        <Alert color="yellow" variant="light" title={`Waiting for ${step.waiting_for === 'child_run' ? 'a child run' : step.waiting_for}`}>
          {step.wake_at ? (
            <>
              {WAITING_TEXT[step.waiting_for] ?? 'Wakes'} <Time iso={step.wake_at} />
              {Date.parse(step.wake_at) > now ? ` (in ${duration(Date.parse(step.wake_at) - now)})` : ''}.
            </>
          ) : (
            (WAITING_UNTIL[step.waiting_for] ?? 'Until what it waits for happens.') + (step.waiting_for === 'approval' ? (pending.length > 0 ? ' Decide in the conversation below.' : ' Decide in the approval above.') : '')
          )}
        </Alert>
      )}
      {typeof reused === 'string' && (
        <Text size="sm">
          Reused from{' '}
          <RouterAnchor to="/runs/$id" params={{ id: reused }} search={{ step: stepId }} underline="always">
            run {reused}
          </RouterAnchor>{' '}
          (a retry keeps the steps that succeeded).
        </Text>
      )}
      {error && (
        <Alert color="red" variant="light" title={`${error.code}${error.retriable ? ' (retriable)' : ''}`} role="alert">
          <Text size="sm" style={{ wordBreak: 'break-word' }}>
            {error.message}
          </Text>
          {errorDetails !== undefined && errorDetails !== null && <JsonBlock value={errorDetails} label="Error details" maxHeight={200} />}
        </Alert>
      )}
      {line && line.segments.length > 1 && (
        <Section title="Attempts and waits">
          <Attempts segments={line.segments} t0={t0} now={now} />
        </Section>
      )}
      {step.plans && <PlanSection runId={runId} step={step} steps={steps} />}
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <Section title="Input">
          <JsonBlock value={step.input} label={`Input of ${stepId}`} />
        </Section>
        <Section title="Output">
          {step.status === 'succeeded' || step.output !== null ? (
            <JsonBlock value={step.output} label={`Output of ${stepId}`} />
          ) : (
            <Text size="sm" c="dimmed">
              No output {step.status === 'failed' ? '(the step failed)' : 'yet'}.
            </Text>
          )}
        </Section>
      </SimpleGrid>
      <Section title="Logs">
        <Logs logs={step.logs} />
      </Section>
      {step.action === 'agent' && (
        <Section title="Conversation">
          <Conversation runId={runId} stepId={stepId} pending={pending} />
        </Section>
      )}
      {step.action !== 'agent' && pending.length > 0 && (
        <Text size="sm">
          This step waits for a decision: see the approval above.
        </Text>
      )}
      <Section title={`Log entries of this step (${events.length})`}>
        {events.length === 0 ? (
          <Text size="sm" c="dimmed">
            None yet.
          </Text>
        ) : (
          <StepEvents events={events} />
        )}
        {events.length > 100 && (
          <Text size="xs" c="dimmed">
            The last 100 are shown; the Events tab has them all.
          </Text>
        )}
      </Section>
      {step.external_ref !== null && typeof reused !== 'string' && (
        <Section title="External reference">
          <Code block>{JSON.stringify(step.external_ref, null, 2)}</Code>
        </Section>
      )}
    </Stack>
  );
}
