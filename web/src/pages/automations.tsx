/**
 * `/`: every automation of the workspace with its status, triggers and next fire, its recent
 * outcomes, success rate and today's cost. Search (`q`) and the status filter live in the URL;
 * the per-row numbers come from one `automation-stats` request per page of the list.
 */
import { Button, Group, Paper, SegmentedControl, Skeleton, Stack, Table, Text, TextInput } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { getRouteApi } from '@tanstack/react-router';
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { AutomationStatsView, AutomationView } from '../../../src/client/index.js';
import { ApiError } from '../components/api-error';
import { FirstAutomation } from '../components/automation-first-steps';
import { RunStrip, SuccessRate } from '../components/automation-strip';
import { TriggerSummary } from '../components/automation-triggers';
import { EmptyState } from '../components/empty-state';
import { PageHeader } from '../components/page-header';
import { StatusBadge } from '../components/status-badge';
import { Time } from '../components/time';
import { count, usd } from '../format';
import { RouterAnchor } from '../links';
import { useSession } from '../session';
import '../components/automation-table.css';

const route = getRouteApi('/');

const STATUSES = ['active', 'paused', 'archived'] as const;
const PAGE = 200;
const STATS_CHUNK = 100;

function matches(a: AutomationView, q: string): boolean {
  const needle = q.toLowerCase();
  return a.name.includes(needle) || (a.description ?? '').toLowerCase().includes(needle) || a.triggers.some((t) => t.id.toLowerCase().includes(needle));
}

/** The search box: typing updates the URL (replacing the entry) once the user pauses. */
function SearchBox({ value, onSearch }: { value: string; onSearch: (q: string) => void }) {
  const [text, setText] = useState(value);
  const [synced, setSynced] = useState(value);
  // the URL changed from elsewhere (back button, a link): show what it says
  if (value !== synced) {
    setSynced(value);
    setText(value);
  }
  useEffect(() => {
    if (text === value) return;
    const timer = setTimeout(() => onSearch(text), 250);
    return () => clearTimeout(timer);
  }, [text, value, onSearch]);
  return (
    <TextInput
      aria-label="Search automations"
      placeholder="Search by name, description or trigger"
      value={text}
      onChange={(e) => setText(e.currentTarget.value)}
      w={320}
      maw="100%"
      type="search"
    />
  );
}

