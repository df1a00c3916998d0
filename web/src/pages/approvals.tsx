/**
 * The approvals inbox (`/approvals`, search `state`): pending approvals with the decision form,
 * refetched every few seconds so a new one appears without a reload; `state=history` (or one
 * settled state) lists the settled ones with who decided and when.
 */
import { Alert, Button, Center, Code, Group, Loader, SegmentedControl, Select, Stack } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { getRouteApi } from '@tanstack/react-router';
import { useState } from 'react';
import type { ApprovalView, Page } from '../../../src/client/index.js';
import { ApiError } from '../components/api-error';
import { PendingApprovalCard } from '../components/approval-card';
import { ApprovalHistoryTable } from '../components/approval-history';
import { EmptyState } from '../components/empty-state';
import { PageHeader } from '../components/page-header';
import { RouterAnchor } from '../links';
import { useSession } from '../session';

const route = getRouteApi('/approvals');
const SETTLED = ['approved', 'rejected', 'aborted', 'expired'] as const;
type Settled = (typeof SETTLED)[number];
const PAGE = 50;
const POLL_MS = 5_000;

const isSettled = (s: string | undefined): s is Settled => (SETTLED as readonly string[]).includes(s ?? '');

/** Keyset pages of approvals in one state (undefined: all, of which `keep` picks). */
function useApprovals(state: string | undefined, options: { poll?: boolean } = {}) {
  const { client } = useSession();
  return useInfiniteQuery({
    queryKey: ['approvals', 'list', state ?? 'all'],
    queryFn: ({ pageParam }) => client.approvals.list({ state, cursor: pageParam, limit: PAGE }),
    initialPageParam: null as string | null,
    getNextPageParam: (last: Page<ApprovalView>) => last.next_cursor ?? undefined,
    refetchInterval: options.poll ? POLL_MS : false,
  });
}

function LoadMore({ query }: { query: ReturnType<typeof useApprovals> }) {
  if (!query.hasNextPage) return null;
  return (
    <Group justify="center">
      <Button variant="default" onClick={() => void query.fetchNextPage()} loading={query.isFetchingNextPage}>
        Load more
      </Button>
    </Group>
  );
}

const DONE: Record<string, string> = { approved: 'Approved', rejected: 'Rejected', aborted: 'Aborted' };

/** What was just decided here, with the run it resumed. */
function Decided({ decided, onClose }: { decided: ApprovalView[]; onClose: (id: string) => void }) {
  return (
    <>
      {decided.map((a) => (
        <Alert key={a.id} color={a.state === 'approved' ? 'teal' : a.state === 'pending' ? 'blue' : 'red'} variant="light" withCloseButton closeButtonLabel="Dismiss" onClose={() => onClose(a.id)} role="status">
          {a.state === 'pending' ? (
            <>
              Your approval of “{a.message}” is recorded; {a.min_approvals - a.approvals} more needed.
            </>
          ) : (
            <>
              {DONE[a.state] ?? a.state} “{a.message}”. {a.state === 'aborted' ? 'The run is canceled: ' : 'The run resumes: '}
              <RouterAnchor to="/runs/$id" params={{ id: a.run_id }} className="rota-mono">
                {a.run_id}
              </RouterAnchor>
            </>
          )}
        </Alert>
      ))}
    </>
  );
}

function Pending() {
  const query = useApprovals('pending', { poll: true });
  const [decided, setDecided] = useState<ApprovalView[]>([]);
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  const onDecided = (a: ApprovalView) => setDecided((list) => [a, ...list.filter((x) => x.id !== a.id)].slice(0, 3));
  return (
    <Stack gap="md">
      <Decided decided={decided} onClose={(id) => setDecided((list) => list.filter((x) => x.id !== id))} />
      <ApiError error={query.error} />
      {query.isPending ? (
        <Center py="xl">
          <Loader role="status" aria-label="Loading approvals" />
        </Center>
      ) : items.length === 0 && !query.error ? (
        <EmptyState title="Nothing waits for a decision">
          Runs wait here when they reach an <Code>approval</Code> step, an agent step calls a tool listed in <Code>require_approval_for</Code>, or an agent step with{' '}
          <Code>on_exceed: approval</Code> needs a higher budget. New ones appear within seconds. Past decisions are in the{' '}
          <RouterAnchor to="/approvals" search={{ state: 'history' }}>
            history
          </RouterAnchor>
          .
        </EmptyState>
      ) : (
        items.map((a) => <PendingApprovalCard key={a.id} approval={a} onDecided={onDecided} />)
      )}
      <LoadMore query={query} />
    </Stack>
  );
}

function History({ state }: { state: Settled | undefined }) {
  const navigate = route.useNavigate();
  const query = useApprovals(state);
  const items = (query.data?.pages.flatMap((p) => p.items) ?? []).filter((a) => a.state !== 'pending');
  return (
    <Stack gap="md">
      <Group>
        <Select
          label="Outcome"
          w={200}
          value={state ?? 'all'}
          data={[{ value: 'all', label: 'All settled' }, ...SETTLED.map((s) => ({ value: s, label: s }))]}
          onChange={(value) => void navigate({ search: { state: value && value !== 'all' ? value : 'history' } })}
          allowDeselect={false}
        />
      </Group>
      <ApiError error={query.error} />
      {query.isPending ? (
        <Center py="xl">
          <Loader role="status" aria-label="Loading approvals" />
        </Center>
      ) : items.length === 0 && !query.hasNextPage && !query.error ? (
        <EmptyState title={state ? `No ${state} approvals` : 'No settled approvals yet'}>
          Decided and expired approvals are listed here with who decided, when, and their comments.{' '}
          <RouterAnchor to="/approvals">See what is pending</RouterAnchor>.
        </EmptyState>
      ) : (
        items.length > 0 && <ApprovalHistoryTable approvals={items} />
      )}
      <LoadMore query={query} />
    </Stack>
  );
}

export function ApprovalsPage() {
  const { state } = route.useSearch();
  const navigate = route.useNavigate();
  const view = state === 'history' || isSettled(state) ? 'history' : 'pending';
  return (
    <>
      <PageHeader
        title="Approvals"
        description="Decisions people owe to waiting runs: a decision made here resumes the run at once."
      />
      <Stack gap="md">
        <SegmentedControl
          w="fit-content"
          aria-label="Show"
          value={view}
          onChange={(value) => void navigate({ search: value === 'history' ? { state: 'history' } : {} })}
          data={[
            { value: 'pending', label: 'Pending' },
            { value: 'history', label: 'History' },
          ]}
        />
        {view === 'pending' ? <Pending /> : <History state={isSettled(state) ? state : undefined} />}
      </Stack>
    </>
  );
}
