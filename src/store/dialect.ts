/**
 * Every difference between SQLite and PostgreSQL that the store needs, in one place.
 * Everything else is one query code base.
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
