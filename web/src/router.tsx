/**
 * The app's routes (TanStack Router, code-based). Pages read their params and search with
 * `getRouteApi('<path>')`, so no page imports this file. Search params are plain strings: a
 * filter in the URL is a link anyone can share.
 */
import { createRootRoute, createRoute, createRouter, lazyRouteComponent } from '@tanstack/react-router';
import { Button, Center, Loader, Stack } from '@mantine/core';
import { ApiError } from './components/api-error';
import { Shell } from './shell';
import { NotFoundPage } from './pages/not-found';

// Each page is its own chunk, loaded on first visit (and on hover of a link to it): the first load
// carries the frame and the page it lands on, not all eight.
const AutomationsPage = lazyRouteComponent(() => import('./pages/automations'), 'AutomationsPage');
const AutomationPage = lazyRouteComponent(() => import('./pages/automation'), 'AutomationPage');
const RunsPage = lazyRouteComponent(() => import('./pages/runs'), 'RunsPage');
const RunPage = lazyRouteComponent(() => import('./pages/run'), 'RunPage');
const ComparePage = lazyRouteComponent(() => import('./pages/compare'), 'ComparePage');
const ApprovalsPage = lazyRouteComponent(() => import('./pages/approvals'), 'ApprovalsPage');
const CostsPage = lazyRouteComponent(() => import('./pages/costs'), 'CostsPage');
const EventsPage = lazyRouteComponent(() => import('./pages/events'), 'EventsPage');

/** Keeps the string-valued search params named in `keys`, drops the rest. */
function strings<K extends string>(...keys: K[]) {
  return (search: Record<string, unknown>): { [P in K]?: string } => {
    const out: { [P in K]?: string } = {};
    for (const key of keys) {
      const value = search[key];
      if (typeof value === 'string' && value !== '') out[key] = value;
      else if (typeof value === 'number') out[key] = String(value);
    }
    return out;
  };
}

const rootRoute = createRootRoute({ component: Shell, notFoundComponent: NotFoundPage });

const automationsRoute = createRoute({ getParentRoute: () => rootRoute, path: '/', component: AutomationsPage, validateSearch: strings('q', 'status') });
const automationRoute = createRoute({ getParentRoute: () => rootRoute, path: '/automations/$name', component: AutomationPage, validateSearch: strings('tab', 'a', 'b') });
const runsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/runs',
  component: RunsPage,
  validateSearch: strings('automation', 'status', 'trigger', 'since', 'until', 'q'),
});
const runRoute = createRoute({ getParentRoute: () => rootRoute, path: '/runs/$id', component: RunPage, validateSearch: strings('step', 'tab') });
const compareRoute = createRoute({ getParentRoute: () => rootRoute, path: '/compare', component: ComparePage, validateSearch: strings('a', 'b') });
const approvalsRoute = createRoute({ getParentRoute: () => rootRoute, path: '/approvals', component: ApprovalsPage, validateSearch: strings('state') });
const costsRoute = createRoute({ getParentRoute: () => rootRoute, path: '/costs', component: CostsPage, validateSearch: strings('days') });
const eventsRoute = createRoute({ getParentRoute: () => rootRoute, path: '/events', component: EventsPage, validateSearch: strings('name') });

const routeTree = rootRoute.addChildren([automationsRoute, automationRoute, runsRoute, runRoute, compareRoute, approvalsRoute, costsRoute, eventsRoute]);

function PagePending() {
  return (
    <Center py="xl">
      <Loader role="status" aria-label="Loading the page" />
    </Center>
  );
}

/** A page that failed to load or render (a chunk of an older release after an upgrade, say). */
function PageError({ error }: { error: unknown }) {
  return (
    <Stack>
      <ApiError error={error} title="This page could not be shown" />
      <Button variant="default" w="fit-content" onClick={() => window.location.reload()}>
        Reload
      </Button>
    </Stack>
  );
}

export const router = createRouter({ routeTree, defaultPreload: 'intent', scrollRestoration: true, defaultPendingComponent: PagePending, defaultErrorComponent: PageError });

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
