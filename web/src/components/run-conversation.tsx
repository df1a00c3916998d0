/**
 * An agent step's conversation: every model call (tokens, cost, latency, its answer and the tools
 * it asked for) and tool call (the arguments used, the output, the approval), in order; pending
 * tool approvals inline with their exact arguments; the artifacts with their SHA-256.
 */
import { Badge, Button, Code, CopyButton, Group, Loader, Paper, SimpleGrid, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import type { ApprovalView, ConversationView } from '../../../src/client/index.js';
import { count, duration, usd } from '../format';
import { ApiError } from './api-error';
import { JsonBlock } from './json-block';
import { ApprovalCard } from './run-approvals';
import { useConversation } from './run-data';
import { StatusBadge } from './status-badge';
import { Time } from './time';
import { ScrollTable } from './scroll-table';

type Call = ConversationView['calls'][number];
type Artifact = ConversationView['artifacts'][number];

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

const TEXT_CLIP = 600;

function ClippedText({ text }: { text: string }) {
  const [all, setAll] = useState(false);
  const long = text.length > TEXT_CLIP;
  return (
    <Stack gap={2}>
      <Text size="sm" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
        {all || !long ? text : `${text.slice(0, TEXT_CLIP)}…`}
      </Text>
      {long && (
        <Button variant="subtle" size="compact-xs" onClick={() => setAll((v) => !v)} style={{ alignSelf: 'flex-start' }}>
          {all ? 'Show less' : `Show all ${count(text.length)} characters`}
        </Button>
      )}
    </Stack>
  );
}

/** Request and response JSON, rendered only once asked for. */
function RawCall({ call }: { call: Call }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant="subtle" size="compact-xs" onClick={() => setOpen((v) => !v)} aria-expanded={open} style={{ alignSelf: 'flex-start' }}>
        {open ? 'Hide request and response' : 'Request and response'}
      </Button>
      {open && (
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="xs">
          <JsonBlock value={call.request} label={`Request of call ${call.position}`} />
          <JsonBlock value={call.error ?? call.response} label={`Response of call ${call.position}`} />
        </SimpleGrid>
      )}
    </>
  );
}

function CallFigures({ call }: { call: Call }) {
  return (
    <Text size="xs" c="dimmed" component="span">
      {call.kind === 'model' && (
        <>
          in {count(call.input_tokens)} · out {count(call.output_tokens)}
          {call.cached_tokens > 0 && <> · cached {count(call.cached_tokens)}</>} tokens · {usd(call.cost_usd)} ·{' '}
        </>
      )}
      {duration(call.latency_ms)} · <Time iso={call.created_at} />
    </Text>
  );
}

function ModelCall({ call }: { call: Call }) {
  const response = record(call.response);
  const text = typeof response.text === 'string' ? response.text : '';
  const toolCalls = Array.isArray(response.toolCalls) ? (response.toolCalls as { name?: string }[]) : [];
  const error = record(call.error);
  return (
    <>
      {call.status === 'error' ? (
        <Text size="sm" c="red">
          {String(error.code ?? 'error')}: {String(error.message ?? '')}
        </Text>
      ) : (
        <>
          {text && <ClippedText text={text} />}
          {toolCalls.length > 0 && (
            <Text size="sm">
              asked for {toolCalls.map((t, i) => <Code key={i}>{t.name}</Code>).reduce<ReactNode[]>((acc, el, i) => (i === 0 ? [el] : [...acc, ', ', el]), [])}
            </Text>
          )}
          {!text && toolCalls.length === 0 && (
            <Text size="sm" c="dimmed">
              (empty answer)
            </Text>
          )}
        </>
      )}
    </>
  );
}

function ToolCall({ call }: { call: Call }) {
  const request = record(call.request);
  const approval = record(request.approval);
  const used = 'arguments_used' in request ? request.arguments_used : request.arguments;
  const edited = 'arguments_used' in request;
  const output = record(call.response).output;
  return (
    <>
      {approval.state !== undefined && (
        <Text size="sm">
          <StatusBadge status={String(approval.state)} size="xs" /> {approval.decided_by ? <>by {String(approval.decided_by)}</> : null}
          {approval.comment ? <> — “{String(approval.comment)}”</> : null}
          {edited ? ' (arguments edited by the approver)' : null}
        </Text>
      )}
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="xs">
        <Stack gap={2}>
          <Text size="xs" fw={600}>
            {edited ? 'Arguments used' : 'Arguments'}
          </Text>
          <JsonBlock value={used} label={`Arguments of call ${call.position}`} maxHeight={200} />
        </Stack>
        <Stack gap={2}>
          <Text size="xs" fw={600}>
            Output
          </Text>
          <JsonBlock value={call.status === 'error' ? call.error : output} label={`Output of call ${call.position}`} maxHeight={200} />
        </Stack>
      </SimpleGrid>
    </>
  );
}

