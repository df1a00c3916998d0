/**
 * The wake-up channels nodes share: PostgreSQL LISTEN/NOTIFY between nodes, nothing on SQLite
 * (one node per file; in-process wake-ups go through the engine's notifier). A notification sent
 * inside a transaction is delivered when that transaction commits, never before.
 */
export const Channel = {
  /** runs became claimable (new, woken, released) */
  wake: 'rota_wake',
  /** schedule triggers changed: the scheduler re-reads its next due time */
  schedules: 'rota_schedules',
} as const;
export type Channel = (typeof Channel)[keyof typeof Channel];
