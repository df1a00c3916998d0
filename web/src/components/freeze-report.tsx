/**
 * A freezability report (`save-as-automation`): which planning steps were frozen into which steps,
 * which still plan, the inputs and where each is used, the values taken literally from the source
 * run, and the warnings (where the source run's course depended on what it found). `dense` is the
 * versions view's compact form.
 */
import { Badge, Code, Group, List, Stack, Table, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import type { FreezeReport } from '../../../src/client/index.js';
import { ScrollTable } from './scroll-table';

function clip(value: unknown, max = 80): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? 'undefined';
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function Part({ title, count, children, dense }: { title: string; count: number; children: ReactNode; dense: boolean }) {
  return (
    <Stack gap={4} component="section" aria-label={title}>
      <Title order={dense ? 4 : 3} size="h6" fz={dense ? 'sm' : undefined}>
        {title} ({count})
      </Title>
      {children}
    </Stack>
  );
}

const WARNING_LABEL: Record<string, string> = {
  plan_chose: 'plan chose',
  skipped_in_source: 'skipped in source',
  conditional_step: 'conditional',
  failed_in_source: 'failed in source',
};

export function FreezeReportView({ report, dense = false }: { report: FreezeReport; dense?: boolean }) {
  const size = dense ? 'xs' : 'sm';
  return (
    <Stack gap="sm" data-testid="freeze-report">
      <Group gap="xs" wrap="wrap">
        {report.partially_frozen ? (
          <Badge color="orange" variant="light" radius="sm">
            partially frozen
          </Badge>
        ) : (
          <Badge color="teal" variant="light" radius="sm">
            fully frozen
          </Badge>
        )}
        <Text size={size} c="dimmed">
          {report.partially_frozen
            ? `${report.still_planning.length} planning step${report.still_planning.length === 1 ? '' : 's'} plan again at run time (a model call each run).`
            : 'No step plans at run time: runs make no planning call.'}
        </Text>
      </Group>
      <Part title="Frozen" count={report.frozen.length} dense={dense}>
        {report.frozen.length === 0 ? (
          <Text size={size} c="dimmed">
            No planning step was replaced by its plan.
          </Text>
        ) : (
          <List size={size} spacing={2}>
            {report.frozen.map((f) => (
              <List.Item key={f.step}>
                <span className="rota-mono">{f.step}</span> → {f.steps.length === 0 ? 'no steps' : f.steps.map((s, i) => (
                  <span key={s}>
                    {i > 0 && ', '}
                    <span className="rota-mono">{s}</span>
                  </span>
                ))}
              </List.Item>
            ))}
          </List>
        )}
      </Part>
      {report.still_planning.length > 0 && (
        <Part title="Still planning" count={report.still_planning.length} dense={dense}>
          <List size={size} spacing={2}>
            {report.still_planning.map((s) => (
              <List.Item key={s.step}>
                <span className="rota-mono">{s.step}</span>: {s.reason}
              </List.Item>
            ))}
          </List>
        </Part>
      )}
      <Part title="Inputs" count={report.inputs.length} dense={dense}>
        {report.inputs.length === 0 ? (
          <Text size={size} c="dimmed">
            The saved automation takes no inputs.
          </Text>
        ) : (
          <ScrollTable minWidth={560} label="Inputs of the saved automation, scrolls sideways">
            <Table fz={size} verticalSpacing={2} withTableBorder aria-label="Inputs of the saved automation">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>input</Table.Th>
                  <Table.Th>type</Table.Th>
                  <Table.Th>required</Table.Th>
                  <Table.Th>default</Table.Th>
                  <Table.Th>used at</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {report.inputs.map((input) => (
                  <Table.Tr key={input.name} data-report-input={input.name}>
                    <Table.Td>
                      <span className="rota-mono">{input.name}</span>
                      {input.description && (
                        <Text size="xs" c="dimmed">
                          {input.description}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>{input.type}</Table.Td>
                    <Table.Td>{input.required ? 'yes' : 'no'}</Table.Td>
                    <Table.Td className="rota-mono">{'default' in input ? clip(input.default, 40) : '–'}</Table.Td>
                    <Table.Td>
                      <Group gap={4} wrap="wrap">
                        {input.used_at.map((p) => (
                          <Code key={p}>{p}</Code>
                        ))}
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollTable>
        )}
      </Part>
      {report.literals.length > 0 && (
        <Part title="Taken literally from the source run" count={report.literals.length} dense={dense}>
          <List size={size} spacing={4}>
            {report.literals.map((l, i) => (
              <List.Item key={`${l.path}-${i}`} style={{ wordBreak: 'break-word' }}>
                <Code>{l.path}</Code> = <span className="rota-mono">{clip(l.value)}</span>
                <Text size="xs" c="dimmed" component="span">
                  {' '}
                  — {l.reason}
                </Text>
              </List.Item>
            ))}
          </List>
        </Part>
      )}
      {report.warnings.length > 0 && (
        <Part title="Warnings" count={report.warnings.length} dense={dense}>
          <List size={size} spacing={4}>
            {report.warnings.map((w, i) => (
              <List.Item key={`${w.path}-${i}`} style={{ wordBreak: 'break-word' }}>
                <Badge size="xs" radius="sm" variant="light" color="yellow" mr={6}>
                  {WARNING_LABEL[w.code] ?? w.code}
                </Badge>
                <Code>{w.path}</Code> {w.message}
              </List.Item>
            ))}
          </List>
        </Part>
      )}
      {report.triggers.length > 0 && (
        <Text size={size}>
          Triggers: {report.triggers.map((t, i) => (
            <span key={t}>
              {i > 0 && ', '}
              <span className="rota-mono">{t}</span>
            </span>
          ))}
        </Text>
      )}
    </Stack>
  );
}
