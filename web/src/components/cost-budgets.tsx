/**
 * Daily budgets against today's spend (UTC): the node's workspace limit and each automation's
 * (the stricter of the node's default and its `execution.budget.per_day`), as the engine enforces
 * them: once a day is spent, fires are skipped and manual starts refused until midnight UTC.
 */
import { Badge, Code, Group, Paper, Progress, Stack, Table, Text, Title } from '@mantine/core';
import type { BudgetState, CostLimit, WorkspaceCosts } from '../../../src/client/index.js';
import { count, usd } from '../format';
import { RouterAnchor } from '../links';
import { ScrollTable } from './scroll-table';

function limitText(limit: CostLimit | null): string {
  if (!limit) return 'no limit';
  const parts = [];
  if (limit.max_cost_usd !== null) parts.push(usd(limit.max_cost_usd));
  if (limit.max_tokens !== null) parts.push(`${count(limit.max_tokens)} tokens`);
  return parts.join(' and ');
}

/** One bar per limited dimension (cost, tokens): spent of limit. */
function Meters({ state, label }: { state: BudgetState; label: string }) {
  if (!state.limit) {
    return (
      <Text size="sm" c="dimmed">
        {usd(state.spent.cost_usd)} · {count(state.spent.tokens)} tokens today, no daily limit
      </Text>
    );
  }
  const rows: { what: string; spent: number; max: number; text: string }[] = [];
  if (state.limit.max_cost_usd !== null) rows.push({ what: 'cost', spent: state.spent.cost_usd, max: state.limit.max_cost_usd, text: `${usd(state.spent.cost_usd)} of ${usd(state.limit.max_cost_usd)}` });
  if (state.limit.max_tokens !== null) rows.push({ what: 'tokens', spent: state.spent.tokens, max: state.limit.max_tokens, text: `${count(state.spent.tokens)} of ${count(state.limit.max_tokens)} tokens` });
  return (
    <Stack gap={4} miw={180}>
      {rows.map((r) => {
        const pct = Math.min(100, (r.spent / r.max) * 100);
        return (
          <Stack gap={2} key={r.what}>
            <Text size="xs">{r.text}</Text>
            <Progress
              value={pct}
              size="sm"
              color={pct >= 100 ? 'red' : pct >= 80 ? 'orange' : 'blue'}
              aria-label={`${label}: ${r.what} spent today, ${Math.round(pct)}% of the daily limit`}
            />
          </Stack>
        );
      })}
    </Stack>
  );
}

function Exhausted({ state }: { state: BudgetState }) {
  if (!state.exhausted) return null;
  return (
    <Badge color="red" variant="light" size="sm" radius="sm">
      spent for today
    </Badge>
  );
}

export function CostBudgets({ costs }: { costs: WorkspaceCosts }) {
  const { budgets } = costs;
  return (
    <Paper withBorder radius="md" p="md">
      <Stack gap="sm">
        <Group justify="space-between" wrap="wrap">
          <Title order={2} size="h4">
            Daily budgets, today ({costs.today} UTC)
          </Title>
          <Text size="xs" c="dimmed">
            a spent day skips fires and refuses manual starts until midnight UTC
          </Text>
        </Group>
        <Group gap="xl" align="flex-start" wrap="wrap">
          <Stack gap={4}>
            <Group gap="xs">
              <Text fw={600} size="sm">
                Workspace
              </Text>
              <Exhausted state={budgets.workspace} />
            </Group>
            <Text size="xs" c="dimmed">
              <Code>budgets.workspace_per_day</Code>: {limitText(budgets.workspace.limit)}
            </Text>
            <Meters state={budgets.workspace} label="Workspace" />
          </Stack>
          <Stack gap={4}>
            <Text fw={600} size="sm">
              Default per automation
            </Text>
            <Text size="xs" c="dimmed">
              <Code>budgets.automation_per_day</Code>: {limitText(budgets.automation_per_day)}
            </Text>
          </Stack>
        </Group>
        {budgets.automations.length === 0 ? (
          <Text size="sm" c="dimmed">
            No automation has a daily limit. Set <Code>execution.budget.per_day</Code> in a definition, or <Code>budgets.automation_per_day</Code> in the node's configuration.
          </Text>
        ) : (
          <ScrollTable minWidth={640} label="Automation budgets, scrolls sideways">
            <Table verticalSpacing="xs" aria-label="Automation budgets">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Automation</Table.Th>
                  <Table.Th>Definition per_day</Table.Th>
                  <Table.Th>Limit in force</Table.Th>
                  <Table.Th>Today</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {budgets.automations.map((a) => (
                  <Table.Tr key={a.automation} data-automation={a.automation}>
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap">
                        <RouterAnchor to="/automations/$name" params={{ name: a.automation }} size="sm">
                          {a.automation}
                        </RouterAnchor>
                        <Exhausted state={a} />
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{a.per_day ? limitText(a.per_day) : '–'}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{limitText(a.limit)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Meters state={a} label={a.automation} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollTable>
        )}
      </Stack>
    </Paper>
  );
}
