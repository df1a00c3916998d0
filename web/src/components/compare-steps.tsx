/** The steps of two runs aligned by step id: status, attempts, duration and cost of each side; then what differs inside each. */
import { Accordion, Code, Group, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import type { StepView } from '../../../src/client/index.js';
import { duration, usd } from '../format';
import { alignSteps, durationsDiffer, sameJson, stepDiffers, type AlignedStep } from './compare-diff';
import { DIFF_BG, DiffMark, JsonDiff, ScrollTable, Section } from './compare-parts';
import { StatusBadge } from './status-badge';

function Side({ step, other }: { step?: StepView; other?: StepView }) {
  if (!step) {
    return (
      <Text size="xs" c="dimmed" fs="italic">
        did not run
      </Text>
    );
  }
  const slower = other !== undefined && step.duration_ms !== null && other.duration_ms !== null && step.duration_ms > other.duration_ms && durationsDiffer(step.duration_ms, other.duration_ms);
  return (
    <Group gap={6} wrap="nowrap">
      <StatusBadge status={step.status} />
      <Text size="xs" fw={slower ? 700 : undefined} title={slower ? 'slower than the other run' : undefined}>
        {duration(step.duration_ms)}
      </Text>
      <Text size="xs">{usd(step.cost_usd)}</Text>
      {step.attempt > 1 && <Text size="xs">{step.attempt} attempts</Text>}
    </Group>
  );
}

function onlyLabel(row: AlignedStep): string | null {
  if (!row.a) return 'only in B';
  if (!row.b) return 'only in A';
  return null;
}

function StepError({ step }: { step?: StepView }) {
  if (!step?.error) {
    return (
      <Text size="xs" c="dimmed">
        no error
      </Text>
    );
  }
  return (
    <Stack gap={2}>
      <Code fz="xs">{step.error.code}</Code>
      <Text size="xs" style={{ wordBreak: 'break-word' }}>
        {step.error.message}
      </Text>
    </Stack>
  );
}

function StepDetail({ row }: { row: AlignedStep }) {
  const { a, b } = row;
  return (
    <Stack gap="xs">
      {(a?.error || b?.error) && (
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs" data-testid="step-errors">
          <div>
            <Text size="xs" fw={600}>
              A: error
            </Text>
            <StepError step={a} />
          </div>
          <div>
            <Text size="xs" fw={600}>
              B: error
            </Text>
            <StepError step={b} />
          </div>
        </SimpleGrid>
      )}
      {!sameJson(a?.input, b?.input) && (
        <>
          <Text size="xs" fw={600}>
            Input
          </Text>
          <JsonDiff a={a?.input} b={b?.input} label={`Input of step ${row.id}`} onlyDifferences />
        </>
      )}
      <Text size="xs" fw={600}>
        Output
      </Text>
      <JsonDiff a={a?.output} b={b?.output} label={`Output of step ${row.id}`} onlyDifferences />
    </Stack>
  );
}

export function CompareSteps({ a, b }: { a: StepView[]; b: StepView[] }) {
  const rows = alignSteps(a, b);
  const differing = rows.filter(stepDiffers);
  return (
    <Section title="Steps" id="compare-steps" differences={differing.length}>
      <ScrollTable minWidth={720} label="Steps of both runs">
        <Table aria-label="Steps of both runs" verticalSpacing={4}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Step</Table.Th>
              <Table.Th>A: status, duration, cost</Table.Th>
              <Table.Th>B: status, duration, cost</Table.Th>
              <Table.Th w={110}>Difference</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((row) => {
              const differs = stepDiffers(row);
              const only = onlyLabel(row);
              return (
                <Table.Tr key={row.id} bg={differs ? DIFF_BG : undefined} data-testid="compare-step" data-step={row.id} data-differs={differs} data-only={only ?? undefined}>
                  <Table.Td>
                    <Text size="sm" className="rota-mono">
                      {row.id}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {(row.a ?? row.b)!.action}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Side step={row.a} other={row.b} />
                  </Table.Td>
                  <Table.Td>
                    <Side step={row.b} other={row.a} />
                  </Table.Td>
                  <Table.Td>
                    <DiffMark differs={differs} label={only ?? 'differs'} />
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </ScrollTable>
      {differing.length > 0 && (
        <Accordion multiple defaultValue={differing.slice(0, 3).map((r) => r.id)} mt="sm" variant="separated">
          {differing.map((row) => (
            <Accordion.Item key={row.id} value={row.id}>
              <Accordion.Control>
                What differs in step <span className="rota-mono">{row.id}</span>
              </Accordion.Control>
              <Accordion.Panel>
                <StepDetail row={row} />
              </Accordion.Panel>
            </Accordion.Item>
          ))}
        </Accordion>
      )}
    </Section>
  );
}
