import type { Writable } from 'node:stream';

/**
 * A line of progress on stderr. On a terminal: an ora spinner whose text is redrawn in place.
 * Otherwise (cron, pipes, CI logs): the status as plain lines, at least every `heartbeatMs` while
 * work goes on, so a log shows the run is alive, and not more often than `minGapMs` apart.
 */
export interface ProgressLine {
  /** The current status; shown at once on a terminal, at the next tick otherwise. */
  update(text: string): void;
  /** A line that stays (a batch was fetched). */
  log(text: string): void;
  /** A new phase: a line that stays, and the status until there is more to say. */
  phase(text: string): void;
  stop(): void;
}

export interface ProgressLineOptions {
  quiet?: boolean;
  heartbeatMs?: number;
  minGapMs?: number;
  now?: () => number;
}

export async function progressLine(stderr: Writable & { isTTY?: boolean; columns?: number }, opts: ProgressLineOptions = {}): Promise<ProgressLine> {
  if (opts.quiet) return { update: () => undefined, log: () => undefined, phase: () => undefined, stop: () => undefined };
  // A terminal that reports no width (a pty nobody sized) makes a spinner redraw without end.
  if (stderr.isTTY && (stderr.columns ?? 0) > 0) {
    const { default: ora } = await import('ora');
    // discardStdin would swallow Ctrl+C (it reads the terminal raw), so the run could not be stopped.
    const spinner = ora({ stream: stderr, text: 'Starting', discardStdin: false }).start();
    const fit = (text: string): string => {
      const width = (stderr.columns ?? 80) - 3;
      return text.length > width ? `${text.slice(0, width - 1)}…` : text;
    };
    return {
      update: (text) => {
        spinner.text = fit(text);
      },
      log: (text) => {
        const current = spinner.text;
        spinner.stopAndPersist({ symbol: 'ℹ', text });
        spinner.start(current);
      },
      phase: (text) => {
        spinner.stopAndPersist({ symbol: 'ℹ', text });
        spinner.start(fit(`${text}…`));
      },
      stop: () => spinner.stop(),
    };
  }
  const now = opts.now ?? Date.now;
  const heartbeat = opts.heartbeatMs ?? 10_000;
  const minGap = opts.minGapMs ?? 2_000;
  let status = '';
  let shown = '';
  let lastAt = now();
  const print = (text: string): void => {
    stderr.write(`${text}\n`);
    lastAt = now();
  };
  const timer = setInterval(() => {
    if (status && (status !== shown || now() - lastAt >= heartbeat - 50)) {
      shown = status;
      print(status);
    }
  }, Math.min(heartbeat, minGap));
  timer.unref();
  return {
    update: (text) => {
      status = text;
      if (now() - lastAt >= minGap && text !== shown) {
        shown = text;
        print(text);
      }
    },
    log: (text) => {
      // What the status said before this line is old news once it is printed.
      shown = status;
      print(text);
    },
    phase: (text) => {
      status = shown = text;
      print(text);
    },
    stop: () => clearInterval(timer),
  };
}

/** "1m 05s", "12s": how long is left at the rate so far, or undefined before there is a rate. */
export function timeLeft(done: number, total: number, elapsedMs: number): string | undefined {
  if (done <= 0 || elapsedMs < 1000 || total <= done) return undefined;
  const seconds = Math.round(((total - done) * elapsedMs) / done / 1000);
  return duration(seconds * 1000);
}

export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** Per second, for a count done in `elapsedMs`. */
export function rate(done: number, elapsedMs: number): string {
  if (elapsedMs < 500) return '';
  const r = (done * 1000) / elapsedMs;
  return `${r >= 10 ? Math.round(r) : r.toFixed(1)}/s`;
}

const grouping = new Intl.NumberFormat('en-US');
export const count = (n: number): string => grouping.format(n);
