import { PassThrough, Readable, Writable } from 'node:stream';
import { systemClock, type Clock } from '../../src/clock.js';
import { main } from '../../src/cli/main.js';
import { tempHome } from './cli.js';

/**
 * The in-process tier: `main(argv)` with in-memory streams, its own SYNDER_HOME and a fixed
 * clock — the same commands as the binary, in milliseconds instead of a process each. Tests
 * that need a real process (kill -9, a browser sign-in, a terminal, cron) spawn the binary.
 */

export interface InProcessResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The SYNDER_HOME the command ran with (the one given, or a fresh one). */
  home: string;
}

export interface InProcessOptions {
  env?: Record<string, string | undefined>;
  /** Used when env has no SYNDER_HOME; a new temporary folder otherwise. */
  home?: string;
  /** Defaults to FIXED_NOW. */
  clock?: Clock;
  /** What stdin holds (it is never a terminal here). */
  input?: string;
}

/** The moment every in-process run sees unless the test gives its own clock. */
export const FIXED_NOW = new Date('2026-10-15T12:00:00.000Z');
export const fixedClock = (at: Date = FIXED_NOW): Clock => ({ now: () => new Date(at) });

function sink(): { stream: Writable & { isTTY?: boolean }; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, cb) {
      text += String(chunk);
      cb();
    },
  });
  return { stream, text: () => text };
}

/** Runs `synder <args>` in this process, like the binary with no terminal attached. */
export async function synder(args: string[], opts: InProcessOptions = {}): Promise<InProcessResult> {
  const home = opts.env?.SYNDER_HOME ?? opts.home ?? tempHome('synder-inproc-');
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', SYNDER_HOME: home, ...opts.env };
  const stdout = sink();
  const stderr = sink();
  const stdin = opts.input === undefined ? new PassThrough().end() : Readable.from([opts.input]);
  const code = await main(['node', 'synder', ...args], {
    env,
    streams: { stdin, stdout: stdout.stream, stderr: stderr.stream },
    clock: opts.clock ?? fixedClock(),
  });
  return { code, stdout: stdout.text(), stderr: stderr.text(), home };
}

/** A `synder` bound to one environment (and clock), for a test that runs many commands against one home. */
export function synderIn(env: Record<string, string | undefined>, clock?: Clock): (args: string[], input?: string) => Promise<InProcessResult> {
  return (args, input) => synder(args, { env, clock, input });
}

/** `synder` on the real clock: for runs against a sandbox, whose data and tokens are dated by it. */
export function synderNow(args: string[], opts: Omit<InProcessOptions, 'clock'> = {}): Promise<InProcessResult> {
  return synder(args, { ...opts, clock: systemClock });
}
