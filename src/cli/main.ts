import { createRequire } from 'node:module';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { databaseUrl, loadConfig, type Env } from '../config.js';
import { ExitCode } from '../errors.js';
import type { ProgramDeps } from './command.js';
import { registerCommands } from './commands/index.js';
import { systemClock, type Clock } from '../clock.js';
import { Context } from '../runtime/context.js';
import type { Streams } from '../runtime/output.js';
import { longRuns, type SignalSource } from '../runtime/interrupt.js';

export interface MainOptions {
  env?: Env;
  streams?: Streams;
  clock?: Clock;
  /** Where Ctrl+C arrives and how a forced stop ends the process; the process's own by default. */
  signals?: SignalSource;
  exit?: (code: number) => void;
}

function version(): string {
  const require = createRequire(import.meta.url);
  return (require('../../package.json') as { version: string }).version;
}

/** Runs the CLI with the given argv and returns the exit code; all I/O goes through `opts`. */
export async function main(argv: string[], opts: MainOptions = {}): Promise<number> {
  const env = opts.env ?? process.env;
  const streams: Streams = opts.streams ?? { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
  let exitCode: number = ExitCode.ok;

  let config;
  try {
    config = loadConfig(env);
  } catch (err) {
    streams.stderr.write(`Error: ${(err as Error).message}\n`);
    return ExitCode.usage;
  }

  if (!opts.streams) endQuietlyOnClosedPipe(opts.exit ?? ((code) => process.exit(code)));
  const clock = opts.clock ?? systemClock;
  const deps: ProgramDeps = {
    clock,
    makeContext: (global) => {
      // The option wins over SYNDER_DATABASE_URL, like --org over SYNDER_ORG.
      const runConfig = global.databaseUrl === undefined ? config : { ...config, databaseUrl: global.databaseUrl };
      const ctx = new Context(runConfig, env, streams, clock, {
        verbose: global.verbose,
        signals: opts.signals ?? (opts.streams ? undefined : process),
        exit: opts.exit ?? ((code) => process.exit(code)),
      });
      ctx.orgOverride = global.org;
      return ctx;
    },
    setExitCode: (code) => {
      exitCode = code;
    },
  };

  const program = new Command('synder')
    .description('Books a TikTok Shop seller\'s money into QuickBooks Online or Xero through a clearing account, and explains every number.')
    .version(version(), '-V, --version')
    .option('--org <name>', 'act on this organization instead of the active one (or set SYNDER_ORG)')
    .option('--verbose', 'print debug details on stderr')
    .addOption(
      new Option('--database-url <url>', 'keep all state in this PostgreSQL database, shared by every host (or set SYNDER_DATABASE_URL)').argParser((v) => {
        try {
          return databaseUrl(v.trim(), '--database-url');
        } catch {
          throw new InvalidArgumentError('Not a PostgreSQL URL: use the form postgres://user:password@host:5432/database.');
        }
      }),
    )
    .showHelpAfterError('(run `synder --help` for usage)')
    // The global options work after any command; its help says so.
    .configureHelp({ showGlobalOptions: true })
    .exitOverride()
    .configureOutput({
      writeOut: (s) => streams.stdout.write(s),
      writeErr: (s) => streams.stderr.write(s),
    });
  program.addHelpText('after', `
Exit codes: 0 done, 1 error, 2 usage error or cancelled, 3 partial (some
transactions failed), 4 re-authentication needed or a connection missing,
5 another sync of this organization is running, 6 reconcile found a
difference, 130 stopped by Ctrl+C (the next run carries on).`);
  registerCommands(program, deps);

  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return ExitCode.ok;
      if (err.code === 'commander.executeSubCommandAsync') return ExitCode.ok;
      // Commander already wrote the message on stderr; a --json caller still gets its one document.
      if (argv.includes('--json')) streams.stdout.write(JSON.stringify({ ok: false, error: { code: 'usage', message: err.message.replace(/^error: /, ''), hint: null } }, null, streams.stdout.isTTY ? 2 : undefined) + '\n');
      return ExitCode.usage;
    }
    throw err;
  }
  // A stopped run ends now: a ledger call still under way must not hold the process open.
  if (exitCode === ExitCode.interrupted && !opts.streams) (opts.exit ?? ((code) => process.exit(code)))(exitCode);
  return exitCode;
}

/**
 * A reader that goes away (`| head`) closes the pipe. A command that only prints ends at once,
 * without a stack trace, and with 0: the reader took what it wanted, and `set -o pipefail` scripts
 * must not fail for it. A sync or rollback under way finishes its job unheard instead, and exits
 * with its own status: a run that could not do its job never exits 0.
 */
function endQuietlyOnClosedPipe(exit: (code: number) => void): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
      if (longRuns.active === 0) exit(ExitCode.ok);
    });
  }
}
