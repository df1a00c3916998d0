/** Rota's root export: the embeddable engine, its types, and the error classes. */
export { createRota, type Rota, type CreateRotaOptions } from './node/rota.js';
export type { RotaService, StartRunRequest } from './node/service.js';
export type * from './node/views.js';
export type { ActionDefinition, ActionContext, ActionServices, StepLogger, Suspension } from './actions/types.js';
export type { Definition, StepDef, TriggerDef } from './definition/types.js';
export type { RotaConfig } from './config/types.js';
export { resolveConfig } from './config/config.js';
export { systemClock, type Clock, type TimerHandle, type TimerOptions } from './clock.js';
export * from './errors.js';
