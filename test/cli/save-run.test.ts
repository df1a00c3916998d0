/**
 * `rota save-run` with the built binary against a real `rota serve` whose model is the LLM
 * stand-in (configured in rota.config.yaml): a planner run saved (dry run, refusals with paths, for
 * real), the saved automation run without its planner, `saved_from_run` and planned steps shown.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DIALECTS, type Dialect } from '../support/node.js';
import { createPostgresSchema } from '../support/postgres.js';
import { startStandIn, type StandIn } from '../support/llm-stand-in.js';
import { runCli, startServe, tempDir, type CliResult, type Served } from './serve.js';

const PLANNER = `name: planner
inputs:
  type: object
  properties:
    topic: { type: string }
  required: [topic]
steps:
  - id: research
    action: agent
    with:
      prompt: "Plan a short digest about {{ inputs.topic }}"
      plan: { allow: [agent, set], max_steps: 5 }
  - id: publish
    action: set
    with: { published: true }
`;

const PLAN = {
  steps: [
    { id: 'gather', action: 'set', with: { sources: ['a', 'b'] } },
    { id: 'write', action: 'agent', with: { prompt: 'Write a digest about {{ inputs.topic }} from {{ steps.gather.output.sources | json }}' } },
  ],
};

const isPlanning = (system: string | null) => (system ?? '').includes('planning step');

function runIdOf(result: CliResult): string {
  const match = /^run (\S+) /m.exec(result.stdout);
  assert.ok(match, `no run line in:\n${result.stdout}\n${result.stderr}`);
  return match[1]!;
}

function succeeded(result: CliResult, what: string): void {
  assert.equal(result.code, 0, `${what} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
}

// The command speaks only HTTP: one database is enough here (the save itself runs on both in
// test/plans/save.test.ts and test/plans/crash.test.ts).
for (const dialect of DIALECTS.filter((d) => d === 'sqlite') as Dialect[]) {
  describe(`rota save-run against rota serve (${dialect})`, () => {
    const dataDir = tempDir('rota-save-run-');
    let llm: StandIn;
    let schema: Awaited<ReturnType<typeof createPostgresSchema>> | null = null;
    let server: Served;
    let source = '';
    const cli = (args: string[]) => runCli(args, { env: server.cliEnv() });

    before(async () => {
      llm = await startStandIn();
      llm.script((request) => (isPlanning(request.system) ? { text: JSON.stringify(PLAN) } : { text: 'the digest' }));
      if (dialect === 'postgres') schema = await createPostgresSchema();
      writeFileSync(
        join(dataDir, 'rota.config.yaml'),
        ['providers:', `  stand_in: { kind: openai_compatible, base_url: "${llm.openaiBaseUrl}" }`, 'models:', '  default: { model: "stand_in:plan-model", price: { input: 1, output: 2 } }'].join('\n'),
      );
      server = await startServe({ dataDir, env: schema ? { ROTA_DATABASE_URL: schema.url } : {} });
      writeFileSync(join(dataDir, 'planner.yaml'), PLANNER);
      succeeded(await cli(['apply', '-f', join(dataDir, 'planner.yaml')]), 'apply');
      const run = await cli(['run', 'planner', '--input', 'topic=rust', '--wait']);
      succeeded(run, 'run planner');
      source = runIdOf(run);
    });

    after(async () => {
      await server?.stop();
      await llm?.close();
      if (schema) await schema.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    test('runs show marks the planner and the steps it planned', async () => {
      const shown = await cli(['runs', 'show', source]);
      succeeded(shown, 'runs show');
      assert.match(shown.stdout, /^STEP\s+ACTION\s+STATUS\s+ATTEMPT\s+DURATION\s+PLAN/m);
      assert.match(shown.stdout, /^research\s+agent\s+succeeded\s+1\s+\S+\s+plans$/m);
      assert.match(shown.stdout, /^research\.gather\s+set\s+succeeded\s+1\s+\S+\s+planned by research$/m);
      assert.match(shown.stdout, /^research\.write\s+agent\s+succeeded\s+1\s+\S+\s+planned by research$/m);
      assert.match(shown.stdout, /^publish\s+set\s+succeeded\s+1\s+\S+$/m);
    });

    test('problems are printed with their paths (and the flag a request path came from); nothing is saved', async () => {
      const undeclared = await cli(['save-run', source, '--name', 'digest']);
      assert.equal(undeclared.code, 2, undeclared.stderr);
      assert.match(undeclared.stderr, /^error: the run cannot be saved as written: \d+ problems? /m);
      assert.match(undeclared.stderr, /^ {2}\$\.steps\[1\]\.with\.prompt: \{\{ inputs\.topic \}\}: input "topic" is not declared; declare it .*--input topic=description.*--literal topic/m);

      const unused = await cli(['save-run', source, '--name', 'digest', '--input', 'topic=what the digest is about', '--default', 'unused=x', '--keep-planning', 'nope', '--dry-run']);
      assert.equal(unused.code, 2, unused.stderr);
      assert.match(unused.stderr, /^ {2}\$\.inputs\[1\] \(--default unused\): input "unused" is not used/m);
      assert.match(unused.stderr, /^ {2}\$\.keep_planning \(--keep-planning\): "nope" is not a planning step/m);
      assert.equal(unused.stdout, '');

      const stray = await cli(['save-run', source, '--name', 'digest', '--timezone', 'Europe/Berlin']);
      assert.equal(stray.code, 2);
      assert.match(stray.stderr, /^error: --timezone belongs to a schedule: add --schedule CRON/m);
      const both = await cli(['save-run', source, '--name', 'digest', '--required', 'topic', '--default', 'topic=go']);
      assert.equal(both.code, 2);
      assert.match(both.stderr, /input "topic" is given both --required and --default/);
      const missingName = await cli(['save-run', source]);
      assert.equal(missingName.code, 2);
      assert.match(missingName.stderr, /--name <name>' not specified/);

      const get = await cli(['get', 'digest']);
      assert.equal(get.code, 4, 'no automation was written');
    });

    test('a dry run prints the report and the definition, and saves nothing', async () => {
      const dry = await cli(['save-run', source, '--name', 'digest', '--input', 'topic=what the digest is about', '--dry-run']);
      succeeded(dry, 'dry run');
      const out = dry.stdout;
      assert.match(out, new RegExp(`^dry run, nothing was saved: would create automation digest from run ${source}$`, 'm'));
      assert.match(out, /^frozen \(each planning step replaced by the steps it made\):\n {2}research -> research\.gather, research\.write$/m);
      assert.doesNotMatch(out, /still planning/);
      assert.match(out, /^taken from the source run as it was:\n {2}\$\.inputs\.properties\.topic\.default = "rust" {2}\(the default of optional input "topic" is the source run's value\)$/m);
      assert.match(out, /^inputs:\n {2}topic \(string, optional, default "rust"\): what the digest is about\n {4}used at \$\.steps\[1\]\.with\.prompt$/m);
      assert.match(out, /^warnings:\n {2}\$\.steps \(plan_chose\): planning step "research" chose its 2 steps from \{\{ inputs\.topic \}\}/m);
      assert.match(out, /^next: run the same command without --dry-run to save it$/m);
      assert.match(out, /^# the definition that would be saved:\nname: digest\n/m);
      assert.match(out, /^ {2}- id: research\.write\n {4}action: agent\n/m);
      assert.match(out, /prompt: Write a digest about \{\{ inputs\.topic \}\} from/);
      assert.equal((await cli(['get', 'digest'])).code, 4, 'a dry run writes nothing');
    });

    test('saved for real: the report, saved_from_run in get and versions, and runs of it without the planner', async () => {
      const saved = await cli(['save-run', source, '--name', 'digest', '--description', 'A digest', '--input', 'topic=what the digest is about', '--required', 'topic']);
      succeeded(saved, 'save-run');
      assert.match(saved.stdout, new RegExp(`^digest: created \\(version 1\\) from run ${source}$`, 'm'));
      assert.match(saved.stdout, /^inputs:\n {2}topic \(string, required\): what the digest is about\n {4}used at \$\.steps\[1\]\.with\.prompt$/m);
      assert.doesNotMatch(saved.stdout, /taken from the source run/, 'a required input takes no default from the source run');
      assert.match(saved.stdout, /^next: rota run digest --input topic=\.\.\. --wait$/m);
      assert.doesNotMatch(saved.stdout, /# the definition/);

      const again = await cli(['save-run', source, '--name', 'digest', '--description', 'A digest', '--input', 'topic=what the digest is about', '--required', 'topic']);
      succeeded(again, 'save-run again');
      assert.match(again.stdout, /^digest: unchanged \(version 1 already is this definition\)/m);
      const dryAgain = await cli(['save-run', source, '--name', 'digest', '--required', 'topic', '--dry-run']);
      succeeded(dryAgain, 'dry run on an existing automation');
      assert.match(dryAgain.stdout, /would become version 2 of digest from run/);
      const drySame = await cli(['save-run', source, '--name', 'digest', '--description', 'A digest', '--input', 'topic=what the digest is about', '--required', 'topic', '--dry-run']);
      succeeded(drySame, 'dry run of the saved definition');
      assert.match(drySame.stdout, /would change nothing \(version 1 of digest already is this definition\)/);

      const get = await cli(['get', 'digest']);
      succeeded(get, 'get');
      assert.match(get.stdout, new RegExp(`^# saved from run ${source} \\(rota save-run\\); the run: rota runs show ${source}$`, 'm'));
      assert.match(get.stdout, /^description: A digest$/m);
      const json = JSON.parse((await cli(['get', 'digest', '--json'])).stdout);
      assert.equal(json.saved_from_run, source);
      const versions = await cli(['versions', 'digest']);
      succeeded(versions, 'versions');
      assert.match(versions.stdout, /^VERSION\s+CREATED\s+HASH\s+SAVED FROM RUN$/m);
      assert.match(versions.stdout, new RegExp(`^1\\s+\\d{4}-\\d\\d-\\d\\d \\S+\\s+[0-9a-f]{12}\\s+${source}$`, 'm'));
      const planner = await cli(['versions', 'planner']);
      assert.match(planner.stdout, /^1\s+\S+ \S+\s+[0-9a-f]{12}\s+-$/m);

      const planningCalls = llm.calls.filter((c) => isPlanning(c.system)).length;
      const run = await cli(['run', 'digest', '--input', 'topic=zig', '--wait']);
      succeeded(run, 'run digest');
      assert.equal(llm.calls.filter((c) => isPlanning(c.system)).length, planningCalls, 'the saved automation does not plan');
      assert.match(JSON.stringify(llm.calls.at(-1)!.messages), /Write a digest about zig from/);
      const shown = await cli(['runs', 'show', runIdOf(run)]);
      assert.doesNotMatch(shown.stdout, /PLAN|planned by/, 'frozen steps are declared steps now');
      assert.match(shown.stdout, /^research\.write\s+agent\s+succeeded/m);
    });

    test('--schedule adds a schedule trigger; one that still plans needs --allow-replan', async () => {
      const args = ['save-run', source, '--name', 'mornings', '--required', 'topic', '--keep-planning', 'research', '--schedule', '0 9 * * 1-5', '--timezone', 'Europe/Berlin', '--schedule-input', 'topic=rust'];
      const refused = await cli(args);
      assert.equal(refused.code, 2, refused.stderr);
      assert.match(refused.stderr, /^ {2}\$\.triggers\[0\] \(--schedule\): .*allow_replan: true/m);

      const saved = await cli([...args, '--allow-replan']);
      succeeded(saved, 'save-run --schedule');
      assert.match(saved.stdout, /^mornings: created \(version 1\) from run \S+, partially frozen$/m);
      assert.match(saved.stdout, /^frozen \(each planning step replaced by the steps it made\): none$/m);
      assert.match(saved.stdout, /^still planning \(they plan again at every run\):\n {2}research: kept planning \(keep_planning\)$/m);
      assert.match(saved.stdout, /^triggers: schedule$/m);
      assert.match(saved.stdout, /^ {6}rota schedule next mornings/m);

      const json = await cli(['save-run', source, '--name', 'mornings', '--required', 'topic', '--keep-planning', 'research', '--dry-run', '--json']);
      succeeded(json, 'save-run --json');
      const result = JSON.parse(json.stdout);
      assert.equal(result.dry_run, true);
      assert.equal(result.automation, null);
      assert.deepEqual(result.definition.triggers, [{ id: 'schedule', type: 'schedule', cron: '0 9 * * 1-5', timezone: 'Europe/Berlin', inputs: { topic: 'rust' }, allow_replan: true }], "an existing automation's triggers are kept");
      assert.deepEqual(result.report.still_planning, [{ step: 'research', reason: 'kept planning (keep_planning)' }]);
    });
  });
}
