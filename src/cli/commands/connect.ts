import { Argument, Option, type Command } from 'commander';
import type { Context } from '../../runtime/context.js';
import type { SyncMode } from '../../store/orgs.js';
import { action, type ProgramDeps } from '../command.js';
import { modeOption, PROVIDERS, timeoutOption } from '../options.js';

export interface ConnectFlags {
  browser?: boolean;
  /** Milliseconds. */
  timeout: number;
  mode?: SyncMode;
  bankAccount?: string;
  accounts?: 'existing' | 'create';
  account?: string[];
  tenant?: string;
  company?: string;
  shops?: string;
  json?: boolean;
}

export function registerConnect(program: Command, deps: ProgramDeps): void {
  program
    .command('connect')
    .description('Sign in to tiktok | quickbooks | xero (browser OAuth, or --no-browser)')
    .addArgument(new Argument('<provider>', 'tiktok, quickbooks or xero').choices(PROVIDERS))
    .option('--no-browser', 'print the sign-in link; accept the loopback callback or the pasted redirect URL')
    .addOption(timeoutOption('how long to wait for the sign-in'))
    .addOption(modeOption('ledger sync mode'))
    .option('--bank-account <name>', 'ledger bank account that TikTok payouts land in')
    .addOption(new Option('--accounts <how>', "book to your existing accounts (suggested by name and type) or create synder's").choices(['existing', 'create']))
    .option('--account <role=account>', 'book a role to this existing account (name, number or id); repeatable', (v: string, prev: string[] = []) => [...prev, v])
    .option('--tenant <name|id>', 'Xero organisation to use when the sign-in grants several')
    .option('--company <name|id>', 'QuickBooks company the consent page must pick (refused, nothing saved, if another was picked)')
    .option('--shops <ids>', 'TikTok shops to add: "all" or comma-separated ids')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', `
The sign-in opens your browser ($BROWSER if set) and waits on a local listener
(127.0.0.1) for the redirect. On a server, --no-browser prints the link; open it
anywhere, approve, and paste the address your browser lands on. Connecting again
replaces the tokens and keeps all history.`)
    .action(action(deps, runConnect));
}

export async function runConnect(ctx: Context, flags: ConnectFlags, [provider]: string[]): Promise<void> {
  const { Prompter } = await import('../../runtime/prompts.js');
  const prompter = new Prompter(ctx);
  const org = await ctx.requireOrg();
  const signIn = { noBrowser: flags.browser === false, timeoutMs: flags.timeout };
  if (provider === 'quickbooks' || provider === 'xero') {
    const { connectLedger } = await import('../../onboarding/connect-ledger.js');
    const result = await connectLedger(ctx, org, { provider, mode: flags.mode, bankAccount: flags.bankAccount, tenant: flags.tenant, company: flags.company, accounts: flags.accounts, account: flags.account, signIn, prompter });
    if (ctx.output.json) {
      ctx.output.printJson({ ok: true, provider, company: result.company, mode: result.mode, bankAccount: result.bankAccount, clearingAccounts: result.clearingAccounts });
      return;
    }
    ctx.output.line(`${provider === 'xero' ? 'Xero' : 'QuickBooks Online'} is connected: ${result.company.name} (${result.company.currency}), ${result.mode} mode.`);
    ctx.output.line(`  Payouts land in: ${result.bankAccount.name}`);
    for (const c of result.clearingAccounts) ctx.output.line(`  Clearing account for ${c.integration}: ${c.account.name}`);
    return;
  }
  const { connectTikTok } = await import('../../onboarding/connect-tiktok.js');
  const result = await connectTikTok(ctx, org, { shops: flags.shops, signIn, prompter });
  if (ctx.output.json) {
    ctx.output.printJson({ ok: true, provider, seller: result.seller, integrations: result.integrations.map((i) => ({ id: i.id, shopId: i.externalId, name: i.name, region: i.region })), clearingAccounts: result.clearingAccounts });
    return;
  }
  ctx.output.line(`TikTok Shop is connected${result.seller ? ` (${result.seller})` : ''}: ${result.integrations.map((i) => `${i.name} [${i.externalId}]`).join(', ')}.`);
  for (const c of result.clearingAccounts) ctx.output.line(`  Clearing account for ${c.integration}: ${c.account.name}`);
  if (result.clearingAccounts.length === 0) ctx.output.line('Connect a ledger next: `synder connect quickbooks` or `synder connect xero`.');
}
