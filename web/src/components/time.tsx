import { Tooltip } from '@mantine/core';
import { useEffect, useState } from 'react';
import { absoluteTime, relativeTime } from '../format';

/** Re-renders its users every `ms` so relative times stay true. */
export function useNow(ms = 15_000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

/**
 * A time shown relative ("3 minutes ago") with the absolute time on hover and for screen readers;
 * `zone` shows the absolute time in that IANA zone (a trigger's), with UTC in the tooltip.
 */
export function Time({ iso, zone, mode = 'relative' }: { iso: string | null | undefined; zone?: string; mode?: 'relative' | 'absolute' }) {
  const now = useNow();
  if (!iso) return <span>–</span>;
  const abs = absoluteTime(iso, zone);
  const label = mode === 'absolute' ? abs : relativeTime(iso, now);
  const tip = zone ? `${absoluteTime(iso, 'UTC')}` : abs;
  return (
    <Tooltip label={tip} openDelay={300} withinPortal>
      <time dateTime={iso} title={tip} style={{ whiteSpace: 'nowrap' }}>
        {label}
      </time>
    </Tooltip>
  );
}
