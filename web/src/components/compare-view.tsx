/** Two runs side by side: what they are, their inputs, steps, output and error, every difference tinted and marked. */
import { Alert, Code, Group, List, Paper, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import type { RunView } from '../../../src/client/index.js';
import { betweenMs, count, duration, usd } from '../format';
import { RouterAnchor } from '../links';
import { alignSteps, diffLeaves, durationsDiffer, sameJson, stepDiffers } from './compare-diff';
import { DIFF_BG, DiffMark, JsonDiff, ScrollTable, Section } from './compare-parts';
import { CompareSteps } from './compare-steps';
import { StatusBadge } from './status-badge';
import { Time } from './time';

function runMs(run: RunView): number | null {
  return betweenMs(run.started_at, run.ended_at);
}

interface Field {
  label: string;
  a: ReactNode;
  b: ReactNode;
  /** compared by these, not by what is shown */
  keyA: unknown;
  keyB: unknown;
}

function fields(a: RunView, b: RunView): Field[] {
  const ms = (r: RunView) => duration(runMs(r));
  const link = (id: string | null) => (id ? <RouterAnchor to="/runs/$id" params={{ id }} size="sm" className="rota-mono">{id}</RouterAnchor> : '–');
  return [
    { label: 'Automation', a: `${a.automation} v${a.version}`, b: `${b.automation} v${b.version}`, keyA: [a.automation, a.version], keyB: [b.automation, b.version] },
    { label: 'Status', a: <StatusBadge status={a.status} />, b: <StatusBadge status={b.status} />, keyA: a.status, keyB: b.status },
    { label: 'Trigger', a: `${a.trigger_id} (${a.trigger_kind})`, b: `${b.trigger_id} (${b.trigger_kind})`, keyA: a.trigger_id, keyB: b.trigger_id },
    { label: 'Queued', a: <Time iso={a.queued_at} />, b: <Time iso={b.queued_at} />, keyA: null, keyB: null },
    { label: 'Duration', a: ms(a), b: ms(b), keyA: 0, keyB: durationsDiffer(runMs(a), runMs(b)) ? 1 : 0 },
    { label: 'Cost', a: usd(a.cost_usd), b: usd(b.cost_usd), keyA: a.cost_usd, keyB: b.cost_usd },
    { label: 'Tokens', a: count(a.tokens), b: count(b.tokens), keyA: a.tokens, keyB: b.tokens },
    { label: 'Attempt', a: a.attempt, b: b.attempt, keyA: a.attempt, keyB: b.attempt },
    { label: 'Retry of', a: link(a.retry_of), b: link(b.retry_of), keyA: a.retry_of, keyB: b.retry_of },
  ];
}

function RunCard({ side, run }: { side: 'A' | 'B'; run: RunView }) {
  return (
    <Paper withBorder p="sm" radius="md" data-testid={`compare-run-${side.toLowerCase()}`}>
      <Group gap="xs" wrap="wrap">
        <Text fw={700}>{side}</Text>
        <StatusBadge status={run.status} />
        <RouterAnchor to="/runs/$id" params={{ id: run.id }} className="rota-mono" size="sm" style={{ wordBreak: 'break-all' }}>
          {run.id}
        </RouterAnchor>
      </Group>
      <Text size="sm" mt={4}>
        <RouterAnchor to="/automations/$name" params={{ name: run.automation }} underline="always">
          {run.automation}
        </RouterAnchor>{' '}
        v{run.version} · queued <Time iso={run.queued_at} />
      </Text>
    </Paper>
  );
}

function outcome(run: RunView): string {
  if (!run.error) return run.status.replace('_', ' ');
  const where = run.error.step_id ? ` in step ${run.error.step_id}` : '';
  return `${run.status.replace('_', ' ')}${where}: ${run.error.code}, ${run.error.message}`;
}

/** The differences in a few sentences, before the tables. */
function Glance({ a, b }: { a: RunView; b: RunView }) {
  const inputs = diffLeaves(a.inputs, b.inputs).filter((l) => !l.same).map((l) => l.path);
  const steps = alignSteps(a.steps ?? [], b.steps ?? []);
  const onlyA = steps.filter((s) => !s.b).map((s) => s.id);
  const onlyB = steps.filter((s) => !s.a).map((s) => s.id);
  const changed = steps.filter((s) => s.a && s.b && stepDiffers(s));
  const lines: ReactNode[] = [];
  lines.push(a.status === b.status && sameJson(a.error, b.error) ? `Both ${outcome(a)}.` : `A ${outcome(a)}. B ${outcome(b)}.`);
  if (a.automation !== b.automation || a.version !== b.version) lines.push(`A ran ${a.automation} v${a.version}, B ran ${b.automation} v${b.version}.`);
  lines.push(inputs.length === 0 ? 'Same inputs.' : `Inputs differ at ${inputs.slice(0, 6).join(', ')}${inputs.length > 6 ? ` and ${inputs.length - 6} more` : ''}.`);
  if (changed.length > 0) {
    const named = changed.slice(0, 5).map((s) => (s.a!.status === s.b!.status ? s.id : `${s.id} (${s.a!.status} / ${s.b!.status})`));
    lines.push(`Steps that differ: ${named.join(', ')}${changed.length > 5 ? ` and ${changed.length - 5} more` : ''}.`);
  }
  if (onlyA.length > 0) lines.push(`Only A ran ${onlyA.join(', ')}.`);
  if (onlyB.length > 0) lines.push(`Only B ran ${onlyB.join(', ')}.`);
  lines.push(`Took ${duration(runMs(a))} and ${duration(runMs(b))}; cost ${usd(a.cost_usd)} and ${usd(b.cost_usd)}.`);
  return (
    <Paper withBorder p="sm" radius="md" component="section" aria-label="At a glance" data-testid="compare-glance">
      <List size="sm" spacing={2}>
        {lines.map((line, i) => (
          <List.Item key={i}>{line}</List.Item>
        ))}
      </List>
    </Paper>
  );
}

function RunError({ run }: { run: RunView }) {
  if (!run.error) {
    return (
      <Text size="sm" c="dimmed">
        no error
      </Text>
    );
  }
  return (
    <Stack gap={2}>
      <Group gap={6}>
        <Code>{run.error.code}</Code>
        {run.error.step_id && <Text size="xs">in step {run.error.step_id}</Text>}
      </Group>
      <Text size="sm" style={{ wordBreak: 'break-word' }}>
        {run.error.message}
      </Text>
    </Stack>
  );
}

export function CompareView({ a, b }: { a: RunView; b: RunView }) {
  const rows = fields(a, b);
  const inputDiffs = diffLeaves(a.inputs, b.inputs).filter((l) => !l.same).length;
  return (
    <Stack gap="md">
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
        <RunCard side="A" run={a} />
        <RunCard side="B" run={b} />
      </SimpleGrid>
      <Glance a={a} b={b} />
      {a.automation !== b.automation && (
        <Alert color="yellow" variant="light">
          These runs belong to different automations ({a.automation} and {b.automation}): their steps may have nothing in common.
        </Alert>
      )}
      {a.id === b.id && (
        <Alert color="yellow" variant="light">
          A and B are the same run.
        </Alert>
      )}
      <Section title="Run" id="compare-run" differences={rows.filter((r) => !sameJson(r.keyA, r.keyB)).length}>
        <ScrollTable minWidth={480} label="Both runs">
          <Table aria-label="Both runs" verticalSpacing={4}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th w="18%">Field</Table.Th>
                <Table.Th>A</Table.Th>
                <Table.Th>B</Table.Th>
                <Table.Th w={80}>Difference</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((row) => {
                const differs = !sameJson(row.keyA, row.keyB);
                return (
                  <Table.Tr key={row.label} bg={differs ? DIFF_BG : undefined} data-field={row.label} data-differs={differs}>
                    <Table.Th scope="row" fw={500}>
                      {row.label}
                    </Table.Th>
                    <Table.Td>{row.a}</Table.Td>
                    <Table.Td>{row.b}</Table.Td>
                    <Table.Td>
                      <DiffMark differs={differs} />
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      </Section>
      <Section title="Inputs" id="compare-inputs" differences={inputDiffs}>
        <JsonDiff a={a.inputs} b={b.inputs} label="Inputs of both runs" />
      </Section>
      <CompareSteps a={a.steps ?? []} b={b.steps ?? []} />
      <Section title="Output" id="compare-output" differences={diffLeaves(a.output, b.output).filter((l) => !l.same).length}>
        <JsonDiff a={a.output} b={b.output} label="Outputs of both runs" onlyDifferences />
      </Section>
      <Section title="Error" id="compare-error" differences={sameJson(a.error, b.error) ? 0 : 1}>
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          <div data-testid="compare-error-a" style={{ background: sameJson(a.error, b.error) ? undefined : DIFF_BG, padding: 6, borderRadius: 4 }}>
            <Text size="xs" fw={600}>
              A
            </Text>
            <RunError run={a} />
          </div>
          <div data-testid="compare-error-b" style={{ background: sameJson(a.error, b.error) ? undefined : DIFF_BG, padding: 6, borderRadius: 4 }}>
            <Text size="xs" fw={600}>
              B
            </Text>
            <RunError run={b} />
          </div>
        </SimpleGrid>
      </Section>
    </Stack>
  );
}
