/** The run's facts at a glance (times, queue delay apart from execution, cost, lineage) and the artifacts of its agent steps. */
import { Badge, Button, Code, CopyButton, Group, SimpleGrid, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import type { RunView } from '../../../src/client/index.js';
import { count, duration, usd } from '../format';
import { RouterAnchor } from '../links';
import { EmptyState } from './empty-state';
import { Time } from './time';
import { initialQueueDelay, totals, type ArtifactEntry, type RunTimeline } from './run-timeline-model';
import { ScrollTable } from './scroll-table';

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" component="div">
        {label}
      </Text>
      <Text size="sm" component="div" style={{ wordBreak: 'break-word' }}>
        {children}
      </Text>
    </div>
  );
}

function RunLink({ id }: { id: string }) {
  return (
    <RouterAnchor to="/runs/$id" params={{ id }} search={{}} className="rota-mono">
      {id}
    </RouterAnchor>
  );
}

export function RunFacts({ run, timeline, now }: { run: RunView; timeline: RunTimeline; now: number }) {
  const time = totals(timeline.run, now);
  const queue = initialQueueDelay(timeline, now);
  const end = run.ended_at ? Date.parse(run.ended_at) : now;
  return (
    <SimpleGrid cols={{ base: 2, xs: 3, md: 4, lg: 6 }} spacing="sm" verticalSpacing="xs" mb="md" aria-label="Run facts" component="section">
      <Fact label="queued">
        <Time iso={run.queued_at} />
      </Fact>
      <Fact label="started">
        <Time iso={run.started_at} />
      </Fact>
      <Fact label="ended">
        <Time iso={run.ended_at} />
      </Fact>
      <Fact label="total">{duration(end - Date.parse(run.queued_at))}</Fact>
      <Fact label="queue delay">{queue === null ? '–' : duration(queue)}</Fact>
      <Fact label="executing">{duration(time.exec)}</Fact>
      <Fact label="waiting">{duration(time.wait)}</Fact>
      <Fact label="queued after waits">{duration(Math.max(0, time.queue - (queue ?? 0)))}</Fact>
      <Fact label="cost">{usd(run.cost_usd)}</Fact>
      <Fact label="tokens">{count(run.tokens)}</Fact>
      <Fact label="trigger">
        {run.trigger_kind}
        {run.trigger_id !== run.trigger_kind && (
          <>
            {' '}
            <span className="rota-mono">{run.trigger_id}</span>
          </>
        )}
      </Fact>
      <Fact label="attempt">{run.attempt}</Fact>
      {run.parent_run_id && (
        <Fact label="parent run">
          <RunLink id={run.parent_run_id} />
        </Fact>
      )}
      {run.retry_of && (
        <Fact label="retry of">
          <RunLink id={run.retry_of} />
        </Fact>
      )}
      {run.replay_of && (
        <Fact label="replay of">
          <RunLink id={run.replay_of} />
        </Fact>
      )}
      {run.idempotency_key && (
        <Fact label="idempotency key">
          <span className="rota-mono">{run.idempotency_key}</span>
        </Fact>
      )}
      {run.trace_id && (
        <Fact label="trace">
          <span className="rota-mono">{run.trace_id}</span>
        </Fact>
      )}
      {run.skip_reason && <Fact label="skipped because">{run.skip_reason}</Fact>}
    </SimpleGrid>
  );
}

export function RunArtifacts({ runId, artifacts }: { runId: string; artifacts: readonly ArtifactEntry[] }) {
  if (artifacts.length === 0) {
    return (
      <EmptyState title="No artifacts">
        Agent steps with an <Code>output_schema</Code> keep each answer they validate as an artifact with its SHA-256; this run has none. Their content is in the step&apos;s conversation.
      </EmptyState>
    );
  }
  return (
    <ScrollTable minWidth={720} label="Artifacts of the run, scrolls sideways">
      <Table striped withTableBorder fz="sm" verticalSpacing={4}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>step</Table.Th>
            <Table.Th>#</Table.Th>
            <Table.Th>check</Table.Th>
            <Table.Th>SHA-256</Table.Th>
            <Table.Th>when</Table.Th>
            <Table.Th>errors</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {artifacts.map((a) => (
            <Table.Tr key={a.seq}>
              <Table.Td>
                {a.stepId && (
                  <RouterAnchor to="/runs/$id" params={{ id: runId }} search={(prev: Record<string, unknown>) => ({ ...prev, step: a.stepId!, tab: undefined })} className="rota-mono">
                    {a.stepId}
                  </RouterAnchor>
                )}
              </Table.Td>
              <Table.Td>{a.position ?? '–'}</Table.Td>
              <Table.Td>
                <Badge size="sm" radius="sm" variant="light" color={a.valid ? 'teal' : 'red'}>
                  {a.kind}
                </Badge>
              </Table.Td>
              <Table.Td>
                {a.sha256 && (
                  <Group gap={4} wrap="nowrap">
                    <Code>{a.sha256}</Code>
                    <CopyButton value={a.sha256}>
                      {({ copied, copy }) => (
                        <Button size="compact-xs" variant="subtle" onClick={copy} aria-label={`Copy SHA-256 of artifact ${a.position ?? ''} of ${a.stepId ?? 'the run'}`}>
                          {copied ? 'copied' : 'copy'}
                        </Button>
                      )}
                    </CopyButton>
                  </Group>
                )}
              </Table.Td>
              <Table.Td>
                <Time iso={new Date(a.at).toISOString()} />
              </Table.Td>
              <Table.Td>{Array.isArray(a.errors) && a.errors.length > 0 ? <span className="rota-mono">{JSON.stringify(a.errors).slice(0, 160)}</span> : '–'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollTable>
  );
}
