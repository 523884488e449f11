import { Option, type Command } from 'commander';
import type { Context } from '../../runtime/context.js';
import { action, type ProgramDeps } from '../command.js';
import { currencyCode, numberOption } from '../options.js';
import { UsageError } from '../../errors.js';

export interface SandboxFlags {
  port?: number;
  seed: number;
  orders: number;
  days: number;
  currency?: string;
  country: 'US' | 'GB' | 'CA' | 'AU';
  salesTax?: 'off' | 'automated' | 'on';
  autoApprove?: boolean;
  faults?: string;
  tiktokData?: string;
  timeScale: number;
  redirectUri?: string;
  json?: boolean;
}

export function registerSandbox(program: Command, deps: ProgramDeps): void {
  program
    .command('sandbox')
    .description('Run the local fake TikTok Shop, QuickBooks and Xero servers')
    .addOption(numberOption('--port <n>', 'base port: TikTok on n, QuickBooks on n+1, Xero on n+2 (default: free ports)', { min: 0, max: 65533, integer: true }))
    .addOption(numberOption('--seed <n>', 'seed for the generated shop (same seed, same data)', { min: 0, max: 2 ** 31 - 1, integer: true }).default(1, '1'))
    .addOption(numberOption('--orders <n>', 'number of orders to generate', { min: 0, max: 1_000_000, integer: true }).default(60, '60'))
    .addOption(numberOption('--days <n>', 'days of history to generate', { min: 1, max: 3650, integer: true }).default(30, '30'))
    .addOption(new Option('--currency <code>', 'shop and ledger currency (default: the country\'s)').argParser(currencyCode))
    .addOption(new Option('--country <code>', 'country of the QuickBooks company and Xero organisation (tax codes and rules)').choices(['US', 'GB', 'CA', 'AU']).default('US'))
    .addOption(new Option('--sales-tax <mode>', 'US: off or automated (automated sales tax); GB/CA/AU: on (VAT/GST registered) or off').choices(['off', 'automated', 'on']))
    .option('--auto-approve', 'skip the consent pages and redirect back at once')
    .option('--faults <spec>', 'inject faults, e.g. 429:0.05,500:0.02,slow:0.01')
    .option('--tiktok-data <file>', 'serve this shop (JSON in the API\'s shapes) instead of generated data')
    .addOption(numberOption('--time-scale <n>', 'compress rate-limit windows by this factor', { min: 1, max: 100_000, integer: true }).default(1, '1'))
    .option('--redirect-uri <url>', 'the loopback redirect URI the fake apps have registered')
    .option('--json', 'print the variables as one JSON object instead of lines')
    .addHelpText('after', `
Prints one SYNDER_NAME=value line per variable on stdout, then runs until interrupted:
  eval "$(synder sandbox --auto-approve | sed 's/^/export /')"   # in another shell, point synder at it`)
    .action(action(deps, runSandbox));
}

export async function runSandbox(ctx: Context, flags: SandboxFlags): Promise<void> {
  if (flags.salesTax === 'automated' && flags.country !== 'US') {
    throw new UsageError('--sales-tax automated exists only for a US company.', 'Use --country US, or --sales-tax on|off for a GB, CA or AU company.');
  }
  const { startSandbox } = await import('../../sandbox/index.js');
  const sandbox = await startSandbox({
    port: flags.port,
    seed: flags.seed,
    orders: flags.orders,
    days: flags.days,
    currency: flags.currency,
    country: flags.country,
    salesTax: flags.salesTax,
    autoApprove: Boolean(flags.autoApprove),
    faults: flags.faults,
    tiktokDataFile: flags.tiktokData,
    timeScale: flags.timeScale,
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
}
