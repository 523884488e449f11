import os from 'node:os';
import type { Env } from '../config.js';
import { SynderError, UsageError } from '../errors.js';
import type { Invite, InviteRepository } from '../store/invites.js';
import { judgeCallback } from './callback.js';
import { composeInviteMessage, mailtoLink, type InviteMessage } from './invite-message.js';
import { parsePastedRedirect } from './paste-back.js';
import { newPkcePair, newState } from './pkce.js';
import { providerName } from './pages.js';
import { errorMessage, redactSecrets } from './redact.js';
import type { OAuthAdapter, TokenSet } from './types.js';

export type { Invite } from '../store/invites.js';

export interface CreateInviteOptions {
  invites: InviteRepository;
  orgId: number;
  /** Shown to the owner as who asks for access. */
  orgName: string;
  platform: 'tiktok';
  email: string;
  /** How long the link stays valid (default 72 hours). */
  ttlHours?: number;
  adapter: OAuthAdapter;
  redirectUri: string;
  /** SYNDER_SMTP_URL; without it the message is returned for the user to send. */
  smtpUrl?: string;
  /** Sender address; defaults to SYNDER_SMTP_FROM, then the SMTP user when it is an address. */
  from?: string;
  /** Replies (the owner's redirected address) go here, e.g. the org's email. */
  replyTo?: string;
  env?: Env;
  now?: () => Date;
}

export interface CreatedInvite {
  invite: Invite;
  authorizeUrl: string;
  message: InviteMessage;
  delivery: { kind: 'smtp'; messageId: string } | { kind: 'manual'; mailto: string };
}

const EMAIL = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/;

/**
 * Creates a pending invitation with its own state and expiry, and sends the owner the
 * authorization link by SMTP (or returns the text and a mailto: link). If sending fails the
 * invitation is cancelled, so no link is left pending that nobody received.
 */
export async function createInvite(opts: CreateInviteOptions): Promise<CreatedInvite> {
  const email = opts.email.trim();
  if (!EMAIL.test(email)) throw new UsageError(`"${opts.email}" is not an email address.`, 'Pass the shop owner\'s address with --email.');
  if (opts.adapter.provider !== opts.platform) throw new Error(`adapter for ${opts.adapter.provider} given for a ${opts.platform} invitation`);
  const ttlHours = opts.ttlHours ?? 72;
  if (!(ttlHours > 0)) throw new UsageError('The invitation lifetime must be a positive number of hours.');
  const now = opts.now ?? (() => new Date());
  const repo = opts.invites;
  const state = newState();
  const pkce = opts.adapter.usesPkce ? newPkcePair() : undefined;
  const authorizeUrl = opts.adapter.authorizeUrl({ state, redirectUri: opts.redirectUri, codeChallenge: pkce?.challenge });
  const expiresAt = new Date(now().getTime() + ttlHours * 3_600_000);
  const invite = await repo.create({
    orgId: opts.orgId,
    platform: opts.platform,
    email,
    state,
    expiresAt,
    detail: { redirectUri: opts.redirectUri, ...(pkce ? { codeVerifier: pkce.verifier } : {}) },
  });
  const message = composeInviteMessage({ to: email, orgName: opts.orgName, platform: opts.platform, authorizeUrl, redirectUri: opts.redirectUri, expiresAt });

  if (!opts.smtpUrl) {
    await repo.updateDetail(invite.id, { delivery: 'manual' });
    return { invite: (await repo.get(invite.id))!, authorizeUrl, message, delivery: { kind: 'manual', mailto: mailtoLink(message) } };
  }
  try {
    const messageId = await sendMail(opts.smtpUrl, message, { from: opts.from ?? opts.env?.SYNDER_SMTP_FROM, replyTo: opts.replyTo });
    await repo.updateDetail(invite.id, { delivery: 'smtp', messageId });
    return { invite: (await repo.get(invite.id))!, authorizeUrl, message, delivery: { kind: 'smtp', messageId } };
  } catch (err) {
    await repo.cancel(invite.id);
    throw new SynderError(`Could not send the invitation to ${email} through ${smtpHost(opts.smtpUrl)}: ${errorMessage(err)}`, {
      code: 'smtp_failed',
      hint: 'Check SYNDER_SMTP_URL (smtp://user:password@host:587 or smtps://…:465), or unset it to get the message and a mailto: link to send yourself.',
    });
  }
}

