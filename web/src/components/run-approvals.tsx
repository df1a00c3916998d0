/** Pending approvals of a run, decided in place with a comment (approvals:write). */
import { Badge, Button, Group, Paper, Stack, Text, Textarea, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Scope, type ApprovalView } from '../../../src/client/index.js';
import { useSession } from '../session';
import { ApiError } from './api-error';
import { JsonBlock } from './json-block';
import { runKeys } from './run-data';
import { Time } from './time';

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

const KIND_LABEL: Record<string, string> = { step: 'step approval', tool_call: 'tool call', budget: 'budget raise' };

export function ApprovalCard({ approval }: { approval: ApprovalView }) {
  const { client, can } = useSession();
  const queryClient = useQueryClient();
  const [comment, setComment] = useState('');
  const decide = useMutation({
    mutationFn: (decision: 'approve' | 'reject') => client.approvals.decide(approval.id, decision, { comment: comment.trim() || undefined }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: runKeys.approvals(approval.run_id) });
      void queryClient.invalidateQueries({ queryKey: runKeys.run(approval.run_id), exact: true });
      void queryClient.invalidateQueries({ queryKey: ['approvals'] });
    },
  });
  const details = record(approval.details);
  const toolCall = approval.kind === 'tool_call' && details;
  const allowed = can(Scope.approvals_write);
  return (
    <Paper withBorder p="sm" radius="sm" aria-label={`Approval: ${approval.message}`} component="section">
      <Stack gap="xs">
        <Group justify="space-between" wrap="wrap" gap="xs">
          <Group gap="xs" wrap="wrap">
            <Badge color="yellow" variant="light" radius="sm">
              {KIND_LABEL[approval.kind] ?? approval.kind}
            </Badge>
            <Text size="sm" c="dimmed">
              step <span className="rota-mono">{approval.step_id}</span> · asked <Time iso={approval.created_at} />
              {approval.expires_at && (
                <>
                  {' '}
                  · expires <Time iso={approval.expires_at} /> ({approval.on_timeout} on timeout)
                </>
              )}
            </Text>
          </Group>
          {approval.min_approvals > 1 && (
            <Text size="sm">
              {approval.approvals} of {approval.min_approvals} approvals
            </Text>
          )}
        </Group>
        <Text fw={600}>{approval.message}</Text>
        {toolCall ? (
          <>
            <Text size="sm">
              The agent wants to call <span className="rota-mono">{String(details.tool)}</span> with these exact arguments:
            </Text>
            <JsonBlock value={details.arguments} label="Tool call arguments" maxHeight={240} />
          </>
        ) : (
          approval.details !== null && approval.details !== undefined && <JsonBlock value={approval.details} label="Approval details" maxHeight={240} />
        )}
        {approval.approvers && approval.approvers.length > 0 && (
          <Text size="xs" c="dimmed">
            approvers: {approval.approvers.join(', ')}
          </Text>
        )}
        {allowed ? (
          <>
            <Textarea label="Comment" placeholder="Why (kept with the decision)" autosize minRows={1} maxRows={4} value={comment} onChange={(e) => setComment(e.currentTarget.value)} />
            <Group gap="xs">
              <Button color="teal.9" loading={decide.isPending && decide.variables === 'approve'} disabled={decide.isPending} onClick={() => decide.mutate('approve')}>
                Approve
              </Button>
              <Button color="red" variant="light" loading={decide.isPending && decide.variables === 'reject'} disabled={decide.isPending} onClick={() => decide.mutate('reject')}>
                Reject
              </Button>
            </Group>
            <ApiError error={decide.error} title="The decision was not recorded" />
          </>
        ) : (
          <Text size="sm" c="dimmed">
            Deciding needs a token with the approvals:write scope.
          </Text>
        )}
      </Stack>
    </Paper>
  );
}

export function PendingApprovals({ approvals }: { approvals: readonly ApprovalView[] }) {
  if (approvals.length === 0) return null;
  return (
    <Stack gap="xs" mb="md">
      <Title order={2} size="h4">
        Waiting for {approvals.length === 1 ? 'a decision' : `${approvals.length} decisions`}
      </Title>
      {approvals.map((a) => (
        <ApprovalCard key={a.id} approval={a} />
      ))}
    </Stack>
  );
}
