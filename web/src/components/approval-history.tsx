/** Settled approvals (decided or expired): what was asked, who decided what and when, comments and edited values. */
import { Code, Group, Stack, Table, Text, Tooltip } from '@mantine/core';
import type { ApprovalView } from '../../../src/client/index.js';
import { json } from '../format';
import { RouterAnchor } from '../links';
import { ApprovalKindBadge } from './approval-details';
import { StatusBadge } from './status-badge';
import { Time } from './time';
import { ScrollTable } from './scroll-table';

function Outcome({ approval }: { approval: ApprovalView }) {
  if (approval.state !== 'expired') return <StatusBadge status={approval.state} />;
  return (
    <Stack gap={2} align="flex-start">
      <StatusBadge status="expired" />
      <Text size="xs" c="dimmed">
        {approval.outcome ? `${approval.on_timeout} applied` : 'run ended first'}
      </Text>
    </Stack>
  );
}

function Deciders({ approval }: { approval: ApprovalView }) {
  if (approval.decisions.length === 0) {
    return (
      <Text size="sm">
        nobody; expired <Time iso={approval.decided_at ?? approval.expires_at} />
      </Text>
    );
  }
  return (
    <Stack gap={2}>
      {approval.decisions.map((d) => (
        <Text size="sm" key={`${d.by}-${d.at}`}>
          <b>{d.by_name ?? d.by}</b> {d.decision === 'approve' ? 'approved' : d.decision === 'reject' ? 'rejected' : 'aborted'} <Time iso={d.at} />
        </Text>
      ))}
    </Stack>
  );
}

function Comments({ approval }: { approval: ApprovalView }) {
  const comments = approval.decisions.filter((d) => d.comment);
  if (comments.length === 0) return <Text size="sm">–</Text>;
  return (
    <Stack gap={2}>
      {comments.map((d) => (
        <Text size="sm" key={`${d.by}-${d.at}`} style={{ overflowWrap: 'anywhere' }}>
          {comments.length > 1 && <b>{d.by_name ?? d.by}: </b>}
          {d.comment}
        </Text>
      ))}
    </Stack>
  );
}

function EditedValue({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <Text size="sm">–</Text>;
  const text = json(value);
  const short = text.length > 80 ? `${JSON.stringify(value).slice(0, 77)}…` : JSON.stringify(value);
  return (
    <Tooltip label={<pre style={{ margin: 0 }}>{text}</pre>} multiline maw={480} disabled={text.length <= 80}>
      <Code style={{ overflowWrap: 'anywhere' }} tabIndex={text.length > 80 ? 0 : undefined}>
        {short}
      </Code>
    </Tooltip>
  );
}

export function ApprovalHistoryTable({ approvals }: { approvals: ApprovalView[] }) {
  return (
    <ScrollTable minWidth={900} label="Approval history, scrolls sideways">
      <Table verticalSpacing="xs" highlightOnHover aria-label="Approval history">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Outcome</Table.Th>
            <Table.Th>Request</Table.Th>
            <Table.Th>Run</Table.Th>
            <Table.Th>Decided</Table.Th>
            <Table.Th>Comment</Table.Th>
            <Table.Th>Edited value</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {approvals.map((a) => (
            <Table.Tr key={a.id} data-approval={a.id}>
              <Table.Td style={{ whiteSpace: 'nowrap', minWidth: 116 }}>
                <Outcome approval={a} />
              </Table.Td>
              <Table.Td maw={340}>
                <Stack gap={2}>
                  <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                    {a.message}
                  </Text>
                  <Group gap={4}>
                    <ApprovalKindBadge kind={a.kind} />
                    <Text size="xs" c="dimmed">
                      requested <Time iso={a.created_at} />
                    </Text>
                  </Group>
                </Stack>
              </Table.Td>
              <Table.Td>
                <Stack gap={2}>
                  <RouterAnchor to="/automations/$name" params={{ name: a.automation }} size="sm">
                    {a.automation}
                  </RouterAnchor>
                  <RouterAnchor to="/runs/$id" params={{ id: a.run_id }} size="xs" className="rota-mono">
                    {a.run_id}
                  </RouterAnchor>
                </Stack>
              </Table.Td>
              <Table.Td>
                <Deciders approval={a} />
              </Table.Td>
              <Table.Td maw={260}>
                <Comments approval={a} />
              </Table.Td>
              <Table.Td maw={260}>
                <EditedValue value={a.value} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollTable>
  );
}
