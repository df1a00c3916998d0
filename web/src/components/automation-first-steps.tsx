/** A fresh install's first screen: how to create the first automation, with a definition to copy. */
import { Anchor, Code, Group, List, Paper, Stack, Text, Title } from '@mantine/core';
import { CopyAction } from './automation-copy';
import { YamlView } from './yaml-view';

export const HELLO_YAML = `# hello.yaml: apply it with \`rota apply -f hello.yaml\`
name: hello
description: Greets someone; run it by hand, or every weekday at 9.
inputs:
  type: object
  properties:
    who: { type: string, default: world }
  required: [who]
triggers:
  - id: weekday-morning
    type: schedule
    cron: "0 9 * * 1-5"         # 09:00, Monday to Friday
    timezone: Europe/Paris
steps:
  - id: greet
    action: set
    with:
      text: "Hello, {{ inputs.who }}!"
`;

function Command({ text, label }: { text: string; label: string }) {
  return (
    <Group gap={6} wrap="nowrap" align="flex-start">
      <Code block style={{ flex: 1, minWidth: 0, overflowX: 'auto' }}>
        {text}
      </Code>
      <CopyAction value={text} label={label} />
    </Group>
  );
}

export function FirstAutomation() {
  const origin = window.location.origin;
  return (
    <Paper withBorder p="lg" radius="md" data-testid="first-automation">
      <Stack gap="md" maw={760}>
        <Title order={2} size="h3">
          Create your first automation
        </Title>
        <Text>
          This workspace has no automations yet. An automation is a definition — its inputs, triggers and steps — written in YAML (or JSON). Save this one as{' '}
          <Code>hello.yaml</Code>:
        </Text>
        <YamlView source={HELLO_YAML} label="the example definition hello.yaml" />
        <Text>Then apply it with the CLI, pointed at this server with your token, and start a run:</Text>
        <Command label="the apply commands" text={`export ROTA_URL=${origin}\nexport ROTA_TOKEN=rota_…   # the token you signed in with\nnpx rota apply -f hello.yaml\nnpx rota run hello --input who=Ada --wait`} />
        <List size="sm" spacing={6}>
          <List.Item>
            Starting a project? <Code>npx rota init</Code> writes <Code>rota.config.yaml</Code> and an <Code>automations/</Code> folder with one example per trigger kind;{' '}
            <Code>npx rota dev</Code> serves it and applies each file again when you save it.
          </List.Item>
          <List.Item>
            Without the CLI: <Code>PUT /api/v1/automations/hello</Code> with the YAML as body (<Code>Content-Type: application/yaml</Code>); the{' '}
            <Anchor href="/api/openapi.json">API document</Anchor> lists every call.
          </List.Item>
          <List.Item>It appears here as soon as it is applied, with its next fire time and its runs.</List.Item>
        </List>
      </Stack>
    </Paper>
  );
}
