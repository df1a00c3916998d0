// A collector that cannot be reached: the node keeps running its runs, and the failed export is a
// warn line in the node's log (not the SDK's silent diagnostic logger), without the endpoint's
// credentials.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createServer } from 'node:net';
import { PassThrough } from 'node:stream';
import { forEachDialect, makeNode, eventually } from '../support/node.js';
import { createLogger } from '../../src/engine/logger.js';
import { internalsOf } from '../../src/testing/index.js';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

forEachDialect('trace export failures', (db) => {
  // the exporter's retries take seconds and nothing here depends on the database: SQLite only
  if (db.dialect !== 'sqlite') return;
  test('an unreachable collector is a warn line in the log; runs go on', async () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (c: Buffer) => (text += c.toString()));
    const endpoint = `http://user:pw-secret@127.0.0.1:${await closedPort()}/v1/traces?key=q-secret`;
    const node = await makeNode(db, {
      logger: createLogger('info', { format: 'json', destination: stream }),
      config: { tracing: { enabled: true, endpoint, serviceName: 'rota-test', sampleRatio: 1, headers: {} } },
    });
    await node.rota.automations.apply(node.ws, { name: 'traced', steps: [{ id: 'a', action: 'set', with: { v: 1 } }] });
    const run = await node.waitEnd((await node.rota.runs.start(node.ws, 'traced', {})).run.id);
    assert.equal(run.status, 'succeeded');
    await internalsOf(node.rota).flushTraces().catch(() => undefined);
    const line = await eventually(() => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'could not export traces'), 10_000, 'the export failure line');
    assert.equal(line.level, 40);
    assert.match(String(line.endpoint), /^http:\/\/127\.0\.0\.1:\d+\/v1\/traces$/);
    assert.ok(!text.includes('pw-secret') && !text.includes('q-secret'), 'no credential of the endpoint is logged');
  });
});
