/**
 * `/automations/$name`: one automation — overview (health, triggers, recent runs), its definition
 * as highlighted YAML, versions with a diff between any two (`a`, `b`), triggers with their next
 * fires and webhook deliveries, and a run form generated from its inputs schema. `tab` is in the URL.
 */
import { Button, Group, Skeleton, Stack, Tabs, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi } from '@tanstack/react-router';
import { useMemo } from 'react';
import { stringify } from 'yaml';
import { Scope, RotaApiError, type AutomationView } from '../../../src/client/index.js';
import { ApiError } from '../components/api-error';
import { HealthCards, RecentRuns } from '../components/automation-overview';
import { TriggerPanel } from '../components/automation-trigger-panel';
import { TriggerSummary } from '../components/automation-triggers';
import { SavedFromRun, VersionList } from '../components/automation-versions';
import { EmptyState } from '../components/empty-state';
import { InputsForm } from '../components/inputs-form';
import { PageHeader } from '../components/page-header';
import { StatusBadge } from '../components/status-badge';
import { VersionDiff } from '../components/version-diff';
import { YamlView } from '../components/yaml-view';
import { RouterAnchor, RouterButton } from '../links';
import { useSession } from '../session';

const route = getRouteApi('/automations/$name');

const TABS = ['overview', 'definition', 'versions', 'triggers', 'run'] as const;
type Tab = (typeof TABS)[number];

function PauseResume({ automation }: { automation: AutomationView }) {
  const { client } = useSession();
  const queryClient = useQueryClient();
  const pausing = automation.status === 'active';
  const change = useMutation({
    mutationFn: () => (pausing ? client.automations.pause(automation.name) : client.automations.resume(automation.name)),
    onSuccess: (view) => queryClient.setQueryData(['automation', automation.name, 'view'], view),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['automation', automation.name] }),
  });
  if (automation.status === 'archived') return null;
  return (
    <Stack gap={4}>
      <Button variant={pausing ? 'default' : 'filled'} onClick={() => change.mutate()} loading={change.isPending}>
        {pausing ? 'Pause' : 'Resume'}
      </Button>
      {change.error && <ApiError error={change.error} title={pausing ? 'Not paused' : 'Not resumed'} />}
    </Stack>
  );
}

function DefinitionTab({ automation }: { automation: AutomationView }) {
  const yaml = useMemo(() => stringify(automation.definition, { lineWidth: 0 }), [automation.definition]);
  return (
    <Stack gap="xs">
      <Text size="sm" c="dimmed">
        Version {automation.version}, as stored (webhook secrets appear only as references). {automation.source === 'file' ? 'Edit its file to change it.' : 'Apply a new definition (rota apply -f, PUT) to change it: a change becomes the next version.'}
      </Text>
      <YamlView source={yaml} label={`Definition of ${automation.name}, version ${automation.version}`} />
    </Stack>
  );
}

function VersionsTab({ automation, a, b }: { automation: AutomationView; a?: string; b?: string }) {
  const { client } = useSession();
  const navigate = route.useNavigate();
  const versions = useQuery({ queryKey: ['automation', automation.name, 'versions', automation.version], queryFn: () => client.automations.versions(automation.name) });
  const latest = automation.version;
  const to = Number(b) || latest;
  const from = Number(a) || Math.max(1, to - 1);
  if (versions.error) return <ApiError error={versions.error} />;
  if (!versions.data) return <Skeleton height={120} />;
  return (
    <Stack gap="md">
      <VersionList versions={versions.data} />
      {versions.data.length < 2 ? (
        <Text size="sm" c="dimmed">
          Only version 1 so far: applying a changed definition writes version 2, and the changes show here.
        </Text>
      ) : (
        <VersionDiff
          versions={versions.data}
          a={from}
          b={to}
          onPick={(na, nb) => navigate({ search: (prev) => ({ ...prev, tab: 'versions', a: String(na), b: String(nb) }), replace: true })}
        />
      )}
    </Stack>
  );
}

export function AutomationPage() {
  const { name } = route.useParams();
  const { tab: tabParam, a, b } = route.useSearch();
  const navigate = route.useNavigate();
  const { client, can } = useSession();
  const automation = useQuery({ queryKey: ['automation', name, 'view'], queryFn: () => client.automations.get(name), refetchInterval: 10_000 });
  const canRun = can(Scope.runs_write);
  const tab: Tab = TABS.find((t) => t === tabParam && (t !== 'run' || canRun)) ?? 'overview';

  if (automation.error) {
    if (automation.error instanceof RotaApiError && automation.error.status === 404) {
      return (
        <EmptyState title={`No automation named “${name}”`}>
          It is not in this workspace (another workspace&apos;s automations are not listed). <RouterAnchor to="/">Back to the automations</RouterAnchor>
        </EmptyState>
      );
    }
    return <ApiError error={automation.error} title="The automation could not be loaded" />;
  }
  const view = automation.data;
  if (!view) {
    return (
      <Stack aria-busy="true" aria-label="Loading the automation">
        <Skeleton height={36} width="40%" />
        <Skeleton height={120} />
      </Stack>
    );
  }
  return (
    <>
      <PageHeader
        title={
          <Group gap="sm" component="span">
            <span>{view.name}</span>
            <StatusBadge status={view.status} size="lg" />
          </Group>
        }
        description={view.description ?? undefined}
        actions={
          <>
            {can(Scope.automations_write) && <PauseResume automation={view} />}
            {canRun && view.status !== 'archived' && (
              <RouterButton to="/automations/$name" params={{ name }} search={{ tab: 'run' }} variant="light">
                Run…
              </RouterButton>
            )}
            <RouterButton to="/runs" search={{ automation: name }} variant="default">
              Runs
            </RouterButton>
          </>
        }
      />
      <Tabs
        value={tab}
        onChange={(value) => navigate({ search: (prev) => ({ ...prev, tab: value === 'overview' || !value ? undefined : value }), replace: true })}
        keepMounted={false}
      >
        <Tabs.List mb="md">
          <Tabs.Tab value="overview">Overview</Tabs.Tab>
          <Tabs.Tab value="definition">Definition</Tabs.Tab>
          <Tabs.Tab value="versions">Versions ({view.version})</Tabs.Tab>
          <Tabs.Tab value="triggers">Triggers ({view.triggers.length})</Tabs.Tab>
          {canRun && <Tabs.Tab value="run">Run</Tabs.Tab>}
        </Tabs.List>
        <Tabs.Panel value="overview">
          <Stack gap="lg">
            {view.saved_from_run && <SavedFromRun automation={view.name} runId={view.saved_from_run} />}
            <HealthCards automation={view} />
            <Stack gap={6}>
              <Text size="sm" fw={600}>
                Triggers
              </Text>
              <TriggerSummary automation={view} />
            </Stack>
            <RecentRuns automation={view} />
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="definition">
          <DefinitionTab automation={view} />
        </Tabs.Panel>
        <Tabs.Panel value="versions">
          <VersionsTab automation={view} a={a} b={b} />
        </Tabs.Panel>
        <Tabs.Panel value="triggers">
          <TriggerPanel automation={view} />
        </Tabs.Panel>
        {canRun && (
          <Tabs.Panel value="run">
            {view.status === 'archived' ? (
              <Text size="sm">An archived automation cannot start runs; unarchive it first.</Text>
            ) : (
              <InputsForm key={view.version} automation={view} />
            )}
          </Tabs.Panel>
        )}
      </Tabs>
    </>
  );
}
