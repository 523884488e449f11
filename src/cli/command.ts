import type { Command } from 'commander';
import type { Clock } from '../clock.js';
import { ExitCode, SynderError, errorJson } from '../errors.js';
import type { Context } from '../runtime/context.js';
import { environmentError } from '../runtime/expected-errors.js';

export interface ProgramDeps {
  /** Builds the context for a command; called once per invocation. */
  makeContext(global: { org?: string; verbose?: boolean; databaseUrl?: string }): Context;
  /** Receives the command's exit code. */
  setExitCode(code: number): void;
  /** The run's clock, for options relative to now ("7d") that commander resolves while parsing. */
  clock: Clock;
}

/** A command's run function: its parsed options, then its parsed arguments (variadic ones spread). */
export type Handler<O, A extends unknown[] = string[]> = (ctx: Context, opts: O, args: A) => Promise<number | void>;

/**
 * Wraps a command's run function: context creation, --json mode, expected errors turned into
 * messages and exit codes, and anything else reported as a bug.
 */
export function action<O extends object, A extends unknown[] = string[]>(deps: ProgramDeps, handler: Handler<O, A>) {
  return async (...raw: unknown[]): Promise<void> => {
    const cmd = raw[raw.length - 1] as Command;
    const opts = cmd.opts() as O & { json?: boolean };
    const args = raw.slice(0, -2).flat().filter((a) => a !== undefined) as A;
    const global = cmd.optsWithGlobals() as { org?: string; verbose?: boolean; databaseUrl?: string };
    const ctx = deps.makeContext(global);
    ctx.output.json = Boolean(opts.json);
    try {
      const code = await handler(ctx, opts, args);
      deps.setExitCode(code ?? ExitCode.ok);
    } catch (err) {
      deps.setExitCode(reportError(ctx, err));
    } finally {
      await ctx.close();
    }
  };
}

export function reportError(ctx: Context, raw: unknown): number {
  const err = environmentError(raw, ctx.config.home) ?? raw;
  if (err instanceof SynderError) {
    if (ctx.output.json) ctx.output.printJson({ ok: false, error: errorJson(err) });
    ctx.output.info(err.code === 'interrupted' ? err.message : `Error: ${err.message}`);
    if (err.hint) ctx.output.info(err.hint);
    return err.exitCode;
  }
  if ((err as { name?: string })?.name === 'ExitPromptError' || (err as { name?: string })?.name === 'AbortPromptError') {
    ctx.output.info('Cancelled.');
    return ExitCode.usage;
  }
  const e = err as Error;
  if (ctx.output.json) ctx.output.printJson({ ok: false, error: { code: 'internal', message: e?.message ?? String(err), hint: null } });
  ctx.output.info(`Internal error (this is a bug in synder): ${e?.message ?? String(err)}`);
  if (e?.stack) ctx.logger.debug(e.stack);
  ctx.output.info('Run again with --verbose for details.');
  return ExitCode.error;
}
