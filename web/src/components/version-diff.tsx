/** Two versions of a definition, as YAML, compared line by line (jsdiff), with long unchanged stretches folded. */
import { Badge, Group, Select, Stack, Text } from '@mantine/core';
import { diffLines } from 'diff';
import { useMemo, useState } from 'react';
import { stringify } from 'yaml';
import type { VersionView } from '../../../src/client/index.js';
import { yamlTokens, YamlLine } from './yaml-view';
import './yaml-view.css';

export interface DiffRow {
  kind: 'added' | 'removed' | 'same';
  text: string;
  /** line numbers in the old and the new text */
  old: number | null;
  new: number | null;
}

/** The rows of a line diff of `a` → `b`. */
export function diffRows(a: string, b: string): DiffRow[] {
  const rows: DiffRow[] = [];
  let oldLine = 1;
  let newLine = 1;
  for (const change of diffLines(a, b)) {
    const lines = change.value.replace(/\n$/, '').split('\n');
    for (const text of lines) {
      if (change.added) rows.push({ kind: 'added', text, old: null, new: newLine++ });
      else if (change.removed) rows.push({ kind: 'removed', text, old: oldLine++, new: null });
      else rows.push({ kind: 'same', text, old: oldLine++, new: newLine++ });
    }
  }
  return rows;
}

const CONTEXT = 3;

type Piece = { kind: 'rows'; rows: DiffRow[] } | { kind: 'gap'; rows: DiffRow[]; at: number };

/** Unchanged stretches longer than twice the context, folded to `CONTEXT` lines on each side. */
function fold(rows: DiffRow[], open: Set<number>): Piece[] {
  const pieces: Piece[] = [];
  let i = 0;
  while (i < rows.length) {
    if (rows[i]!.kind !== 'same') {
      const start = i;
      while (i < rows.length && rows[i]!.kind !== 'same') i++;
      pieces.push({ kind: 'rows', rows: rows.slice(start, i) });
      continue;
    }
    const start = i;
    while (i < rows.length && rows[i]!.kind === 'same') i++;
    const run = rows.slice(start, i);
    const head = start === 0 ? 0 : CONTEXT;
    const tail = i === rows.length ? 0 : CONTEXT;
    if (run.length > head + tail + 1 && !open.has(start)) {
      if (head) pieces.push({ kind: 'rows', rows: run.slice(0, head) });
      pieces.push({ kind: 'gap', rows: run.slice(head, run.length - tail), at: start });
      if (tail) pieces.push({ kind: 'rows', rows: run.slice(run.length - tail) });
    } else pieces.push({ kind: 'rows', rows: run });
  }
  return pieces;
}

const SIGN = { added: '+', removed: '−', same: ' ' } as const;
const SPOKEN = { added: 'added: ', removed: 'removed: ', same: '' } as const;

function Row({ row }: { row: DiffRow }) {
  const tokens = yamlTokens(row.text)[0] ?? [];
  return (
    <div className={`rota-diff-row rota-diff-${row.kind}`} data-diff={row.kind}>
      <span className="rota-diff-num" aria-hidden="true">
        {row.old ?? ''}
      </span>
      <span className="rota-diff-num" aria-hidden="true">
        {row.new ?? ''}
      </span>
      <span className="rota-diff-sign" aria-hidden="true">
        {SIGN[row.kind]}
      </span>
      <span className="rota-diff-text">
        {SPOKEN[row.kind] && <span className="rota-sr-only">{SPOKEN[row.kind]}</span>}
        <YamlLine tokens={tokens} />
      </span>
    </div>
  );
}

export function definitionYaml(version: VersionView | undefined): string {
  return version ? stringify(version.definition, { lineWidth: 0 }) : '';
}

/** Pick two versions (`a` older, `b` newer by default) and see what changed between them. */
export function VersionDiff({ versions, a, b, onPick }: { versions: VersionView[]; a: number; b: number; onPick: (a: number, b: number) => void }) {
  const [open, setOpen] = useState<Set<number>>(new Set());
  const from = versions.find((v) => v.version === a);
  const to = versions.find((v) => v.version === b);
  const rows = useMemo(() => diffRows(definitionYaml(from), definitionYaml(to)), [from, to]);
  const added = rows.filter((r) => r.kind === 'added').length;
  const removed = rows.filter((r) => r.kind === 'removed').length;
  const options = versions.map((v) => ({ value: String(v.version), label: `v${v.version}` })).reverse();
  return (
    <Stack gap="sm">
      <Group gap="sm" align="flex-end" wrap="wrap">
        <Select label="From version" data={options} value={String(a)} onChange={(v) => v && onPick(Number(v), b)} allowDeselect={false} w={140} />
        <Select label="To version" data={options} value={String(b)} onChange={(v) => v && onPick(a, Number(v))} allowDeselect={false} w={140} />
        {from && to && a !== b && (
          <Group gap={6} pb={6} aria-live="polite">
            <Badge color="teal" variant="light" radius="sm">
              +{added}
            </Badge>
            <Badge color="red" variant="light" radius="sm">
              −{removed}
            </Badge>
            <Text size="sm" c="dimmed">
              lines from v{a} to v{b}
            </Text>
          </Group>
        )}
      </Group>
      {a === b ? (
        <Text size="sm" c="dimmed">
          Pick two different versions to see what changed.
        </Text>
      ) : !from || !to ? (
        <Text size="sm" c="dimmed">
          Version {!from ? a : b} does not exist; pick another one.
        </Text>
      ) : added + removed === 0 ? (
        <Text size="sm">v{a} and v{b} have the same definition.</Text>
      ) : (
        <div className="rota-diff" role="region" aria-label={`Changes from version ${a} to version ${b}`} tabIndex={0} data-testid="diff">
          {fold(rows, open).map((piece, i) =>
            piece.kind === 'rows' ? (
              piece.rows.map((row, j) => <Row key={`${i}-${j}`} row={row} />)
            ) : (
              <button key={`gap-${piece.at}`} type="button" className="rota-diff-gap" onClick={() => setOpen((o) => new Set(o).add(piece.at))}>
                Show {piece.rows.length} unchanged lines
              </button>
            ),
          )}
        </div>
      )}
    </Stack>
  );
}
