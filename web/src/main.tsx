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
  // WCAG AA (4.5:1) for white text on filled buttons and badges, and for links: shade 6 of the
  // default palette is 2-3.6:1 on white; autoContrast puts dark text on the light fills (yellow)
  primaryShade: { light: 8, dark: 8 },
  autoContrast: true,
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  fontFamilyMonospace: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
});

/**
 * Light-theme colours raised to WCAG AA (4.5:1), merged over Mantine's variables (a stylesheet
 * loses to the variables Mantine writes for the theme). axe-core found each one below: links
 * (blue-8 is 4.0:1 on a selected row's tint), the text of light-variant badges, buttons and alerts
 * (shade 6 on its own tint is about 2.5:1; no yellow or orange shade reaches 4.5:1, hence the
 * darker tones), field errors (red-6 is 3.3:1 on white) and outline badges. The dark theme's
 * shades pass as they are. Dimmed text: Mantine's gray-6 is 3.3:1 on white.
 */
const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    '--mantine-color-anchor': 'var(--mantine-color-blue-9)',
    '--mantine-color-error': 'var(--mantine-color-red-9)',
    '--mantine-color-blue-light-color': 'var(--mantine-color-blue-9)',
    '--mantine-color-indigo-light-color': 'var(--mantine-color-indigo-9)',
    '--mantine-color-cyan-light-color': 'color-mix(in srgb, var(--mantine-color-cyan-9), black 6%)',
    '--mantine-color-teal-light-color': '#066649',
    '--mantine-color-green-light-color': 'color-mix(in srgb, var(--mantine-color-green-9), black 18%)',
    '--mantine-color-lime-light-color': 'color-mix(in srgb, var(--mantine-color-lime-9), black 24%)',
    '--mantine-color-red-light-color': 'var(--mantine-color-red-9)',
    '--mantine-color-gray-light-color': 'var(--mantine-color-gray-8)',
    '--mantine-color-yellow-light-color': '#6e4700',
    '--mantine-color-orange-light-color': '#8f350a',
    '--mantine-color-violet-light-color': 'var(--mantine-color-violet-9)',
    '--mantine-color-violet-outline': 'var(--mantine-color-violet-8)',
    '--mantine-color-blue-outline': 'var(--mantine-color-blue-8)',
    '--mantine-color-gray-outline': 'var(--mantine-color-gray-7)',
  },
  // dark-2, Mantine's dimmed grey there, is 4.0:1 on the dark body
  dark: { '--mantine-color-dimmed': 'var(--mantine-color-dark-1)' },
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
