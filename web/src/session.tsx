/**
 * Sign-in by token: the token (and, for an admin token, the workspace it acts in) is kept in this
 * browser's localStorage; every API call goes through the typed client of `rota/client`. `can(scope)`
 * tells whether the token may do a thing, so pages offer only what it may (the server enforces it
 * anyway: a 403 is shown with its message).
 */
import { Button, Center, Group, Stack } from '@mantine/core';
import { createContext, useContext, useEffect, useMemo, type ReactNode } from 'react';
import { ApiError } from './components/api-error';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createClient, RotaApiError, type RotaClient, type Scope, type Whoami } from '../../src/client/index.js';

const TOKEN_KEY = 'rota.token';
const WORKSPACE_KEY = 'rota.workspace';

export interface Session {
  client: RotaClient;
  whoami: Whoami;
  can(scope: Scope): boolean;
  /** switch the workspace an admin token acts in */
  setWorkspace(name: string): void;
  signOut(): void;
}

export function storedToken(): string | null {
  return localStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string, workspace?: string): void {
  localStorage.setItem(TOKEN_KEY, token);
  if (workspace) localStorage.setItem(WORKSPACE_KEY, workspace);
  else localStorage.removeItem(WORKSPACE_KEY);
}

export function clearToken(): void {
  localStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(WORKSPACE_KEY);
}

export function makeClient(token: string, workspace?: string | null): RotaClient {
  return createClient({ url: window.location.origin, token, workspace: workspace ?? undefined });
}

/** Checks a token against the server: its identity, or the API's error (401 for an unknown token). */
export async function checkToken(token: string, workspace?: string): Promise<Whoami> {
  return makeClient(token, workspace).whoami();
}

const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside of a signed-in page');
  return session;
}

/** The signed-in part of the app: resolves the stored token to its identity once, then renders `children`. */
export function SessionProvider({ token, onSignedOut, children, fallback }: { token: string; onSignedOut: (reason?: string) => void; children: ReactNode; fallback: ReactNode }) {
  const queryClient = useQueryClient();
  const workspace = localStorage.getItem(WORKSPACE_KEY);
  const client = useMemo(() => makeClient(token, workspace), [token, workspace]);
  const who = useQuery({
    queryKey: ['whoami', token, workspace],
    queryFn: () => client.whoami(),
    retry: (count, err) => !(err instanceof RotaApiError && (err.status === 401 || err.status === 403)) && count < 2,
    staleTime: 60_000,
  });
  const session = useMemo<Session | null>(() => {
    if (!who.data) return null;
    const scopes = new Set(who.data.scopes);
    return {
      client,
      whoami: who.data,
      can: (scope) => scopes.has('admin') || scopes.has(scope),
      setWorkspace(name) {
        localStorage.setItem(WORKSPACE_KEY, name);
        queryClient.clear();
        window.location.reload();
      },
      signOut() {
        clearToken();
        queryClient.clear();
        onSignedOut();
      },
    };
  }, [who.data, client, queryClient, onSignedOut]);
  const refused = who.error instanceof RotaApiError && who.error.status === 401 ? who.error : null;
  useEffect(() => {
    if (!refused) return;
    clearToken();
    onSignedOut(`The stored token was refused: ${refused.message}`);
  }, [refused, onSignedOut]);
  if (refused) return null;
  if (who.error) {
    // the server is unreachable or answered otherwise: say so, instead of loading forever
    return (
      <Center mih="100vh" p="md">
        <Stack maw={520}>
          <ApiError error={who.error} title="Rota could not be reached" />
          <Group>
            <Button onClick={() => void who.refetch()} loading={who.isFetching}>
              Try again
            </Button>
            <Button variant="default" onClick={() => { clearToken(); onSignedOut(); }}>
              Sign out
            </Button>
          </Group>
        </Stack>
      </Center>
    );
  }
  if (!session) return <>{fallback}</>;
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

