import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { locateConfigFile } from '../../config/config.js';
import type { RotaConfig } from '../../config/types.js';
import { RotaApiError } from '../../client/index.js';
import { clientFor, DEFAULT_URL, ExitError, printJson, serverCommand, withJson, type Io, type ServerOptions } from '../context.js';
import { configFrom, withConfigOptions, type ConfigOptions } from '../config-options.js';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

type DoctorOptions = ConfigOptions & ServerOptions;

export function registerDoctor(program: Command, io: Io): void {
  withJson(withConfigOptions(serverCommand(program, 'doctor', 'check configuration, database and server'))).action(
    async (options: DoctorOptions) => {
      const checks: Check[] = [];
      const config = checkConfig(io, options, checks);
      if (config) await checkDatabase(config, checks);
      if (config) await checkLlmProviders(config, io, checks);
      await checkServer(io, options, checks);
      const failed = checks.filter((c) => !c.ok).length;
      if (options.json) printJson(io, { ok: failed === 0, checks });
      else for (const c of checks) io.out(`${c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}`);
      if (failed > 0) throw new ExitError(1, options.json ? '' : `${failed} check(s) failed`);
    },
  );
}

function checkConfig(io: Io, options: DoctorOptions, checks: Check[]): RotaConfig | null {
  try {
    const file = locateConfigFile({ file: options.config, env: io.env, cwd: process.cwd() });
    const config = configFrom(io, options);
    checks.push({ name: 'configuration', ok: true, detail: file ? `valid (${file})` : 'valid (defaults and environment)' });
    return config;
  } catch (err) {
    const details = (err as { details?: { path: string; message: string }[] }).details ?? [];
    const lines = details.length ? details.map((d) => `${d.path}: ${d.message}`).join('; ') : (err as Error).message;
    checks.push({ name: 'configuration', ok: false, detail: lines });
    return null;
  }
}

async function checkDatabase(config: RotaConfig, checks: Check[]): Promise<void> {
  const { openStore } = await import('../../store/connect.js');
  const { pendingMigrations } = await import('../../store/migrate.js');
  let store: Awaited<ReturnType<typeof openStore>> | null = null;
  // opening a missing SQLite file would create an empty database: say there is none instead
  const sqliteFile = config.databaseUrl ? null : join(config.dataDir, 'rota.db');
  if (sqliteFile !== null && !existsSync(sqliteFile)) {
    checks.push({ name: 'database', ok: false, detail: `no database: ${sqliteFile} does not exist (set ROTA_DATA_DIR or ROTA_DATABASE_URL, or run rota serve / rota db migrate to create it)` });
    return;
  }
  try {
    store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, migrate: false, poolSize: 1 });
    const pending = await pendingMigrations(store.db);
    checks.push({ name: 'database', ok: true, detail: `reachable (${store.describe()})` });
    checks.push({
      name: 'migrations',
      ok: pending.length === 0,
      detail: pending.length === 0 ? 'current' : `pending: ${pending.join(', ')} (run rota db migrate, or start rota serve)`,
    });
  } catch (err) {
    checks.push({ name: 'database', ok: false, detail: `unreachable: ${(err as Error).message}` });
  } finally {
    await store?.close().catch(() => undefined);
  }
}

async function checkLlmProviders(config: RotaConfig, io: Io, checks: Check[]): Promise<void> {
  const { checkProviders } = await import('../../agent/provider-check.js');
  for (const result of await checkProviders(config, io.env)) checks.push({ name: `provider ${result.name}`, ok: result.ok, detail: result.detail });
}

async function checkServer(io: Io, options: DoctorOptions, checks: Check[]): Promise<void> {
  const client = clientFor(io, options);
  const url = options.url ?? io.env.ROTA_URL ?? DEFAULT_URL;
  try {
    const health = await client.health();
    checks.push({ name: 'server', ok: true, detail: `reachable at ${url}${health.node ? ` (node ${String(health.node)})` : ''}` });
  } catch (err) {
    checks.push({ name: 'server', ok: false, detail: (err as Error).message });
    return;
  }
  if (!(options.token ?? io.env.ROTA_TOKEN)) {
    checks.push({ name: 'token', ok: false, detail: 'none given (set ROTA_TOKEN or pass --token)' });
    return;
  }
  try {
    await client.automations.list({ limit: 1 });
    checks.push({ name: 'token', ok: true, detail: 'accepted' });
  } catch (err) {
    const forbidden = err instanceof RotaApiError && err.status === 403;
    checks.push({ name: 'token', ok: forbidden, detail: forbidden ? 'accepted (without automations:read)' : (err as Error).message });
    return;
  }
  await checkTriggers(client, checks).catch((err: unknown) => checks.push({ name: 'triggers', ok: false, detail: `could not list them: ${(err as Error).message}` }));
}

/** Triggers that cannot start runs: failing fires, and webhook secrets whose variable the server lacks. */
async function checkTriggers(client: ReturnType<typeof clientFor>, checks: Check[]): Promise<void> {
  const problems: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await client.automations.list({ limit: 200, cursor });
    for (const automation of page.items) {
      for (const t of await client.triggers.list(automation.name)) {
        if (t.secret_env_unset) problems.push(`${automation.name}/${t.id}: secret variable ${t.secret_env_unset} is not set on the server (every delivery is refused)`);
        if (t.consecutive_failures > 0) problems.push(`${automation.name}/${t.id}: ${t.consecutive_failures} failed fire(s) in a row: ${t.last_failure}`);
      }
    }
    cursor = page.next_cursor;
  } while (cursor);
  checks.push({ name: 'triggers', ok: problems.length === 0, detail: problems.length === 0 ? 'all can start runs' : problems.join('; ') });
}
