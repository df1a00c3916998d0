/**
 * `rota/testing`: what tests and tools need beyond the public API.
 *
 * @example
 * import { createRota } from 'rota';
 * import { internalsOf } from 'rota/testing';
 * const rota = await createRota({ config: { dataDir } });
 * await internalsOf(rota).scheduler.runDue();
 */
export { internalsOf, type RotaInternals } from '../node/internals.js';
export type { FireRequest, FireResult } from '../engine/fire.js';
