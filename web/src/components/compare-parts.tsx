/** Building blocks of the compare view: a section, a difference marker, a leaf-by-leaf JSON diff. */
import { Badge, Code, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { diffLeaves } from './compare-diff';

/** The background of what differs between the two runs (a light tint in either theme). */
export const DIFF_BG = 'var(--rota-diff-bg)';

export function Section({ title, differences, children, id }: { title: string; differences?: number; children: ReactNode; id: string }) {
  return (
    <Paper withBorder p="sm" radius="md" component="section" aria-labelledby={id}>
      <Group gap="xs" mb="xs">
        <Title order={2} size="h4" id={id}>
          {title}
        </Title>
        {differences !== undefined && (
          <Badge variant="default" size="sm" radius="sm" data-testid={`${id}-differences`}>
            {differences === 0 ? 'same' : `${differences} difference${differences === 1 ? '' : 's'}`}
          </Badge>
        )}
      </Group>
      {children}
    </Paper>
  );
}

/** A table that scrolls sideways in a narrow window; focusable, so the keyboard can scroll it too. */
export function ScrollTable({ minWidth, label, children }: { minWidth: number; label: string; children: ReactNode }) {
  return (
    // positioned: an absolutely placed child (visually hidden text) scrolls with the table instead of widening the page
    <Table.ScrollContainer minWidth={minWidth} type="native" tabIndex={0} role="region" aria-label={label} pos="relative">
      {children}
    </Table.ScrollContainer>
  );
}

/** The words that say a row differs (the tint alone would speak to sighted users only). */
export function DiffMark({ differs, label = 'differs' }: { differs: boolean; label?: string }) {
  if (!differs) return null;
  return (
    <Text span size="xs" fw={700} style={{ whiteSpace: 'nowrap' }} data-testid="diff-mark">
      ≠ {label}
    </Text>
  );
}

function LeafValue({ value }: { value: string | undefined }) {
  if (value === undefined) {
    return (
      <Text span size="xs" c="dimmed" fs="italic">
        absent
      </Text>
    );
  }
  return (
    <Code style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }} fz="xs">
      {value}
    </Code>
  );
}

/**
 * Two JSON values side by side, one row per leaf path, differing rows tinted and marked;
 * `onlyDifferences` lists only those (with a count of the equal ones).
 */
export function JsonDiff({ a, b, label, onlyDifferences = false }: { a: unknown; b: unknown; label: string; onlyDifferences?: boolean }) {
  const leaves = diffLeaves(a, b);
  const differing = leaves.filter((l) => !l.same);
  const shown = onlyDifferences ? differing : leaves;
  if (leaves.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        Neither run has any.
      </Text>
    );
  }
  return (
    <Stack gap={4}>
      {shown.length > 0 && (
        <ScrollTable minWidth={480} label={label}>
          <Table aria-label={label} verticalSpacing={4} layout="fixed">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w="26%">Path</Table.Th>
                <Table.Th>A</Table.Th>
                <Table.Th>B</Table.Th>
                <Table.Th w={90}>Difference</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {shown.map((leaf) => (
                <Table.Tr key={leaf.path} bg={leaf.same ? undefined : DIFF_BG} data-differs={!leaf.same} data-path={leaf.path}>
                  <Table.Td>
                    <Text size="xs" className="rota-mono" style={{ wordBreak: 'break-all' }}>
                      {leaf.path}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <LeafValue value={leaf.a} />
                  </Table.Td>
                  <Table.Td>
                    <LeafValue value={leaf.b} />
                  </Table.Td>
                  <Table.Td>
                    <DiffMark differs={!leaf.same} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      )}
      {onlyDifferences && leaves.length > differing.length && (
        <Text size="xs" c="dimmed">
          {differing.length === 0 ? `The same in both runs (${leaves.length} value${leaves.length === 1 ? '' : 's'}).` : `${leaves.length - differing.length} other value${leaves.length - differing.length === 1 ? ' is' : 's are'} the same.`}
        </Text>
      )}
    </Stack>
  );
}
