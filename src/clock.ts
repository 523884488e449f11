/** The one source of time for a run: injected everywhere so tests and benchmarks can control it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
