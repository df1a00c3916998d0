import type { ActionDefinition } from '../../src/actions/types.js';

function fake(type: string, configSchema: Record<string, unknown>, secretFields?: string[]): ActionDefinition {
  return { type, description: `fake ${type}`, configSchema, secretFields, handler: async () => ({}) };
}

/** Fake actions with small config schemas, enough to compile the SPEC §2 example. */
export const fakeActions = new Map<string, ActionDefinition>([
  [
    'http',
    fake(
      'http',
      {
        type: 'object',
        properties: {
          method: { enum: ['GET', 'POST', 'PUT', 'DELETE'] },
          url: { type: 'string', format: 'uri' },
          headers: { type: 'object', additionalProperties: { type: 'string' } },
          body: {},
          timeout_ms: { type: 'integer', minimum: 1 },
        },
        required: ['url'],
        additionalProperties: false,
      },
      ['headers'],
    ),
  ],
  [
    'agent',
    fake('agent', {
      type: 'object',
      properties: {
        model: { type: 'string' },
        prompt: { type: 'string' },
        tools: { type: 'array', items: { type: 'string' } },
        output_schema: { type: 'object' },
        max_turns: { type: 'integer', minimum: 1, maximum: 100 },
      },
      required: ['prompt'],
      additionalProperties: false,
    }),
  ],
  [
    'approval',
    fake('approval', {
      type: 'object',
      properties: { message: { type: 'string' }, timeout: { type: 'string' }, on_timeout: { enum: ['reject', 'approve', 'abort'] } },
      required: ['message'],
      additionalProperties: false,
    }),
  ],
  ['emit_event', fake('emit_event', { type: 'object', properties: { name: { type: 'string' }, data: {} }, required: ['name'] })],
  ['set', fake('set', { type: 'object' })],
]);

export const SPEC_EXAMPLE = `
name: triage-new-issues
description: Label and summarize every new GitHub issue
inputs:                      # JSON Schema 2020-12 for run inputs; defaults applied
  type: object
  properties:
    repo:   { type: string }
    number: { type: integer }
  required: [repo, number]
triggers:
  - id: github
    type: webhook
    verify: { scheme: github, secret: { env: GITHUB_WEBHOOK_SECRET } }
    filter: { "data.action": "opened" }          # see §5
    inputs: { repo: "{{ data.repository.full_name }}", number: "{{ data.issue.number }}" }
  - id: nightly-sweep
    type: schedule
    cron: "0 2 * * *"
    timezone: Europe/Berlin
    catch_up: skip_missed
    inputs: { repo: acme/api, number: 0 }
steps:
  - id: fetch
    action: http
    with: { method: GET, url: "https://api.github.com/repos/{{ inputs.repo }}/issues/{{ inputs.number }}" }
  - id: triage
    action: agent
    with:
      model: default
      prompt: "Classify this issue and write a two-line summary:\\n{{ steps.fetch.output.body | json }}"
      tools: [http_fetch]
      output_schema:
        type: object
        properties:
          label:   { enum: [bug, feature, question] }
          summary: { type: string, maxLength: 400 }
        required: [label, summary]
  - id: confirm
    action: approval
    if: { "steps.triage.output.label": "bug" }
    with: { message: "Post this triage?", timeout: 24h, on_timeout: reject }
  - id: post
    action: http
    needs: [confirm]
    with: { method: POST, url: "https://example.com/labels", body: { labels: ["{{ steps.triage.output.label }}"] } }
execution:
  timeout: 10m               # whole run; default 10m
  concurrency: 2             # max active runs of this automation; excess runs wait \`queued\`
  overlap: skip              # for schedule fires; see §4
  fire_limit: { max: 60, window: 1h }
  budget: { max_cost_usd: 0.50, max_tokens: 200000 }
  retry: { max_retries: 2, backoff: exponential, base_delay: 2s, max_delay: 5m }  # step default
  on_failure: [ { id: alert, action: emit_event, with: { name: triage.failed } } ]
  retention: { max_age: 30d, max_runs: 100 }
`;
