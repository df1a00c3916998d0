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
import { CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type SelectQueryBuilder } from 'kysely';

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
