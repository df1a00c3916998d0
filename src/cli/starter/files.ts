/** What `rota init` writes: a configuration, one automation per trigger kind, and a .gitignore. */

export interface StarterFile {
  path: string;
  text: string;
}

const CONFIG = `# Rota configuration (every key: docs/configuration.md in the rota package).
data_dir: .rota            # the SQLite database and the secrets key live here
watch_dir: automations     # definition files applied on start and re-applied on change
host: 127.0.0.1
port: 7070
log_level: info
`;

const MANUAL = `# Started by hand: rota run hello --input who=Ada --wait (or POST /api/v1/automations/hello/runs)
name: hello
description: Greets someone; shows inputs, templates and step outputs.
inputs:
  type: object
  properties:
    who: { type: string, default: world }
steps:
  - id: greet
    action: set
    with:
      text: "Hello, {{ inputs.who }}!"
  - id: summary
    action: set
    with:
      message: "{{ steps.greet.output.text }}"
      run: "{{ run.id }}"
`;

const SCHEDULE = `# Fires every day at 09:00 UTC; rota schedule next nightly-report shows the next fire times.
name: nightly-report
description: A scheduled automation; the slot it fires for is passed as an input.
inputs:
  type: object
  properties:
    slot: { type: string }
triggers:
  - id: daily
    type: schedule
    cron: "0 9 * * *"
    timezone: UTC
    inputs: { slot: "{{ data.slot }}" }
steps:
  - id: report
    action: set
    with:
      report_for: "{{ inputs.slot }}"
`;

const WEBHOOK = `# Senders POST JSON to the webhook_path that rota get incoming-order --json shows, with the
# header X-Webhook-Token set to the value of the WEBHOOK_TOKEN environment variable of the server.
name: incoming-order
description: A webhook-triggered automation; the JSON body is mapped into inputs.
inputs:
  type: object
  properties:
    order: { type: string }
triggers:
  - id: order-created
    type: webhook
    verify: { scheme: token, header: X-Webhook-Token, secret: { env: WEBHOOK_TOKEN } }
    inputs: { order: "{{ data.order_id }}" }
steps:
  - id: record
    action: set
    with:
      received: "{{ inputs.order }}"
`;

const EVENT = `# Runs when an event named user.signed_up is published: rota events emit user.signed_up --data '{"email":"ada@example.com"}'
name: welcome-user
description: An event-triggered automation.
inputs:
  type: object
  properties:
    email: { type: string }
triggers:
  - id: signup
    type: event
    name: user.signed_up
    inputs: { email: "{{ data.email }}" }
steps:
  - id: welcome
    action: set
    with:
      to: "{{ inputs.email }}"
      subject: Welcome!
`;

const GITIGNORE = `# Rota's local state: the SQLite database and the secrets key
.rota/
`;

export const STARTER_FILES: readonly StarterFile[] = [
  { path: 'rota.config.yaml', text: CONFIG },
  { path: 'automations/hello.yaml', text: MANUAL },
  { path: 'automations/nightly-report.yaml', text: SCHEDULE },
  { path: 'automations/incoming-order.yaml', text: WEBHOOK },
  { path: 'automations/welcome-user.yaml', text: EVENT },
  { path: '.gitignore', text: GITIGNORE },
];
