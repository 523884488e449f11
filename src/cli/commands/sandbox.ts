import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { action, type ProgramDeps } from '../command.js';

interface SandboxFlags {
  port?: string;
  seed?: string;
  orders?: string;
  days?: string;
  currency?: string;
  autoApprove?: boolean;
  faults?: string;
  tiktokData?: string;
  timeScale?: string;
  redirectUri?: string;
  json?: boolean;
}

export const intFlag = (value: string | undefined, flag: string, min: number, max: number): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, not "${value}".`);
  return n;
};

export function registerSandbox(program: Command, deps: ProgramDeps): void {
  program
    .command('sandbox')
    .description('Run the local fake TikTok Shop, QuickBooks and Xero servers')
    .option('--port <n>', 'base port: TikTok on n, QuickBooks on n+1, Xero on n+2 (default: free ports)')
    .option('--seed <n>', 'seed for the generated shop (same seed, same data)', '1')
    .option('--orders <n>', 'number of orders to generate', '60')
    .option('--days <n>', 'days of history to generate', '30')
    .option('--currency <code>', 'shop and ledger currency', 'USD')
    .option('--auto-approve', 'skip the consent pages and redirect back at once')
    .option('--faults <spec>', 'inject faults, e.g. 429:0.05,500:0.02,slow:0.01')
    .option('--tiktok-data <file>', 'serve this shop (JSON in the API\'s shapes) instead of generated data')
    .option('--time-scale <n>', 'compress rate-limit windows by this factor', '1')
    .option('--redirect-uri <url>', 'the loopback redirect URI the fake apps have registered')
    .option('--json', 'print the variables as one JSON object instead of lines')
    .addHelpText('after', `
Prints one SYNDER_NAME=value line per variable on stdout, then runs until interrupted:
  eval "$(synder sandbox --auto-approve | sed 's/^/export /')"   # in another shell, point synder at it`)
    .action(
      action<SandboxFlags>(deps, async (ctx, flags) => {
        const { startSandbox } = await import('../../sandbox/index.js');
        const { validateCurrency } = await import('../../validation.js');
        const sandbox = await startSandbox({
          port: intFlag(flags.port, '--port', 0, 65533),
          seed: intFlag(flags.seed, '--seed', 0, 2 ** 31 - 1),
          orders: intFlag(flags.orders, '--orders', 0, 1_000_000),
          days: intFlag(flags.days, '--days', 1, 3650),
          currency: flags.currency ? validateCurrency(flags.currency) : undefined,
          autoApprove: Boolean(flags.autoApprove),
          faults: flags.faults,
          tiktokDataFile: flags.tiktokData,
          timeScale: intFlag(flags.timeScale, '--time-scale', 1, 100_000),
          redirectUri: flags.redirectUri,
          xeroOpenApi: ctx.config.xeroOpenApi,
        });
        if (flags.json) ctx.output.printJson(sandbox.env);
        else for (const [k, v] of Object.entries(sandbox.env)) ctx.streams.stdout.write(`${k}=${v}\n`);
        ctx.output.info(`Sandbox running: ${sandbox.services.map((s) => `${s.name} ${s.url}`).join(', ')}. Press Ctrl-C to stop.`);
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        await sandbox.close();
        ctx.output.info('Sandbox stopped.');
      }),
    );
}
