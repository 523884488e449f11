import { Option, type Command } from 'commander';
import type { Context } from '../../runtime/context.js';
import { action, type ProgramDeps } from '../command.js';
import { LEDGERS, modeOption, numberOption } from '../options.js';
import type { DemoOptions } from '../../onboarding/demo.js';

export function registerDemo(program: Command, deps: ProgramDeps): void {
  program
    .command('demo')
    .description('Run the whole flow against the built-in sandbox, no accounts needed')
    .addOption(new Option('--ledger <name>', 'the ledger to book into').choices(LEDGERS).default('quickbooks'))
    .addOption(modeOption('how to book').default('per-transaction'))
    .addOption(numberOption('--orders <n>', 'orders in the sandbox shop', { min: 1, max: 100_000, integer: true }).default(40, '40'))
    .addOption(numberOption('--days <n>', 'days of history', { min: 1, max: 365, integer: true }).default(14, '14'))
    .addOption(numberOption('--seed <n>', 'seed for the generated shop', { min: 0, max: 2 ** 31 - 1, integer: true }).default(7, '7'))
    .option('--home <dir>', 'keep the demo state here (default: a new temporary folder)')
    .option('--faults <spec>', 'inject provider faults, e.g. 429:0.05,500:0.02')
    .addOption(new Option('--country <code>', 'country of the sandbox ledger and shop (tax codes and rules)').choices(['US', 'GB', 'CA', 'AU']).default('US'))
    .addOption(new Option('--sales-tax <mode>', 'US: off or automated; GB/CA/AU: on (registered) or off').choices(['off', 'automated', 'on']))
    .action(action(deps, runDemoCommand));
}

export async function runDemoCommand(ctx: Context, flags: DemoOptions): Promise<number> {
  const { runDemo } = await import('../../onboarding/demo.js');
  return runDemo(ctx, flags);
}
