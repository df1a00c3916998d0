/**
 * A stacked bar chart of spend per UTC day, drawn as SVG (no chart library): one bar per day, one
 * segment per series (automation or model). It is an image to assistive technology, labelled with
 * a summary; every segment has a tooltip (`<title>`), and {@link CostDataTable} is the same data
 * as a table.
 */
import { Box, Group, ScrollArea, Table, Text } from '@mantine/core';
import { useElementSize } from '@mantine/hooks';
import { useId } from 'react';

export interface Series {
  key: string;
  label: string;
  color: string;
}

export interface ChartData {
  /** every day of the period, oldest first (`YYYY-MM-DD`) */
  days: string[];
  series: Series[];
  /** day → series key → value */
  values: Map<string, Map<string, number>>;
}

/** Mantine palette colours, readable on light and dark backgrounds alike. */
export const SERIES_COLORS = ['blue', 'teal', 'grape', 'orange', 'cyan', 'pink', 'lime', 'indigo', 'red', 'yellow'].map((c) => `var(--mantine-color-${c}-6)`);
export const OTHER_COLOR = 'var(--mantine-color-gray-6)';

const HEIGHT = 240;
const PAD = { top: 12, right: 8, bottom: 28, left: 64 };

/** A round tick step for about four steps up to `max`: 1, 2, 2.5 or 5 times a power of ten. */
function tickStep(max: number): number {
  if (max <= 0) return 0.25;
  const raw = max / 4;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * power >= raw) return m * power;
  return 10 * power;
}

/** Axis labels with as many decimals as the step needs ($0.0125 is not $0.01). */
function axisLabel(v: number, step: number, unit: Unit): string {
  if (unit === 'count') return new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 }).format(v);
  const decimals = Math.max(0, Math.ceil(-Math.log10(step) + 1e-9) + (Number((step / 10 ** Math.floor(Math.log10(step))).toFixed(3)) === 2.5 ? 1 : 0));
  return `$${v.toFixed(decimals)}`;
}

export type Unit = 'usd' | 'count';

const dayTotal = (data: ChartData, day: string) => [...(data.values.get(day)?.values() ?? [])].reduce((a, b) => a + b, 0);

const shortDay = (day: string) => {
  const d = new Date(`${day}T00:00:00Z`);
  return d.toLocaleDateString(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
};

export function CostChart({ data, format, unit, title }: { data: ChartData; format: (v: number) => string; unit: Unit; title: string }) {
  const { ref, width } = useElementSize();
  const titleId = useId();
  const descId = useId();
  const totals = data.days.map((d) => dayTotal(data, d));
  const step = tickStep(Math.max(0, ...totals));
  const max = step * 4;
  const peak = totals.reduce((best, v, i) => (v > totals[best]! ? i : best), 0);
  const sum = totals.reduce((a, b) => a + b, 0);
  const innerW = Math.max(0, width - PAD.left - PAD.right);
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  const slot = data.days.length > 0 ? innerW / data.days.length : 0;
  const barW = Math.max(1, Math.min(40, slot * 0.7));
  const y = (v: number) => PAD.top + innerH - (v / max) * innerH;
  // at most ~8 day labels, always the last one (today)
  const every = Math.max(1, Math.ceil(data.days.length / Math.max(1, Math.floor(innerW / 70))));
  const ticks = [0, 1, 2, 3, 4].map((i) => i * step);
  return (
    <Box ref={ref} w="100%">
      {width > 0 && (
        <svg width={width} height={HEIGHT} role="img" aria-labelledby={`${titleId} ${descId}`} style={{ display: 'block', overflow: 'visible' }}>
          <title id={titleId}>{title}</title>
          <desc id={descId}>
            {`${format(sum)} over ${data.days.length} days from ${data.days[0]} to ${data.days.at(-1)}; the highest day is ${data.days[peak]} with ${format(totals[peak] ?? 0)}. The same data is in the table below the chart.`}
          </desc>
          {ticks.map((t) => (
            <g key={t}>
              <line x1={PAD.left} x2={PAD.left + innerW} y1={y(t)} y2={y(t)} stroke="var(--mantine-color-default-border)" strokeDasharray={t === 0 ? undefined : '3 3'} />
              <text x={PAD.left - 6} y={y(t)} dy="0.32em" textAnchor="end" fontSize={11} fill="var(--mantine-color-dimmed)">
                {axisLabel(t, step, unit)}
              </text>
            </g>
          ))}
          {data.days.map((day, i) => {
            const x = PAD.left + i * slot + (slot - barW) / 2;
            let acc = 0;
            const values = data.values.get(day);
            return (
              <g key={day}>
                {data.series.map((s) => {
                  const v = values?.get(s.key) ?? 0;
                  if (v <= 0) return null;
                  const top = y(acc + v);
                  const h = y(acc) - top;
                  acc += v;
                  return (
                    <rect key={s.key} x={x} y={top} width={barW} height={Math.max(h, 0.5)} fill={s.color} data-day={day} data-series={s.key}>
                      <title>{`${day} · ${s.label}: ${format(v)}`}</title>
                    </rect>
                  );
                })}
                {(i % every === (data.days.length - 1) % every) && (
                  <text x={PAD.left + i * slot + slot / 2} y={HEIGHT - 8} textAnchor="middle" fontSize={11} fill="var(--mantine-color-dimmed)">
                    {shortDay(day)}
                  </text>
                )}
              </g>
            );
          })}
        </svg>
      )}
    </Box>
  );
}

export function CostLegend({ data, totals, format }: { data: ChartData; totals: Map<string, number>; format: (v: number) => string }) {
  return (
    <Group gap="md" wrap="wrap" role="list" aria-label="Legend">
      {data.series.map((s) => (
        <Group key={s.key} gap={6} wrap="nowrap" role="listitem">
          <Box w={12} h={12} style={{ background: s.color, borderRadius: 2, flex: 'none' }} aria-hidden="true" />
          <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
            {s.label}
          </Text>
          <Text size="sm" c="dimmed">
            {format(totals.get(s.key) ?? 0)}
          </Text>
        </Group>
      ))}
    </Group>
  );
}

/** The chart's data as a table: one row per day with spend, one column per series. */
export function CostDataTable({ data, format, caption }: { data: ChartData; format: (v: number) => string; caption: string }) {
  const days = data.days.filter((d) => dayTotal(data, d) > 0).reverse();
  return (
    <ScrollArea type="auto" viewportProps={{ tabIndex: 0, role: 'region', 'aria-label': `${caption}, as a table` }}>
      <Table striped withTableBorder verticalSpacing={4} fz="sm" miw={Math.max(420, 140 + data.series.length * 120)}>
        <Table.Caption>{caption}</Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Day (UTC)</Table.Th>
            {data.series.map((s) => (
              <Table.Th key={s.key} scope="col" ta="right">
                {s.label}
              </Table.Th>
            ))}
            <Table.Th scope="col" ta="right">
              Total
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {days.map((day) => (
            <Table.Tr key={day}>
              <Table.Th scope="row" fw={400}>
                {day}
              </Table.Th>
              {data.series.map((s) => (
                <Table.Td key={s.key} ta="right">
                  {format(data.values.get(day)?.get(s.key) ?? 0)}
                </Table.Td>
              ))}
              <Table.Td ta="right" fw={600}>
                {format(dayTotal(data, day))}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollArea>
  );
}
