import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import type { DB } from './schema.js';
import { ImmediateSqliteDialect, type Dialect } from './dialect.js';
import { migrate } from './migrate.js';
import { BACKSTOP_PAGES, startCheckpointer, type Checkpointer } from './checkpointer.js';
import type { Channel } from './channels.js';

/** A connection or a transaction; store functions take one and never open their own. */
export type Conn = Kysely<DB> | Transaction<DB>;

export interface StoreOptions {
  /** postgres://... ; absent → SQLite file `rota.db` in dataDir */
  databaseUrl?: string | null;
  dataDir: string;
  poolSize?: number;
  /** apply pending migrations on open (default true) */
  migrate?: boolean;
  /**
   * SQLite: checkpoint the WAL from a background thread instead of inside commits (a serving
   * node; see checkpointer.ts). `onWarning` hears when that thread keeps failing.
   */
  backgroundCheckpoints?: { onWarning: (message: string) => void };
  /** hears what opening does that takes a while (SQLite: the one-time switch to incremental vacuum) */
  onNotice?: (message: string) => void;
}

export interface Store {
  db: Kysely<DB>;
  dialect: Dialect;
  /** PostgreSQL: LISTEN on a channel (a dedicated connection); SQLite: in-process only. */
  listen(channel: Channel, onMessage: (payload: string) => void): Promise<() => Promise<void>>;
  /** PostgreSQL: NOTIFY on `conn` (delivered when its transaction commits); SQLite: nothing to do. */
  notify(conn: Conn, channel: Channel): Promise<void>;
  /** True when the database answers a trivial query (`/readyz`, health). */
  ping(): Promise<boolean>;
  /** Where this store lives, without credentials, for logs and `rota doctor`. */
  describe(): string;
  /**
   * SQLite: gives up to `pages` free pages back to the file system (`PRAGMA incremental_vacuum`;
   * the file shrinks at the next WAL checkpoint). PostgreSQL: nothing (autovacuum reuses space).
   */
  reclaimPages(pages: number): Promise<void>;
  close(): Promise<void>;
}

async function ping(db: Kysely<DB>): Promise<boolean> {
  try {
    await db.selectFrom('rota_meta').select('key').limit(1).execute();
    return true;
  } catch {
    return false;
  }
}

export async function openStore(options: StoreOptions): Promise<Store> {
  const store = options.databaseUrl ? openPostgres(options.databaseUrl, options.poolSize ?? 10) : openSqlite(options.dataDir, options.backgroundCheckpoints, { convert: options.migrate !== false, onNotice: options.onNotice });
  if (options.migrate !== false) {
    try {
      await migrate(store.db, store.dialect);
    } catch (err) {
      await store.close();
      throw err;
    }
  }
  return store;
}

