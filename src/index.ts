/** Rota's root export: the embeddable engine, its types, serving its API, and the error classes. */
export { createRota, type Rota, type CreateRotaOptions } from './node/rota.js';
export { serveRota, type ServeRotaOptions, type RunningApi } from './api/serve-rota.js';
export { rotaApp, rotaFetchHandler, type RotaAppOptions, type RotaFetchHandler } from './api/embed.js';
export type { ApiLogger } from './api/api-env.js';
export type { RotaService, StartRunRequest } from './node/service.js';
export type * from './node/views.js';
export type { ToolDefinition, ToolContext } from './agent/tool.js';
export type { ActionDefinition, ActionContext, ActionServices, StepLogger, StepTrace, Suspension } from './actions/types.js';
export type { Definition, StepDef, TriggerDef } from './definition/types.js';
// Typed definitions (the SDK): definitions checked by tsc, custom actions with zod configs.
export {
  defineAutomation,
  createDefiner,
  type AutomationDefinition,
  type BuiltinActionConfigs,
  type ActionConfigsOf,
  type TypedStep,
  type Templated,
  type TemplateString,
} from './node/define-automation.js';
export { defineAction, type DefineActionOptions, type TypedAction } from './node/define-action.js';
export { definitionJsonSchema } from './definition/definition-json-schema.js';
export type { DeepPartial, RotaConfig, TracingConfig } from './config/types.js';
export { resolveConfig } from './config/config.js';
// The closed sets a caller compares against (run and step statuses, what a run waits for, ...).
export { RunStatus, StepStatus, WaitingFor, SkipReason, AutomationStatus, RunEventType, Scope, isTerminalRun } from './states.js';
export { systemClock, type Clock, type TimerHandle, type TimerOptions } from './clock.js';
// The classes and codes a caller matches on; mapping codes to HTTP statuses and exit codes stays internal.
export {
  ErrorCode,
  RotaError,
  DefinitionError,
  ValidationError,
  NotFoundError,
  ConflictError,
  AuthError,
  RateLimitedError,
  NonRetriableError,
  RetriableError,
  BudgetExceededError,
  AbortedError,
  AbortReason,
  abortErrorOf,
  type CustomErrorCode,
  type ErrorDetail,
  type ErrorShape,
} from './errors.js';
