import { Center, Loader } from '@mantine/core';
import { RouterProvider } from '@tanstack/react-router';
import { useCallback, useState } from 'react';
import { router } from './router';
import { SessionProvider, storedToken } from './session';
import { SignIn } from './pages/sign-in';

export function App() {
  const [token, setToken] = useState<string | null>(() => storedToken());
  const [reason, setReason] = useState<string | undefined>();
  const signedOut = useCallback((why?: string) => {
    setReason(why);
    setToken(null);
  }, []);
  if (!token) return <SignIn onSignedIn={setToken} reason={reason} />;
  return (
    <SessionProvider
      token={token}
      onSignedOut={signedOut}
      fallback={
        <Center mih="100vh">
          <Loader role="status" aria-label="Loading" />
        </Center>
      }
    >
      <RouterProvider router={router} />
    </SessionProvider>
  );
}
