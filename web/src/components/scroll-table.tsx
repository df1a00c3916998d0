/**
 * A table that scrolls sideways inside its container when the window is narrower than
 * `minWidth`. The scrolling region is focusable and named, so keyboard users can scroll it too
 * (axe: scrollable-region-focusable), also when the table holds no link or button.
 */
import { Table } from '@mantine/core';
import type { ReactNode } from 'react';

export function ScrollTable({ minWidth, label, children }: { minWidth: number; label: string; children: ReactNode }) {
  return (
    <Table.ScrollContainer minWidth={minWidth} scrollAreaProps={{ viewportProps: { tabIndex: 0, role: 'region', 'aria-label': label } }}>
      {children}
    </Table.ScrollContainer>
  );
}
