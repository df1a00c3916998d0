/** The agent examples in examples/ validate on a node without any provider (npm start applies them). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseDefinitionText } from '../../src/definition/parse.js';
import { forEachDialect, makeNode } from '../support/node.js';

const FILES = ['agent-triage.yaml', 'agent-refund-approval.yaml', 'digest-planner.yaml'];

forEachDialect('agent examples', (db) => {
  test('all apply without a provider; a run fails clearly with model_not_configured', async () => {
    const node = await makeNode(db);
    for (const file of FILES) {
      const raw = parseDefinitionText(readFileSync(new URL(`../../examples/${file}`, import.meta.url), 'utf8'));
      await node.apply(raw);
    }
    const run = await node.runToEnd('agent-triage');
    assert.equal(run.status, 'failed');
    assert.equal(run.error?.code, 'model_not_configured');
    assert.match(run.error!.message, /models:/);
  });
});
