/** The automation page's overview: its health (status, circuit breaker, today's budget, version) and recent runs. */
import { Card, Code, Group, Progress, SimpleGrid, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Scope, type AutomationView } from '../../../src/client/index.js';
import { betweenMs, count, duration, usd } from '../format';
import { RouterAnchor } from '../links';
import { useSession } from '../session';
import { ApiError } from './api-error';
import { StatusBadge } from './status-badge';
import { Time } from './time';
import './automation-table.css';

function HealthCard({ title, children, testId }: { title: string; children: React.ReactNode; testId?: string }) {
  return (
    <Card withBorder padding="md" radius="md" data-testid={testId}>
      <Stack gap={6}>
        <Text size="xs" fw={700} tt="uppercase" c="dimmed">
          {title}
        </Text>
        {children}
      </Stack>
    </Card>
  );
}

function StatusCard({ automation }: { automation: AutomationView }) {
  return (
    <HealthCard title="Status" testId="status-card">
      <Group gap="xs">
        <StatusBadge status={automation.status} size="lg" />
      </Group>
      {automation.paused ? (
        <Text size="sm">
          Paused {automation.paused.reason === 'circuit_breaker' ? 'by the circuit breaker' : 'by hand'} <Time iso={automation.paused.at} />. Nothing fires until it is resumed; queued runs wait.
        </Text>
      ) : automation.status === 'archived' ? (
        <Text size="sm">Read-only until it is unarchived (then paused).</Text>
      ) : (
        <Text size="sm">Triggers fire and runs start.</Text>
      )}
    </HealthCard>
  );
}

function BreakerCard({ automation }: { automation: AutomationView }) {
  const limit = automation.definition.execution?.pause_after_failures;
  const failures = automation.consecutive_failures;
  const tripped = automation.paused?.reason === 'circuit_breaker';
  return (
    <HealthCard title="Circuit breaker" testId="breaker-card">
      {limit ? (
        <>
          <Text size="sm" fw={600}>
            {failures} of {limit} failures in a row
          </Text>
          <Progress value={Math.min(100, (failures / limit) * 100)} color={tripped || failures >= limit ? 'red' : failures > 0 ? 'orange' : 'teal'} aria-label={`${failures} of ${limit} consecutive failures`} />
          <Text size="xs" c="dimmed">
            {tripped ? 'Tripped: it paused the automation. Resuming resets the count.' : `Pauses the automation after ${limit} failed or timed-out runs in a row; a success resets the count.`}
          </Text>
        </>
      ) : (
        <>
          <Text size="sm" fw={600}>
            Off
          </Text>
          <Text size="xs" c="dimmed">
            {failures > 0 ? `${failures} failed or timed-out runs in a row. ` : ''}Set <Code>execution.pause_after_failures</Code> to pause after N failures in a row.
          </Text>
        </>
      )}
    </HealthCard>
  );
}

function BudgetCard({ automation }: { automation: AutomationView }) {
  const { client, can } = useSession();
  const perDay = automation.definition.execution?.budget?.per_day;
  const readable = can(Scope.runs_read);
  const costs = useQuery({ queryKey: ['automation', automation.name, 'costs-today'], queryFn: () => client.automations.costs(automation.name, { days: 1 }), enabled: readable, refetchInterval: 30_000 });
  const spent = costs.data?.cost_usd ?? 0;
  const tokens = costs.data?.tokens ?? 0;
  return (
    <HealthCard title="Budget today (UTC)" testId="budget-card">
      {!readable ? (
        <Text size="sm" c="dimmed">
          Today&apos;s spend needs a token with runs:read.
        </Text>
      ) : costs.error ? (
        <ApiError error={costs.error} />
      ) : !costs.data ? (
        <Skeleton height={40} />
      ) : perDay && (perDay.max_cost_usd !== undefined || perDay.max_tokens !== undefined) ? (
        <>
          {perDay.max_cost_usd !== undefined && (
            <>
              <Text size="sm" fw={600}>
                {usd(spent)} of {usd(perDay.max_cost_usd)}
              </Text>
              <Progress value={Math.min(100, (spent / perDay.max_cost_usd) * 100)} color={spent >= perDay.max_cost_usd ? 'red' : 'teal'} aria-label={`${usd(spent)} of ${usd(perDay.max_cost_usd)} spent today`} />
            </>
          )}
          {perDay.max_tokens !== undefined && (
            <Text size="sm">
              {count(tokens)} of {count(perDay.max_tokens)} tokens
            </Text>
          )}
          <Text size="xs" c="dimmed">
            {(perDay.max_cost_usd !== undefined && spent >= perDay.max_cost_usd) || (perDay.max_tokens !== undefined && tokens >= perDay.max_tokens)
              ? 'Spent: fires are skipped (reason budget) until midnight UTC.'
              : 'When spent, fires are skipped until midnight UTC.'}
          </Text>
        </>
      ) : (
        <>
          <Text size="sm" fw={600}>
            {usd(spent)} · {count(tokens)} tokens
          </Text>
          <Text size="xs" c="dimmed">
            No daily limit: set <Code>execution.budget.per_day</Code>.
          </Text>
        </>
      )}
    </HealthCard>
  );
}

