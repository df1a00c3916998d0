/**
 * Costs (`/costs`, search `days`): agent model spend of the workspace per UTC day, stacked by
 * automation or by model, with totals, the breakdowns, and the daily budgets against today.
 */
import { Accordion, Center, Code, Group, Loader, Paper, SegmentedControl, Select, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { getRouteApi } from '@tanstack/react-router';
import { useMemo, useState } from 'react';
import type { CostEntry, WorkspaceCosts } from '../../../src/client/index.js';
import { ApiError } from '../components/api-error';
import { CostBreakdown, UNATTRIBUTED, breakdown } from '../components/cost-breakdown';
import { CostBudgets } from '../components/cost-budgets';
import { CostChart, CostDataTable, CostLegend, OTHER_COLOR, SERIES_COLORS, type ChartData } from '../components/cost-chart';
import { EmptyState } from '../components/empty-state';
import { PageHeader } from '../components/page-header';
import { count, usd } from '../format';
import { useSession } from '../session';

const route = getRouteApi('/costs');
const PERIODS = [7, 14, 30, 90, 180, 365];
const DEFAULT_DAYS = 30;
const DAY_MS = 86_400_000;
/** series drawn one by one; the rest are summed as "other" */
const MAX_SERIES = 9;

type By = 'automation' | 'model';
type Metric = 'cost' | 'tokens';

function daysOf(search: string | undefined): number {
  const n = Number(search);
  return Number.isInteger(n) && n >= 1 && n <= 366 ? n : DEFAULT_DAYS;
}

function periodDays(costs: WorkspaceCosts): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${costs.since}T00:00:00Z`); t <= Date.parse(`${costs.today}T00:00:00Z`); t += DAY_MS) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

const keyOf = (e: CostEntry, by: By) => (by === 'automation' ? e.automation : (e.model ?? UNATTRIBUTED));

/** Colours by rank of spend, so a series has the same colour in the chart, the legend and the table. */
function colorsOf(entries: CostEntry[], by: By): Map<string, string> {
  const ranked = breakdown(entries, by).map((r) => r.key);
  return new Map(ranked.map((key, i) => [key, i < MAX_SERIES ? SERIES_COLORS[i % SERIES_COLORS.length]! : OTHER_COLOR]));
}

function chartData(costs: WorkspaceCosts, by: By, metric: Metric, colors: Map<string, string>): { data: ChartData; totals: Map<string, number> } {
  const ranked = breakdown(costs.entries, by).map((r) => r.key);
  const shown = new Set(ranked.slice(0, MAX_SERIES));
  const other = ranked.length > MAX_SERIES;
  const series = [...ranked.slice(0, MAX_SERIES).map((key) => ({ key, label: key, color: colors.get(key)! })), ...(other ? [{ key: '\u0000other', label: `${ranked.length - MAX_SERIES} more`, color: OTHER_COLOR }] : [])];
  const values = new Map<string, Map<string, number>>();
  const totals = new Map<string, number>();
  for (const e of costs.entries) {
    const raw = keyOf(e, by);
    const key = shown.has(raw) ? raw : '\u0000other';
    const v = metric === 'cost' ? e.cost_usd : e.tokens;
    const day = values.get(e.day) ?? new Map<string, number>();
    day.set(key, (day.get(key) ?? 0) + v);
    values.set(e.day, day);
    totals.set(key, (totals.get(key) ?? 0) + v);
  }
  return { data: { days: periodDays(costs), series, values }, totals };
}

function Stat({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <Paper withBorder radius="md" p="sm" data-stat={label}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text fz={24} fw={700} lh={1.3}>
        {value}
      </Text>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </Paper>
  );
}

function SpendChart({ costs }: { costs: WorkspaceCosts }) {
  const [by, setBy] = useState<By>('automation');
  const [metric, setMetric] = useState<Metric>(() => (costs.totals.cost_usd > 0 ? 'cost' : 'tokens'));
  const colors = useMemo(() => colorsOf(costs.entries, by), [costs, by]);
  const { data, totals } = useMemo(() => chartData(costs, by, metric, colors), [costs, by, metric, colors]);
  const format = metric === 'cost' ? usd : (v: number) => count(Math.round(v));
  const title = `${metric === 'cost' ? 'Cost' : 'Tokens'} per UTC day by ${by}, last ${costs.days} days`;
  return (
    <Paper withBorder radius="md" p="md">
      <Stack gap="sm">
        <Group justify="space-between" wrap="wrap" gap="xs">
          <Title order={2} size="h4">
            {title}
          </Title>
          <Group gap="xs">
            <SegmentedControl size="xs" aria-label="Stack by" value={by} onChange={(v) => setBy(v as By)} data={[{ value: 'automation', label: 'By automation' }, { value: 'model', label: 'By model' }]} />
            <SegmentedControl size="xs" aria-label="Measure" value={metric} onChange={(v) => setMetric(v as Metric)} data={[{ value: 'cost', label: 'Cost' }, { value: 'tokens', label: 'Tokens' }]} />
          </Group>
        </Group>
        <CostChart data={data} format={format} unit={metric === 'cost' ? 'usd' : 'count'} title={title} />
        <CostLegend data={data} totals={totals} format={format} />
        <Accordion variant="contained" chevronPosition="left">
          <Accordion.Item value="table">
            <Accordion.Control>The chart's data as a table</Accordion.Control>
            <Accordion.Panel>
              <CostDataTable data={data} format={format} caption={title} />
            </Accordion.Panel>
          </Accordion.Item>
        </Accordion>
      </Stack>
    </Paper>
  );
}

export function CostsPage() {
  const { client } = useSession();
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const days = daysOf(search.days);
  const costs = useQuery({ queryKey: ['costs', days], queryFn: () => client.costs({ days }), refetchInterval: 60_000 });
  const period = (
    <Select
      label="Period"
      size="sm"
      w={150}
      value={String(days)}
      data={[...new Set([...PERIODS, days])].sort((a, b) => a - b).map((d) => ({ value: String(d), label: `last ${d} days` }))}
      onChange={(v) => v && void navigate({ search: { days: v } })}
      allowDeselect={false}
    />
  );
  const data = costs.data;
  const today = data ? data.entries.filter((e) => e.day === data.today).reduce((s, e) => s + e.cost_usd, 0) : 0;
  return (
    <>
      <PageHeader title="Costs" description="What agent steps spent on model calls, per UTC day; prices come from models: in the node's configuration." actions={period} />
      <ApiError error={costs.error} />
      {costs.isPending ? (
        <Center py="xl">
          <Loader role="status" aria-label="Loading costs" />
        </Center>
      ) : data ? (
        <Stack gap="md">
          <SimpleGrid cols={{ base: 2, md: 4 }} spacing="sm">
            <Stat label={`Cost, ${data.days} days`} value={usd(data.totals.cost_usd)} hint={`since ${data.since}`} />
            <Stat label="Tokens" value={count(data.totals.tokens)} />
            <Stat label="Model calls" value={count(data.totals.calls)} />
            <Stat label="Today (UTC)" value={usd(today)} hint={data.today} />
          </SimpleGrid>
          {data.entries.length === 0 ? (
            <EmptyState title={`No model calls in the last ${data.days} days`}>
              Spend appears here once <Code>agent</Code> steps call a model. Give models a <Code>price</Code> (USD per million tokens) under <Code>models:</Code> in <Code>rota.config.yaml</Code> to see costs, not only tokens.
            </EmptyState>
          ) : (
            <>
              <SpendChart costs={data} />
              <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
                <CostBreakdown title="By automation" by="automation" rows={breakdown(data.entries, 'automation')} colors={colorsOf(data.entries, 'automation')} />
                <CostBreakdown title="By model" by="model" rows={breakdown(data.entries, 'model')} colors={colorsOf(data.entries, 'model')} />
              </SimpleGrid>
            </>
          )}
          <CostBudgets costs={data} />
        </Stack>
      ) : null}
    </>
  );
}
