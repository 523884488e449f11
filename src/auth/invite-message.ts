import { providerName } from './pages.js';

export interface InviteMessage {
  to: string;
  subject: string;
  text: string;
}

/** The email the shop owner receives: the link and plain steps for what to send back. */
export function composeInviteMessage(opts: { to: string; orgName: string; platform: string; authorizeUrl: string; redirectUri: string; expiresAt: Date }): InviteMessage {
  const platform = providerName(opts.platform);
  const until = opts.expiresAt.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  const subject = `Please connect your ${platform} to ${opts.orgName}`;
  const text = [
    'Hello,',
    '',
    `${opts.orgName} uses synder to book ${platform} sales, fees and payouts into its accounting.`,
    `For that it needs read access to your shop's orders and finance data, which only you as the shop owner can grant.`,
    '',
    `1. Open this link (it works once, until ${until}):`,
    '',
    `   ${opts.authorizeUrl}`,
    '',
    `2. Sign in to ${platform} if asked, check the request and approve it.`,
    '',
    `3. Your browser then goes to an address starting with ${opts.redirectUri}`,
    `   The page may not load on your computer; that is expected. Copy the full address from the`,
    `   browser's address bar and send it back by replying to this email, within 30 minutes`,
    `   (the code in it expires soon after approval).`,
    '',
    `   If you use synder yourself, you can instead run:  synder invite accept "<that address>"`,
    '',
    'If you did not expect this email, ignore it: nothing is shared unless you approve.',
    '',
  ].join('\n');
  return { to: opts.to, subject, text };
}

/** A mailto: link that opens the message ready to send in the user's mail program. */
export function mailtoLink(m: InviteMessage): string {
  return `mailto:${encodeURIComponent(m.to).replace(/%40/g, '@')}?subject=${encodeURIComponent(m.subject)}&body=${encodeURIComponent(m.text.replace(/\n/g, '\r\n'))}`;
}
