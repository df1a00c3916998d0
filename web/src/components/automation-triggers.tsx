/** Triggers as the automations pages show them: what fires, and when next (in the trigger's zone, UTC on hover). */
import { Badge, Group, Stack, Text, Tooltip } from '@mantine/core';
import type { AutomationView } from '../../../src/client/index.js';
import { absoluteTime, relativeTime } from '../format';
import { useNow } from './time';

export type TriggerDef = NonNullable<AutomationView['definition']['triggers']>[number];

export function triggerDef(automation: AutomationView, id: string): TriggerDef | undefined {
  return automation.definition.triggers?.find((t) => t.id === id);
}

/** What a trigger listens to, in a few words: `cron 0 9 * * 1-5`, `every 15m`, `event order.*`, `webhook (github)`. */
export function triggerWhat(def: TriggerDef | undefined): string {
  if (!def) return '';
  switch (def.type) {
    case 'schedule':
      if (def.cron !== undefined) return `cron ${def.cron}`;
      if (def.every !== undefined) return `every ${def.every}`;
      return def.at !== undefined ? `once at ${def.at}` : 'schedule';
    case 'webhook':
      return `${def.verify.scheme} signature`;
    case 'event':
      return `event ${def.name}`;
    case 'manual':
      return 'API, CLI or this UI';
  }
}

const compact = new Map<string, Intl.DateTimeFormat>();

/** "Mon, Dec 1, 09:00 AM Europe/Paris": the wall-clock time in `zone` (an IANA name), and the zone. */
export function zonedLabel(iso: string, zone: string): string {
  let format = compact.get(zone);
  if (!format) {
    const options: Intl.DateTimeFormatOptions = { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' };
    try {
      format = new Intl.DateTimeFormat(undefined, { ...options, timeZone: zone });
    } catch {
      format = new Intl.DateTimeFormat(undefined, { ...options, timeZone: 'UTC' });
    }
    compact.set(zone, format);
  }
  return `${format.format(new Date(iso))} ${format.resolvedOptions().timeZone === 'UTC' && zone !== 'UTC' ? 'UTC' : zone}`;
}

/** The automation's triggers in the order its definition lists them. */
export function orderedTriggers(automation: AutomationView): AutomationView['triggers'] {
  const order = new Map((automation.definition.triggers ?? []).map((t, i) => [t.id, i]));
  return [...automation.triggers].sort((a, b) => (order.get(a.id) ?? 1e9) - (order.get(b.id) ?? 1e9));
}

/** A fire time in the trigger's zone with how far off it is; the UTC time on hover (and for screen readers). */
export function ZonedTime({ iso, zone }: { iso: string; zone: string }) {
  const now = useNow();
  const utc = absoluteTime(iso, 'UTC');
  return (
    <Tooltip label={`${utc} · ${zone}`} openDelay={300} withinPortal>
      <time dateTime={iso} title={utc} style={{ whiteSpace: 'nowrap' }} data-zone={zone}>
        {zonedLabel(iso, zone)}{' '}
        <Text span size="xs" c="dimmed">
          ({relativeTime(iso, now)})
        </Text>
      </time>
    </Tooltip>
  );
}

export function scheduleZone(def: TriggerDef | undefined): string {
  return def?.type === 'schedule' ? (def.timezone ?? 'UTC') : 'UTC';
}

/** The list's compact view of an automation's triggers: kind, what, and the next fire. */
export function TriggerSummary({ automation }: { automation: AutomationView }) {
  if (automation.triggers.length === 0) {
    return (
      <Text size="xs" c="dimmed">
        manual only
      </Text>
    );
  }
  const paused = automation.status !== 'active';
  return (
    <Stack gap={6}>
      {orderedTriggers(automation).map((t) => {
        const def = triggerDef(automation, t.id);
        return (
          <div key={t.id} data-trigger={t.id}>
            <Group gap={6} wrap="nowrap">
              <Badge size="xs" radius="sm" variant="outline" color={t.enabled ? 'blue' : 'gray'} style={{ flex: 'none' }}>
                {t.type}
              </Badge>
              <Text size="xs" style={{ whiteSpace: 'nowrap' }}>
                {def?.type === 'schedule' ? triggerWhat(def) : t.id}
              </Text>
              {!t.enabled && (
                <Text size="xs" c="dimmed">
                  disabled
                </Text>
              )}
            </Group>
            {t.enabled && t.type === 'schedule' && (
              <Text size="xs" mt={2} style={{ whiteSpace: 'nowrap' }}>
                {paused ? (
                  <Text span size="xs" c="dimmed">
                    not firing: {automation.status}
                  </Text>
                ) : t.next_fire_at ? (
                  <>
                    next <ZonedTime iso={t.next_fire_at} zone={scheduleZone(def)} />
                  </>
                ) : (
                  <Text span size="xs" c="dimmed">
                    no future fire
                  </Text>
                )}
              </Text>
            )}
          </div>
        );
      })}
    </Stack>
  );
}
