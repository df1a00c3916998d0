/**
 * "Save as automation": a succeeded run's realized plan frozen into an automation
 * (`runs.saveAsAutomation`). The dialog takes the name, description, inputs, the planning steps to
 * keep planning and the inputs to freeze; "Check" is a dry run showing the freezability report and
 * the definition that would be saved; "Save" saves and goes to the automation. The server's
 * problems land on their input row (`$.inputs[i]`) or are listed with their paths.
 */
import { Alert, Button, Checkbox, CloseButton, Code, Group, List, Modal, Select, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useEffect, useMemo, useRef, useState } from 'react';
import { stringify } from 'yaml';
import { RotaApiError, Scope, type RunView, type SaveRunRequest, type SaveRunResult } from '../../../src/client/index.js';
import { useSession } from '../session';
import { ApiError } from './api-error';
import { FreezeReportView } from './freeze-report';
import { buildRequest, initialForm, INPUT_TYPES, newRow, problemsOf, splitProblems, type InputRow, type Problem, type SaveForm } from './save-form';
import { YamlView } from './yaml-view';
import './run-save.css';

/** Whether the run can be saved as an automation by this token: it succeeded and has a planning step. */
export function canSaveRun(run: RunView, can: (scope: Scope) => boolean): boolean {
  return run.status === 'succeeded' && (run.steps ?? []).some((s) => s.plans) && can(Scope.automations_write) && can(Scope.runs_read);
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? '';
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

const TYPE_OPTIONS = [{ value: '', label: 'as in the run' }, ...INPUT_TYPES.map((t) => ({ value: t, label: t }))];

function InputRowFields({
  row,
  index,
  errors,
  sourceValue,
  onChange,
  onRemove,
}: {
  row: InputRow;
  index: number;
  errors: string[];
  sourceValue: unknown;
  onChange: (row: InputRow) => void;
  onRemove: () => void;
}) {
  const errorId = `save-input-${row.key}-error`;
  const label = row.name.trim() || `row ${index + 1}`;
  const invalid = errors.length > 0;
  return (
    <div data-input-row={index} role="group" aria-label={`Input ${label}`} className="rota-save-row">
      <TextInput
        label="Name"
        value={row.name}
        onChange={(e) => onChange({ ...row, name: e.currentTarget.value })}
        error={invalid}
        aria-describedby={invalid ? errorId : undefined}
        autoComplete="off"
        data-field="name"
      />
      <TextInput label="Description" value={row.description} onChange={(e) => onChange({ ...row, description: e.currentTarget.value })} autoComplete="off" data-field="description" />
      <Select label="Type" data={TYPE_OPTIONS} value={row.type} onChange={(v) => onChange({ ...row, type: (v ?? '') as InputRow['type'] })} allowDeselect={false} data-field="type" />
      <TextInput
        label="Default"
        value={row.default}
        onChange={(e) => onChange({ ...row, default: e.currentTarget.value })}
        placeholder={sourceValue === undefined ? 'none' : `run: ${shown(sourceValue)}`}
        disabled={row.required}
        autoComplete="off"
        data-field="default"
      />
      <Checkbox label="Required" checked={row.required} onChange={(e) => onChange({ ...row, required: e.currentTarget.checked })} className="rota-save-check" data-field="required" />
      <CloseButton aria-label={`Remove input ${label}`} onClick={onRemove} className="rota-save-remove" />
      {invalid && (
        <Text id={errorId} size="xs" c="var(--mantine-color-error)" data-row-error={index} className="rota-save-error">
          {errors.join('; ')}
        </Text>
      )}
    </div>
  );
}

function Problems({ problems }: { problems: readonly Problem[] }) {
  if (problems.length === 0) return null;
  return (
    <List size="sm" spacing={2} data-testid="save-problems">
      {problems.slice(0, 30).map((p, i) => (
        <List.Item key={i} style={{ wordBreak: 'break-word' }}>
          <Code>{p.path}</Code> {p.message}
        </List.Item>
      ))}
    </List>
  );
}

function CheckResult({ result, stale }: { result: SaveRunResult; stale: boolean }) {
  const yaml = useMemo(() => stringify(result.definition, { lineWidth: 0 }), [result.definition]);
  const ref = useRef<HTMLDivElement>(null);
  // a new check's result is below the form: bring it into view
  // (a block body: Chromium's scrollIntoView returns a promise, which React would take for a cleanup)
  useEffect(() => {
    void ref.current?.scrollIntoView({ block: 'start' });
  }, [result]);
  return (
    <Stack gap="sm" component="section" aria-label="What would be saved" data-testid="save-check" ref={ref}>
      <Group gap="xs" justify="space-between" wrap="wrap">
        <Title order={3} size="h5">
          What would be saved
        </Title>
        {stale && (
          <Text size="xs" c="dimmed">
            The form changed since this check: check again.
          </Text>
        )}
      </Group>
      <Text size="sm" data-testid="save-outcome">
        {result.created
          ? `Saving creates the automation ${result.definition.name}.`
          : result.changed
            ? `Saving writes a new version of ${result.definition.name}.`
            : `${result.definition.name} already is this definition: saving changes nothing.`}
      </Text>
      <FreezeReportView report={result.report} />
      <Title order={4} size="h6">
        Definition
      </Title>
      <YamlView source={yaml} label={`The definition that would be saved as ${result.definition.name}`} maxHeight={320} />
    </Stack>
  );
}

function SaveDialog({ run, onClose }: { run: RunView; onClose: () => void }) {
  const { client } = useSession();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const narrow = useMediaQuery('(max-width: 640px)') ?? false;
  const [form, setForm] = useState<SaveForm>(() => initialForm(run.automation, run.inputs));
  const [local, setLocal] = useState<{ rows: Record<number, string>; form: Problem[] }>({ rows: {}, form: [] });
  const [checked, setChecked] = useState<{ key: string; result: SaveRunResult } | null>(null);
  const planners = (run.steps ?? []).filter((s) => s.plans);
  const inputNames = Object.keys(run.inputs);
  // what the check was made of, to tell when the form has changed since
  const formKey = useMemo(() => JSON.stringify(buildRequest(form, run.inputs, true).request), [form, run.inputs]);

  const save = useMutation({
    mutationFn: ({ request }: { request: SaveRunRequest; dryRun: boolean; rowOf: number[]; key: string }) => client.runs.saveAsAutomation(run.id, request),
    onSuccess: (result, { dryRun, request, key }) => {
      if (dryRun) {
        setChecked({ key, result });
        return;
      }
      const name = result.automation?.name ?? request.name;
      void queryClient.invalidateQueries({ queryKey: ['automation', name] });
      void queryClient.invalidateQueries({ queryKey: ['automations'] });
      onClose();
      void navigate({ to: '/automations/$name', params: { name }, search: {} });
    },
  });
  // the server's problems, split by the rows of the request that was sent
  const sentRows = save.variables?.rowOf ?? [];
  const apiError = save.error instanceof RotaApiError ? save.error : null;
  const serverProblems = apiError && apiError.status === 400 ? splitProblems(problemsOf(apiError.details), sentRows) : { rows: {}, other: [] };
  const rowErrors = (i: number) => [...(local.rows[i] ? [local.rows[i]] : []), ...(serverProblems.rows[i] ?? [])];

  const submit = (dryRun: boolean) => {
    const next = buildRequest(form, run.inputs, dryRun);
    setLocal({ rows: next.rowErrors, form: next.formErrors });
    if (Object.keys(next.rowErrors).length > 0 || next.formErrors.length > 0) return;
    save.mutate({ request: next.request, dryRun, rowOf: next.rowOf, key: JSON.stringify(buildRequest(form, run.inputs, true).request) });
  };
  const setRow = (i: number, row: InputRow) => setForm((f) => ({ ...f, inputs: f.inputs.map((r, j) => (j === i ? row : r)) }));
  const nameError = local.form.find((p) => p.path === '$.name')?.message;

  return (
    <Modal opened onClose={onClose} title="Save as automation" size="xl" fullScreen={narrow} closeButtonProps={{ 'aria-label': 'Close' }}>
      <Stack gap="md">
        <Text size="sm">
          Freezes this run&apos;s plan: each planning step is replaced by the steps it planned, with their settings and order, so runs of the saved automation make no planning call. Check first to see what would be
          saved.
        </Text>
        <Group gap="sm" align="flex-start" wrap="wrap">
          <TextInput label="Name" required data-field="automation-name" value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} error={nameError} w={260} maw="100%" autoComplete="off" description="a new automation, or a new version of one" />
          <Textarea label="Description" value={form.description} onChange={(e) => setForm({ ...form, description: e.currentTarget.value })} autosize minRows={1} maxRows={4} style={{ flex: '1 1 260px' }} description="optional; default: which run it was saved from" />
        </Group>
        <Stack gap={6} component="section" aria-label="Inputs">
          <Title order={3} size="h6">
            Inputs
          </Title>
          <Text size="xs" c="dimmed">
            Each is used as <Code>{'{{ inputs.NAME }}'}</Code> in a text field (a prompt, a message) of the saved steps. An optional input without a default takes this run&apos;s value as its default.
          </Text>
          {form.inputs.length === 0 && (
            <Text size="sm" c="dimmed">
              No inputs: the saved automation runs as this run did.
            </Text>
          )}
          {form.inputs.map((row, i) => (
            <InputRowFields
              key={row.key}
              row={row}
              index={i}
              errors={rowErrors(i)}
              sourceValue={run.inputs[row.name.trim()]}
              onChange={(r) => setRow(i, r)}
              onRemove={() => setForm((f) => ({ ...f, inputs: f.inputs.filter((_, j) => j !== i) }))}
            />
          ))}
          <Button variant="subtle" size="compact-sm" w="fit-content" onClick={() => setForm((f) => ({ ...f, inputs: [...f.inputs, newRow()] }))}>
            Add input
          </Button>
        </Stack>
        <Group gap="xl" align="flex-start" wrap="wrap">
          <Checkbox.Group
            label="Keep planning"
            description="these planning steps plan again at each run"
            value={form.keepPlanning}
            onChange={(v) => setForm({ ...form, keepPlanning: v })}
          >
            <Stack gap={4} mt={6}>
              {planners.map((s) => (
                <Checkbox key={s.id} value={s.id} label={<span className="rota-mono">{s.id}</span>} />
              ))}
            </Stack>
          </Checkbox.Group>
          <Checkbox.Group label="Literal inputs" description="frozen to this run's value instead of declared" value={form.literal} onChange={(v) => setForm({ ...form, literal: v })}>
            <Stack gap={4} mt={6}>
              {inputNames.length === 0 ? (
                <Text size="sm" c="dimmed">
                  The run had no inputs.
                </Text>
              ) : (
                inputNames.map((name) => (
                  <Checkbox
                    key={name}
                    value={name}
                    label={
                      <>
                        <span className="rota-mono">{name}</span> <Text span size="xs" c="dimmed">= {shown(run.inputs[name])}</Text>
                      </>
                    }
                  />
                ))
              )}
            </Stack>
          </Checkbox.Group>
        </Group>
        {apiError && apiError.status === 400 ? (
          <Alert color="red" variant="light" title={save.variables?.dryRun ? 'The check found problems' : 'Not saved'} role="alert">
            <Text size="sm">{apiError.message}</Text>
            {Object.keys(serverProblems.rows).length > 0 && (
              <Text size="sm" mt={4}>
                The problems of inputs are shown at their rows.
              </Text>
            )}
            <Problems problems={serverProblems.other} />
          </Alert>
        ) : (
          <ApiError error={save.error} title={save.variables?.dryRun ? 'The check failed' : 'Not saved'} />
        )}
        {checked && !save.error && <CheckResult result={checked.result} stale={checked.key !== formKey} />}
        <Group justify="flex-end" gap="xs" className="rota-save-actions">
          <Button variant="default" onClick={onClose}>
            Close
          </Button>
          <Button variant="light" loading={save.isPending && save.variables?.dryRun} disabled={save.isPending} onClick={() => submit(true)}>
            Check
          </Button>
          <Button loading={save.isPending && !save.variables?.dryRun} disabled={save.isPending} onClick={() => submit(false)}>
            Save
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

export function SaveAsAutomation({ run }: { run: RunView }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant="light" onClick={() => setOpen(true)} title="Freeze this run's plan into an automation that runs it without planning">
        Save as automation…
      </Button>
      {/* mounted only while open, so it starts from this run each time */}
      {open && <SaveDialog run={run} onClose={() => setOpen(false)} />}
    </>
  );
}