function VersionCard({ automation }: { automation: AutomationView }) {
  return (
    <HealthCard title="Version" testId="version-card">
      <Text size="sm" fw={600}>
        v{automation.version}
      </Text>
      <Text size="xs" c="dimmed">
        updated <Time iso={automation.updated_at} />, created <Time iso={automation.created_at} />
      </Text>
      <Text size="xs" c="dimmed">
        {automation.source === 'file' ? (
          <>
            from the file <Code>{automation.source_path ?? '?'}</Code> (edit the file; here it can only be paused or resumed)
          </>
        ) : (
          'applied through the API'
        )}
      </Text>
    </HealthCard>
  );
}

export function HealthCards({ automation }: { automation: AutomationView }) {
  return (
    <SimpleGrid cols={{ base: 1, xs: 2, lg: 4 }} spacing="sm">
      <StatusCard automation={automation} />
      <BreakerCard automation={automation} />
      <BudgetCard automation={automation} />
      <VersionCard automation={automation} />
    </SimpleGrid>
  );
}

export function RecentRuns({ automation }: { automation: AutomationView }) {
  const { client, can } = useSession();
  const readable = can(Scope.runs_read);
  const runs = useQuery({ queryKey: ['automation', automation.name, 'runs'], queryFn: () => client.runs.list({ automation: automation.name, limit: 15 }), enabled: readable, refetchInterval: 5_000 });
  return (
    <Stack gap="xs">
      <Group justify="space-between" wrap="wrap">
        <Title order={2} size="h4">
          Recent runs
        </Title>
        {readable && (
          <RouterAnchor to="/runs" search={{ automation: automation.name }} size="sm">
            All runs of {automation.name}
            {runs.data ? ` (${count(runs.data.total)})` : ''}
          </RouterAnchor>
        )}
      </Group>
      {!readable ? (
        <Text size="sm" c="dimmed">
          Runs need a token with runs:read.
        </Text>
      ) : runs.error ? (
        <ApiError error={runs.error} />
      ) : !runs.data ? (
        <Skeleton height={80} />
      ) : runs.data.items.length === 0 ? (
        <Text size="sm" c="dimmed">
          No runs yet. Start one from the Run tab, or with <Code>rota run {automation.name}</Code>.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={720} type="native">
          <Table verticalSpacing={6} highlightOnHover aria-label={`Recent runs of ${automation.name}`} className="rota-auto-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Run</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Trigger</Table.Th>
                <Table.Th>Queued</Table.Th>
                <Table.Th>Duration</Table.Th>
                <Table.Th>Version</Table.Th>
                <Table.Th>Cost</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {runs.data.items.map((run) => (
                <Table.Tr key={run.id} data-run={run.id}>
                  <Table.Td>
                    <RouterAnchor to="/runs/$id" params={{ id: run.id }} className="rota-mono">
                      {run.id}
                    </RouterAnchor>
                  </Table.Td>
                  <Table.Td>
                    <StatusBadge status={run.status} />
                    {run.error && (
                      <Text size="xs" c="dimmed" lineClamp={1} maw={260} title={run.error.message}>
                        {run.error.code}: {run.error.message}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">
                      {run.trigger_kind}
                      {run.trigger_id !== run.trigger_kind ? ` · ${run.trigger_id}` : ''}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Time iso={run.queued_at} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{run.ended_at ? duration(betweenMs(run.started_at ?? run.queued_at, run.ended_at)) : '–'}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">v{run.version}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{usd(run.cost_usd)}</Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
