/** The automation page's triggers: each with its next fires, cursor and counters, an enable switch, and webhook deliveries. */
import { Badge, Card, Code, Group, List, SimpleGrid, Skeleton, Stack, Switch, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Scope, type AutomationView, type SchedulePreview, type TriggerDetailView, type TriggerView } from '../../../src/client/index.js';
import { count } from '../format';
import { useSession } from '../session';
import { ApiError } from './api-error';
import { JsonBlock } from './json-block';
import { Time } from './time';
import { orderedTriggers, scheduleZone, triggerDef, triggerWhat, ZonedTime, type TriggerDef } from './automation-triggers';
import { WebhookDetails } from './automation-webhook';

function Counter({ label, value, detail }: { label: string; value?: string; detail?: React.ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      {value !== undefined && (
        <Text size="sm" fw={600}>
          {value}
        </Text>
      )}
      {detail && (
        <Text size="xs" c="dimmed">
          {detail}
        </Text>
      )}
    </div>
  );
}

function ScheduleDetails({ def, detail, preview }: { def: Extract<TriggerDef, { type: 'schedule' }> | undefined; detail: TriggerDetailView | undefined; preview: SchedulePreview | undefined }) {
  const zone = preview?.timezone ?? detail?.schedule?.timezone ?? scheduleZone(def);
  const s = detail?.schedule;
  return (
    <Stack gap="xs">
      <Text size="sm">
        <Code>{triggerWhat(def)}</Code> in <b>{zone}</b>
        {s && (
          <>
            {' '}
            · catch-up {s.catch_up.replace('_', ' ')}
            {s.catch_up !== 'skip_missed' ? ` (at most ${s.max_catch_up})` : ''}
            {s.jitter ? ` · jitter ${s.jitter}` : ''}
          </>
        )}
      </Text>
      {detail?.next_fire_at && detail.enabled && (
        <Text size="sm">
          Cursor: the next slot is <ZonedTime iso={detail.next_fire_at} zone={zone} />
          {detail.last_fire_id ? (
            <>
              {' '}
              · last fire id <Code>{detail.last_fire_id}</Code>
            </>
          ) : null}
        </Text>
      )}
      <Text size="sm" fw={600}>
        Next fires
      </Text>
      {!preview ? (
        <Skeleton height={40} />
      ) : preview.next.length === 0 ? (
        <Text size="sm" c="dimmed">
          None: this schedule has no future slot.
        </Text>
      ) : (
        <>
          {(!preview.enabled || preview.paused) && (
            <Text size="xs" c="dimmed">
              {!preview.enabled ? 'Disabled: nothing fires. ' : ''}
              {preview.paused ? 'The automation is paused: these are the fires from now on if it is resumed.' : ''}
            </Text>
          )}
          <List size="sm" spacing={2} data-testid="next-fires">
            {preview.next.map((iso) => (
              <List.Item key={iso}>
                <ZonedTime iso={iso} zone={preview.timezone} />
              </List.Item>
            ))}
          </List>
        </>
      )}
    </Stack>
  );
}

function HealthCounters({ detail }: { detail: TriggerDetailView }) {
  return (
    <SimpleGrid cols={{ base: 1, xs: 3 }} spacing="sm">
      <Counter label="Last fire" value={detail.last_fire_at ? undefined : 'never'} detail={detail.last_fire_at ? <Time iso={detail.last_fire_at} /> : undefined} />
      {detail.type === 'schedule' && (
        <Counter label="Misfires" value={count(detail.misfire_count)} detail={detail.last_misfire_at ? <>last <Time iso={detail.last_misfire_at} /></> : 'slots that fired too late to count'} />
      )}
      <Counter
        label="Failed fires in a row"
        value={count(detail.consecutive_failures)}
        detail={detail.last_failure ? <>last: {detail.last_failure} {detail.last_failure_at && <Time iso={detail.last_failure_at} />}</> : 'fires that could not start a run'}
      />
    </SimpleGrid>
  );
}

