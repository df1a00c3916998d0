/**
 * Events (`/events`, search `name`): published events, newest first, in keyset pages, each with
 * its data and the runs its event triggers started; with events:write, a form to emit one.
 */
import { Button, Center, Code, Group, Loader, Stack, Text, TextInput } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { getRouteApi } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { Scope, type EventView, type Page } from '../../../src/client/index.js';
import { ApiError } from '../components/api-error';
import { EmptyState } from '../components/empty-state';
import { EmitEventForm } from '../components/event-emit-form';
import { EventTable } from '../components/event-table';
import { PageHeader } from '../components/page-header';
import { count } from '../format';
import { useSession } from '../session';

const route = getRouteApi('/events');
const PAGE = 50;

function NameFilter({ name }: { name: string | undefined }) {
  const navigate = route.useNavigate();
  const [text, setText] = useState(name ?? '');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const value = text.trim();
    void navigate({ search: value ? { name: value } : {} });
  };
  return (
    <form onSubmit={submit} role="search" aria-label="Filter events">
      <Group align="flex-end" gap="xs">
        <TextInput label="Event name" description="exact name, e.g. order.paid" value={text} onChange={(e) => setText(e.currentTarget.value)} w={260} />
        <Button type="submit" variant="default">
          Filter
        </Button>
        {name && (
          <Button
            variant="subtle"
            onClick={() => {
              setText('');
              void navigate({ search: {} });
            }}
          >
            Show all
          </Button>
        )}
      </Group>
    </form>
  );
}

export function EventsPage() {
  const { client, can } = useSession();
  const { name } = route.useSearch();
  const [emitting, setEmitting] = useState(false);
  const events = useInfiniteQuery({
    queryKey: ['events', name ?? null],
    queryFn: ({ pageParam }) => client.events.list({ name, cursor: pageParam, limit: PAGE }),
    initialPageParam: null as string | null,
    getNextPageParam: (last: Page<EventView>) => last.next_cursor ?? undefined,
    refetchInterval: 10_000,
  });
  const items = events.data?.pages.flatMap((p) => p.items) ?? [];
  const total = events.data?.pages[0]?.total;
  const canEmit = can(Scope.events_write);
  return (
    <>
      <PageHeader
        title="Events"
        description="What was published into this workspace (API, emit_event steps, Rota's own run.* and approval.* events) and the runs their event triggers started."
        actions={
          canEmit && !emitting ? (
            <Button onClick={() => setEmitting(true)}>Emit event</Button>
          ) : undefined
        }
      />
      <Stack gap="md">
        {canEmit && emitting && <EmitEventForm key="emit" onClose={() => setEmitting(false)} />}
        <Group justify="space-between" align="flex-end" wrap="wrap">
          <NameFilter key={name ?? ''} name={name} />
          {total !== undefined && (
            <Text size="sm" c="dimmed" role="status">
              {count(total)} event{total === 1 ? '' : 's'}
              {name ? ` named ${name}` : ''}
            </Text>
          )}
        </Group>
        <ApiError error={events.error} />
        {events.isPending ? (
          <Center py="xl">
            <Loader role="status" aria-label="Loading events" />
          </Center>
        ) : items.length === 0 && !events.error ? (
          <EmptyState title={name ? `No event named ${name}` : 'No events yet'}>
            {name ? (
              <>Names match exactly. Clear the filter to see every event.</>
            ) : (
              <>
                Events are published with <Code>POST /api/v1/events</Code>, <Code>rota events emit NAME</Code>, an <Code>emit_event</Code> step{canEmit ? ', or the Emit event button above' : ''}; automations
                with an <Code>event</Code> trigger start a run for each match.
              </>
            )}
          </EmptyState>
        ) : (
          items.length > 0 && <EventTable events={items} />
        )}
        {events.hasNextPage && (
          <Group justify="center">
            <Button variant="default" onClick={() => void events.fetchNextPage()} loading={events.isFetchingNextPage}>
              Load more
            </Button>
          </Group>
        )}
      </Stack>
    </>
  );
}
