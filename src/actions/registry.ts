import { ConflictError, ValidationError } from '../errors.js';
import { approvalAction } from './approval.js';
import { delegateAction } from './delegate.js';
import { emitEventAction } from './emit-event.js';
import { httpAction } from './http.js';
import { runAutomationAction } from './run-automation.js';
import { setAction } from './set.js';
import { shellAction } from './shell.js';
import { sleepAction } from './sleep.js';
import type { ActionDefinition } from './types.js';
import { waitForEventAction } from './wait-for-event.js';

const TYPE_PATTERN = /^[a-z][a-z0-9_.-]*$/;

/**
 * The action types a node knows: built-ins plus those the embedding application registers.
 *
 * @example
 * const registry = createBuiltinRegistry();
 * registry.register({ type: 'greet', description: 'Says hello', configSchema: { type: 'object' },
 *   handler: async () => ({ text: 'hello' }) });
 */
export class ActionRegistry {
  private readonly actions = new Map<string, ActionDefinition>();

  /** Throws ValidationError on a type name outside `[a-z][a-z0-9_.-]*` and ConflictError on one already registered. */
  register(def: ActionDefinition): void {
    if (!TYPE_PATTERN.test(def.type)) {
      throw new ValidationError(`action type "${def.type}" is invalid: use lowercase letters, digits, _ . - (starting with a letter)`);
    }
    if (this.actions.has(def.type)) throw new ConflictError(`action type "${def.type}" is already registered`);
    this.actions.set(def.type, def);
  }

  get(type: string): ActionDefinition | undefined {
    return this.actions.get(type);
  }

  list(): ActionDefinition[] {
    return [...this.actions.values()];
  }
}

export const BUILTIN_ACTIONS: readonly ActionDefinition[] = [
  httpAction,
  shellAction,
  setAction,
  sleepAction,
  emitEventAction,
  runAutomationAction,
  approvalAction,
  waitForEventAction,
  delegateAction,
];

export function createBuiltinRegistry(extra: ActionDefinition[] = []): ActionRegistry {
  const registry = new ActionRegistry();
  for (const def of [...BUILTIN_ACTIONS, ...extra]) registry.register(def);
  return registry;
}
