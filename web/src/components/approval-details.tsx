/**
 * What an approval asks, by kind: an approval step's `details`; a tool call's tool and the exact
 * arguments the model passed; a budget raise's scope, limit, spend and worst case.
 */
import { Badge, Code, Group, Stack, Table, Text } from '@mantine/core';
import type { ApprovalView } from '../../../src/client/index.js';
import { count, usd } from '../format';
import { JsonBlock } from './json-block';

const KIND_LABEL: Record<string, string> = { step: 'approval step', tool_call: 'tool call', budget: 'budget raise' };

export function ApprovalKindBadge({ kind }: { kind: string }) {
  return (
    <Badge variant="outline" color={kind === 'tool_call' ? 'grape' : kind === 'budget' ? 'orange' : 'blue'} radius="sm" size="sm" style={{ flex: 'none' }}>
      {KIND_LABEL[kind] ?? kind}
    </Badge>
  );
}

type Record_ = Record<string, unknown>;
const isRecord = (v: unknown): v is Record_ => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The value an approver starts editing from: what the run would otherwise get. */
export function editableValue(approval: ApprovalView): unknown {
  const details = isRecord(approval.details) ? approval.details : null;
  if (approval.kind === 'tool_call') return details?.arguments ?? {};
  if (approval.kind === 'budget') return limitOf(details?.limit) ?? {};
  return approval.details ?? null;
}

function limitOf(value: unknown): Record_ | null {
  if (!isRecord(value)) return null;
  const out: Record_ = {};
  for (const key of ['max_cost_usd', 'max_tokens']) if (typeof value[key] === 'number') out[key] = value[key];
  return out;
}

function Amounts({ value }: { value: unknown }) {
  if (!isRecord(value)) return <Text size="sm">–</Text>;
  const parts = [];
  if (typeof value.cost_usd === 'number') parts.push(usd(value.cost_usd));
  if (typeof value.max_cost_usd === 'number') parts.push(usd(value.max_cost_usd));
  if (typeof value.tokens === 'number') parts.push(`${count(value.tokens)} tokens`);
  if (typeof value.max_tokens === 'number') parts.push(`${count(value.max_tokens)} tokens`);
  return <Text size="sm">{parts.length > 0 ? parts.join(' · ') : '–'}</Text>;
}

function BudgetDetails({ details }: { details: Record_ }) {
  const rows: [string, unknown][] = [
    ['limit', details.limit],
    ['spent', details.spent],
    ['worst case of the next call', details.worst_case],
  ];
  return (
    <Stack gap={4}>
      <Text size="sm">
        Scope <Code>{String(details.scope ?? '?')}</Code>
      </Text>
      <Table withRowBorders={false} verticalSpacing={2} horizontalSpacing="xs" w="auto">
        <Table.Tbody>
          {rows.map(([label, value]) => (
            <Table.Tr key={label}>
              <Table.Th fw={500} c="dimmed" fz="sm" w={200}>
                {label}
              </Table.Th>
              <Table.Td>
                <Amounts value={value} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Text size="xs" c="dimmed">
        Approve with <Code>{'{"max_cost_usd": …}'}</Code> or <Code>{'{"max_tokens": …}'}</Code> to raise the limit of this scope.
      </Text>
    </Stack>
  );
}

export function ApprovalDetails({ approval }: { approval: ApprovalView }) {
  const details = isRecord(approval.details) ? approval.details : null;
  if (approval.kind === 'tool_call' && details) {
    return (
      <Stack gap={4}>
        <Group gap={6}>
          <Text size="sm">The agent wants to call</Text>
          <Code fw={600}>{String(details.tool ?? '?')}</Code>
          <Text size="sm">with these arguments:</Text>
        </Group>
        <JsonBlock value={details.arguments ?? {}} label={`Arguments of ${String(details.tool ?? 'the tool')}`} maxHeight={240} />
      </Stack>
    );
  }
  if (approval.kind === 'budget' && details) return <BudgetDetails details={details} />;
  if (approval.details === null || approval.details === undefined) {
    return (
      <Text size="sm" c="dimmed">
        No details.
      </Text>
    );
  }
  return (
    <Stack gap={4}>
      <Text size="sm" c="dimmed">
        Details
      </Text>
      <JsonBlock value={approval.details} label="Details" maxHeight={240} />
    </Stack>
  );
}
