import { Argument, type Command } from 'commander';
import { action, type ProgramDeps } from '../command.js';
import { completionScript, SHELLS, type Shell } from '../completion.js';

export function registerCompletion(program: Command, deps: ProgramDeps): void {
  program
    .command('completion')
    .description('Print the shell completion script for bash, zsh or fish')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(SHELLS))
    .action(action(deps, async (ctx, _flags: object, [shell]: string[]) => {
      ctx.streams.stdout.write(completionScript(program, shell as Shell));
    }));
}
