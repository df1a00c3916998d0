/**
 * One pending approval in the inbox: what it asks, the run and automation it belongs to, and (with
 * approvals:write) the decision form: approve (optionally with an edited JSON value), reject or
 * abort the run, with a comment. The server resumes the run as it records the decision.
 */
import { Alert, Button, Checkbox, Group, JsonInput, Paper, Stack, Text, Textarea } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Scope, type ApprovalView } from '../../../src/client/index.js';
import { json } from '../format';
import { RouterAnchor } from '../links';
import { useSession } from '../session';
import { ApiError } from './api-error';
import { ApprovalDetails, ApprovalKindBadge, editableValue } from './approval-details';
import { StatusBadge } from './status-badge';
import { Time } from './time';

type Decision = 'approve' | 'reject' | 'abort';

const VALUE_LABEL: Record<string, string> = { tool_call: 'Approve with edited arguments', budget: 'Approve with a new limit' };

/** The JSON text parsed, or why it is not JSON. */
function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, error: `Not valid JSON: ${(err as Error).message}` };
  }
}

export function ApprovalContext({ approval }: { approval: ApprovalView }) {
  return (
    <Group gap="xs" wrap="wrap">
      <Text size="sm" c="dimmed">
        automation
      </Text>
      <RouterAnchor to="/automations/$name" params={{ name: approval.automation }} size="sm">
        {approval.automation}
      </RouterAnchor>
      <Text size="sm" c="dimmed">
        run
      </Text>
      <RouterAnchor to="/runs/$id" params={{ id: approval.run_id }} search={{ step: approval.step_id }} size="sm" className="rota-mono">
        {approval.run_id}
      </RouterAnchor>
      <StatusBadge status={approval.run_status} size="xs" />
      <Text size="sm" c="dimmed">
        step <span className="rota-mono">{approval.step_id}</span>
      </Text>
    </Group>
  );
}

function DecisionForm({ approval, onDecided }: { approval: ApprovalView; onDecided: (decided: ApprovalView) => void }) {
  const { client } = useSession();
  const queryClient = useQueryClient();
  const [comment, setComment] = useState('');
  const [editing, setEditing] = useState(false);
  const [valueText, setValueText] = useState(() => json(editableValue(approval)));
  const [confirmAbort, setConfirmAbort] = useState(false);
  const parsed = editing ? parseJson(valueText) : null;
  const decide = useMutation({
    mutationFn: (decision: Decision) =>
      client.approvals.decide(approval.id, decision, {
        ...(comment.trim() ? { comment: comment.trim() } : {}),
        ...(decision === 'approve' && parsed?.ok ? { value: parsed.value } : {}),
      }),
    onSuccess: (decided) => {
      onDecided(decided);
      void queryClient.invalidateQueries({ queryKey: ['approvals'] });
      void queryClient.invalidateQueries({ queryKey: ['runs'] });
    },
  });
  const busy = decide.isPending;
  return (
    <Stack gap="xs">
      <Textarea label="Comment" description="Optional; kept with the decision" autosize minRows={1} maxRows={6} value={comment} onChange={(e) => setComment(e.currentTarget.value)} maxLength={10_000} />
      <Checkbox label={VALUE_LABEL[approval.kind] ?? 'Approve with an edited value'} checked={editing} onChange={(e) => setEditing(e.currentTarget.checked)} />
      {editing && (
        <JsonInput
          label="Value (JSON)"
          description={approval.kind === 'step' ? 'The step outputs this value instead of the details' : approval.kind === 'tool_call' ? 'The tool runs with these arguments' : 'The new limit of this scope'}
          autosize
          minRows={3}
          maxRows={16}
          value={valueText}
          onChange={setValueText}
          error={parsed && !parsed.ok ? parsed.error : undefined}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
        />
      )}
      <Group gap="xs">
        <Button onClick={() => decide.mutate('approve')} loading={busy && decide.variables === 'approve'} disabled={busy || (parsed !== null && !parsed.ok)}>
          {editing ? 'Approve with value' : 'Approve'}
        </Button>
        <Button color="red" variant="light" onClick={() => decide.mutate('reject')} loading={busy && decide.variables === 'reject'} disabled={busy}>
          Reject
        </Button>
        {confirmAbort ? (
          <Group gap={6} role="group" aria-label="Confirm abort">
            <Text size="sm">Cancel the whole run?</Text>
            <Button color="red" size="xs" onClick={() => decide.mutate('abort')} loading={busy && decide.variables === 'abort'} disabled={busy}>
              Abort run
            </Button>
            <Button variant="default" size="xs" onClick={() => setConfirmAbort(false)} disabled={busy}>
              Keep waiting
            </Button>
          </Group>
        ) : (
          <Button color="red" variant="subtle" onClick={() => setConfirmAbort(true)} disabled={busy}>
            Abort…
          </Button>
        )}
      </Group>
      <ApiError error={decide.error} title="The decision was not recorded" />
    </Stack>
  );
}

/** What this token may do with the approval: decide, wait for others, or only look. */
function Decide({ approval, onDecided }: { approval: ApprovalView; onDecided: (decided: ApprovalView) => void }) {
  const { can, whoami } = useSession();
  const mine = approval.decisions.find((d) => d.by === whoami.token_id);
  if (mine) {
    const left = approval.min_approvals - approval.approvals;
    return (
      <Alert variant="light" color="blue" p="xs">
        You approved this <Time iso={mine.at} />; waiting for {left} more approval{left === 1 ? '' : 's'} from other tokens.
      </Alert>
    );
  }
  if (!can(Scope.approvals_write)) {
    return (
      <Alert variant="light" color="gray" p="xs">
        Deciding needs a token with the approvals:write scope.
      </Alert>
    );
  }
  return <DecisionForm approval={approval} onDecided={onDecided} />;
}

export function PendingApprovalCard({ approval, onDecided }: { approval: ApprovalView; onDecided: (decided: ApprovalView) => void }) {
  const titleId = useId();
  return (
    <Paper withBorder radius="md" p="md" component="article" aria-labelledby={titleId}>
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start" wrap="wrap" gap="xs">
          <Group gap="xs" wrap="nowrap" align="flex-start" style={{ minWidth: 0, flex: '1 1 320px' }}>
            <ApprovalKindBadge kind={approval.kind} />
            <Text fw={600} id={titleId} style={{ overflowWrap: 'anywhere' }}>
              {approval.message}
            </Text>
          </Group>
          <Text size="xs" c="dimmed">
            requested <Time iso={approval.created_at} />
            {approval.expires_at && (
              <>
                {' · '}expires <Time iso={approval.expires_at} /> ({approval.on_timeout} then)
              </>
            )}
          </Text>
        </Group>
        <ApprovalContext approval={approval} />
        {(approval.approvers || approval.min_approvals > 1) && (
          <Text size="sm" c="dimmed">
            {approval.approvers && <>who may decide: {approval.approvers.join(', ')}. </>}
            {approval.min_approvals > 1 && (
              <>
                {approval.approvals} of {approval.min_approvals} approvals so far.
              </>
            )}
          </Text>
        )}
        <ApprovalDetails approval={approval} />
        <Decide approval={approval} onDecided={onDecided} />
      </Stack>
    </Paper>
  );
}
