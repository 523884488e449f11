import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { loadConfig, type Env } from '../config.js';
import { ExitCode } from '../errors.js';
import type { ProgramDeps } from './command.js';
import { registerCommands } from './commands/index.js';
import { systemClock, type Clock } from '../clock.js';
import { Context } from '../runtime/context.js';
import type { Streams } from '../runtime/output.js';

export interface MainOptions {
  env?: Env;
  streams?: Streams;
  clock?: Clock;
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

  const clock = opts.clock ?? systemClock;
  const deps: ProgramDeps = {
    clock,
    makeContext: (global) => {
      const ctx = new Context(config, env, streams, clock, { verbose: global.verbose });
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
    .showHelpAfterError('(run `synder --help` for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => streams.stdout.write(s),
      writeErr: (s) => streams.stderr.write(s),
    });
  program.addHelpText('after', `
Exit codes: 0 done, 1 error, 2 usage error or cancelled, 3 partial (some transactions failed),
4 re-authentication needed, 5 another sync of this organization is running,
6 reconcile found a difference.`);
  registerCommands(program, deps);

  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return ExitCode.ok;
      if (err.code === 'commander.executeSubCommandAsync') return ExitCode.ok;
      // Commander already wrote the message on stderr; a --json caller still gets its one document.
      if (argv.includes('--json')) streams.stdout.write(JSON.stringify({ ok: false, error: { code: 'usage', message: err.message.replace(/^error: /, ''), hint: null } }, null, 2) + '\n');
      return ExitCode.usage;
    }
    throw err;
  }
  return exitCode;
}
