import type { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { action, type ProgramDeps } from '../command.js';

/** Registers a command that exists in the public contract but is not built yet: it says so and exits 2. */
export function registerNotBuilt(program: Command, deps: ProgramDeps, name: string, description: string): void {
  program
    .command(name)
    .description(`${description} (not built yet)`)
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(
      action(deps, async (ctx) => {
        ctx.output.info(`synder ${name.split(' ')[0]} is not built yet in this version.`);
        return ExitCode.usage;
      }),
    );
}
