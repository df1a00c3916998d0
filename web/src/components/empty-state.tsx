import { Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';

/** What a page shows with nothing to list: what this is and what to do next. */
export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <Paper withBorder p="xl" radius="md">
      <Stack gap="xs" align="flex-start">
        <Title order={3}>{title}</Title>
        {children && (
          <Text component="div" c="dimmed">
            {children}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}