function Row({ automation, stats }: { automation: AutomationView; stats: AutomationStatsView | undefined }) {
  const last = stats?.recent[0];
  return (
    <Table.Tr data-automation={automation.name}>
      <Table.Td maw={280}>
        <RouterAnchor to="/automations/$name" params={{ name: automation.name }} fw={600} size="sm">
          {automation.name}
        </RouterAnchor>
        {automation.description && (
          <Text size="xs" c="dimmed" lineClamp={2}>
            {automation.description}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <StatusBadge status={automation.status} />
        {automation.paused?.reason === 'circuit_breaker' && (
          <Text size="xs" c="dimmed">
            by the circuit breaker
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <TriggerSummary automation={automation} />
      </Table.Td>
      <Table.Td>
        <RunStrip name={automation.name} stats={stats} />
      </Table.Td>
      <Table.Td>
        <SuccessRate stats={stats} />
      </Table.Td>
      <Table.Td>
        {stats ? (
          <Text size="sm" title={`${count(stats.today.tokens)} tokens today (UTC)`}>
            {usd(stats.today.cost_usd)}
          </Text>
        ) : null}
      </Table.Td>
      <Table.Td>{last ? <Time iso={last.ended_at} /> : <Text size="sm" c="dimmed">–</Text>}</Table.Td>
    </Table.Tr>
  );
}

/** The narrow window's row: a card, nothing to scroll sideways. */
function Card({ automation, stats }: { automation: AutomationView; stats: AutomationStatsView | undefined }) {
  const last = stats?.recent[0];
  return (
    <Paper withBorder p="sm" radius="md" data-automation={automation.name} className="rota-auto-table">
      <Stack gap={8}>
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <div style={{ minWidth: 0 }}>
            <RouterAnchor to="/automations/$name" params={{ name: automation.name }} fw={600} size="sm">
              {automation.name}
            </RouterAnchor>
            {automation.description && (
              <Text size="xs" c="dimmed" lineClamp={2}>
                {automation.description}
              </Text>
            )}
          </div>
          <StatusBadge status={automation.status} />
        </Group>
        <TriggerSummary automation={automation} />
        <Group gap="md" wrap="wrap">
          <RunStrip name={automation.name} stats={stats} />
          <SuccessRate stats={stats} />
          {stats && <Text size="sm">{usd(stats.today.cost_usd)} today</Text>}
          {last && (
            <Text size="sm" c="dimmed">
              ended <Time iso={last.ended_at} />
            </Text>
          )}
        </Group>
      </Stack>
    </Paper>
  );
}

function LoadingRows() {
  return (
    <Stack gap="xs" aria-busy="true" aria-label="Loading automations">
      {[0, 1, 2].map((i) => (
        <Skeleton key={i} height={44} radius="sm" />
      ))}
    </Stack>
  );
}

export function AutomationsPage() {
  const { q = '', status } = route.useSearch();
  const navigate = route.useNavigate();
  const { client } = useSession();
  const filter = STATUSES.find((s) => s === status);
  const narrow = useMediaQuery('(max-width: 48em)', undefined, { getInitialValueInEffect: false });

  const list = useInfiniteQuery({
    queryKey: ['automations', 'list', filter ?? 'all'],
    queryFn: ({ pageParam }) => client.automations.list({ status: filter, cursor: pageParam, limit: PAGE }),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor,
    refetchInterval: 30_000,
    placeholderData: keepPreviousData,
  });
  const all = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const total = list.data?.pages[0]?.total ?? 0;
  const names = useMemo(() => all.map((a) => a.name), [all]);
  const stats = useQuery({
    queryKey: ['automation-stats', names],
    queryFn: async () => {
      const chunks: string[][] = [];
      for (let i = 0; i < names.length; i += STATS_CHUNK) chunks.push(names.slice(i, i + STATS_CHUNK));
      return (await Promise.all(chunks.map((chunk) => client.automations.stats(chunk)))).flat();
    },
    enabled: names.length > 0,
    refetchInterval: 15_000,
    placeholderData: keepPreviousData,
  });
  const byName = useMemo(() => new Map((stats.data ?? []).map((s) => [s.name, s])), [stats.data]);
  const shown = q ? all.filter((a) => matches(a, q)) : all;

  const setSearch = useCallback((next: { q?: string; status?: string }) => navigate({ search: (prev) => ({ ...prev, ...next }), replace: true }), [navigate]);
  const onSearch = useCallback((text: string) => setSearch({ q: text || undefined }), [setSearch]);
  const fresh = !filter && list.data && total === 0;

  return (
    <>
      <PageHeader
        title="Automations"
        description={list.data && !fresh ? `${count(total)} ${filter ?? ''} automation${total === 1 ? '' : 's'} in this workspace` : undefined}
      />
      {list.error && <ApiError error={list.error} title="The automations could not be loaded" />}
      {!list.data && !list.error && <LoadingRows />}
      {fresh && <FirstAutomation />}
      {list.data && !fresh && (
        <Stack gap="sm">
          <Group gap="sm" wrap="wrap">
            <SearchBox value={q} onSearch={onSearch} />
            <SegmentedControl
              name="status"
              aria-label="Status"
              size="sm"
              value={filter ?? 'all'}
              onChange={(value) => setSearch({ status: value === 'all' ? undefined : value })}
              data={[{ value: 'all', label: 'All' }, ...STATUSES.map((s) => ({ value: s, label: s[0]!.toUpperCase() + s.slice(1) }))]}
            />
          </Group>
          {stats.error && <ApiError error={stats.error} title="Recent runs could not be loaded" />}
          {shown.length === 0 ? (
            <EmptyState title={q ? `Nothing matches “${q}”` : `No ${filter} automations`}>
              {q ? 'Search looks at names, descriptions and trigger ids of the automations listed. ' : 'Automations get this status when they are paused, archived or resumed. '}
              <RouterAnchor to="/" search={{}}>
                Show all automations
              </RouterAnchor>
            </EmptyState>
          ) : narrow ? (
            <Stack gap="xs" role="list" aria-label="Automations">
              {shown.map((a) => (
                <div role="listitem" key={a.id}>
                  <Card automation={a} stats={byName.get(a.name)} />
                </div>
              ))}
            </Stack>
          ) : (
            <Table.ScrollContainer minWidth={980} type="native">
              <Table verticalSpacing="sm" highlightOnHover aria-label="Automations" className="rota-auto-table">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Automation</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th>Triggers and next fire</Table.Th>
                    <Table.Th>Recent runs</Table.Th>
                    <Table.Th>Success</Table.Th>
                    <Table.Th>Cost today</Table.Th>
                    <Table.Th>Last ended</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {shown.map((a) => (
                    <Row key={a.id} automation={a} stats={byName.get(a.name)} />
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
          {list.hasNextPage && (
            <Group>
              <Button variant="default" onClick={() => list.fetchNextPage()} loading={list.isFetchingNextPage}>
                Load {PAGE} more (of {count(total)})
              </Button>
            </Group>
          )}
        </Stack>
      )}
    </>
  );
}
