import type { Command } from 'commander';
import type { Context } from '../../runtime/context.js';
import { action, type ProgramDeps } from '../command.js';
import { humanTime } from '../../runtime/time.js';

export function registerStatus(program: Command, deps: ProgramDeps): void {
  program
    .command('status')
    .description('Active org, integrations, token health, last run, pending invites')
    .option('--check', "ask each provider whether the stored sign-in still works (not just its local expiry time)")
    .option('--json', 'print as JSON')
    .action(action(deps, runStatus));
}

export async function runStatus(ctx: Context, flags: { check?: boolean } = {}): Promise<void> {
  const { collectStatus } = await import('../../onboarding/status.js');
  const org = await ctx.requireOrg();
  const s = await collectStatus(ctx, org, { check: flags.check });
  const checked = (t: { check?: { result: string; message: string | null } }) => (t.check ? ` (checked: ${t.check.result}${t.check.result === 'failed' && t.check.message ? ` — ${t.check.message}` : ''})` : '');
  if (ctx.output.json) {
    ctx.output.printJson(s);
    return;
  }
  ctx.output.line(`Organization: ${s.org.name} (${s.org.currency ?? 'no currency'}, ${s.org.timezone ?? 'no time zone'}, ${s.org.mode ?? 'no sync mode'})`);
  ctx.output.line(`Tokens kept in: ${s.credentials.location}`);
  ctx.output.line(
    s.ledger
      ? `Ledger: ${s.ledger.provider} — ${s.ledger.company ?? s.ledger.id}; token ${s.ledger.token.health}${checked(s.ledger.token)}${s.ledger.token.expiresAt ? ` (access until ${humanTime(s.ledger.token.expiresAt)})` : ''}; payouts to ${s.ledger.bankAccount ?? 'not set'}`
      : 'Ledger: not connected (`synder connect quickbooks` or `synder connect xero`)',
  );
  if (s.integrations.length === 0) ctx.output.line('Integrations: none (`synder connect tiktok` or `synder invite tiktok --email <owner>`)');
  else
    await ctx.output.table({
      title: 'Integrations',
      head: ['Platform', 'Shop', 'Region', 'Token', 'Clearing account'],
      rows: s.integrations.map((i) => [i.platform, `${i.name} (${i.shopId})`, i.region, `${i.token.health}${checked(i.token)}`, i.clearingAccounts.map((c) => c.name).join(', ') || 'not created yet']),
    });
  ctx.output.line(s.lastRun ? `Last sync: #${s.lastRun.id} ${s.lastRun.status}${s.lastRun.dryRun ? ' (dry run)' : ''}, started ${humanTime(s.lastRun.startedAt)}${s.lastRun.error ? ` — ${s.lastRun.error}` : ''}` : 'Last sync: never');
  if (s.invites.length > 0)
    await ctx.output.table({ title: 'Invitations', head: ['#', 'Email', 'Platform', 'Status', 'Expires'], rows: s.invites.map((i) => [i.id, i.email, i.platform, i.status, humanTime(i.expiresAt)]) });
}
