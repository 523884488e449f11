import { Option, type Command } from 'commander';
import type { Context } from '../../runtime/context.js';
import type { InitOptions } from '../../onboarding/init.js';
import { action, type ProgramDeps } from '../command.js';
import { LEDGERS, modeOption, timeoutOption, whenOption } from '../options.js';

export function registerInit(program: Command, deps: ProgramDeps): void {
  program
    .command('init')
    .description('Set up synder: business, platforms, ledger, sync mode, first sync')
    .option('--no-input', 'never ask: every missing answer is an error naming its flag')
    .option('--name <business>', 'business (organization) name; an existing one is resumed')
    .option('--country <code>', 'ISO 3166 country code, e.g. US')
    .option('--currency <code>', 'base currency, ISO 4217, e.g. USD')
    .option('--timezone <iana>', 'time zone, e.g. America/New_York')
    .option('--email <address>', 'contact email')
    .option('--platforms <list>', 'platforms to connect (tiktok; default tiktok)')
    .addOption(new Option('--ledger <name>', 'accounting software to book into').choices(LEDGERS))
    .addOption(modeOption('how to book'))
    .option('--bank-account <name>', 'payout bank account in the ledger (created if it does not exist)')
    .addOption(new Option('--accounts <how>', "book to your existing accounts (suggested by name and type) or create synder's").choices(['existing', 'create']))
    .option('--account <role=account>', 'book a role to this existing account (name, number or id); repeatable', (v: string, prev: string[] = []) => [...prev, v])
    .addOption(new Option('--tiktok <how>', 'sign in to TikTok Shop now, invite its owner, or skip').choices(['connect', 'invite', 'skip']))
    .option('--owner-email <address>', 'with --tiktok invite: the shop owner to invite')
    .option('--shops <ids>', 'TikTok shops to connect: "all" (default) or comma-separated shop ids')
    .addOption(whenOption('--start-date <date>', 'import start date (YYYY-MM-DD or Nd for N days ago; default 30d)', deps.clock))
    .option('--no-sync', 'skip the first sync')
    .option('--no-browser', 'print sign-in links and accept the pasted redirect URL instead of opening a browser')
    .addOption(timeoutOption('how long to wait for each browser sign-in'))
    .option('--json', 'print the result as JSON')
    .addHelpText('after', `
Each integration gets its own clearing account in the ledger, created
automatically: it stands for the money TikTok holds. Re-running init resumes
where it stopped; nothing is created twice.

Examples:
  synder init                            # the wizard, one question at a time
  synder init --no-input --name "Acme Store" --country US --currency USD \\
    --timezone America/New_York --email owner@acme.test --ledger xero \\
    --mode per-transaction --bank-account "Business Checking" --tiktok connect`)
    .action(action(deps, runInitCommand));
}

export async function runInitCommand(ctx: Context, flags: InitOptions): Promise<number> {
  const { runInit } = await import('../../onboarding/init.js');
  return runInit(ctx, flags);
}
