/** Keyset paging: previous/next over a stack of cursors, with where this page sits in the total. */
import { Button, Group, Loader, Text } from '@mantine/core';
import { count } from '../format';

export function RunsPager({
  page,
  pageSize,
  shown,
  total,
  hasNext,
  fetching,
  onFirst,
  onPrevious,
  onNext,
}: {
  /** 1-based */
  page: number;
  pageSize: number;
  shown: number;
  total: number;
  hasNext: boolean;
  fetching: boolean;
  onFirst: () => void;
  onPrevious: () => void;
  onNext: () => void;
}) {
  const from = shown === 0 ? 0 : (page - 1) * pageSize + 1;
  const to = (page - 1) * pageSize + shown;
  return (
    <Group justify="space-between" wrap="wrap" gap="xs" my="xs">
      <Group gap="xs">
        <Text size="sm" data-testid="runs-range" aria-live="polite">
          {shown === 0 ? `0 of ${count(total)} runs` : `${count(from)}–${count(to)} of ${count(total)} runs`} · page {page}
        </Text>
        {fetching && <Loader role="status" size="xs" aria-label="Loading runs" />}
      </Group>
      <Group gap="xs" role="navigation" aria-label="Pages of runs">
        {page > 2 && (
          <Button size="xs" variant="subtle" onClick={onFirst}>
            First page
          </Button>
        )}
        <Button size="xs" variant="default" onClick={onPrevious} disabled={page <= 1} data-testid="runs-prev-page">
          Previous page
        </Button>
        <Button size="xs" variant="default" onClick={onNext} disabled={!hasNext} data-testid="runs-next-page">
          Next page
        </Button>
      </Group>
    </Group>
  );
}
