// Every closed set in src/states.ts is mirrored by a CHECK constraint: the sets read from the
// migrated SQLite schema must equal the constants.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { openStore } from '../../src/store/connect.js';
import {
  AgentCallKind,
  AgentCallStatus,
  ApprovalKind,
  ApprovalOutcome,
  ApprovalStatus,
  AutomationStatus,
  DelegationStatus,
  DeliveryOutcome,
  EventWaitStatus,
  OnTimeout,
  PauseReason,
  RunStatus,
  StepStatus,
  TriggerKind,
} from '../../src/states.js';

const MIRRORED: Array<[table: string, column: string, set: Record<string, string>]> = [
  ['automations', 'status', AutomationStatus],
  ['automations', 'paused_reason', PauseReason],
  ['triggers', 'type', TriggerKind],
  ['runs', 'status', RunStatus],
  ['steps', 'status', StepStatus],
  ['webhook_deliveries', 'outcome', DeliveryOutcome],
  ['agent_calls', 'kind', AgentCallKind],
  ['agent_calls', 'status', AgentCallStatus],
  ['approvals', 'kind', ApprovalKind],
  ['approvals', 'state', ApprovalStatus],
  ['approvals', 'outcome', ApprovalOutcome],
  ['approvals', 'on_timeout', OnTimeout],
  ['event_waits', 'state', EventWaitStatus],
  ['delegations', 'state', DelegationStatus],
];

test('the CHECK constraints of the closed-set columns list exactly the values of states.ts', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rota-checks-'));
  const store = await openStore({ dataDir: dir });
  try {
    for (const [table, column, set] of MIRRORED) {
      const row = await sql<{ sql: string }>`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ${table}`.execute(store.db);
      const ddl = row.rows[0]?.sql ?? '';
      const match = new RegExp(`check \\(${column} in \\(([^)]*)\\)\\)`, 'i').exec(ddl);
      assert.ok(match, `no CHECK on ${table}.${column}`);
      const allowed = match[1]!.split(',').map((v) => v.trim().replace(/^'|'$/g, ''));
      assert.deepEqual([...allowed].sort(), Object.values(set).sort(), `${table}.${column}`);
    }
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
