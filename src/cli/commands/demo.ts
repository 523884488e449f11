import type { Command } from 'commander';
import { action, type ProgramDeps } from '../command.js';
import { intFlag } from './sandbox.js';

interface DemoFlags { ledger?: string; mode?: string; orders?: string; days?: string; seed?: string; home?: string; faults?: string }

export function registerDemo(program: Command, deps: ProgramDeps): void {
  program
    .command('demo')
    .description('Run the whole flow against the built-in sandbox, no accounts needed')
    .option('--ledger <name>', 'quickbooks | xero', 'quickbooks')
    .option('--mode <mode>', 'per-transaction | summary', 'per-transaction')
    .option('--orders <n>', 'orders in the sandbox shop', '40')
    .option('--days <n>', 'days of history', '14')
    .option('--seed <n>', 'seed for the generated shop', '7')
    .option('--home <dir>', 'keep the demo state here (default: a new temporary folder)')
    .option('--faults <spec>', 'inject provider faults, e.g. 429:0.05,500:0.02')
    .action(
      action<DemoFlags>(deps, async (ctx, flags) => {
        const { runDemo } = await import('../../onboarding/demo.js');
        return runDemo(ctx, {
          ledger: flags.ledger,
          mode: flags.mode,
          orders: intFlag(flags.orders, '--orders', 1, 100_000),
          days: intFlag(flags.days, '--days', 1, 365),
          seed: intFlag(flags.seed, '--seed', 0, 2 ** 31 - 1),
          home: flags.home,
          faults: flags.faults,
        });
      }),
    );
}
