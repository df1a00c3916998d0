/**
 * The app's routes (TanStack Router, code-based). Pages read their params and search with
 * `getRouteApi('<path>')`, so no page imports this file. Search params are plain strings: a
 * filter in the URL is a link anyone can share.
 */
import { createRootRoute, createRoute, createRouter } from '@tanstack/react-router';
import { Shell } from './shell';
import { AutomationsPage } from './pages/automations';
import { AutomationPage } from './pages/automation';
import { RunsPage } from './pages/runs';
import { RunPage } from './pages/run';
import { ComparePage } from './pages/compare';
import { ApprovalsPage } from './pages/approvals';
import { CostsPage } from './pages/costs';
import { EventsPage } from './pages/events';
import { NotFoundPage } from './pages/not-found';

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

export const router = createRouter({ routeTree, defaultPreload: 'intent', scrollRestoration: true });

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
