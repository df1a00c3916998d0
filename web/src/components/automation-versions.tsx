/**
 * The automation page's list of versions: each with its time and hash, and for a version saved from
 * a run (`save-as-automation`) that run and its freezability report, folded but for the newest.
 */
import { Badge, Button, Group, Paper, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import type { VersionView } from '../../../src/client/index.js';
import { RouterAnchor } from '../links';
import { FreezeReportView } from './freeze-report';
import { Time } from './time';

function RunLink({ id }: { id: string }) {
  return (
    <RouterAnchor to="/runs/$id" params={{ id }} search={{}} className="rota-mono" underline="always">
      {id}
    </RouterAnchor>
  );
}

/** "Saved from run X": the run an automation's newest saved version froze. */
export function SavedFromRun({ automation, runId }: { automation: string; runId: string }) {
  return (
    <Text size="sm" data-testid="saved-from-run">
      Saved from run <RunLink id={runId} />: its planning steps were replaced by the steps they planned there (
      <RouterAnchor to="/automations/$name" params={{ name: automation }} search={{ tab: 'versions' }}>
        the freeze report
      </RouterAnchor>
      ).
    </Text>
  );
}

export function VersionList({ versions }: { versions: readonly VersionView[] }) {
  const newestSaved = [...versions].reverse().find((v) => v.saved_from_run !== null)?.version;
  const [open, setOpen] = useState<Set<number>>(() => new Set(newestSaved === undefined ? [] : [newestSaved]));
  const toggle = (version: number) =>
    setOpen((o) => {
      const next = new Set(o);
      if (next.has(version)) next.delete(version);
      else next.add(version);
      return next;
    });
  return (
    <Stack gap={6} component="ul" aria-label="Versions" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
      {[...versions].reverse().map((v) => (
        <li key={v.version} data-version={v.version}>
          <Group gap="sm" wrap="wrap">
            <Text size="sm" fw={700}>
              v{v.version}
            </Text>
            <Text size="sm" component="span">
              <Time iso={v.created_at} />
            </Text>
            <Text size="sm" className="rota-mono" component="span">
              {v.hash.slice(0, 10)}
            </Text>
            {v.saved_from_run !== null && (
              <>
                <Badge size="sm" radius="sm" variant="light" color="violet">
                  saved from a run
                </Badge>
                <Text size="sm" component="span">
                  source run <RunLink id={v.saved_from_run} />
                </Text>
                {v.freeze_report && (
                  <Button variant="subtle" size="compact-xs" onClick={() => toggle(v.version)} aria-expanded={open.has(v.version)} aria-controls={`freeze-report-${v.version}`}>
                    {open.has(v.version) ? 'Hide the freeze report' : 'Freeze report'}
                  </Button>
                )}
              </>
            )}
          </Group>
          {v.freeze_report && open.has(v.version) && (
            <Paper withBorder p="sm" radius="sm" mt={4} mb="xs" id={`freeze-report-${v.version}`} aria-label={`Freeze report of version ${v.version}`} component="section">
              <FreezeReportView report={v.freeze_report} dense />
            </Paper>
          )}
        </li>
      ))}
    </Stack>
  );
}
