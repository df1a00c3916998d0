/** Spend of the period per automation or per model: cost, tokens, model calls and share of the total. */
import { Box, Group, Paper, Table, Text, Title } from '@mantine/core';
import type { CostEntry } from '../../../src/client/index.js';
import { count, usd } from '../format';
import { RouterAnchor } from '../links';
import { ScrollTable } from './scroll-table';

export interface BreakdownRow {
  key: string;
  cost_usd: number;
  tokens: number;
  calls: number;
}

export const UNATTRIBUTED = '(unattributed)';

/** Sums entries by automation or by model, largest cost (then tokens) first. */
export function breakdown(entries: CostEntry[], by: 'automation' | 'model'): BreakdownRow[] {
  const rows = new Map<string, BreakdownRow>();
  for (const e of entries) {
    const key = by === 'automation' ? e.automation : (e.model ?? UNATTRIBUTED);
    const row = rows.get(key) ?? { key, cost_usd: 0, tokens: 0, calls: 0 };
    row.cost_usd += e.cost_usd;
    row.tokens += e.tokens;
    row.calls += e.calls;
    rows.set(key, row);
  }
  return [...rows.values()].sort((a, b) => b.cost_usd - a.cost_usd || b.tokens - a.tokens || a.key.localeCompare(b.key));
}

export function CostBreakdown({ title, by, rows, colors }: { title: string; by: 'automation' | 'model'; rows: BreakdownRow[]; colors: Map<string, string> }) {
  const total = rows.reduce((s, r) => s + r.cost_usd, 0);
  return (
    <Paper withBorder radius="md" p="md">
      <Title order={2} size="h4" mb="xs">
        {title}
      </Title>
      <ScrollTable minWidth={440} label={`${title}, scrolls sideways`}>
        <Table verticalSpacing={6} aria-label={title}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{by === 'automation' ? 'Automation' : 'Model'}</Table.Th>
              <Table.Th ta="right">Cost</Table.Th>
              <Table.Th ta="right">Share</Table.Th>
              <Table.Th ta="right">Tokens</Table.Th>
              <Table.Th ta="right">Calls</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((r) => (
              <Table.Tr key={r.key} data-key={r.key}>
                <Table.Td>
                  <Group gap={6} wrap="nowrap">
                    <Box w={10} h={10} style={{ background: colors.get(r.key), borderRadius: 2, flex: 'none' }} aria-hidden="true" />
                    {by === 'automation' ? (
                      <RouterAnchor to="/automations/$name" params={{ name: r.key }} size="sm">
                        {r.key}
                      </RouterAnchor>
                    ) : (
                      <Text size="sm" className={r.key === UNATTRIBUTED ? undefined : 'rota-mono'} title={r.key === UNATTRIBUTED ? 'spending of runs pruned before costs were kept by model' : undefined}>
                        {r.key}
                      </Text>
                    )}
                  </Group>
                </Table.Td>
                <Table.Td ta="right">{usd(r.cost_usd)}</Table.Td>
                <Table.Td ta="right">{total > 0 ? `${Math.round((r.cost_usd / total) * 100)}%` : '–'}</Table.Td>
                <Table.Td ta="right">{count(r.tokens)}</Table.Td>
                <Table.Td ta="right">{count(r.calls)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollTable>
    </Paper>
  );
}
