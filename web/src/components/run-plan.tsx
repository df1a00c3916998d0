/**
 * A planning step's plan (its output `{steps: [...]}`) as a table: each planned step's id, action,
 * what it needs, its settings and what it was given, with its status in this run; ids select the
 * step on the run page.
 */
import { Badge, Code, Group, Table, Text } from '@mantine/core';
import type { StepView } from '../../../src/client/index.js';
import { RouterAnchor } from '../links';
import { ScrollTable } from './scroll-table';
import { StatusBadge } from './status-badge';

export interface PlannedStep {
  id: string;
  action: string;
  needs: string[];
  with: unknown;
  /** retry, timeout, if, continue_on_error, as short text */
  settings: string[];
  /** the planned step plans in turn */
  plans: boolean;
}

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function settingsOf(step: Record<string, unknown>): string[] {
  const out: string[] = [];
  const retry = record(step.retry);
  if (retry) out.push(`retry ${typeof retry.max_retries === 'number' ? `×${retry.max_retries}` : JSON.stringify(retry)}`);
  if (typeof step.timeout === 'string') out.push(`timeout ${step.timeout}`);
  if (step.if !== undefined) out.push(`if ${JSON.stringify(step.if)}`);
  if (step.continue_on_error === true) out.push('continue on error');
  return out;
}

/** The steps of a plan, or null when `output` is not one (the step has not planned yet). */
export function planOf(output: unknown): PlannedStep[] | null {
  const steps = record(output)?.steps;
  if (!Array.isArray(steps)) return null;
  return steps.map((raw) => {
    const step = record(raw) ?? {};
    const needs = Array.isArray(step.needs) ? step.needs.filter((n): n is string => typeof n === 'string') : [];
    return {
      id: typeof step.id === 'string' ? step.id : '?',
      action: typeof step.action === 'string' ? step.action : '?',
      needs,
      with: step.with,
      settings: settingsOf(step),
      plans: record(step.with)?.plan !== undefined && step.action === 'agent',
    };
  });
}

/** What a planned step was given, on one line: an agent's prompt, else its `with:` as compact JSON. */
export function givenSummary(step: PlannedStep, max = 120): string {
  const w = record(step.with);
  if (!w) return '';
  const text = typeof w.prompt === 'string' ? w.prompt : typeof w.message === 'string' ? w.message : JSON.stringify(w);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function StepLink({ runId, id, known }: { runId: string; id: string; known: boolean }) {
  if (!known) return <span className="rota-mono">{id}</span>;
  return (
    <RouterAnchor to="/runs/$id" params={{ id: runId }} search={(prev: Record<string, unknown>) => ({ ...prev, step: id, tab: undefined })} className="rota-mono" resetScroll={false} replace>
      {id}
    </RouterAnchor>
  );
}

export function PlanTable({ runId, planner, plan, steps }: { runId: string; planner: string; plan: readonly PlannedStep[]; steps: ReadonlyMap<string, StepView> }) {
  if (plan.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        The plan has no steps.
      </Text>
    );
  }
  return (
    <ScrollTable minWidth={720} label={`The plan of ${planner}, scrolls sideways`}>
      <Table fz="sm" verticalSpacing={4} withTableBorder aria-label={`Steps planned by ${planner}`} data-testid="plan-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>#</Table.Th>
            <Table.Th>step</Table.Th>
            <Table.Th>action</Table.Th>
            <Table.Th>needs</Table.Th>
            <Table.Th>given</Table.Th>
            <Table.Th>in this run</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {plan.map((s, i) => {
            const view = steps.get(s.id);
            return (
              <Table.Tr key={`${s.id}-${i}`} data-planned-step={s.id}>
                <Table.Td>{i + 1}</Table.Td>
                <Table.Td>
                  <StepLink runId={runId} id={s.id} known={view !== undefined} />
                </Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <Code>{s.action}</Code>
                    {s.plans && (
                      <Badge size="xs" radius="sm" variant="outline" color="violet">
                        plans
                      </Badge>
                    )}
                  </Group>
                  {s.settings.length > 0 && (
                    <Text size="xs" c="dimmed">
                      {s.settings.join(' · ')}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  {s.needs.length === 0 ? (
                    '–'
                  ) : (
                    <Group gap={6} wrap="wrap">
                      {s.needs.map((n) => (
                        <StepLink key={n} runId={runId} id={n} known={steps.has(n)} />
                      ))}
                    </Group>
                  )}
                </Table.Td>
                <Table.Td style={{ wordBreak: 'break-word', maxWidth: 360 }}>
                  <Text size="xs" className="rota-mono" title={s.with === undefined ? undefined : JSON.stringify(s.with)}>
                    {givenSummary(s) || '–'}
                  </Text>
                </Table.Td>
                <Table.Td>{view ? <StatusBadge status={view.status} /> : <Text size="xs" c="dimmed">not in the run</Text>}</Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </ScrollTable>
  );
}
