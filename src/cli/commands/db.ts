import type { Command } from 'commander';
import { printJson, withJson, type Io } from '../context.js';
import { configFrom, withConfigOptions, type ConfigOptions } from '../config-options.js';

export function registerDb(program: Command, io: Io): void {
  const db = program.command('db').description('database maintenance (opens the database directly)');

  withJson(withConfigOptions(db.command('migrate').description('apply pending migrations'))).action(
    async (options: ConfigOptions & { json?: boolean }) => {
      const config = configFrom(io, options);
      // Loaded on demand: the database drivers are not needed by the server commands.
      const { openStore } = await import('../../store/connect.js');
      const { migrate } = await import('../../store/migrate.js');
      const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, migrate: false });
      try {
        const applied = await migrate(store.db, store.dialect);
        if (options.json) return printJson(io, { database: store.describe(), applied });
        for (const id of applied) io.out(`applied ${id}`);
        io.out(applied.length ? `${store.describe()}: ${applied.length} migration(s) applied` : `${store.describe()}: up to date`);
      } finally {
        await store.close();
      }
    },
  );

  withJson(withConfigOptions(db.command('status').description('list pending migrations'))).action(
    async (options: ConfigOptions & { json?: boolean }) => {
      const config = configFrom(io, options);
      const { openStore } = await import('../../store/connect.js');
      const { pendingMigrations } = await import('../../store/migrate.js');
      const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, migrate: false });
      try {
        const pending = await pendingMigrations(store.db);
        if (options.json) return printJson(io, { database: store.describe(), pending });
        io.out(pending.length ? `${store.describe()}: pending ${pending.join(', ')}` : `${store.describe()}: up to date`);
      } finally {
        await store.close();
      }
    },
  );
}
