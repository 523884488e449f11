import { Argument, Option, type Command } from 'commander';
import type { Context } from '../../runtime/context.js';
import { action, type ProgramDeps } from '../command.js';
import { emailAddress, numberIn, numberOption } from '../options.js';

export interface InviteFlags { email: string; expires: number; json?: boolean }
export interface AcceptFlags { shops: string; json?: boolean }

export function registerInvite(program: Command, deps: ProgramDeps): void {
  const invite = program
    .command('invite')
    .description('Invite the TikTok Shop account owner to authorize synder')
    .addHelpText('after', `
For when you do not have admin access to the shop: the owner gets a link,
approves, and sends back the address their browser lands on; you finish with
\`synder invite accept <url>\`. With SYNDER_SMTP_URL set
(e.g. smtp://user:pass@mail.example.com:587) the email is sent for you.`);

  invite
    .command('tiktok')
    .description('Send the shop owner an authorization link')
    .addOption(new Option('--email <owner>', "the account owner's email address").argParser(emailAddress).makeOptionMandatory())
    .addOption(numberOption('--expires <hours>', 'how long the link stays valid', { min: 1, max: 24 * 30, unit: 'hours' }).default(72, '72'))
    .option('--json', 'print the invitation as JSON')
    .action(action(deps, runInviteTikTok));

  invite
    .command('accept')
    .description('Finish an invitation with the address the owner\'s browser landed on')
    .argument('<redirected-url>', 'the full address after approving (quote it in the shell)')
    .option('--shops <ids>', 'TikTok shops to add: "all" or comma-separated ids', 'all')
    .option('--json', 'print the result as JSON')
    .action(action(deps, runInviteAccept));

  invite
    .command('cancel')
    .description('Cancel a pending invitation')
    .addArgument(new Argument('<id>', 'the invitation number (see `synder status`)').argParser(numberIn({ min: 1, integer: true })))
    .option('--json', 'print the result as JSON')
    .action(action(deps, runInviteCancel));
}

export async function runInviteTikTok(ctx: Context, flags: InviteFlags): Promise<void> {
  const { inviteOwner } = await import('../../onboarding/invite.js');
  const org = await ctx.requireOrg();
  const result = await inviteOwner(ctx, org, { email: flags.email, ttlHours: flags.expires });
  if (ctx.output.json) ctx.output.printJson({ ok: true, invite: result });
}

export async function runInviteAccept(ctx: Context, flags: AcceptFlags, [url]: string[]): Promise<void> {
  const { acceptOwnerInvite } = await import('../../onboarding/invite.js');
  const org = await ctx.requireOrg();
  const result = await acceptOwnerInvite(ctx, org, url ?? '', flags.shops);
  if (ctx.output.json) {
    ctx.output.printJson({ ok: true, email: result.email, integrations: result.integrations.map((i) => ({ id: i.id, shopId: i.externalId, name: i.name })), clearingAccounts: result.clearingAccounts });
    return;
  }
  ctx.output.line(`TikTok Shop is connected (invitation of ${result.email}): ${result.integrations.map((i) => i.name).join(', ')}.`);
  for (const c of result.clearingAccounts) ctx.output.line(`  Clearing account for ${c.integration}: ${c.account.name}`);
}

export async function runInviteCancel(ctx: Context, _flags: { json?: boolean }, [id]: [number]): Promise<void> {
  const { cancelInvite } = await import('../../auth/index.js');
  const org = await ctx.requireOrg();
  const store = await ctx.store();
  const cancelled = await cancelInvite({ invites: store.invites, orgId: org.id, id });
  if (ctx.output.json) ctx.output.printJson({ ok: true, invite: { id: cancelled.id, email: cancelled.email, status: cancelled.status } });
  else ctx.output.line(`Cancelled invitation #${cancelled.id} to ${cancelled.email}.`);
}
