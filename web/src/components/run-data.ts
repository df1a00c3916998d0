/** The run detail page's queries: the run, its whole log, its pending approvals, an agent step's conversation. */
import { useQuery, type QueryClient } from '@tanstack/react-query';
import type { RotaClient, RunEventView } from '../../../src/client/index.js';
import { useSession } from '../session';

/** Distinct roots, so that refreshing the run never refetches its (long) log. */
export const runKeys = {
  run: (id: string) => ['run', id] as const,
  events: (id: string) => ['run-events', id] as const,
  approvals: (id: string) => ['run-approvals', id] as const,
  conversation: (id: string, stepId: string) => ['run-conversation', id, stepId] as const,
};

export const TERMINAL = new Set(['succeeded', 'failed', 'canceled', 'timed_out', 'skipped']);

/** The whole log, page by page (the API answers at most one page of entries after `after`). */
export async function fetchAllEvents(client: RotaClient, id: string, after = 0): Promise<RunEventView[]> {
  const all: RunEventView[] = [];
  let last = after;
  for (;;) {
    const page = await client.runs.events(id, { after: last });
    if (page.length === 0) return all;
    all.push(...page);
    last = page[page.length - 1].seq;
  }
}

/** Adds entries to the cached log in seq order, dropping those it already has. */
export function appendEvents(queryClient: QueryClient, id: string, fresh: readonly RunEventView[]): void {
  queryClient.setQueryData<RunEventView[]>(runKeys.events(id), (old) => {
    const have = old ?? [];
    const last = have.length > 0 ? have[have.length - 1].seq : 0;
    const added = fresh.filter((e) => e.seq > last).sort((a, b) => a.seq - b.seq);
    return added.length === 0 ? have : [...have, ...added];
  });
}

export function useRun(id: string) {
  const { client } = useSession();
  return useQuery({ queryKey: runKeys.run(id), queryFn: () => client.runs.get(id) });
}

export function useRunEvents(id: string) {
  const { client } = useSession();
  // the live stream keeps it current; a refetch would re-read the whole log
  return useQuery({ queryKey: runKeys.events(id), queryFn: () => fetchAllEvents(client, id), staleTime: Infinity, refetchOnWindowFocus: false });
}

export function usePendingApprovals(id: string, enabled: boolean) {
  const { client } = useSession();
  return useQuery({
    queryKey: runKeys.approvals(id),
    queryFn: async () => (await client.approvals.list({ run_id: id, state: 'pending', limit: 100 })).items,
    enabled,
  });
}

export function useConversation(id: string, stepId: string, enabled: boolean) {
  const { client } = useSession();
  return useQuery({ queryKey: runKeys.conversation(id, stepId), queryFn: () => client.runs.conversation(id, stepId), enabled });
}
