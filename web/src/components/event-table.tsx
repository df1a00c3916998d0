/** Published events, newest first: name, time, source, the runs they started, and their data (expandable). */
import { ActionIcon, Code, Group, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { Fragment, useState } from 'react';
import type { EventView } from '../../../src/client/index.js';
import { RouterAnchor } from '../links';
import { JsonBlock } from './json-block';
import { StatusBadge } from './status-badge';
import { Time } from './time';
import { ScrollTable } from './scroll-table';

function preview(data: unknown): string {
  if (data === null || data === undefined) return '–';
  const text = JSON.stringify(data);
  return text.length > 90 ? `${text.slice(0, 89)}…` : text;
}

function StartedRuns({ event }: { event: EventView }) {
  const runs = event.runs ?? [];
  if (runs.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        none
      </Text>
    );
  }
  return (
    <Stack gap={2}>
      {runs.map((r) => (
        <Group gap={6} key={r.run_id} wrap="nowrap">
          <StatusBadge status={r.status} size="xs" />
          <RouterAnchor to="/runs/$id" params={{ id: r.run_id }} size="sm" aria-label={`run ${r.run_id} of ${r.automation}`}>
            {r.automation}
          </RouterAnchor>
        </Group>
      ))}
    </Stack>
  );
}

export function EventTable({ events }: { events: EventView[] }) {
  const [open, setOpen] = useState<Set<string>>(new Set());
  const toggle = (id: string) =>
    setOpen((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  return (
    <ScrollTable minWidth={760} label="Published events, scrolls sideways">
      <Table verticalSpacing="xs" aria-label="Published events">
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={44}>
              <VisuallyHidden>Show data</VisuallyHidden>
            </Table.Th>
            <Table.Th>Name</Table.Th>
            <Table.Th>Published</Table.Th>
            <Table.Th>Source</Table.Th>
            <Table.Th>Runs started</Table.Th>
            <Table.Th>Data</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {events.map((e) => {
            const expanded = open.has(e.id);
            return (
              <Fragment key={e.id}>
                <Table.Tr data-event={e.id}>
                  <Table.Td>
                    <ActionIcon variant="subtle" color="gray" onClick={() => toggle(e.id)} aria-expanded={expanded} aria-controls={expanded ? `event-data-${e.id}` : undefined} aria-label={`${expanded ? 'Hide' : 'Show'} the data of ${e.name} ${e.id}`}>
                      <span aria-hidden="true">{expanded ? '▾' : '▸'}</span>
                    </ActionIcon>
                  </Table.Td>
                  <Table.Td>
                    <Stack gap={0}>
                      <Text size="sm" fw={600} className="rota-mono" style={{ overflowWrap: 'anywhere' }}>
                        {e.name}
                      </Text>
                      <Text size="xs" c="dimmed" className="rota-mono">
                        {e.id}
                      </Text>
                    </Stack>
                  </Table.Td>
                  <Table.Td>
                    <Time iso={e.created_at} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{e.source}</Text>
                  </Table.Td>
                  <Table.Td>
                    <StartedRuns event={e} />
                  </Table.Td>
                  <Table.Td maw={320}>
                    <Code style={{ whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis', display: 'block' }}>{preview(e.data)}</Code>
                  </Table.Td>
                </Table.Tr>
                {expanded && (
                  <Table.Tr id={`event-data-${e.id}`}>
                    <Table.Td colSpan={6}>
                      <JsonBlock value={e.data} label={`Data of ${e.name} ${e.id}`} maxHeight={360} />
                    </Table.Td>
                  </Table.Tr>
                )}
              </Fragment>
            );
          })}
        </Table.Tbody>
      </Table>
    </ScrollTable>
  );
}
