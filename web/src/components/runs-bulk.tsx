/**
 * Bulk cancel/retry from the runs explorer: of the selected runs, or of every run matching the
 * filter, looping over `POST /runs/bulk` batch by batch with a progress bar (a filter's runs are
 * worked through by the server's keyset cursor; the filter's times are fixed when the job starts).
 */
import { Alert, Button, Group, List, Modal, Progress, Stack, Table, Text } from '@mantine/core';
import { useRef, useState } from 'react';
import type { BulkRunResult, BulkRunsResult, RotaClient } from '../../../src/client/index.js';
import { count } from '../format';
import { RouterAnchor } from '../links';
import { useSession } from '../session';
import { ApiError } from './api-error';
import { describeFilter, toFilter, type RunsSearch } from './runs-filter';
import { shortId } from './runs-table';

export type BulkActionName = 'cancel' | 'retry';

export type BulkScope = { kind: 'ids'; ids: string[] } | { kind: 'filter'; search: RunsSearch; total: number };

export interface BulkJob {
  /** tells jobs apart, so each opens a fresh dialog */
  id: number;
  action: BulkActionName;
  scope: BulkScope;
}

/** Runs per call when working through a filter (the server caps it at 500). */
export const BULK_BATCH = 100;
const IDS_PER_CALL = 500;

const VERB = { cancel: { do: 'Cancel', did: 'Canceled', ing: 'Canceling' }, retry: { do: 'Retry', did: 'Retried', ing: 'Retrying' } } as const;

const REASON: Record<string, string> = {
  already_ended: 'had already ended',
  not_failed: 'had not failed (only failed, timed out or canceled runs are retried)',
  already_retried: 'were retried before (their retry is linked)',
  automation_paused: 'belong to a paused or archived automation',
  not_found: 'were not found',
  refused: 'were refused',
};

interface Progressed {
  processed: number;
  done: number;
  remaining: number;
  skipped: Map<string, BulkRunResult[]>;
}

function absorb(into: Progressed, batch: BulkRunsResult): Progressed {
  const skipped = new Map(into.skipped);
  for (const r of batch.results) {
    if (r.outcome !== 'skipped') continue;
    const key = r.reason ?? 'refused';
    skipped.set(key, [...(skipped.get(key) ?? []), r]);
  }
  return { processed: into.processed + batch.results.length, done: into.done + batch.done, remaining: batch.remaining, skipped };
}

async function* batches(client: RotaClient, job: BulkJob): AsyncGenerator<BulkRunsResult> {
  if (job.scope.kind === 'ids') {
    for (let i = 0; i < job.scope.ids.length; i += IDS_PER_CALL) yield client.runs.bulk({ action: job.action, ids: job.scope.ids.slice(i, i + IDS_PER_CALL) });
    return;
  }
  const filter = toFilter(job.scope.search, Date.now());
  let cursor: string | null = null;
  do {
    const batch: BulkRunsResult = await client.runs.bulk({ action: job.action, filter, cursor, limit: BULK_BATCH });
    yield batch;
    cursor = batch.next_cursor;
  } while (cursor);
}

function scopeText(job: BulkJob): string {
  if (job.scope.kind === 'ids') return `${count(job.scope.ids.length)} selected run${job.scope.ids.length === 1 ? '' : 's'}`;
  return `every run matching the filter (${count(job.scope.total)} now): ${describeFilter(job.scope.search)}`;
}

function expected(job: BulkJob): number {
  return job.scope.kind === 'ids' ? job.scope.ids.length : job.scope.total;
}