function openSqlite(dataDir: string, background: StoreOptions['backgroundCheckpoints'] | undefined, vacuum: { convert: boolean; onNotice?: (message: string) => void }): Store {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'rota.db');
  const database = new SQLite(file);
  // a new database gets the mode before its first table (the only time SQLite takes it cheaply)
  if (Number(database.pragma('page_count', { simple: true })) === 0) database.pragma('auto_vacuum = INCREMENTAL');
  database.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: a committed transaction survives a process crash (SIGKILL); only an OS
  // crash or power loss may lose the last transactions. ~33k tx/s here vs ~6k with FULL.
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 10000');
  database.pragma('foreign_keys = ON');
  // an existing one is rewritten once, by a node that migrates (never by doctor or `rota db`)
  if (vacuum.convert) convertToIncrementalVacuum(database, file, vacuum.onNotice);
  let checkpointer: Checkpointer | null = null;
  if (background) {
    database.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
    checkpointer = startCheckpointer(file, (message) => background.onWarning(`background WAL checkpoints are failing (${message}); commits checkpoint past ${BACKSTOP_PAGES} pages`));
  }
  const db = new Kysely<DB>({ dialect: new ImmediateSqliteDialect({ database: withStatementCache(database) }) });
  return {
    db,
    dialect: 'sqlite',
    listen: async () => async () => undefined,
    notify: async () => undefined,
    ping: () => ping(db),
    describe: () => `sqlite:${file}`,
    // A prepared statement frees one page per step and better-sqlite3's run() steps once (a
    // 2,048-page call freed one page); exec() runs it to completion. Holding the connection
    // keeps it outside any transaction the dialect has open.
    reclaimPages: async (pages) => {
      if (pages <= 0) return;
      await db.connection().execute(async () => {
        database.exec(`PRAGMA incremental_vacuum(${Math.floor(pages)})`);
      });
    },
    close: async () => {
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}

/**
 * Pages freed by deleting history go back to the file system only with auto_vacuum (the retention
 * sweeper runs `incremental_vacuum` after a prune). A new database gets INCREMENTAL before its
 * first table (that is when SQLite fixes the mode). An existing database made without it needs a
 * one-time VACUUM to switch: it rewrites the whole file once, on the first open by a node that
 * migrates (about the time of copying the file, and up to its size again in temporary disk
 * space), and never again; `onNotice` hears it start and end.
 */
function convertToIncrementalVacuum(database: SQLite.Database, file: string, onNotice?: (message: string) => void): void {
  const INCREMENTAL = 2;
  if (Number(database.pragma('auto_vacuum', { simple: true })) === INCREMENTAL) return;
  const pages = Number(database.pragma('page_count', { simple: true }));
  const started = Date.now();
  onNotice?.(`${file}: one-time VACUUM to switch to incremental auto-vacuum (${pages} pages), so pruned history gives its space back`);
  database.pragma('auto_vacuum = INCREMENTAL');
  database.exec('VACUUM');
  onNotice?.(`${file}: switched to incremental auto-vacuum in ${Date.now() - started} ms`);
}

/**
 * Kysely prepares a new better-sqlite3 statement for every query; preparing was 18% of the CPU
 * profile of the throughput benchmark. The engine issues a small fixed set of SQL texts, so a
 * bounded cache of prepared statements by SQL text removes that cost.
 */
function withStatementCache(database: SQLite.Database): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  const prepare = database.prepare.bind(database);
  return new Proxy(database, {
    get(target, prop, receiver) {
      if (prop !== 'prepare') {
        const value = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return (source: string) => {
        let stmt = cache.get(source);
        if (!stmt) {
          stmt = prepare(source);
          if (cache.size >= 500) cache.delete(cache.keys().next().value as string);
          cache.set(source, stmt);
        }
        return stmt;
      };
    },
  });
}

/**
 * BIGINT and count(*) arrive as strings from pg; every such value here fits a double. Set on this
 * pool's clients only: a global `pg.types.setTypeParser` would change how the embedding
 * application's own `pg` clients parse BIGINT.
 */
const POOL_TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

function openPostgres(url: string, poolSize: number): Store {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types: POOL_TYPES });
  // An idle client that errors (server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  const listeners: pg.Client[] = [];
  return {
    db,
    dialect: 'postgres',
    listen: async (channel, onMessage) => {
      const client = new pg.Client({ connectionString: url });
      client.on('error', () => undefined);
      await client.connect();
      client.on('notification', (msg) => {
        if (msg.channel === channel) onMessage(msg.payload ?? '');
      });
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      listeners.push(client);
      return async () => {
        await client.end().catch(() => undefined);
      };
    },
    ping: () => ping(db),
    notify: async (conn, channel) => {
      await sql`SELECT pg_notify(${channel}, '')`.execute(conn);
    },
    describe: () => {
      const u = new URL(url);
      return `postgres://${u.host}${u.pathname}`;
    },
    reclaimPages: async () => undefined,
    close: async () => {
      await Promise.all(listeners.map((c) => c.end().catch(() => undefined)));
      await db.destroy();
    },
  };
}
