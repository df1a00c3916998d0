/** The runs of one page (TanStack Table, row selection by run id), failure reasons inline. */
import { Checkbox, Code, Group, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { createColumnHelper, rowSelectionFeature, tableFeatures, useTable, type RowSelectionState, type Updater } from '@tanstack/react-table';
import type { CSSProperties } from 'react';
import type { RunView } from '../../../src/client/index.js';
import { betweenMs, duration, usd } from '../format';
import { RouterAnchor } from '../links';
import { StatusBadge } from './status-badge';
import { Time } from './time';

const features = tableFeatures({ rowSelectionFeature });
const helper = createColumnHelper<typeof features, RunView>();

/** The tail of a ULID tells runs apart (its head is the time, the same for runs of one minute). */
export function shortId(id: string): string {
  return id.length > 12 ? `…${id.slice(-10)}` : id;
}

function runDuration(run: RunView): string {
  if (!run.started_at) return '–';
  return duration(betweenMs(run.started_at, run.ended_at ?? new Date().toISOString()));
}

const columns = helper.columns([
  helper.display({
    id: 'select',
    header: ({ table }) => (
      <Checkbox
        size="xs"
        aria-label="Select every run on this page"
        checked={table.getIsAllPageRowsSelected()}
        indeterminate={!table.getIsAllPageRowsSelected() && table.getIsSomePageRowsSelected()}
        onChange={table.getToggleAllPageRowsSelectedHandler()}
      />
    ),
    cell: ({ row }) => <Checkbox size="xs" aria-label={`Select run ${row.original.id}`} checked={row.getIsSelected()} onChange={row.getToggleSelectedHandler()} />,
  }),
  helper.accessor('id', {
    header: 'Run',
    cell: (info) => (
      <RouterAnchor to="/runs/$id" params={{ id: info.getValue() }} className="rota-mono" title={info.getValue()}>
        <VisuallyHidden>Run </VisuallyHidden>
        {shortId(info.getValue())}
      </RouterAnchor>
    ),
  }),
  helper.accessor('automation', {
    header: 'Automation',
    cell: (info) => (
      <Group gap={4} wrap="nowrap">
        <RouterAnchor to="/automations/$name" params={{ name: info.getValue() }} size="sm">
          {info.getValue()}
        </RouterAnchor>
        <Text span size="xs" c="dimmed">
          v{info.row.original.version}
        </Text>
      </Group>
    ),
  }),
  helper.accessor('status', {
    header: 'Status',
    cell: (info) => (
      <Stack gap={0} align="flex-start">
        <StatusBadge status={info.getValue()} />
        {info.row.original.waiting_for && (
          <Text size="xs" c="dimmed">
            for {info.row.original.waiting_for.replace('_', ' ')}
          </Text>
        )}
      </Stack>
    ),
  }),
  helper.accessor('trigger_id', {
    header: 'Trigger',
    cell: (info) => (
      <Text size="sm" title={info.row.original.trigger_kind}>
        {info.getValue()}
      </Text>
    ),
  }),
  helper.accessor('queued_at', { header: 'Queued', cell: (info) => <Time iso={info.getValue()} /> }),
  helper.display({ id: 'duration', header: 'Duration', cell: ({ row }) => <Text size="sm">{runDuration(row.original)}</Text> }),
  helper.accessor('cost_usd', { header: 'Cost', cell: (info) => <Text size="sm">{usd(info.getValue())}</Text> }),
  helper.accessor('error', {
    header: 'Failure',
    cell: (info) => {
      const error = info.getValue();
      if (!error) return null;
      return (
        <Stack gap={2} data-testid="run-failure">
          <Group gap={6} wrap="nowrap">
            <Code>{error.code}</Code>
            {error.step_id && (
              <Text span size="xs" c="dimmed">
                in step {error.step_id}
              </Text>
            )}
          </Group>
          <Text size="xs" lineClamp={2} title={error.message} style={{ wordBreak: 'break-word' }}>
            {error.message}
          </Text>
        </Stack>
      );
    },
  }),
]);

/** Column widths the table must keep: a badge's text would otherwise shrink to an ellipsis next to a long failure. */
const HEADER_STYLE: Record<string, CSSProperties> = { select: { width: 32 }, status: { minWidth: 108 }, error: { minWidth: 260 } };

/** The table only (the header checkbox: every run of this page); the caller keeps the selection, by run id, across pages. */
export function RunsTable({
  runs,
  selection,
  onSelectionChange,
}: {
  runs: RunView[];
  selection: RowSelectionState;
  onSelectionChange: (updater: Updater<RowSelectionState>) => void;
}) {
  const table = useTable({
    features,
    columns,
    data: runs,
    getRowId: (run) => run.id,
    state: { rowSelection: selection },
    onRowSelectionChange: onSelectionChange,
  });
  return (
    <Table.ScrollContainer minWidth={1040} type="native" pos="relative">
      <Table verticalSpacing={6} highlightOnHover aria-label="Runs">
        <Table.Thead>
          {table.getHeaderGroups().map((group) => (
            <Table.Tr key={group.id}>
              {group.headers.map((header) => (
                <Table.Th key={header.id} style={HEADER_STYLE[header.column.id]}>
                  {header.isPlaceholder ? null : <table.FlexRender header={header} />}
                </Table.Th>
              ))}
            </Table.Tr>
          ))}
        </Table.Thead>
        <Table.Tbody>
          {table.getRowModel().rows.map((row) => (
            <Table.Tr key={row.id} data-testid="run-row" data-run-id={row.id} data-status={row.original.status} bg={row.getIsSelected() ? 'var(--mantine-primary-color-light)' : undefined}>
              {row.getAllCells().map((cell) => (
                // every column as wide as its content; the failure takes the rest and wraps
                <Table.Td key={cell.id} style={{ verticalAlign: 'top', whiteSpace: cell.column.id === 'error' ? undefined : 'nowrap' }}>
                  <table.FlexRender cell={cell} />
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
