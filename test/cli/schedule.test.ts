// `rota schedule next|triggers`, `rota apply` warnings and `rota doctor` trigger checks, with the
// built binary against a real `rota serve` child process.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, startServe, tempDir, type Served } from './serve.js';

const NIGHTLY = JSON.stringify({ name: 'nightly', triggers: [{ id: 'night', type: 'schedule', cron: '0 3 * * *', timezone: 'Europe/Berlin' }], steps: [{ id: 'a', action: 'set', with: {} }] });
const PICKY = JSON.stringify({
  name: 'picky',
  inputs: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] },
  triggers: [{ id: 'on', type: 'event', name: 'picky.ping', inputs: { n: '{{ data.n }}' } }],
  steps: [{ id: 'a', action: 'set', with: {} }],
});
const HOOKED = JSON.stringify({ name: 'hooked', triggers: [{ id: 'h', type: 'webhook', verify: { scheme: 'token', secret: { env: 'ROTA_TEST_HOOK_SECRET' } } }], steps: [{ id: 'a', action: 'set', with: {} }] });

describe('rota schedule, apply warnings and doctor', () => {
  let server: Served;
  let defs: string;
  const cli = (args: string[]) => runCli(args, { env: server.cliEnv() });

  before(async () => {
    server = await startServe();
    defs = tempDir('rota-defs-');
    for (const [file, text] of [['nightly.json', NIGHTLY], ['picky.json', PICKY]]) writeFileSync(join(defs, file), text!);
    writeFileSync(join(defs, 'hooked.json'), HOOKED);
  });
  after(async () => server?.stop());

  it('schedule next prints each time in the timezone with its offset and in UTC, from --from; a bad --from fails naming it', async () => {
    assert.equal((await cli(['apply', '-f', join(defs, 'nightly.json')])).code, 0);
    const next = await cli(['schedule', 'next', 'nightly', '--count', '2', '--from', '2026-03-28T00:00:00Z']);
    assert.equal(next.code, 0, next.stderr);
    assert.equal(next.stdout, 'night (Europe/Berlin)\n  2026-03-28T03:00:00+01:00  (2026-03-28 02:00:00 UTC)\n  2026-03-29T03:00:00+02:00  (2026-03-29 01:00:00 UTC)\n');
    const bad = await cli(['schedule', 'next', 'nightly', '--from', 'tomorrow']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /from/);
    assert.equal((await cli(['pause', 'nightly'])).code, 0);
    const paused = await cli(['schedule', 'next', 'nightly', '--count', '1']);
    assert.match(paused.stdout, /^night \(Europe\/Berlin\) automation paused: nothing fires until `rota resume nightly`$/m);
  });

  it('schedule triggers shows failing fires, apply warns about an unset secret variable, doctor reports both', async () => {
    assert.equal((await cli(['apply', '-f', join(defs, 'picky.json')])).code, 0);
    const applied = await cli(['apply', '-f', join(defs, 'hooked.json')]);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stderr, /hooked: warning: \$\.triggers\[0\]\.verify\.secret\.env: environment variable ROTA_TEST_HOOK_SECRET is not set/);
    assert.equal((await cli(['events', 'emit', 'picky.ping', '--data', '{"n":"x"}'])).code, 0);
    const triggers = await cli(['schedule', 'triggers', 'picky']);
    assert.match(triggers.stdout, /^on: 1 failed fire\(s\) in a row, last at .* UTC: invalid_inputs: /m);
    const hooked = await cli(['schedule', 'triggers', 'hooked']);
    assert.match(hooked.stdout, /^h: secret variable ROTA_TEST_HOOK_SECRET is not set on the server/m);
    const doctor = await cli(['doctor']);
    assert.equal(doctor.code, 1);
    assert.match(doctor.stdout, /✗ triggers: .*picky\/on: 1 failed fire\(s\) in a row: invalid_inputs: /);
    assert.match(doctor.stdout, /hooked\/h: secret variable ROTA_TEST_HOOK_SECRET is not set/);
  });
});
