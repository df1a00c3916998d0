import { Code, ScrollArea, Text } from '@mantine/core';
import { json } from '../format';

/** A JSON value, pretty-printed, scrolling past `maxHeight`. */
export function JsonBlock({ value, maxHeight = 320, label }: { value: unknown; maxHeight?: number; label?: string }) {
  if (value === undefined || value === null) {
    return (
      <Text size="sm" c="dimmed">
        {value === null ? 'null' : 'none'}
      </Text>
    );
  }
  return (
    <ScrollArea.Autosize mah={maxHeight} type="auto" aria-label={label} viewportProps={{ tabIndex: 0 }}>
      <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
        {json(value)}
      </Code>
    </ScrollArea.Autosize>
  );
}
