/** The two runs to compare: pasted ids (or links to runs), swapped, submitted into the URL. */
import { ActionIcon, Button, Group, TextInput, Tooltip } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { runIdOf } from './compare-diff';

export function ComparePicker({ a, b, onCompare }: { a?: string; b?: string; onCompare: (a: string | undefined, b: string | undefined) => void }) {
  const [left, setLeft] = useState(a ?? '');
  const [right, setRight] = useState(b ?? '');
  const [seen, setSeen] = useState([a, b]);
  if (seen[0] !== a || seen[1] !== b) {
    // the URL changed (a link, the back button): show its runs
    setSeen([a, b]);
    setLeft(a ?? '');
    setRight(b ?? '');
  }
  function submit(event: FormEvent) {
    event.preventDefault();
    onCompare(runIdOf(left) || undefined, runIdOf(right) || undefined);
  }
  return (
    <form onSubmit={submit} aria-label="Runs to compare">
      <Group align="flex-end" gap="xs" wrap="wrap" mb="md">
        <TextInput label="Run A" placeholder="run id or link to a run" value={left} onChange={(e) => setLeft(e.currentTarget.value)} w={300} maw="100%" size="xs" className="rota-mono" />
        <Tooltip label="Swap A and B">
          <ActionIcon
            variant="default"
            size="md"
            aria-label="Swap A and B"
            onClick={() => {
              setLeft(right);
              setRight(left);
              if (a || b) onCompare(runIdOf(right) || undefined, runIdOf(left) || undefined);
            }}
          >
            <span aria-hidden="true">⇄</span>
          </ActionIcon>
        </Tooltip>
        <TextInput label="Run B" placeholder="run id or link to a run" value={right} onChange={(e) => setRight(e.currentTarget.value)} w={300} maw="100%" size="xs" className="rota-mono" />
        <Button type="submit" size="xs" disabled={!left.trim() || !right.trim()}>
          Compare
        </Button>
      </Group>
    </form>
  );
}
