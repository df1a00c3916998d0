/** The runs explorer's filter bar: every control writes the URL, so a filtered view is a link. */
import { Button, Group, MultiSelect, Select, TextInput } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useSession } from '../session';
import { RUN_STATUSES, WINDOWS, fromLocalInput, hasFilter, relativeMs, statusesOf, toLocalInput, type RunsSearch } from './runs-filter';

/** A text filter typed into freely and written to the URL a moment after the last key. */
function FilterText({ label, value, placeholder, onCommit, w }: { label: string; value: string | undefined; placeholder?: string; onCommit: (v: string | undefined) => void; w?: number }) {
  const [text, setText] = useState(value ?? '');
  const [seen, setSeen] = useState(value);
  // the URL changed under us (cleared, back button): show what it says now
  if (seen !== value) {
    setSeen(value);
    if ((value ?? '') !== text.trim()) setText(value ?? '');
  }
  const commit = useDebouncedCallback((v: string) => onCommit(v.trim() === '' ? undefined : v.trim()), 350);
  return (
    <TextInput
      label={label}
      placeholder={placeholder}
      value={text}
      w={w}
      size="xs"
      onChange={(e) => {
        setText(e.currentTarget.value);
        commit(e.currentTarget.value);
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter') commit.flush();
      }}
    />
  );
}

const ANY = 'any';
const CUSTOM = 'custom';

export function RunsFilters({ search, onChange }: { search: RunsSearch; onChange: (patch: Partial<RunsSearch>) => void }) {
  const { client } = useSession();
  const automations = useQuery({ queryKey: ['automations', 'names'], queryFn: () => client.automations.list({ limit: 200 }), staleTime: 60_000 });
  const names = (automations.data?.items ?? []).map((a) => a.name);
  if (search.automation && !names.includes(search.automation)) names.unshift(search.automation);
  const triggerIds = new Set<string>(['manual']);
  for (const a of automations.data?.items ?? []) if (!search.automation || a.name === search.automation) for (const t of a.triggers) triggerIds.add(t.id);
  if (search.trigger) triggerIds.add(search.trigger);

  const absolute = (search.since !== undefined && relativeMs(search.since) === null) || search.until !== undefined;
  const [customOpen, setCustomOpen] = useState(false);
  const timeWindow = absolute || customOpen ? CUSTOM : (search.since ?? ANY);

  return (
    <Group gap="sm" align="flex-end" wrap="wrap" mb="sm" role="search" aria-label="Filter runs">
      <Select
        label="Automation"
        placeholder="All automations"
        size="xs"
        w={190}
        searchable
        clearable
        data={names}
        value={search.automation ?? null}
        onChange={(v) => onChange({ automation: v ?? undefined })}
        nothingFoundMessage="No automation of that name"
      />
      <MultiSelect
        label="Status"
        placeholder={statusesOf(search).length === 0 ? 'Any status' : undefined}
        size="xs"
        w={230}
        clearable
        data={RUN_STATUSES.map((s) => ({ value: s, label: s.replace('_', ' ') }))}
        value={statusesOf(search)}
        onChange={(v) => onChange({ status: v.length > 0 ? v.join(',') : undefined })}
      />
      <Select
        label="Trigger"
        placeholder="Any trigger"
        size="xs"
        w={150}
        searchable
        clearable
        data={[...triggerIds]}
        value={search.trigger ?? null}
        onChange={(v) => onChange({ trigger: v ?? undefined })}
      />
      <Select
        label="Queued"
        size="xs"
        w={150}
        allowDeselect={false}
        data={[{ value: ANY, label: 'Any time' }, ...WINDOWS, { value: CUSTOM, label: 'Between…' }]}
        value={timeWindow}
        onChange={(v) => {
          setCustomOpen(v === CUSTOM);
          if (v === ANY) onChange({ since: undefined, until: undefined });
          else if (v && v !== CUSTOM) onChange({ since: v, until: undefined });
          else if (v === CUSTOM && search.since && relativeMs(search.since) !== null) onChange({ since: undefined });
        }}
      />
      {timeWindow === CUSTOM && (
        <>
          <TextInput label="From" type="datetime-local" size="xs" w={190} value={toLocalInput(search.since)} onChange={(e) => onChange({ since: fromLocalInput(e.currentTarget.value) })} />
          <TextInput label="To" type="datetime-local" size="xs" w={190} value={toLocalInput(search.until)} onChange={(e) => onChange({ until: fromLocalInput(e.currentTarget.value) })} />
        </>
      )}
      <FilterText label="Error contains" placeholder="e.g. timeout" value={search.q} w={200} onCommit={(q) => onChange({ q })} />
      {hasFilter(search) && (
        <Button
          size="xs"
          variant="subtle"
          onClick={() => {
            setCustomOpen(false);
            onChange({ automation: undefined, status: undefined, trigger: undefined, since: undefined, until: undefined, q: undefined });
          }}
        >
          Clear filters
        </Button>
      )}
    </Group>
  );
}
