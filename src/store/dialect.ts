/**
 * The dialect type and the differences shared by several store modules: the claim lock and
 * SQLite's IMMEDIATE transactions. Everything else is one query code base, except:
 * - statement shapes one store function needs for speed, kept next to the query they change:
 *   run-insert.ts (multi-row SQL for SQLite, one JSON-fed statement for PostgreSQL),
 *   schedules.ts (row locks of the due query, JSON-fed cursor moves, enable_seqscan),
 *   runs.ts / approvals.ts / waits.ts (row locks, which SQLite's single writer makes moot),
 *   migrate.ts (advisory lock vs BEGIN IMMEDIATE), connect.ts (pool, LISTEN/NOTIFY, type parsers);
 * - policies of a loop, decided where the loop lives, because they are about how much to run in
 *   parallel rather than how to say something in SQL: the commit queue's parallel batches and
 *   its autocommitted insert-only batches (engine/commit-queue.ts), the scheduler's lanes and
 *   stage-ahead (scheduler/scheduler.ts), and the secret key that several PostgreSQL nodes must
 *   share (triggers/secrets.ts). Outside src/store no code writes SQL.
 */
import { CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type Kysely, type SelectQueryBuilder, type Transaction } from 'kysely';
import type { DB } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

/** `FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has one writer at a time, so nothing to add. */
export function lockForClaim<QB extends SelectQueryBuilder<any, any, any>>(qb: QB, dialect: Dialect): QB {
  return dialect === 'postgres' ? (qb.forUpdate().skipLocked() as QB) : qb;
}

/**
 * Kysely's SQLite driver opens deferred transactions. A deferred transaction that reads and then
 * writes can fail with SQLITE_BUSY when another process holds the write lock, without waiting on
 * busy_timeout. Write transactions here always begin IMMEDIATE, so they queue instead.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: ConstructorParameters<typeof SqliteDialect>[0];
  constructor(config: ConstructorParameters<typeof SqliteDialect>[0]) {
    super(config);
    this.#config = config;
  }
  override createDriver() {
    return new ImmediateSqliteDriver(this.#config);
  }
}

/** PostgreSQL chose the transaction as a deadlock victim (40P01) or a serialization failure (40001): it may simply run again. */
export function isRetriableConflict(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

/**
 * `fn` in a transaction, run again (up to `attempts` in all) when PostgreSQL picked it as a
 * deadlock victim. For changes that lock an automation row and then its runs, the order opposite
 * to a claim's (runs, skipping locked ones, then the automation rows of concurrency-limited runs).
 */
export async function transactionRetryingDeadlocks<T>(db: Kysely<DB>, fn: (tx: Transaction<DB>) => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(fn);
    } catch (err) {
      if (attempt >= attempts || !isRetriableConflict(err)) throw err;
    }
  }
}
