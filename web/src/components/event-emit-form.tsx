/** "Emit event" (events:write): a name and optional JSON data (and dedupe id); shows the runs it started. */
import { Alert, Button, Group, JsonInput, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { EventView } from '../../../src/client/index.js';
import { RouterAnchor } from '../links';
import { useSession } from '../session';
import { ApiError } from './api-error';
import { StatusBadge } from './status-badge';

const NAME = /^[A-Za-z0-9_.:-]{1,200}$/;

function parseData(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, error: `Not valid JSON: ${(err as Error).message}` };
  }
}

function Published({ event }: { event: EventView }) {
  const runs = event.runs ?? [];
  return (
    <Alert color={event.duplicate ? 'yellow' : 'teal'} variant="light" role="status" title={event.duplicate ? 'Already published with this id' : `Published ${event.name}`}>
      {event.duplicate ? (
        <Text size="sm">An event with this dedupe id exists; nothing new was published.</Text>
      ) : runs.length === 0 ? (
        <Text size="sm">It matched no event trigger, so it started no run (a waiting wait_for_event step may still have taken it).</Text>
      ) : (
        <Stack gap={4}>
          <Text size="sm">
            Started {runs.length} run{runs.length === 1 ? '' : 's'}:
          </Text>
          {runs.map((r) => (
            <Group gap="xs" key={r.run_id}>
              <Text size="sm">{r.automation}</Text>
              <RouterAnchor to="/runs/$id" params={{ id: r.run_id }} size="sm" className="rota-mono">
                {r.run_id}
              </RouterAnchor>
              <StatusBadge status={r.status} size="xs" />
            </Group>
          ))}
        </Stack>
      )}
    </Alert>
  );
}

export function EmitEventForm({ onClose }: { onClose: () => void }) {
  const { client } = useSession();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [data, setData] = useState('');
  const [id, setId] = useState('');
  const [touched, setTouched] = useState(false);
  const parsed = parseData(data);
  const nameError = touched && !NAME.test(name) ? 'Letters, digits and _ . : - only, 1 to 200 characters' : undefined;
  const emit = useMutation({
    mutationFn: () => client.events.emit(name, { ...(parsed.ok && parsed.value !== undefined ? { data: parsed.value } : {}), ...(id.trim() ? { id: id.trim() } : {}) }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['events'] });
      void queryClient.invalidateQueries({ queryKey: ['runs'] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!NAME.test(name) || !parsed.ok) return;
    emit.mutate();
  };
  return (
    <Paper withBorder radius="md" p="md" component="section" aria-labelledby="emit-event-title">
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Title order={2} size="h4" id="emit-event-title">
            Emit an event
          </Title>
          <Group align="flex-start" gap="sm" wrap="wrap">
            <TextInput label="Name" description="Letters, digits and _ . : -" placeholder="order.paid" required value={name} onChange={(e) => setName(e.currentTarget.value)} onBlur={() => setTouched(true)} error={nameError} w={{ base: '100%', sm: 280 }} />
            <TextInput label="Dedupe id" description="Optional; the same id again publishes nothing" value={id} onChange={(e) => setId(e.currentTarget.value)} maxLength={200} w={{ base: '100%', sm: 280 }} />
          </Group>
          <JsonInput
            label="Data (JSON)"
            description="Optional; event triggers map it into the runs' inputs"
            placeholder='{"order_id": "A1"}'
            autosize
            minRows={3}
            maxRows={14}
            value={data}
            onChange={setData}
            error={parsed.ok ? undefined : parsed.error}
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
          />
          <Group gap="xs">
            <Button type="submit" loading={emit.isPending} disabled={!parsed.ok}>
              Emit
            </Button>
            <Button variant="default" onClick={onClose}>
              Close
            </Button>
          </Group>
          <ApiError error={emit.error} title="The event was not published" />
          {emit.data && <Published event={emit.data} />}
        </Stack>
      </form>
    </Paper>
  );
}
