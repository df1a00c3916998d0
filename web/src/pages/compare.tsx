/**
 * Compare two runs (`/compare?a=ID&b=ID`): how Tuesday's failed run differs from Monday's, or what
 * a new version changed. Reached from the runs explorer (select two, Compare) or by pasting ids.
 */
import { Loader, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { getRouteApi } from '@tanstack/react-router';
import { ApiError } from '../components/api-error';
import { ComparePicker } from '../components/compare-picker';
import { CompareView } from '../components/compare-view';
import { EmptyState } from '../components/empty-state';
import { PageHeader } from '../components/page-header';
import { RouterAnchor } from '../links';
import { useSession } from '../session';

const route = getRouteApi('/compare');

export function ComparePage() {
  const { a, b } = route.useSearch();
  const navigate = route.useNavigate();
  const { client } = useSession();
  const runA = useQuery({ queryKey: ['runs', 'get', a], queryFn: () => client.runs.get(a!), enabled: Boolean(a) });
  const runB = useQuery({ queryKey: ['runs', 'get', b], queryFn: () => client.runs.get(b!), enabled: Boolean(b) });
  const both = Boolean(a && b);
  return (
    <>
      <PageHeader title="Compare runs" description="Two runs side by side: inputs, steps, outputs, errors, durations and cost, with every difference marked." />
      <ComparePicker a={a} b={b} onCompare={(x, y) => void navigate({ search: { ...(x ? { a: x } : {}), ...(y ? { b: y } : {}) } })} />
      {!both && (
        <EmptyState title="Pick two runs to compare">
          <Stack gap={4}>
            <Text size="sm">
              Paste two run ids (or links to runs) above and press Compare, or go to the <RouterAnchor to="/runs" underline="always">
                runs explorer
              </RouterAnchor>, tick two runs and press Compare.
            </Text>
            <Text size="sm">Comparing a failed run with a run of the same automation that succeeded shows which inputs, steps and outputs differ.</Text>
          </Stack>
        </EmptyState>
      )}
      <ApiError error={runA.error} title={`Run A (${a}) could not be loaded`} />
      <ApiError error={runB.error} title={`Run B (${b}) could not be loaded`} />
      {both && (runA.isPending || runB.isPending) && !runA.error && !runB.error && <Loader role="status" aria-label="Loading the runs" />}
      {runA.data && runB.data && both && <CompareView a={runA.data} b={runB.data} />}
    </>
  );
}