/** Confirm, run with progress, then say what happened; `onClose(true)` when anything ran. */
export function BulkDialog({ job, onClose }: { job: BulkJob; onClose: (ran: boolean) => void }) {
  const { client } = useSession();
  const [phase, setPhase] = useState<'confirm' | 'running' | 'done'>('confirm');
  const [progress, setProgress] = useState<Progressed>({ processed: 0, done: 0, remaining: expected(job), skipped: new Map() });
  const [error, setError] = useState<unknown>(null);
  const [stopped, setStopped] = useState(false);
  const [stopAsked, setStopAsked] = useState(false);
  const stop = useRef(false);
  const verb = VERB[job.action];

  async function start() {
    setPhase('running');
    let state = progress;
    try {
      for await (const batch of batches(client, job)) {
        state = absorb(state, batch);
        setProgress(state);
        if (stop.current) {
          setStopped(true);
          break;
        }
      }
    } catch (err) {
      setError(err);
    }
    setPhase('done');
  }

  const planned = Math.max(progress.processed + progress.remaining, 1);
  const percent = phase === 'done' && !error && !stopped ? 100 : Math.round((progress.processed / planned) * 100);
  const skippedCount = progress.processed - progress.done;
  return (
    <Modal
      opened
      onClose={() => phase !== 'running' && onClose(phase === 'done')}
      closeOnClickOutside={phase !== 'running'}
      closeOnEscape={phase !== 'running'}
      withCloseButton={phase !== 'running'}
      title={`${verb.do} runs`}
      size="lg"
    >
      <Stack gap="sm">
        <Text size="sm">
          {verb.do} {scopeText(job)}.
        </Text>
        {phase === 'confirm' && (
          <>
            <Text size="sm" c="dimmed">
              {job.action === 'cancel'
                ? 'Queued and waiting runs end canceled at once; a running run has its step aborted. Runs that have ended are left as they are.'
                : 'Each failed, timed out or canceled run gets a new run that starts from its failed step (completed steps are reused). Runs that did not fail, were retried before, or whose automation is paused are skipped.'}
            </Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={() => onClose(false)}>
                Keep them
              </Button>
              <Button color={job.action === 'cancel' ? 'red' : undefined} onClick={() => void start()} data-autofocus>
                {verb.do} {job.scope.kind === 'ids' ? count(job.scope.ids.length) : `all ${count(job.scope.total)}`} runs
              </Button>
            </Group>
          </>
        )}
        {phase !== 'confirm' && (
          <>
            <Progress value={percent} aria-label={`${verb.ing} runs`} animated={phase === 'running'} size="lg" />
            <Text size="sm" aria-live="polite" data-testid="bulk-progress">
              {phase === 'running' ? `${verb.ing}… ` : ''}
              {count(progress.processed)} of {count(planned)} runs handled · {count(progress.done)} {verb.did.toLowerCase()} · {count(skippedCount)} skipped
            </Text>
          </>
        )}
        {phase === 'running' && (
          <Group justify="flex-end">
            <Button
              variant="default"
              disabled={stopAsked}
              onClick={() => {
                stop.current = true;
                setStopAsked(true);
              }}
            >
              Stop after this batch
            </Button>
          </Group>
        )}
        {phase === 'done' && (
          <>
            <ApiError error={error} title="The bulk action stopped" />
            {stopped && (
              <Alert color="yellow" variant="light">
                Stopped: {count(progress.remaining)} matching runs were not handled. Start it again to go on (runs already handled are skipped).
              </Alert>
            )}
            {!error && !stopped && (
              <Alert color={progress.done > 0 ? 'teal' : 'gray'} variant="light" data-testid="bulk-summary">
                {verb.did} {count(progress.done)} run{progress.done === 1 ? '' : 's'}
                {skippedCount > 0 ? `; ${count(skippedCount)} skipped` : ''}.
              </Alert>
            )}
            {progress.skipped.size > 0 && <SkippedTable skipped={progress.skipped} />}
            <Group justify="flex-end">
              <Button onClick={() => onClose(true)}>Close</Button>
            </Group>
          </>
        )}
      </Stack>
    </Modal>
  );
}

function SkippedTable({ skipped }: { skipped: Map<string, BulkRunResult[]> }) {
  return (
    <Table.ScrollContainer minWidth={420} type="native">
      <Table aria-label="Skipped runs" verticalSpacing={4}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Skipped</Table.Th>
            <Table.Th>Runs</Table.Th>
            <Table.Th>For example</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {[...skipped.entries()].map(([reason, runs]) => (
            <Table.Tr key={reason} data-reason={reason}>
              <Table.Td>
                <Text size="sm">{REASON[reason] ?? reason}</Text>
              </Table.Td>
              <Table.Td>{count(runs.length)}</Table.Td>
              <Table.Td>
                <List size="xs" listStyleType="none">
                  {runs.slice(0, 3).map((r) => (
                    <List.Item key={r.id}>
                      <RouterAnchor to="/runs/$id" params={{ id: r.id }} size="xs" className="rota-mono" underline="always">
                        {shortId(r.id)}
                      </RouterAnchor>{' '}
                      {r.message}
                    </List.Item>
                  ))}
                </List>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
