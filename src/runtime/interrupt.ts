import { InterruptedError } from '../errors.js';

/** Long runs (sync, rollback) under way in this process: they finish their job even if no one reads their output. */
export const longRuns = { active: 0 };

/** Where SIGINT and SIGTERM arrive: the process, or a stand-in in tests. */
export interface SignalSource {
  on(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  off(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

export interface InterruptOptions {
  signals: SignalSource;
  /** Ends the process at once (the second Ctrl+C, or work that does not stop in time). */
  exit: (code: number) => void;
  say: (text: string) => void;
  /** How long work may take to stop on its own before the process is ended. */
  graceMs?: number;
}

/**
 * Ctrl+C for long work. The first signal aborts `signal`: the work stops at its next safe point
 * (between ledger calls; intents are recorded before each call, so nothing is lost or booked
 * twice). If it has not stopped within the grace period, or on a second signal, the process ends
 * at once after the `onForce` steps, which must be synchronous.
 */
export class Interrupt {
  private readonly controller = new AbortController();
  private readonly forceSteps: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly handler = (): void => this.fire();
  private installed = false;
  private firstAt = 0;

  /** @param what "the sync" @param resume how to carry on, said when the work stops */
  constructor(private readonly opts: InterruptOptions, private readonly what: string, private readonly resume: string) {}

  get signal(): AbortSignal {
    if (!this.installed) {
      this.installed = true;
      longRuns.active++;
      this.opts.signals.on('SIGINT', this.handler);
      this.opts.signals.on('SIGTERM', this.handler);
    }
    return this.controller.signal;
  }

  /** A synchronous step for a forced stop: close the run's record, release its lock. */
  onForce(step: () => void): () => void {
    this.forceSteps.push(step);
    return () => {
      const i = this.forceSteps.indexOf(step);
      if (i >= 0) this.forceSteps.splice(i, 1);
    };
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    if (!this.installed) return;
    this.opts.signals.off('SIGINT', this.handler);
    this.opts.signals.off('SIGTERM', this.handler);
    this.installed = false;
    longRuns.active--;
  }

  private fire(): void {
    if (this.controller.signal.aborted) {
      // One keypress can arrive twice (a library that restores the terminal signals again).
      if (Date.now() - this.firstAt < 400) return;
      this.force('Stopped at once.');
      return;
    }
    this.firstAt = Date.now();
    this.opts.say(`\nStopping ${this.what}… (press Ctrl+C again to stop at once)`);
    this.controller.abort(new InterruptedError(`Stopped ${this.what}.`, this.resume));
    this.timer = setTimeout(() => this.force(`Stopped ${this.what} without waiting for the call in progress.`), this.opts.graceMs ?? 1200);
    this.timer.unref();
  }

  private force(message: string): void {
    for (const step of this.forceSteps.splice(0).reverse()) {
      try {
        step();
      } catch {
        // Ending now matters more than tidying up; the next run recovers either way.
      }
    }
    this.opts.say(`${message} ${this.resume}`);
    this.opts.exit(130);
  }
}
