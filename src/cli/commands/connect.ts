import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { action, type ProgramDeps } from '../command.js';

interface ConnectFlags {
  browser?: boolean;
  timeout?: string;
  mode?: string;
  bankAccount?: string;
  tenant?: string;
  shops?: string;
  json?: boolean;
}

export function parseTimeout(value: string | undefined): number {
  const seconds = Number(value ?? '300');
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 86_400) throw new UsageError(`--timeout must be a number of seconds from 1 to 86400, not "${value}".`);
  return Math.round(seconds * 1000);
}

export function registerConnect(program: Command, deps: ProgramDeps): void {
  program
    .command('connect')
    .description('Sign in to tiktok | quickbooks | xero (browser OAuth, or --no-browser)')
    .argument('<provider>', 'tiktok, quickbooks or xero')
    .option('--no-browser', 'print the sign-in link; accept the loopback callback or the pasted redirect URL')
    .option('--timeout <seconds>', 'how long to wait for the sign-in', '300')
    .option('--mode <mode>', 'ledger sync mode: per-transaction | summary')
    .option('--bank-account <name>', 'ledger bank account that TikTok payouts land in')
    .option('--tenant <name|id>', 'Xero organisation to use when the sign-in grants several')
    .option('--shops <ids>', 'TikTok shops to add: "all" or comma-separated ids')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', `
The sign-in opens your browser and waits on a local listener (127.0.0.1) for the redirect.
On a server, --no-browser prints the link; open it anywhere, approve, and paste the address
your browser lands on. Connecting again replaces the tokens and keeps all history.`)
    .action(
      action<ConnectFlags>(deps, async (ctx, flags, [provider]) => {
        const { Prompter } = await import('../prompts.js');
        const prompter = new Prompter(ctx);
        const org = await ctx.requireOrg();
        const signIn = { noBrowser: flags.browser === false, timeoutMs: parseTimeout(flags.timeout) };
        if (provider === 'tiktok') {
          const { connectTikTok } = await import('../../onboarding/connect-tiktok.js');
          const result = await connectTikTok(ctx, org, { shops: flags.shops, signIn, prompter });
          if (ctx.output.json) {
            ctx.output.printJson({ ok: true, provider, seller: result.seller, integrations: result.integrations.map((i) => ({ id: i.id, shopId: i.externalId, name: i.name, region: i.region })), clearingAccounts: result.clearingAccounts });
            return;
          }
          ctx.output.line(`TikTok Shop is connected${result.seller ? ` (${result.seller})` : ''}: ${result.integrations.map((i) => `${i.name} [${i.externalId}]`).join(', ')}.`);
          for (const c of result.clearingAccounts) ctx.output.line(`  Clearing account for ${c.integration}: ${c.account.name}`);
          if (result.clearingAccounts.length === 0) ctx.output.line('Connect a ledger next: `synder connect quickbooks` or `synder connect xero`.');
          return;
        }
        if (provider === 'quickbooks' || provider === 'xero') {
          const { connectLedger } = await import('../../onboarding/connect-ledger.js');
          const result = await connectLedger(ctx, org, { provider, mode: flags.mode, bankAccount: flags.bankAccount, tenant: flags.tenant, signIn, prompter });
          if (ctx.output.json) {
            ctx.output.printJson({ ok: true, provider, company: result.company, mode: result.mode, bankAccount: result.bankAccount, clearingAccounts: result.clearingAccounts });
            return;
          }
          ctx.output.line(`${provider === 'xero' ? 'Xero' : 'QuickBooks Online'} is connected: ${result.company.name} (${result.company.currency}), ${result.mode} mode.`);
          ctx.output.line(`  Payouts land in: ${result.bankAccount.name}`);
          for (const c of result.clearingAccounts) ctx.output.line(`  Clearing account for ${c.integration}: ${c.account.name}`);
          return;
        }
        throw new UsageError(`Unknown provider "${provider ?? ''}".`, 'Use one of: tiktok, quickbooks, xero.');
      }),
    );
}
