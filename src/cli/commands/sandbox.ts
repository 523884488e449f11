import fs from 'node:fs';
import path from 'node:path';
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
  shops: number;
  companies: number;
  currency?: string;
  country: 'US' | 'GB' | 'CA' | 'AU';
  salesTax?: 'off' | 'automated' | 'on';
  autoApprove?: boolean;
  faults?: string;
  tiktokData?: string;
  timeScale: number;
  redirectUri?: string;
  writeEnv?: string;
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
    .addOption(numberOption('--shops <n>', 'TikTok shops the seller authorizes, each with its own generated data', { min: 1, max: 100, integer: true }).default(1, '1'))
    .addOption(numberOption('--companies <n>', 'QuickBooks companies and Xero organisations, each with its own books', { min: 1, max: 100, integer: true }).default(1, '1'))
    .addOption(new Option('--currency <code>', 'shop and ledger currency (default: the country\'s)').argParser(currencyCode))
    .addOption(new Option('--country <code>', 'country of the QuickBooks company and Xero organisation (tax codes and rules)').choices(['US', 'GB', 'CA', 'AU']).default('US'))
    .addOption(new Option('--sales-tax <mode>', 'US: off or automated (automated sales tax); GB/CA/AU: on (VAT/GST registered) or off').choices(['off', 'automated', 'on']))
    .option('--auto-approve', 'skip the consent pages and redirect back at once')
    .option('--faults <spec>', 'inject faults, e.g. 429:0.05,500:0.02,slow:0.01')
    .option('--tiktok-data <file>', 'serve this shop (JSON in the API\'s shapes) instead of generated data')
    .addOption(numberOption('--time-scale <n>', 'compress rate-limit windows by this factor', { min: 1, max: 100_000, integer: true }).default(1, '1'))
    .option('--redirect-uri <url>', 'the loopback redirect URI the fake apps have registered')
    // Not --env-file: Node 20 takes that flag for itself wherever it appears on the command line.
    .option('--write-env <file>', 'write the variables to this file (whole, once the servers listen) instead of stdout; removed on stop')
    .option('--json', 'print the variables as one JSON object instead of lines')
    .addHelpText('after', `
Prints one SYNDER_NAME=value line per variable (or writes them to --write-env),
then serves until Ctrl+C or SIGTERM. Run it in the background and source the
file in the shell that runs synder. Without a browser on this machine,
BROWSER='curl -sL -o /dev/null' lets \`synder connect\` sign in to an
--auto-approve sandbox.

--shops N --companies N: a firm's sandbox, every company with its own books.
Each QuickBooks sign-in connects one company: the consent page lists them,
and --auto-approve takes the next company no sign-in has connected yet, so N
orgs connected one after another get one company each. A Xero sign-in grants
every organisation: \`synder connect xero --tenant <name>\` picks one ("Demo
Company 2 (Sandbox)"). \`synder connect tiktok --shops <name>\` picks a shop.

--tiktok-data <file>: one JSON object in the TikTok API's own shapes (the "data"
part of each response), so captured responses paste in as they are:
  { "shops": [{ "id", "name", "region", "cipher", "currency"? }],
    "orders": [ … ],          GET /order/202507/orders → data.orders[]
    "statements": [ … ],      GET /finance/202309/statements → statements[]
    "statement_transactions": { "<statement id>": { "transactions": [ … ] } },
    "payments": [ … ] }       GET /finance/202309/payments → data.payments[]
The first shop serves the data. Money is a decimal string ("-1.80"), times are
Unix seconds. An invalid file is refused with the path of the field at fault.`)
    .action(action(deps, runSandbox));
}

/** Written beside and renamed into place, so a reader waiting for the file never sees half of it. */
function writeWhole(file: string, text: string): void {
  const tmp = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  fs.renameSync(tmp, file);
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
    shops: flags.shops,
    companies: flags.companies,
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
  // Listening from before the variables file exists until it is gone: a stop signal at any moment
  // removes it, and a second one (`kill %1` followed by a shell's exit trap) cannot end the
  // process half-way through, leaving a file that points the next shell at servers that are gone.
  let stopRequested: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stopRequested = resolve));
  const onSignal = () => stopRequested();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const lines = Object.entries(sandbox.env).map(([k, v]) => `${k}=${v}\n`).join('');
    if (flags.writeEnv) {
      writeWhole(flags.writeEnv, lines);
      ctx.output.info(`Wrote ${Object.keys(sandbox.env).length} variables to ${flags.writeEnv}; source it where you run synder (set -a; . ${flags.writeEnv}; set +a).`);
    } else if (flags.json) ctx.output.printJson(sandbox.env);
    else ctx.streams.stdout.write(lines);
    ctx.output.info(`Sandbox running: ${sandbox.services.map((s) => `${s.name} ${s.url}`).join(', ')}. Press Ctrl-C to stop.`);
    await stopped;
  } finally {
    if (flags.writeEnv) fs.rmSync(flags.writeEnv, { force: true });
    await sandbox.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  ctx.output.info('Sandbox stopped.');
}
