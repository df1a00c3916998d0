/** What can be done to a run: cancel, retry, replay with edited inputs, pin, download its report, compare. */
import { Button, Group, JsonInput, Menu, Modal, Select, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { Scope, type RunView } from '../../../src/client/index.js';
import { json } from '../format';
import { RouterButton } from '../links';
import { useSession } from '../session';
import { ApiError } from './api-error';
import { TERMINAL, runKeys } from './run-data';
import { SaveAsAutomation, canSaveRun } from './run-save';

/** Saves `text` as a file through the browser's download (a Blob URL; nothing leaves the page). */
function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

function CancelButton({ run }: { run: RunView }) {
  const { client } = useSession();
  const queryClient = useQueryClient();
  const [opened, { open, close }] = useDisclosure(false);
  const cancel = useMutation({
    mutationFn: () => client.runs.cancel(run.id),
    onSuccess: (updated) => {
      queryClient.setQueryData(runKeys.run(run.id), (old: RunView | undefined) => ({ ...old, ...updated, steps: updated.steps ?? old?.steps }));
      void queryClient.invalidateQueries({ queryKey: runKeys.run(run.id), exact: true });
      close();
    },
  });
  return (
    <>
      <Button color="red" variant="light" onClick={open}>
        Cancel run
      </Button>
      <Modal opened={opened} onClose={close} title="Cancel this run?" closeButtonProps={{ 'aria-label': 'Close' }}>
        <Stack gap="sm">
          <Text size="sm">The step in flight is aborted and the run ends canceled. Child runs it waits for are canceled too. This cannot be undone; a canceled run can be retried.</Text>
          <ApiError error={cancel.error} title="The run was not canceled" />
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={close}>
              Keep it running
            </Button>
            <Button color="red.9" loading={cancel.isPending} onClick={() => cancel.mutate()}>
              Cancel the run
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}

function RetryButton({ run }: { run: RunView }) {
  const { client } = useSession();
  const navigate = useNavigate();
  const retry = useMutation({
    mutationFn: () => client.runs.retry(run.id),
    onSuccess: (created) => void navigate({ to: '/runs/$id', params: { id: created.id } }),
  });
  return (
    <>
      <Button variant="light" loading={retry.isPending} onClick={() => retry.mutate()} title="A new run from the failed step; steps that succeeded are reused">
        Retry
      </Button>
      {retry.error ? (
        <div style={{ flexBasis: '100%' }}>
          <ApiError error={retry.error} title="The run was not retried" />
        </div>
      ) : null}
    </>
  );
}

function parseInputs(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; message: string } {
  let value: unknown;
  try {
    value = text.trim() === '' ? {} : JSON.parse(text);
  } catch (err) {
    return { ok: false, message: `Not valid JSON: ${(err as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, message: 'The inputs must be a JSON object, e.g. {"region": "eu"}' };
  return { ok: true, value: value as Record<string, unknown> };
}

function ReplayModal({ run, opened, onClose }: { run: RunView; opened: boolean; onClose: () => void }) {
  const { client, can } = useSession();
  const navigate = useNavigate();
  const [text, setText] = useState(() => json(run.inputs));
  const [version, setVersion] = useState(String(run.version));
  const [invalid, setInvalid] = useState<string | null>(null);
  const versions = useQuery({
    queryKey: ['automation-versions', run.automation],
    queryFn: () => client.automations.versions(run.automation),
    enabled: opened && can(Scope.automations_read),
    retry: false,
  });
  const replay = useMutation({
    mutationFn: (inputs: Record<string, unknown>) => client.runs.replay(run.id, { inputs, version: Number(version) }),
    onSuccess: (created) => {
      onClose();
      void navigate({ to: '/runs/$id', params: { id: created.id } });
    },
  });
  const submit = () => {
    const parsed = parseInputs(text);
    if (!parsed.ok) {
      setInvalid(parsed.message);
      return;
    }
    setInvalid(null);
    replay.mutate(parsed.value);
  };
  const options = versions.data?.map((v) => String(v.version)).reverse() ?? [String(run.version)];
  return (
    <Modal opened={opened} onClose={onClose} title="Replay with edited inputs" size="lg" closeButtonProps={{ 'aria-label': 'Close' }}>
      <Stack gap="sm">
        <Text size="sm">A new run of {run.automation} starts with these inputs. Keys left out keep this run&apos;s values.</Text>
        <JsonInput
          label="Inputs (JSON)"
          value={text}
          onChange={(v) => {
            setText(v);
            if (invalid) setInvalid(null);
          }}
          autosize
          minRows={6}
          maxRows={18}
          formatOnBlur
          validationError="Not valid JSON"
          error={invalid}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
        />
        <Select label="Version" data={options} value={version} onChange={(v) => v && setVersion(v)} allowDeselect={false} w={160} description={`this run used v${run.version}`} />
        <ApiError error={replay.error} title="The replay was refused" />
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onClose}>
            Close
          </Button>
          <Button loading={replay.isPending} onClick={submit}>
            Start replay
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function PinButton({ run }: { run: RunView }) {
  const { client } = useSession();
  const queryClient = useQueryClient();
  const pin = useMutation({
    mutationFn: () => (run.pinned ? client.runs.unpin(run.id) : client.runs.pin(run.id)),
    onSuccess: (updated) => queryClient.setQueryData(runKeys.run(run.id), (old: RunView | undefined) => (old ? { ...old, pinned: updated.pinned } : updated)),
  });
  return (
    <>
      <Button variant="default" aria-pressed={run.pinned} loading={pin.isPending} onClick={() => pin.mutate()} title={run.pinned ? 'Retention may delete it again' : 'Retention never deletes a pinned run'}>
        {run.pinned ? 'Unpin' : 'Pin'}
      </Button>
      {pin.error ? (
        <div style={{ flexBasis: '100%' }}>
          <ApiError error={pin.error} />
        </div>
      ) : null}
    </>
  );
}

function ReportMenu({ run }: { run: RunView }) {
  const { client } = useSession();
  const report = useMutation({
    mutationFn: async (format: 'markdown' | 'json') => {
      if (format === 'markdown') download(`run-${run.id}.md`, await client.runs.reportMarkdown(run.id), 'text/markdown');
      else download(`run-${run.id}.json`, JSON.stringify(await client.runs.report(run.id), null, 2), 'application/json');
    },
  });
  return (
    <>
      <Menu position="bottom-end">
        <Menu.Target>
          <Button variant="default" loading={report.isPending}>
            Report
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Label>Download the run report</Menu.Label>
          <Menu.Item onClick={() => report.mutate('markdown')}>Markdown (.md)</Menu.Item>
          <Menu.Item onClick={() => report.mutate('json')}>JSON (.json)</Menu.Item>
        </Menu.Dropdown>
      </Menu>
      {report.error ? (
        <div style={{ flexBasis: '100%' }}>
          <ApiError error={report.error} title="The report could not be downloaded" />
        </div>
      ) : null}
    </>
  );
}

export function RunActions({ run }: { run: RunView }) {
  const { can } = useSession();
  const [replaying, { open, close }] = useDisclosure(false);
  const write = can(Scope.runs_write);
  const ended = TERMINAL.has(run.status);
  const retriable = run.status === 'failed' || run.status === 'timed_out' || run.status === 'canceled';
  return (
    <Group gap="xs" wrap="wrap">
      {write && !ended && <CancelButton run={run} />}
      {write && retriable && <RetryButton run={run} />}
      {write && (
        <Button variant="default" onClick={open}>
          Replay…
        </Button>
      )}
      {write && <PinButton run={run} />}
      {canSaveRun(run, can) && <SaveAsAutomation run={run} />}
      <ReportMenu run={run} />
      <RouterButton variant="default" to="/compare" search={{ a: run.id }}>
        Compare with…
      </RouterButton>
      {/* mounted only while open, so it starts from this run's inputs each time */}
      {write && replaying && <ReplayModal run={run} opened={replaying} onClose={close} />}
    </Group>
  );
}