function TriggerCard({ automation, trigger, detail, preview }: { automation: AutomationView; trigger: TriggerView; detail: TriggerDetailView | undefined; preview: SchedulePreview | undefined }) {
  const { client, can } = useSession();
  const queryClient = useQueryClient();
  const def = triggerDef(automation, trigger.id);
  const enabled = detail?.enabled ?? trigger.enabled;
  const toggle = useMutation({
    mutationFn: (on: boolean) => (on ? client.triggers.enable(automation.name, trigger.id) : client.triggers.disable(automation.name, trigger.id)),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['automation', automation.name] }),
  });
  const writable = can(Scope.automations_write) && automation.status !== 'archived';
  return (
    <Card withBorder radius="md" padding="md" data-trigger={trigger.id}>
      <Stack gap="sm">
        <Group justify="space-between" wrap="wrap">
          <Group gap="xs">
            <Title order={3} size="h5">
              {trigger.id}
            </Title>
            <Badge variant="outline" radius="sm" color="blue">
              {trigger.type}
            </Badge>
          </Group>
          {writable ? (
            <Switch
              label={enabled ? 'Enabled' : 'Disabled'}
              aria-label={`Trigger ${trigger.id} enabled`}
              checked={enabled}
              disabled={toggle.isPending}
              onChange={(e) => toggle.mutate(e.currentTarget.checked)}
            />
          ) : (
            <Badge color={enabled ? 'teal' : 'gray'} variant="light" radius="sm">
              {enabled ? 'enabled' : 'disabled'}
            </Badge>
          )}
        </Group>
        {toggle.error && <ApiError error={toggle.error} title="The trigger was not changed" />}
        {def?.type === 'schedule' && <ScheduleDetails def={def} detail={detail} preview={preview} />}
        {def?.type === 'webhook' && <WebhookDetails automation={automation} trigger={trigger} def={def} secretEnvUnset={detail?.secret_env_unset} />}
        {def?.type === 'event' && (
          <Text size="sm">
            Fires on each event named <Code>{def.name}</Code> published in this workspace.
          </Text>
        )}
        {def?.type === 'manual' && <Text size="sm">Started from the API, the CLI or the Run tab.</Text>}
        {def?.filter && (
          <div>
            <Text size="xs" c="dimmed">
              Filter (fires only when it matches)
            </Text>
            <JsonBlock value={def.filter} maxHeight={160} label={`Filter of ${trigger.id}`} />
          </div>
        )}
        {def?.inputs && (
          <div>
            <Text size="xs" c="dimmed">
              Inputs mapping
            </Text>
            <JsonBlock value={def.inputs} maxHeight={160} label={`Inputs mapping of ${trigger.id}`} />
          </div>
        )}
        {detail && <HealthCounters detail={detail} />}
      </Stack>
    </Card>
  );
}

export function TriggerPanel({ automation }: { automation: AutomationView }) {
  const { client } = useSession();
  const name = automation.name;
  const details = useQuery({ queryKey: ['automation', name, 'triggers'], queryFn: () => client.triggers.list(name), refetchInterval: 10_000 });
  const hasSchedule = automation.triggers.some((t) => t.type === 'schedule');
  const previews = useQuery({ queryKey: ['automation', name, 'schedule'], queryFn: () => client.triggers.preview(name, { count: 5 }), enabled: hasSchedule, refetchInterval: 30_000 });
  if (automation.triggers.length === 0) {
    return (
      <Text size="sm">
        No triggers: <b>{name}</b> starts only by hand (the Run tab, <Code>rota run {name}</Code>, or <Code>POST /api/v1/automations/{name}/runs</Code>). Add{' '}
        <Code>triggers:</Code> to its definition — a <Code>schedule</Code>, a <Code>webhook</Code> or an <Code>event</Code> — to start runs on their own.
      </Text>
    );
  }
  return (
    <Stack gap="sm">
      {details.error && <ApiError error={details.error} title="The triggers' state could not be loaded" />}
      {previews.error && <ApiError error={previews.error} title="The next fire times could not be loaded" />}
      {orderedTriggers(automation).map((t) => (
        <TriggerCard key={t.id} automation={automation} trigger={t} detail={details.data?.find((d) => d.id === t.id)} preview={previews.data?.find((p) => p.trigger_id === t.id)} />
      ))}
    </Stack>
  );
}
