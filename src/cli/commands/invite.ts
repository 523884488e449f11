import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { action, type ProgramDeps } from '../command.js';

export function registerInvite(program: Command, deps: ProgramDeps): void {
  const invite = program
    .command('invite')
    .description('Invite the TikTok Shop account owner to authorize synder')
    .addHelpText('after', `
For when you do not have admin access to the shop: the owner gets a link, approves, and sends
back the address their browser lands on; you finish with \`synder invite accept <url>\`.
With SYNDER_SMTP_URL set (e.g. smtp://user:pass@mail.example.com:587) the email is sent for you.`);

  invite
    .command('tiktok')
    .description('Send the shop owner an authorization link')
    .requiredOption('--email <owner>', "the account owner's email address")
    .option('--expires <hours>', 'how long the link stays valid', '72')
    .option('--json', 'print the invitation as JSON')
    .action(
      action<{ email: string; expires?: string; json?: boolean }>(deps, async (ctx, flags) => {
        const { inviteOwner } = await import('../../onboarding/invite.js');
        const { validateEmail } = await import('../../validation.js');
        const hours = Number(flags.expires ?? '72');
        if (!Number.isFinite(hours) || hours < 1 || hours > 24 * 30) throw new UsageError(`--expires must be a number of hours from 1 to 720, not "${flags.expires}".`);
        const org = await ctx.requireOrg();
        const result = await inviteOwner(ctx, org, { email: validateEmail(flags.email), ttlHours: hours });
        if (ctx.output.json) ctx.output.printJson({ ok: true, invite: result });
      }),
    );

  invite
    .command('accept')
    .description('Finish an invitation with the address the owner\'s browser landed on')
    .argument('<redirected-url>', 'the full address after approving (quote it in the shell)')
    .option('--shops <ids>', 'TikTok shops to add: "all" or comma-separated ids', 'all')
    .option('--json', 'print the result as JSON')
    .action(
      action<{ shops?: string; json?: boolean }>(deps, async (ctx, flags, [url]) => {
        const { acceptOwnerInvite } = await import('../../onboarding/invite.js');
        const org = await ctx.requireOrg();
        const result = await acceptOwnerInvite(ctx, org, url ?? '', flags.shops);
        if (ctx.output.json) {
          ctx.output.printJson({ ok: true, email: result.email, integrations: result.integrations.map((i) => ({ id: i.id, shopId: i.externalId, name: i.name })), clearingAccounts: result.clearingAccounts });
          return;
        }
        ctx.output.line(`TikTok Shop is connected (invitation of ${result.email}): ${result.integrations.map((i) => i.name).join(', ')}.`);
        for (const c of result.clearingAccounts) ctx.output.line(`  Clearing account for ${c.integration}: ${c.account.name}`);
      }),
    );

  invite
    .command('cancel')
    .description('Cancel a pending invitation')
    .argument('<id>', 'the invitation number (see `synder status`)')
    .option('--json', 'print the result as JSON')
    .action(
      action<{ json?: boolean }>(deps, async (ctx, _flags, [id]) => {
        const { cancelInvite } = await import('../../auth/index.js');
        const n = Number(id);
        if (!Number.isInteger(n) || n <= 0) throw new UsageError(`"${id}" is not an invitation number.`);
        const org = await ctx.requireOrg();
        const store = await ctx.store();
        const cancelled = cancelInvite({ invites: store.invites, orgId: org.id, id: n });
        if (ctx.output.json) ctx.output.printJson({ ok: true, invite: { id: cancelled.id, email: cancelled.email, status: cancelled.status } });
        else ctx.output.line(`Cancelled invitation #${cancelled.id} to ${cancelled.email}.`);
      }),
    );
}
