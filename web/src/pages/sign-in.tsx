import { Alert, Button, Center, Code, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { RotaApiError } from '../../../src/client/index.js';
import { checkToken, storeToken } from '../session';

/** Sign-in by token: checked against the server before it is kept. */
export function SignIn({ onSignedIn, reason }: { onSignedIn: (token: string) => void; reason?: string }) {
  const [token, setToken] = useState('');
  const [workspace, setWorkspace] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const value = token.trim();
    if (!value) {
      setError('Paste a token: it starts with rota_.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await checkToken(value, workspace.trim() || undefined);
      storeToken(value, workspace.trim() || undefined);
      onSignedIn(value);
    } catch (err) {
      setError(err instanceof RotaApiError ? `${err.message} (${err.code})` : (err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" radius="md" w={440} maw="100%">
        <form onSubmit={submit} noValidate>
          <Stack>
            <Title order={1} size="h2">
              Sign in to Rota
            </Title>
            <Text size="sm" c="dimmed">
              Paste an API token. <Code>rota serve</Code> prints an admin token on its first start; <Code>rota tokens create NAME --scope runs:read</Code> makes a narrower one.
            </Text>
            {reason && (
              <Alert color="yellow" variant="light">
                {reason}
              </Alert>
            )}
            <PasswordInput label="Token" placeholder="rota_…" value={token} onChange={(e) => setToken(e.currentTarget.value)} error={error} autoFocus autoComplete="off" data-testid="token" />
            <TextInput label="Workspace" description="Admin tokens only; empty: the server's default workspace" placeholder="default" value={workspace} onChange={(e) => setWorkspace(e.currentTarget.value)} />
            <Button type="submit" loading={busy}>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
