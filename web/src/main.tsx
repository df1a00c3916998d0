import '@mantine/core/styles.css';
import './styles.css';
import { MantineProvider, createTheme, localStorageColorSchemeManager, type CSSVariablesResolver } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { RotaApiError } from '../../src/client/index.js';
import { App } from './app';

const theme = createTheme({
  primaryColor: 'blue',
  // white on blue-6 (a filled button) is 3.6:1; blue-8 is 5.1:1 (WCAG AA asks 4.5:1)
  primaryShade: { light: 8, dark: 8 },
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  fontFamilyMonospace: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
});

/**
 * Light theme text on tints, for WCAG AA (4.5:1), merged over Mantine's variables (a stylesheet
 * loses to the variables Mantine writes for the theme): links (blue-8 is 4.0:1 on a selected row's
 * tint) and the text of light-variant badges (shade 6 on its own tint is about 2.5:1; no yellow or
 * orange shade reaches 4.5:1, hence the two darker tones). The dark theme's shades pass as they are.
 */
const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-anchor': 'var(--mantine-color-blue-9)',
    '--mantine-color-blue-light-color': 'var(--mantine-color-blue-9)',
    '--mantine-color-indigo-light-color': 'var(--mantine-color-indigo-9)',
    '--mantine-color-teal-light-color': '#066649',
    '--mantine-color-red-light-color': 'var(--mantine-color-red-9)',
    '--mantine-color-gray-light-color': 'var(--mantine-color-gray-8)',
    '--mantine-color-yellow-light-color': '#6e4700',
    '--mantine-color-orange-light-color': '#8f350a',
  },
  dark: {},
});

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 5_000,
      // a 4xx will not get better by asking again
      retry: (count, err) => !(err instanceof RotaApiError && err.status >= 400 && err.status < 500) && count < 2,
      refetchOnWindowFocus: true,
    },
  },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={theme} defaultColorScheme="auto" colorSchemeManager={localStorageColorSchemeManager({ key: 'rota.theme' })} cssVariablesResolver={cssVariablesResolver}>
      <QueryClientProvider client={queryClient}>
        <App />
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