function CallEntry({ call }: { call: Call }) {
  const kind = call.kind === 'model' ? 'model' : call.kind === 'tool' ? 'tool' : 'budget';
  return (
    <Paper withBorder p="xs" radius="sm" component="li" style={{ listStyle: 'none' }} data-call={call.position}>
      <Stack gap={6}>
        <Group justify="space-between" gap="xs" wrap="wrap">
          <Group gap={6} wrap="wrap">
            <Text size="xs" c="dimmed" component="span">
              #{call.position}
            </Text>
            <Badge size="sm" radius="sm" variant="light" color={kind === 'model' ? 'grape' : kind === 'tool' ? 'cyan' : 'orange'}>
              {kind}
            </Badge>
            <Text size="sm" fw={600} className="rota-mono" component="span">
              {call.name}
            </Text>
            {call.status === 'error' && <StatusBadge status="failed" size="xs" />}
          </Group>
          <CallFigures call={call} />
        </Group>
        {kind === 'model' ? <ModelCall call={call} /> : kind === 'tool' ? <ToolCall call={call} /> : <JsonBlock value={call.response} label={`Budget call ${call.position}`} maxHeight={160} />}
        <RawCall call={call} />
      </Stack>
    </Paper>
  );
}

function ArtifactRow({ artifact }: { artifact: Artifact }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Table.Tr>
        <Table.Td>{artifact.position}</Table.Td>
        <Table.Td>{artifact.kind}</Table.Td>
        <Table.Td>
          <Badge size="sm" radius="sm" variant="light" color={artifact.valid ? 'teal' : 'red'}>
            {artifact.valid ? 'valid' : 'invalid'}
          </Badge>
        </Table.Td>
        <Table.Td>
          <Group gap={4} wrap="nowrap">
            <Code title={artifact.sha256}>{artifact.sha256.slice(0, 16)}…</Code>
            <CopyButton value={artifact.sha256}>
              {({ copied, copy }) => (
                <Button size="compact-xs" variant="subtle" onClick={copy} aria-label={`Copy SHA-256 of artifact ${artifact.position}`}>
                  {copied ? 'copied' : 'copy'}
                </Button>
              )}
            </CopyButton>
          </Group>
        </Table.Td>
        <Table.Td>{count(artifact.size_bytes)} B</Table.Td>
        <Table.Td>
          <Time iso={artifact.created_at} />
        </Table.Td>
        <Table.Td>
          {artifact.content !== undefined && (
            <Button size="compact-xs" variant="subtle" onClick={() => setOpen((v) => !v)} aria-expanded={open}>
              {open ? 'Hide' : 'Content'}
            </Button>
          )}
        </Table.Td>
      </Table.Tr>
      {open && (
        <Table.Tr>
          <Table.Td colSpan={7}>
            <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word', maxHeight: 320, overflow: 'auto' }}>
              {artifact.content}
            </Code>
            {!artifact.valid && artifact.errors !== null && <JsonBlock value={artifact.errors} label="Validation errors" maxHeight={160} />}
          </Table.Td>
        </Table.Tr>
      )}
    </>
  );
}

export function ArtifactTable({ artifacts }: { artifacts: readonly Artifact[] }) {
  return (
    <ScrollTable minWidth={640} label="Artifacts of this step, scrolls sideways">
      <Table striped withTableBorder fz="sm" verticalSpacing={4}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>#</Table.Th>
            <Table.Th>kind</Table.Th>
            <Table.Th>valid</Table.Th>
            <Table.Th>SHA-256</Table.Th>
            <Table.Th>size</Table.Th>
            <Table.Th>created</Table.Th>
            <Table.Th>
              <VisuallyHidden>content</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {artifacts.map((a) => (
            <ArtifactRow key={a.id} artifact={a} />
          ))}
        </Table.Tbody>
      </Table>
    </ScrollTable>
  );
}

export function Conversation({ runId, stepId, pending }: { runId: string; stepId: string; pending: readonly ApprovalView[] }) {
  const conversation = useConversation(runId, stepId, true);
  if (conversation.isPending) return <Loader role="status" size="sm" aria-label="Loading the conversation" />;
  if (conversation.error) return <ApiError error={conversation.error} title="The conversation could not be loaded" />;
  const c = conversation.data;
  const t = c.totals;
  return (
    <Stack gap="sm">
      <Group gap="lg" wrap="wrap" aria-label="Conversation totals">
        <Text size="sm">
          <b>{t.model_calls}</b> model calls
        </Text>
        <Text size="sm">
          <b>{t.tool_calls}</b> tool calls
        </Text>
        <Text size="sm">
          <b>{count(t.input_tokens)}</b> input tokens
        </Text>
        <Text size="sm">
          <b>{count(t.output_tokens)}</b> output tokens
        </Text>
        <Text size="sm">
          <b>{usd(t.cost_usd)}</b> cost
        </Text>
      </Group>
      {c.calls.length === 0 && pending.length === 0 ? (
        <Text size="sm" c="dimmed">
          No model call has completed yet.
        </Text>
      ) : (
        <Stack gap="xs" component="ol" p={0} m={0} aria-label="Calls">
          {c.calls.map((call) => (
            <CallEntry key={call.seq} call={call} />
          ))}
        </Stack>
      )}
      {pending.map((a) => (
        <ApprovalCard key={a.id} approval={a} />
      ))}
      {c.artifacts.length > 0 && (
        <Stack gap={4}>
          <Title order={4} size="h5">
            Artifacts
          </Title>
          <ArtifactTable artifacts={c.artifacts} />
        </Stack>
      )}
    </Stack>
  );
}
