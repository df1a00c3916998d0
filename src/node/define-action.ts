/**
 * `defineAction`: a custom action whose `with:` is a zod schema, so one declaration gives the
 * JSON Schema the node checks definitions against, the handler's typed `ctx.config`, and the
 * config type `defineAutomation` checks steps against (define-automation.ts).
 */
import { z } from 'zod';
import { NonRetriableError } from '../errors.js';
import type { ActionContext, ActionDefinition, Suspension } from '../actions/types.js';

/** What `defineAction` takes. `config` and `output` are zod 4 schemas. */
export interface DefineActionOptions<Type extends string, Config extends z.ZodType, Output extends z.ZodType | undefined> {
  /** the `action:` name, `[a-z][a-z0-9_.-]*`, e.g. `crm.lookup` */
  type: Type;
  description: string;
  /** the step's `with:`; a definition's `with:` is checked against it at apply (templates deferred) */
  config: Config;
  /** the handler's result, checked after each successful call */
  output?: Output;
  /** see ActionDefinition.secretFields */
  secretFields?: (keyof z.input<Config> & string)[];
  handler(ctx: ActionContext<z.output<Config>>): Promise<(Output extends z.ZodType ? z.input<Output> : unknown) | Suspension>;
}

/**
 * An action made by `defineAction`: an ActionDefinition (give it to `createRota({ actions })`)
 * that also carries its type name and `with:` type for `createDefiner` / `defineAutomation`.
 */
export interface TypedAction<Type extends string = string, ConfigInput = unknown> extends ActionDefinition {
  readonly type: Type;
  /** type-level only: the `with:` a definition writes (never set at run time) */
  readonly __config?: ConfigInput;
}

/**
 * Declares a custom action with a zod config schema.
 *
 * @example
 * import { z } from 'zod';
 * import { createRota, defineAction } from 'rota';
 *
 * export const lookup = defineAction({
 *   type: 'crm.lookup',
 *   description: 'Looks a customer up by email',
 *   config: z.object({ email: z.string(), fields: z.array(z.string()).default(['name']) }),
 *   handler: async (ctx) => ({ email: ctx.config.email, fields: ctx.config.fields }),
 * });
 * const rota = await createRota({ actions: [lookup] });
 */
export function defineAction<const Type extends string, Config extends z.ZodType, Output extends z.ZodType | undefined = undefined>(
  options: DefineActionOptions<Type, Config, Output>,
): TypedAction<Type, z.input<Config>> {
  const { config, output } = options;
  return {
    type: options.type,
    description: options.description,
    configSchema: toJsonSchema(config, 'input'),
    ...(output === undefined ? {} : { outputSchema: toJsonSchema(output, 'output') }),
    ...(options.secretFields === undefined ? {} : { secretFields: options.secretFields }),
    handler: async (ctx: ActionContext) => {
      // zod parses after templates were resolved: defaults and transforms apply, as the types say
      const parsed = config.safeParse(ctx.config);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'with'}: ${i.message}`).join('; ');
        throw new NonRetriableError(`${options.type}: invalid with: ${issues}`);
      }
      return options.handler({ ...ctx, config: parsed.data as z.output<Config> });
    },
  };
}

function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  return z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Record<string, unknown>;
}
