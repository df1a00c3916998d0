/**
 * Run with inputs: a form generated from the automation's inputs JSON Schema, checked in the
 * browser (inputs-check.ts) before anything is sent, then `automations.run` and on to the new
 * run. The server validates again; its `{path, message}` details land on the same fields.
 */
import { Alert, Button, Checkbox, Code, Group, List, NumberInput, Select, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { RotaApiError, type AutomationView } from '../../../src/client/index.js';
import { useSession } from '../session';
import { ApiError } from './api-error';
import { JsonBlock } from './json-block';
import { checkInputs } from './inputs-check';
import { buildInputs, fieldErrors, initialValues, inputsForm, optionLabel, WHOLE, type FieldErrors, type FieldValue, type InputField } from './inputs-fields';

const NO_ERRORS: FieldErrors = { fields: {}, other: [] };

function fieldId(key: string): string {
  return `run-input-${key === WHOLE ? 'whole' : key.replace(/[^A-Za-z0-9_-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`)}`;
}

function formatHint(format: string | undefined): string | undefined {
  switch (format) {
    case 'date-time':
      return 'an RFC 3339 time, e.g. 2026-12-01T09:00:00Z';
    case 'date':
      return 'a date, e.g. 2026-12-01';
    case 'email':
      return 'an e-mail address';
    case 'uri':
    case 'url':
      return 'a URL, e.g. https://example.com';
    default:
      return format ? `format: ${format}` : undefined;
  }
}

function Field({ field, value, error, onChange }: { field: InputField; value: FieldValue; error?: string; onChange: (value: FieldValue) => void }) {
  const common = { id: fieldId(field.key), label: field.label, required: field.required, error, 'data-field': field.key };
  const description = [field.description, field.kind === 'string' ? formatHint(field.format) : undefined, field.kind === 'json' ? `JSON${field.jsonType ? ` (${field.jsonType})` : ''}` : undefined]
    .filter(Boolean)
    .join(' · ');
  switch (field.kind) {
    case 'boolean':
      return <Checkbox {...common} description={description || undefined} checked={value === true} onChange={(e) => onChange(e.currentTarget.checked)} />;
    case 'enum':
      return (
        <Select
          {...common}
          description={description || undefined}
          data={(field.options ?? []).map((o, i) => ({ value: String(i), label: optionLabel(o) }))}
          value={value === '' ? null : String(value)}
          onChange={(v) => onChange(v ?? '')}
          clearable={!field.required}
          allowDeselect={!field.required}
          placeholder={field.required ? 'Pick one' : 'Not set'}
        />
      );
    case 'number':
    case 'integer':
      return (
        <NumberInput
          {...common}
          description={description || (field.kind === 'integer' ? 'a whole number' : undefined)}
          value={typeof value === 'boolean' ? '' : value}
          onChange={(v) => onChange(v)}
          allowDecimal={field.kind === 'number'}
          hideControls
        />
      );
    case 'string':
      return <TextInput {...common} description={description || undefined} value={String(value)} onChange={(e) => onChange(e.currentTarget.value)} autoComplete="off" />;
    case 'json':
      return (
        <Textarea
          {...common}
          description={description || undefined}
          value={String(value)}
          onChange={(e) => onChange(e.currentTarget.value)}
          autosize
          minRows={3}
          maxRows={16}
          spellCheck={false}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 'var(--mantine-font-size-xs)' } }}
        />
      );
  }
}

export function InputsForm({ automation }: { automation: AutomationView }) {
  const { client } = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const schema = automation.definition.inputs;
  const form = useMemo(() => inputsForm(schema), [schema]);
  const [values, setValues] = useState<Record<string, FieldValue>>(() => (form ? initialValues(form) : {}));
  const [errors, setErrors] = useState<FieldErrors>(NO_ERRORS);
  const [focusFirst, setFocusFirst] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);

  const run = useMutation({
    mutationFn: (inputs: Record<string, unknown>) => client.automations.run(automation.name, { inputs }),
    onSuccess: async ({ run: started }) => {
      await queryClient.invalidateQueries({ queryKey: ['automation', automation.name] });
      await navigate({ to: '/runs/$id', params: { id: started.id } });
    },
    onError: (err) => {
      if (form && err instanceof RotaApiError && Array.isArray(err.details)) {
        setErrors(fieldErrors(form, err.details as { path?: string; message?: string }[]));
        setFocusFirst((n) => n + 1);
      }
    },
  });

  // after a refused submit, the first field with an error gets the focus (keyboard and screen-reader users land on it)
  useEffect(() => {
    if (focusFirst === 0) return;
    const invalid = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    invalid?.focus();
  }, [focusFirst]);

  const built = form ? buildInputs(form, values) : { inputs: {}, errors: {} };

  function submit(event: FormEvent) {
    event.preventDefault();
    run.reset();
    if (!form) {
      run.mutate({});
      return;
    }
    const shape = built.errors;
    const checked = Object.keys(shape).length === 0 ? fieldErrors(form, checkInputs(schema, built.inputs)) : NO_ERRORS;
    const merged: FieldErrors = { fields: { ...checked.fields, ...shape }, other: checked.other };
    setErrors(merged);
    if (Object.keys(merged.fields).length > 0 || merged.other.length > 0) {
      setFocusFirst((n) => n + 1);
      return;
    }
    run.mutate(built.inputs);
  }

  const refused = run.error instanceof RotaApiError && Array.isArray(run.error.details) && run.error.details.length > 0;
  return (
    <form onSubmit={submit} noValidate ref={formRef} aria-label={`Run ${automation.name}`}>
      <Stack gap="md" maw={640}>
        {form === null ? (
          <Text size="sm">
            <b>{automation.name}</b> takes no inputs (its definition has no <Code>inputs:</Code> schema).
          </Text>
        ) : (
          <Text size="sm" c="dimmed">
            Inputs of version {automation.version}, from its <Code>inputs:</Code> schema. Required fields are marked with an asterisk (*); an empty field is left out, so its default applies.
          </Text>
        )}
        {form?.fields.map((field) => (
          <Field
            key={field.key}
            field={field}
            value={values[field.key] ?? ''}
            error={errors.fields[field.key]}
            onChange={(value) => {
              setValues((v) => ({ ...v, [field.key]: value }));
              if (errors.fields[field.key]) setErrors((e) => ({ ...e, fields: Object.fromEntries(Object.entries(e.fields).filter(([k]) => k !== field.key)) }));
            }}
          />
        ))}
        {errors.other.length > 0 && (
          <Alert color="red" variant="light" title="The inputs do not match the schema" role="alert">
            <List size="sm">
              {errors.other.map((e, i) => (
                <List.Item key={i}>{e}</List.Item>
              ))}
            </List>
          </Alert>
        )}
        {Object.keys(errors.fields).length > 0 && (
          <Text size="sm" c="var(--mantine-color-error)" role="alert" data-testid="inputs-invalid">
            {Object.keys(errors.fields).length === 1 ? 'One field needs' : `${Object.keys(errors.fields).length} fields need`} fixing before the run can start.
          </Text>
        )}
        {run.error && !refused && <ApiError error={run.error} title="The run was not started" />}
        {form && !form.freeForm && Object.keys(built.errors).length === 0 && (
          <details>
            <summary>
              <Text component="span" size="sm">
                Inputs to send
              </Text>
            </summary>
            <JsonBlock value={built.inputs} label="Inputs to send" maxHeight={200} />
          </details>
        )}
        <Group>
          <Button type="submit" loading={run.isPending}>
            Start run
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