function smtpHost(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}${u.port ? `:${u.port}` : ''}`;
  } catch {
    return 'the SMTP server';
  }
}

async function sendMail(smtpUrl: string, message: InviteMessage, opts: { from?: string; replyTo?: string }): Promise<string> {
  const { default: nodemailer } = await import('nodemailer');
  let user: string | undefined;
  try {
    user = decodeURIComponent(new URL(smtpUrl).username);
  } catch {
    throw new UsageError('SYNDER_SMTP_URL is not a valid URL.', 'Use smtp://user:password@host:587 or smtps://user:password@host:465.');
  }
  const from = opts.from ?? (user && user.includes('@') ? user : `synder@${os.hostname()}`);
  const transport = nodemailer.createTransport({ url: smtpUrl, connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 30_000 } as Parameters<typeof nodemailer.createTransport>[0]);
  try {
    const info = await transport.sendMail({ from, to: message.to, replyTo: opts.replyTo, subject: message.subject, text: message.text });
    return String(info.messageId);
  } finally {
    transport.close();
  }
}

export interface AcceptInviteOptions {
  invites: InviteRepository;
  /** The address the owner's browser landed on (or just its query string). */
  url: string;
  adapter: OAuthAdapter;
}

export interface AcceptedInvite {
  invite: Invite;
  tokens: TokenSet;
  callback: URLSearchParams;
}

/**
 * Finishes an invitation: the pasted address's state must belong to a pending, unexpired
 * invitation; its code is exchanged and the invitation marked accepted. The caller stores the
 * tokens (vaultKeys.tiktok) and creates the integrations.
 */
export async function acceptInvite(opts: AcceptInviteOptions): Promise<AcceptedInvite> {
  const repo = opts.invites;
  const params = parsePastedRedirect(opts.url);
  if (!params) {
    throw new UsageError('That is not the address the browser landed on after approving: it has no code.', 'Paste the full address from the browser\'s address bar, including everything after "?".');
  }
  const state = params.get('state')?.trim();
  if (!state) throw new SynderError('The address carries no state, so it cannot be matched to an invitation.', { code: 'invite_not_found', hint: 'Use the link from the invitation email; authorizations started elsewhere cannot be accepted here.' });
  const invite = await repo.findByState(state);
  if (!invite) {
    throw new SynderError('No invitation matches this address (its state is unknown to this synder profile).', {
      code: 'invite_not_found',
      hint: 'Run `synder invite accept` with the profile (SYNDER_HOME) that sent the invitation, or send a new one with `synder invite tiktok --email …`.',
    });
  }
  if (invite.platform !== opts.adapter.provider) throw new Error(`invite ${invite.id} is for ${invite.platform}, adapter is ${opts.adapter.provider}`);
  const who = `The invitation sent to ${invite.email}`;
  const again = `Send a new one with \`synder invite ${invite.platform} --email ${invite.email}\`.`;
  if (invite.status === 'accepted') throw new SynderError(`${who} was already accepted on ${invite.acceptedAt ?? 'an earlier date'}.`, { code: 'invite_used', hint: 'Its connection is already set up; see `synder status`.' });
  if (invite.status === 'cancelled') throw new SynderError(`${who} was cancelled.`, { code: 'invite_cancelled', hint: again });
  if (invite.status === 'expired') throw new SynderError(`${who} expired on ${invite.expiresAt}.`, { code: 'invite_expired', hint: again });

  const verdict = judgeCallback(params, invite.state, invite.platform);
  if (verdict.kind === 'fail') throw verdict.error;
  if (!await repo.claim(invite.id)) throw new SynderError(`${who} is no longer pending.`, { code: 'invite_used', hint: 'See `synder status`.' });
  const redirectUri = typeof invite.detail.redirectUri === 'string' ? invite.detail.redirectUri : '';
  const codeVerifier = typeof invite.detail.codeVerifier === 'string' ? invite.detail.codeVerifier : undefined;
  let tokens: TokenSet;
  try {
    tokens = await opts.adapter.exchange(params, { redirectUri, codeVerifier });
  } catch (err) {
    await repo.unclaim(invite.id);
    if (err instanceof SynderError) throw err;
    throw new SynderError(`${providerName(invite.platform)} did not accept the authorization code: ${redactSecrets(errorMessage(err))}`, {
      code: 'code_exchange_failed',
      cause: err,
      hint: 'The code in the address works once and expires about 30 minutes after approval: ask the owner to open the link again and send the new address.',
    });
  }
  return { invite: (await repo.get(invite.id))!, tokens, callback: params };
}

export async function listInvites(opts: { invites: InviteRepository; orgId: number; status?: Invite['status'] }): Promise<Invite[]> {
  return await opts.invites.list(opts.orgId, opts.status);
}

/** Cancels a pending invitation of the org; a used, cancelled or unknown one is an error. */
export async function cancelInvite(opts: { invites: InviteRepository; orgId: number; id: number }): Promise<Invite> {
  const repo = opts.invites;
  const invite = await repo.get(opts.id);
  if (!invite || invite.orgId !== opts.orgId) throw new UsageError(`There is no invitation #${opts.id} in this organization.`, 'See `synder status` for the pending ones.');
  if (!await repo.cancel(invite.id)) throw new UsageError(`Invitation #${opts.id} is ${invite.status}, not pending.`);
  return (await repo.get(invite.id))!;
}
