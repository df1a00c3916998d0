/**
 * `defineAutomation`: a definition written in TypeScript, checked by `tsc` against the `with:`
 * types of the built-in actions (and of custom ones made with `defineAction`). At run time it is
 * the identity: the result is the plain definition the API, `rota.automations.apply` and the
 * client take.
 */
import type { ApprovalConfig } from '../actions/approval.js';
import type { DelegateConfig } from '../actions/delegate.js';
import type { EmitEventConfig } from '../actions/emit-event.js';
import type { HttpConfig } from '../actions/http.js';
import type { RunAutomationConfig } from '../actions/run-automation.js';
import type { ShellConfig } from '../actions/shell.js';
import type { SleepConfig } from '../actions/sleep.js';
import type { WaitForEventConfig } from '../actions/wait-for-event.js';
import type { AgentConfig } from '../agent/agent-loop.js';
import type { Definition, ExecutionDef, StepDef } from '../definition/types.js';
import type { TypedAction } from './define-action.js';

/** The `with:` of each built-in action, by action type. */
export interface BuiltinActionConfigs {
  http: HttpConfig;
  shell: ShellConfig;
  set: Record<string, unknown>;
  sleep: SleepConfig;
  emit_event: EmitEventConfig;
  run_automation: RunAutomationConfig;
  approval: ApprovalConfig;
  wait_for_event: WaitForEventConfig;
  delegate: DelegateConfig;
  agent: AgentConfig;
}

/** A string holding a `{{ ... }}` template, resolved at run time. */
export type TemplateString = `${string}{{${string}}}${string}`;

/** A `with:` value in which any field may instead be a template (as the validator allows). */
export type Templated<T> = T extends string | number | boolean | null
  ? T | TemplateString
  : T extends readonly (infer Item)[]
    ? Templated<Item>[] | TemplateString
    : T extends object
      ? TemplatedObject<T> | TemplateString
      : T;
type TemplatedObject<T> = { [K in keyof T]: Templated<T[K]> };

/** One step whose `with:` is typed by its `action` (required when the action has required fields). */
export type TypedStep<Configs> = {
  [A in keyof Configs & string]: Omit<StepDef, 'action' | 'with'> & { action: A } & (Partial<Configs[A]> extends Configs[A]
      ? { with?: TemplatedObject<Configs[A]> }
      : { with: TemplatedObject<Configs[A]> });
}[keyof Configs & string];

/** A definition whose steps (and `on_failure` steps) are typed by the actions in `Configs`. */
export type AutomationDefinition<Configs = BuiltinActionConfigs> = Omit<Definition, 'steps' | 'execution'> & {
  steps: TypedStep<Configs>[];
  execution?: Omit<ExecutionDef, 'on_failure'> & { on_failure?: TypedStep<Configs>[] };
};

/** The `with:` types contributed by actions made with `defineAction`, by action type. */
export type ActionConfigsOf<Actions extends readonly TypedAction[]> = {
  [A in Actions[number] as A['type']]: A extends TypedAction<string, infer Config> ? Config : never;
};

/**
 * Returns `definition` unchanged, after `tsc` checked it: an unknown action or a misspelt or
 * mistyped `with:` field is a compile error. For custom actions, pass their types
 * (`defineAutomation<[typeof lookup]>(...)`) or use `createDefiner([lookup])`.
 *
 * @example
 * import { defineAutomation } from 'rota';
 *
 * export default defineAutomation({
 *   name: 'nightly-report',
 *   triggers: [{ id: 'nightly', type: 'schedule', cron: '0 2 * * *', timezone: 'Europe/Berlin' }],
 *   steps: [
 *     { id: 'fetch', action: 'http', with: { url: 'https://api.example.com/report', expect_status: [200] } },
 *     { id: 'notify', action: 'emit_event', with: { name: 'report.ready', data: '{{ steps.fetch.output.body }}' } },
 *   ],
 * });
 */
export function defineAutomation<Actions extends readonly TypedAction[] = []>(
  definition: AutomationDefinition<BuiltinActionConfigs & ActionConfigsOf<Actions>>,
): Definition {
  // the typed steps are StepDefs with narrower with: types; tsc cannot relate the generic mapped form
  return definition as unknown as Definition;
}

/**
 * A `defineAutomation` that also knows the given custom actions (the ones handed to
 * `createRota({ actions })`).
 *
 * @example
 * const { defineAutomation } = createDefiner([lookup]);
 * defineAutomation({ name: 'find', steps: [{ id: 'a', action: 'crm.lookup', with: { email: 'ada@example.com' } }] });
 */
export function createDefiner<const Actions extends readonly TypedAction[]>(
  _actions: Actions,
): { defineAutomation(definition: AutomationDefinition<BuiltinActionConfigs & ActionConfigsOf<Actions>>): Definition } {
  return { defineAutomation: (definition) => definition as unknown as Definition };
}
