/** The engine's notion of time; injected so scheduling and timeout tests are exact. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
