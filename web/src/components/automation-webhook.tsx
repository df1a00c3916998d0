/** A webhook trigger: its full URL (to copy), how senders sign, and its recent deliveries, refused ones included. */
import { Alert, Code, Group, Skeleton, Stack, Table, Text } from '@mantine/core';
import { CopyAction } from './automation-copy';
import { useQuery } from '@tanstack/react-query';
import type { AutomationView, TriggerView } from '../../../src/client/index.js';
import { RouterAnchor } from '../links';
import { useSession } from '../session';
import { ApiError } from './api-error';
import { StatusBadge } from './status-badge';
import { Time } from './time';
import './automation-table.css';
import type { TriggerDef } from './automation-triggers';

type WebhookDef = Extract<TriggerDef, { type: 'webhook' }>;

/** How a sender authenticates, in words (never the secret: only where it comes from). */
function schemeText(verify: WebhookDef['verify']): string {
  switch (verify.scheme) {
    case 'standard':
      return 'Standard Webhooks: webhook-id, webhook-timestamp and webhook-signature headers (HMAC-SHA256, 5 minutes of tolerance)';
    case 'github':
      return 'GitHub: X-Hub-Signature-256, the HMAC-SHA256 of the body; X-GitHub-Delivery is the delivery id';
    case 'hmac':
      return `HMAC-SHA256 of the body in ${verify.header ?? 'x-signature'}${verify.timestamp_header ? `, timestamp in ${verify.timestamp_header}` : ''}`;
    case 'token':
      return `a shared token in ${verify.header ?? 'authorization'}`;
    case 'none':
      return 'none: anyone who knows the URL can start runs';
  }
}

function secretSource(secret: WebhookDef['verify']['secret']): string | null {
  if (secret === undefined) return null;
  if (typeof secret === 'object' && 'env' in secret) return `the environment variable ${secret.env} of the node`;
  return 'stored encrypted in this workspace (rotate it through the API: POST …/triggers/{id}/secret)';
}

export function WebhookDetails({ automation, trigger, def, secretEnvUnset }: { automation: AutomationView; trigger: TriggerView; def: WebhookDef | undefined; secretEnvUnset?: string | null }) {
  const { client } = useSession();
  const url = trigger.webhook_path ? `${window.location.origin}${trigger.webhook_path}` : null;
  const deliveries = useQuery({
    queryKey: ['automation', automation.name, 'deliveries', trigger.id],
    queryFn: () => client.webhooks.deliveries(automation.name, trigger.id, { limit: 25 }),
    refetchInterval: 5_000,
  });
  const secret = def ? secretSource(def.verify.secret) : null;
  const unauth = deliveries.data?.unauthenticated;
  return (
    <Stack gap="sm">
      {url && (
        <Stack gap={4}>
          <Text size="sm" fw={600}>
            URL
          </Text>
          <Group gap={6} wrap="nowrap" align="flex-start">
            <Code style={{ wordBreak: 'break-all', minWidth: 0 }} data-testid="webhook-url">
              {url}
            </Code>
            <CopyAction value={url} label={`the URL of ${trigger.id}`} />
          </Group>
          <Text size="xs" c="dimmed">
            POST a JSON body to it. The path is unguessable; the signature is what authenticates.
          </Text>
        </Stack>
      )}
      {def && (
        <Text size="sm">
          <b>Verification:</b> {schemeText(def.verify)}
          {secret ? `; the secret is ${secret}` : ''}.
        </Text>
      )}
      {secretEnvUnset && (
        <Alert color="red" variant="light" title="Every delivery is refused">
          The environment variable <Code>{secretEnvUnset}</Code> holding this trigger&apos;s secret is not set on this node.
        </Alert>
      )}
      <Text size="sm" fw={600}>
        Recent deliveries
      </Text>
      {deliveries.error ? (
        <ApiError error={deliveries.error} />
      ) : !deliveries.data ? (
        <Skeleton height={60} />
      ) : (
        <>
          {unauth && unauth.count > 0 && (
            <Alert color="red" variant="light" title={`${unauth.count} request${unauth.count === 1 ? '' : 's'} refused before authentication`} data-testid="unauthenticated">
              <Group gap={6}>
                <StatusBadge status="rejected" />
                <Text size="sm">
                  last reason <Code>{unauth.last_reason ?? 'unknown'}</Code>
                  {unauth.last_at && (
                    <>
                      , <Time iso={unauth.last_at} />
                    </>
                  )}
                  . These are counted, not logged one by one (their bodies were never trusted).
                </Text>
              </Group>
            </Alert>
          )}
          {deliveries.data.items.length === 0 ? (
            <Text size="sm" c="dimmed">
              No authenticated deliveries yet. Send a signed POST to the URL above.
            </Text>
          ) : (
            <Table.ScrollContainer minWidth={720} type="native">
              <Table verticalSpacing={6} aria-label={`Deliveries of ${trigger.id}`} className="rota-auto-table">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Received</Table.Th>
                    <Table.Th>Outcome</Table.Th>
                    <Table.Th>Reason</Table.Th>
                    <Table.Th>HTTP</Table.Th>
                    <Table.Th>Delivery id</Table.Th>
                    <Table.Th>Runs</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {deliveries.data.items.map((d) => (
                    <Table.Tr key={d.id} data-outcome={d.outcome}>
                      <Table.Td>
                        <Time iso={d.received_at} />
                      </Table.Td>
                      <Table.Td>
                        <StatusBadge status={d.outcome} />
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{d.reason ?? '–'}</Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{d.status_code}</Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="xs" className="rota-mono">
                          {d.delivery_id ?? '–'}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Group gap={4}>
                          {d.run_ids.length === 0
                            ? '–'
                            : d.run_ids.map((id) => (
                                <RouterAnchor key={id} to="/runs/$id" params={{ id }} className="rota-mono">
                                  {id}
                                </RouterAnchor>
                              ))}
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </>
      )}
    </Stack>
  );
}
