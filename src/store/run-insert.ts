/**
 * Batched creation of runs: the run rows, their steps and their first events for a whole batch
 * (a commit-queue batch, a scheduler pass) in as few statements as the store allows. SQLite: one
 * multi-row INSERT per table (statements cost no round trip there). PostgreSQL: ONE statement for
 * all three tables, each fed by one JSON parameter (`json_populate_recordset`), instead of three
 * VALUES lists of ~1,750 parameters that the server parsed and planned anew each time.
 */
import { Channel } from './channels.js';
import { CompiledQuery, sql, type Insertable } from 'kysely';
import type { Conn } from './connect.js';
import type { Dialect } from './dialect.js';
import type { RunEventTable, RunTable, StepTable } from './schema.js';

export interface RunInsert {
  run: Insertable<RunTable>;
  steps: Insertable<StepTable>[];
  events: Insertable<RunEventTable>[];
}

const RUN_CHUNK = 100;
const ROW_CHUNK = 200;

/**
 * Inserts runs whose idempotency key is free; returns, per item, whether it was inserted.
 * `wake` (PostgreSQL): the same statement NOTIFYs `Channel.wake` when it inserted any run. On
 * PostgreSQL this is one statement, atomic without a transaction; on SQLite call it in one.
 */
export async function insertRuns(conn: Conn, dialect: Dialect, items: RunInsert[], opts: { wake?: boolean } = {}): Promise<boolean[]> {
  if (items.length === 0) return [];
  // One order on every node: concurrent batches inserting the same keys wait instead of deadlocking.
  const ordered = [...items].sort((a, b) => lockOrder(a).localeCompare(lockOrder(b)));
  const inserted = dialect === 'postgres' ? await insertPostgres(conn, ordered, opts.wake === true) : await insertSqlite(conn, ordered);
  return items.map((item) => inserted.has(item.run.id as string));
}

async function insertSqlite(conn: Conn, ordered: RunInsert[]): Promise<Set<string>> {
  const inserted = new Set<string>();
  for (let i = 0; i < ordered.length; i += RUN_CHUNK) {
    const runs = ordered.slice(i, i + RUN_CHUNK).map((item) => item.run);
    const { rows } = await conn.executeQuery<{ id: string }>(sqliteInsert('runs', runs, ' ON CONFLICT (automation_id, idempotency_key) DO NOTHING RETURNING id'));
    for (const r of rows) inserted.add(r.id);
  }
  const kept = ordered.filter((item) => inserted.has(item.run.id as string));
  const steps = kept.flatMap((item) => item.steps);
  const events = kept.flatMap((item) => item.events);
  for (let i = 0; i < steps.length; i += ROW_CHUNK) await conn.executeQuery(sqliteInsert('steps', steps.slice(i, i + ROW_CHUNK)));
  for (let i = 0; i < events.length; i += ROW_CHUNK) await conn.executeQuery(sqliteInsert('run_events', events.slice(i, i + ROW_CHUNK)));
  return inserted;
}

/**
 * A multi-row INSERT written directly: Kysely's query builder made an AST node per value (~1,250
 * per 50 runs), a third of the scheduler's time per fire on SQLite. Same SQL as the builder's: a
 * column some row leaves undefined is NULL there (SQLite has no DEFAULT in VALUES); the text
 * repeats per row count, so the store's statement cache holds it prepared.
 */
function sqliteInsert(table: string, rows: object[], suffix = ''): CompiledQuery {
  const names = columnNames(rows);
  const row = `(${names.map(() => '?').join(', ')})`;
  const parameters: unknown[] = [];
  for (const r of rows) for (const n of names) parameters.push((r as Record<string, unknown>)[n] ?? null);
  const columns = names.map((n) => `"${n}"`).join(', ');
  return CompiledQuery.raw(`INSERT INTO "${table}" (${columns}) VALUES ${rows.map(() => row).join(', ')}${suffix}`, parameters);
}

/**
 * Data-modifying CTEs: the steps and events of runs whose key was taken are filtered out by
 * joining on the runs the first CTE inserted; foreign keys are checked at the end of the statement.
 */
async function insertPostgres(conn: Conn, ordered: RunInsert[], wake: boolean): Promise<Set<string>> {
  const runs = ordered.map((item) => item.run);
  const steps = ordered.flatMap((item) => item.steps);
  const events = ordered.flatMap((item) => item.events);
  const children = [
    { table: 'steps', rows: steps },
    { table: 'run_events', rows: events },
  ].filter((c) => c.rows.length > 0);
  const ctes = children.map((c, k) => {
    const columns = columnList(c.rows);
    return sql`, ${sql.raw(`c${k}`)} AS (INSERT INTO ${sql.table(c.table)} (${columns.plain}) SELECT ${columns.qualified} FROM json_populate_recordset(NULL::${sql.table(c.table)}, ${JSON.stringify(c.rows)}) AS x WHERE x.run_id IN (SELECT id FROM r))`;
  });
  const runColumns = columnList(runs);
  const { rows } = await sql<{ id: string }>`
    WITH r AS (
      INSERT INTO runs (${runColumns.plain}) SELECT ${runColumns.qualified} FROM json_populate_recordset(NULL::runs, ${JSON.stringify(runs)}) AS x
      ON CONFLICT (automation_id, idempotency_key) DO NOTHING RETURNING id
    )${sql.join(ctes, sql``)}
    SELECT r.id FROM r${!wake ? sql`` : sql` CROSS JOIN (SELECT pg_notify(${Channel.wake}, '') FROM (SELECT 1 FROM r LIMIT 1) AS one) AS wake`}`.execute(conn);
  return new Set(rows.map((r) => r.id));
}

/** The columns the rows set (a value of undefined leaves the column to its default). */
function columnNames(rows: object[]): string[] {
  const names = new Set<string>();
  for (const row of rows) {
    for (const key in row) if ((row as Record<string, unknown>)[key] !== undefined) names.add(key);
  }
  return [...names];
}

/** The columns the rows set, plain and as `x.<column>`. */
function columnList(rows: object[]) {
  const names = columnNames(rows);
  return { plain: sql.join(names.map((n) => sql.ref(n))), qualified: sql.join(names.map((n) => sql.ref(`x.${n}`))) };
}

function lockOrder(item: RunInsert): string {
  return `${item.run.automation_id}\u0000${item.run.idempotency_key ?? ''}`;
}
