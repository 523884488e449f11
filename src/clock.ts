/** The one source of time for a run: injected everywhere so tests and benchmarks can control it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/**
 * A clock that can also wait: the providers' rate windows, throttling waits and retry backoff are
 * measured on it, so compressing it compresses all of them at once.
 */
export interface Timer extends Clock {
  /** Resolves after `ms` of this clock's time. */
  sleep(ms: number): Promise<void>;
  /**
   * This clock's milliseconds in `ms` wall-clock milliseconds: what a server measures (its
   * Retry-After, network jitter) is wall time. Equal unless the clock runs fast.
   */
  fromWall(ms: number): number;
}

const wallSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

export const systemTimer: Timer = { now: () => new Date(), sleep: wallSleep, fromWall: (ms) => ms };

/**
 * A clock running `speed` times faster than the wall clock: a minute on it passes in 60/speed
 * seconds. Pointed at a sandbox that compresses its rate limits by the same factor, a client's
 * windows match the sandbox's. For tests and the benchmark only.
 */
export function fastTimer(speed: number): Timer {
  if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`clock speed must be a positive number, not ${speed}`);
  if (speed === 1) return systemTimer;
  const origin = Date.now();
  return {
    now: () => new Date(origin + (Date.now() - origin) * speed),
    sleep: (ms) => wallSleep(ms / speed),
    fromWall: (ms) => ms * speed,
  };
}

/** SYNDER_TIME_SCALE (set by `synder sandbox` when it compresses time) makes the providers' timer fast. */
export function timerFromEnv(env: Record<string, string | undefined>): Timer {
  const raw = env.SYNDER_TIME_SCALE;
  const n = raw ? Number(raw) : NaN;
  return Number.isFinite(n) && n > 0 ? fastTimer(n) : systemTimer;
}
