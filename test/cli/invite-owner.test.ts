import path from 'node:path';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempHome } from '../helpers/cli.js';
import { synderNow } from '../helpers/in-process.js';
import { browse, decide, hop, spawnCli, startOnboardingSandbox, type OnboardingSandbox } from './onboarding-helpers.js';

interface Mail {
  to: string[];
  raw: string;
}
interface StatusDoc {
  integrations: Array<{ shopId: string; token: { health: string }; clearingAccounts: Array<{ name: string }> }>;
  invites: Array<{ id: number; email: string; status: string; expiresAt: string }>;
}

/** The message body with quoted-printable soft breaks and escapes undone. */
function decodeBody(raw: string): string {
  const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  if (!/content-transfer-encoding:\s*quoted-printable/i.test(raw)) return body;
  return Buffer.from(body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
}

/** The shop owner opens the link, approves on the consent page, and copies the address the browser lands on. */
async function ownerApproves(link: string): Promise<string> {
  const page = await hop(link);
  expect(page.status).toBe(200);
  return decide(link, page.body, 'approve');
}

describe('synder invite tiktok: the account owner authorizes, the bookkeeper finishes', () => {
  let sandbox: OnboardingSandbox;
  let smtp: SMTPServer;
  let smtpUrl: string;
  const inbox: Mail[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    sandbox = await startOnboardingSandbox({ ledger: 'quickbooks', autoApprove: false });
    smtp = new SMTPServer({
      disabledCommands: ['STARTTLS', 'AUTH'],
      onData(stream, session, cb) {
        let raw = '';
        stream.on('data', (c: Buffer) => (raw += c.toString('latin1')));
        stream.on('end', () => {
          inbox.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
          cb();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
    smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
    env = { ...sandbox.env, SYNDER_HOME: tempHome(), SYNDER_CREDENTIALS: 'file', SYNDER_SMTP_URL: smtpUrl, SYNDER_SMTP_FROM: 'books@acme.test' };
    expect((await synderNow(['org', 'create', 'Acme Books', '--currency', 'USD', '--email', 'books@acme.test'], { env })).code).toBe(0);
    // The bookkeeper connects the ledger themselves (approving its consent page).
    const cli = spawnCli(['connect', 'quickbooks', '--mode', 'per-transaction', '--bank-account', 'Business Checking', '--timeout', '60'], env);
    const url = await cli.authorizeUrl(0);
    await browse(await ownerApproves(url));
    expect(await cli.exited, cli.stderr).toBe(0);
  }, 60_000);
  afterAll(async () => {
    await sandbox?.close();
    await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
  });

  const invite = async (email: string) => {
    const before = inbox.length;
    const r = await synderNow(['invite', 'tiktok', '--email', email, '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { ok: boolean; invite: { id: number; email: string; authorizeUrl: string; delivery: string } };
    expect(inbox.length).toBe(before + 1);
    const mail = inbox[inbox.length - 1]!;
    const text = decodeBody(mail.raw);
    const link = text.split('\n').map((l) => l.trim()).find((l) => /^https?:\/\/\S+\/open\/authorize\?/.test(l));
    return { doc: doc.invite, mail, text, link: link! };
  };

  it('emails the owner a link carrying the invitation state; accepting the approved address connects TikTok Shop', async () => {
    const { doc, mail, text, link } = await invite('owner@shop.test');
    expect(doc.delivery).toBe('smtp');
    expect(mail.to).toEqual(['owner@shop.test']);
    expect(mail.raw).toMatch(/^Subject: .*Acme Books/im);
    expect(link).toBe(doc.authorizeUrl);
    const state = new URL(link).searchParams.get('state');
    expect(state).toBeTruthy();
    expect(text).toContain('synder invite accept');

    let st = JSON.parse((await synderNow(['status', '--json'], { env })).stdout) as StatusDoc;
    expect(st.invites).toEqual([expect.objectContaining({ id: doc.id, email: 'owner@shop.test', status: 'pending' })]);
    expect(st.integrations).toEqual([]);

    const landed = await ownerApproves(link);
    expect(landed.startsWith(sandbox.redirectUri)).toBe(true);
    expect(new URL(landed).searchParams.get('state')).toBe(state);
    const accepted = await synderNow(['invite', 'accept', landed], { env });
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(accepted.stdout).toMatch(/TikTok Shop is connected \(invitation of owner@shop\.test\)/);
    expect(accepted.stdout).toMatch(/Clearing account for .+: TikTok Shop Clearing/);

    st = JSON.parse((await synderNow(['status', '--json'], { env })).stdout) as StatusDoc;
    expect(st.integrations.map((i) => i.shopId)).toEqual(sandbox.tiktok.shops.map((s) => s.id));
    expect(st.integrations[0]!.token.health).toBe('ok');
    expect(st.integrations[0]!.clearingAccounts).toHaveLength(1);
    expect(st.invites).toEqual([]);

    const twice = await synderNow(['invite', 'accept', landed], { env });
    expect(twice.code).not.toBe(0);
    expect(twice.stderr).toMatch(/already accepted/);
  });

  it('a cancelled invitation cannot be accepted', async () => {
    const { doc, link } = await invite('second@shop.test');
    const cancelled = await synderNow(['invite', 'cancel', String(doc.id)], { env });
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout).toContain(`Cancelled invitation #${doc.id} to second@shop.test`);
    const st = JSON.parse((await synderNow(['status', '--json'], { env })).stdout) as StatusDoc;
    expect(st.invites.map((i) => i.id)).not.toContain(doc.id);
    const again = await synderNow(['invite', 'cancel', String(doc.id)], { env });
    expect(again.code).toBe(2);

    const landed = await ownerApproves(link);
    const r = await synderNow(['invite', 'accept', landed], { env });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/was cancelled/);
  });

  it('an expired invitation shows as expired in status and cannot be accepted', async () => {
    const { doc, link } = await invite('late@shop.test');
    // Time passes: the invitation's deadline moves into the past.
    const db = new Database(path.join(env.SYNDER_HOME!, 'synder.db'));
    db.prepare('UPDATE invites SET expires_at = ? WHERE id = ?').run(new Date(Date.now() - 60_000).toISOString(), doc.id);
    db.close();
    const status = await synderNow(['status'], { env });
    expect(status.stdout).toMatch(/late@shop\.test.*expired/);
    const st = JSON.parse((await synderNow(['status', '--json'], { env })).stdout) as StatusDoc;
    expect(st.invites).toEqual([expect.objectContaining({ id: doc.id, status: 'expired' })]);

    const landed = await ownerApproves(link);
    const r = await synderNow(['invite', 'accept', landed], { env });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/expired on/);
    expect(r.stderr).toMatch(/synder invite tiktok/);
  });

  it('an address from no invitation is refused', async () => {
    const r = await synderNow(['invite', 'accept', `${sandbox.redirectUri}?code=abc&state=unknown-state`], { env });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/No invitation matches this address/);
  });

  it('without SYNDER_SMTP_URL the message and a mailto: link are printed to send by hand', async () => {
    const noSmtp = { ...env, SYNDER_SMTP_URL: '' };
    delete (noSmtp as Record<string, string | undefined>).SYNDER_SMTP_URL;
    const before = inbox.length;
    const r = await synderNow(['invite', 'tiktok', '--email', 'manual@shop.test'], { env: noSmtp });
    expect(r.code, r.stderr).toBe(0);
    expect(inbox.length).toBe(before);
    expect(r.stderr).toMatch(/No SYNDER_SMTP_URL is set/);
    expect(r.stderr).toContain('To: manual@shop.test');
    expect(r.stderr).toMatch(/^\s+https?:\/\/\S+\/open\/authorize\?\S*state=/m);
    const mailto = /mailto:\S+/.exec(r.stderr)?.[0];
    expect(mailto).toBeDefined();
    expect(mailto!.startsWith('mailto:manual@shop.test?subject=')).toBe(true);
    expect(decodeURIComponent(mailto!.slice(mailto!.indexOf('body=') + 5))).toContain('/open/authorize?');
  });

  it('--expires outside 1 to 720 hours is a usage error', async () => {
    const r = await synderNow(['invite', 'tiktok', '--email', 'x@shop.test', '--expires', '0.01'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/'--expires <hours>' argument '0\.01' is invalid\. Use a number of hours from 1 to 720/);
  });
});
