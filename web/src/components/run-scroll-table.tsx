import { Table } from '@mantine/core';
import type { ReactNode } from 'react';

/** A table that scrolls sideways below `minWidth`, its scroller reachable by keyboard (Tab, then arrows). */
export function ScrollTable({ minWidth, children }: { minWidth: number; children: ReactNode }) {
  return (
    <Table.ScrollContainer minWidth={minWidth} scrollAreaProps={{ viewportProps: { tabIndex: 0 } }}>
      {children}
    </Table.ScrollContainer>
  );
}
