import { Alert, Code, List } from '@mantine/core';
import { RotaApiError } from '../../../src/client/index.js';

/** An API error as the server said it: its message, code and, for validation errors, each path. */
export function ApiError({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const api = error instanceof RotaApiError ? error : null;
  const details = api && Array.isArray(api.details) ? (api.details as { path?: string; message?: string }[]) : [];
  return (
    <Alert color="red" variant="light" title={title ?? (api ? `${api.code} (${api.status})` : 'Something went wrong')} role="alert">
      {(error as Error).message}
      {details.length > 0 && (
        <List size="sm" mt="xs">
          {details.slice(0, 20).map((d, i) => (
            <List.Item key={i}>
              {d.path && <Code>{d.path}</Code>} {d.message}
            </List.Item>
          ))}
        </List>
      )}
    </Alert>
  );
}
