import { Text } from '@mantine/core';
import { EmptyState } from '../components/empty-state';
import { RouterAnchor } from '../links';

export function NotFoundPage() {
  return (
    <EmptyState title="Page not found">
      <Text>
        Nothing lives at this address. Go to the <RouterAnchor to="/">automations</RouterAnchor> or the <RouterAnchor to="/runs">runs</RouterAnchor>.
      </Text>
    </EmptyState>
  );
}
