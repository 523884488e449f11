import { humanTime } from '../runtime/time.js';
import type { Context } from '../runtime/context.js';
import { Prompter } from '../runtime/prompts.js';
import type { Org } from '../store/orgs.js';
import { ensureAppCredentials } from './app-credentials.js';
import { recordTikTokAuthorization, tiktokAdapter, type ConnectTikTokResult } from './connect-tiktok.js';

/** "Invite account owner": a pending, expiring authorization link for someone with admin access to the shop. */
export async function inviteOwner(ctx: Context, org: Org, opts: { email: string; ttlHours?: number }) {
  const store = await ctx.store();
  const vault = await ctx.vault();
  await ensureAppCredentials('tiktok', ctx.config, vault, new Prompter(ctx), (t) => ctx.output.info(t));
  const { createInvite } = await import('../auth/index.js');
  const created = await createInvite({
    invites: store.invites,
    orgId: org.id,
    orgName: org.name,
    platform: 'tiktok',
    email: opts.email,
    ttlHours: opts.ttlHours,
    adapter: await tiktokAdapter(ctx),
    redirectUri: ctx.config.tiktok.redirectUri,
    smtpUrl: ctx.config.smtpUrl,
    replyTo: org.email ?? undefined,
    env: ctx.env,
    now: () => ctx.clock.now(),
  });
  if (created.delivery.kind === 'smtp') {
    ctx.output.info(`Invitation #${created.invite.id} sent to ${created.invite.email}; the link expires ${humanTime(created.invite.expiresAt)}.`);
  } else {
    ctx.output.info(`No SYNDER_SMTP_URL is set, so send this invitation yourself (#${created.invite.id}, expires ${humanTime(created.invite.expiresAt)}):`);
    ctx.output.info('');
    ctx.output.info(`To: ${created.message.to}`);
    ctx.output.info(`Subject: ${created.message.subject}`);
    ctx.output.info('');
    ctx.output.info(created.message.text);
    ctx.output.info('');
    ctx.output.info(`Or open this mailto link: ${created.delivery.mailto}`);
  }
  return { id: created.invite.id, email: created.invite.email, expiresAt: created.invite.expiresAt, authorizeUrl: created.authorizeUrl, delivery: created.delivery.kind, mailto: created.delivery.kind === 'manual' ? created.delivery.mailto : null };
}

/** Finishes an invitation from the address the owner's browser landed on. */
export async function acceptOwnerInvite(ctx: Context, org: Org, url: string, shops?: string): Promise<ConnectTikTokResult & { email: string }> {
  const store = await ctx.store();
  const vault = await ctx.vault();
  await ensureAppCredentials('tiktok', ctx.config, vault, new Prompter(ctx), (t) => ctx.output.info(t));
  const { acceptInvite } = await import('../auth/index.js');
  const accepted = await acceptInvite({ invites: store.invites, url, adapter: await tiktokAdapter(ctx) });
  const owner = await store.orgs.get(accepted.invite.orgId) ?? org;
  const result = await recordTikTokAuthorization(ctx, owner, accepted.tokens, { shops: shops ?? 'all', prompter: new Prompter(ctx) });
  return { ...result, email: accepted.invite.email };
}
