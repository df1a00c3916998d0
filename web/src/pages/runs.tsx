/**
 * The runs explorer: every run of the workspace, newest first, filtered by the URL's search params,
 * paged by keyset cursor (a stack of the cursors that led here, so "previous" is exact and a page
 * deep in 100,000 runs costs what the first does), failure reasons inline, and bulk cancel/retry of
 * the selected runs or of every run the filter matches.
 */
import { Button, Group, Menu, Skeleton, Stack, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import type { RowSelectionState, Updater } from '@tanstack/react-table';
import { useState } from 'react';
import { Scope, type Page, type RunView } from '../../../src/client/index.js';
import { ApiError } from '../components/api-error';
import { EmptyState } from '../components/empty-state';
import { PageHeader } from '../components/page-header';
import { BulkDialog, type BulkActionName, type BulkJob } from '../components/runs-bulk';
import { hasFilter, toFilter, type RunsSearch } from '../components/runs-filter';
import { RunsFilters } from '../components/runs-filters';
import { RunsPager } from '../components/runs-pager';
import { RunsTable } from '../components/runs-table';
import { count } from '../format';
import { useSession } from '../session';

const route = getRouteApi('/runs');
const PAGE_SIZE = 50;
const FILTER_KEYS = ['automation', 'status', 'trigger', 'since', 'until', 'q'] as const;

function filterKey(search: RunsSearch): string {
  return JSON.stringify(FILTER_KEYS.map((k) => search[k] ?? null));
}

export function RunsPage() {
  const search: RunsSearch = route.useSearch();
  const navigate = route.useNavigate();
  const goTo = useNavigate();
  const { client, can } = useSession();
  const queryClient = useQueryClient();
  const key = filterKey(search);

  // Paging and selection belong to one filter: a new filter starts again at its first page.
  const [paging, setPaging] = useState<{ key: string; cursors: (string | null)[] }>({ key, cursors: [null] });
  const cursors = paging.key === key ? paging.cursors : [null];
  const [picked, setPicked] = useState<{ key: string; rows: RowSelectionState }>({ key, rows: {} });
  const selection = picked.key === key ? picked.rows : {};
  const [job, setJob] = useState<BulkJob | null>(null);

  const cursor = cursors[cursors.length - 1]!;
  const runs = useQuery({
    queryKey: ['runs', 'list', key, cursor],
    queryFn: () => client.runs.list({ ...toFilter(search, Date.now()), cursor, limit: PAGE_SIZE }),
    // keep the page on screen while the next one of the same filter loads
    placeholderData: (previous: Page<RunView> | undefined, query) => (query?.queryKey[2] === key ? previous : undefined),
    refetchInterval: cursors.length === 1 ? 10_000 : false,
  });

  const setFilter = (patch: Partial<RunsSearch>) =>
    void navigate({
      search: (prev: RunsSearch) => {
        const next: RunsSearch = { ...prev, ...patch };
        for (const k of FILTER_KEYS) if (next[k] === undefined || next[k] === '') delete next[k];
        return next;
      },
      replace: 'q' in patch,
    });
  const setSelection = (updater: Updater<RowSelectionState>) =>
    setPicked({ key, rows: typeof updater === 'function' ? updater(selection) : updater });
  const selectedIds = Object.keys(selection);
  const writable = can(Scope.runs_write);
  const total = runs.data?.total ?? 0;

  const startJob = (action: BulkActionName, all: boolean) =>
    setJob({ id: Date.now(), action, scope: all ? { kind: 'filter', search: { ...search }, total } : { kind: 'ids', ids: selectedIds } });

  return (
    <>
      <PageHeader
        title="Runs"
        description="Every run of the workspace, newest first. Filters live in the address: share it to share the view."
        actions={
          <Button size="xs" variant="default" onClick={() => void runs.refetch()} loading={runs.isFetching && !runs.isPlaceholderData}>
            Refresh
          </Button>
        }
      />
      <RunsFilters search={search} onChange={setFilter} />
      <Group justify="space-between" gap="xs" mb="xs" wrap="wrap" data-testid="runs-toolbar">
        <Group gap="xs" wrap="wrap">
          <Text size="sm" c={selectedIds.length ? undefined : 'dimmed'} data-testid="runs-selected">
            {selectedIds.length ? `${count(selectedIds.length)} selected` : 'Select runs to compare, cancel or retry them'}
          </Text>
          {selectedIds.length === 2 && (
            <Button size="xs" variant="light" onClick={() => void goTo({ to: '/compare', search: { a: selectedIds[0], b: selectedIds[1] } })}>
              Compare
            </Button>
          )}
          {writable && selectedIds.length > 0 && (
            <>
              <Button size="xs" variant="light" color="red" onClick={() => startJob('cancel', false)}>
                Cancel selected
              </Button>
              <Button size="xs" variant="light" onClick={() => startJob('retry', false)}>
                Retry selected
              </Button>
            </>
          )}
          {selectedIds.length > 0 && (
            <Button size="xs" variant="subtle" onClick={() => setSelection({})}>
              Clear selection
            </Button>
          )}
        </Group>
        {writable && total > 0 && (
          <Menu position="bottom-end">
            <Menu.Target>
              <Button size="xs" variant="default">
                All {count(total)} matching…
              </Button>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Label>Every run the filter matches</Menu.Label>
              <Menu.Item onClick={() => startJob('retry', true)}>Retry all {count(total)} matching</Menu.Item>
              <Menu.Item color="red" onClick={() => startJob('cancel', true)}>
                Cancel all {count(total)} matching
              </Menu.Item>
            </Menu.Dropdown>
          </Menu>
        )}
      </Group>
      <ApiError error={runs.error} title="Could not list the runs" />
      {runs.isPending && !runs.error && (
        <Stack gap={6} aria-label="Loading runs">
          {Array.from({ length: 6 }, (_, i) => (
            <Skeleton key={i} height={34} />
          ))}
        </Stack>
      )}
      {runs.data && runs.data.items.length === 0 && cursors.length === 1 && (
        hasFilter(search) ? (
          <EmptyState title="No run matches these filters">
            Widen the time window, pick other statuses or clear the error text.{' '}
            <Button size="compact-sm" variant="subtle" onClick={() => setFilter({ automation: undefined, status: undefined, trigger: undefined, since: undefined, until: undefined, q: undefined })}>
              Clear filters
            </Button>
          </EmptyState>
        ) : (
          <EmptyState title="No runs yet">
            Runs appear here once an automation is triggered: start one with Run on its page (or <code>rota run NAME</code>), or let its schedule, webhook or event fire.
          </EmptyState>
        )
      )}
      {runs.data && (runs.data.items.length > 0 || cursors.length > 1) && (
        <>
          <RunsTable runs={runs.data.items} selection={selection} onSelectionChange={setSelection} />
          <RunsPager
            page={cursors.length}
            pageSize={PAGE_SIZE}
            shown={runs.data.items.length}
            total={total}
            hasNext={runs.data.next_cursor !== null && !runs.isPlaceholderData}
            fetching={runs.isFetching}
            onFirst={() => setPaging({ key, cursors: [null] })}
            onPrevious={() => setPaging({ key, cursors: cursors.slice(0, -1) })}
            onNext={() => runs.data?.next_cursor && setPaging({ key, cursors: [...cursors, runs.data.next_cursor] })}
          />
        </>
      )}
      {job && (
        <BulkDialog
          key={job.id}
          job={job}
          onClose={(ran) => {
            setJob(null);
            if (ran) {
              setSelection({});
              void queryClient.invalidateQueries({ queryKey: ['runs'] });
            }
          }}
        />
      )}
    </>
  );
}
