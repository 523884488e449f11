import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { acceptInvite, cancelInvite, createInvite, listInvites } from '../../src/auth/invites.js';
import { SynderError } from '../../src/errors.js';
import { Store } from '../../src/store/store.js';
import type { InviteRepository } from '../../src/store/invites.js';
import { approve, startTestOAuthServer, testAdapter, type TestOAuthServer } from './auth-helpers.js';

interface Received {
  from: string;
  to: string[];
  raw: string;
}

/** Headers and decoded text body of a simple (single-part) message. */
function parseMessage(raw: string): { headers: string; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const headers = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  let body = raw.slice(split + 4);
  const encoding = /content-transfer-encoding:\s*([\w-]+)/i.exec(headers)?.[1]?.toLowerCase();
  if (encoding === 'quoted-printable') {
    body = Buffer.from(body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
  } else if (encoding === 'base64') {
    body = Buffer.from(body, 'base64').toString('utf8');
  }
  return { headers, body: body.replace(/\r\n/g, '\n') };
}

let oauth: TestOAuthServer;
let smtp: SMTPServer;
let smtpPort: number;
const inbox: Received[] = [];

beforeAll(async () => {
  oauth = await startTestOAuthServer();
  smtp = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    onAuth(auth, _session, cb) {
      if (auth.username === 'bookkeeper@firm.test' && auth.password === 'smtp-pass-secret') cb(null, { user: auth.username });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString('latin1')));
      stream.on('end', () => {
        inbox.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw });
        cb();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
  smtpPort = (smtp.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await oauth.close();
  await new Promise<void>((r) => smtp.close(() => r()));
});

let invites: InviteRepository;
let orgId: number;
let clock: number;
const now = () => new Date(clock);
beforeEach(async () => {
  const store = await Store.open(fs.mkdtempSync(path.join(os.tmpdir(), 'synder-invites-')), now);
  invites = store.invites;
  clock = Date.parse('2026-03-01T10:00:00Z');
  orgId = (await store.orgs.create({ name: 'Acme Books', email: 'books@acme.test' })).id;
  inbox.length = 0;
});

const adapter = () => testAdapter(oauth.url, { provider: 'tiktok', usesPkce: false });
const redirectUri = 'http://localhost:8765/callback';
const smtpUrl = () => `smtp://bookkeeper%40firm.test:smtp-pass-secret@127.0.0.1:${smtpPort}`;

describe('invitations', () => {
  it('sends the owner the link by SMTP, then accepts the redirected address once', async () => {
    const created = await createInvite({ invites, orgId, orgName: 'Acme Books', platform: 'tiktok', email: 'owner@shop.test', ttlHours: 48, adapter: adapter(), redirectUri, smtpUrl: smtpUrl(), replyTo: 'books@acme.test', now });
    expect(created.delivery.kind).toBe('smtp');
    expect(created.invite).toMatchObject({ status: 'pending', email: 'owner@shop.test', platform: 'tiktok', expiresAt: '2026-03-03T10:00:00.000Z' });
    const state = new URL(created.authorizeUrl).searchParams.get('state');
    expect(state).toBe(created.invite.state);

    expect(inbox).toHaveLength(1);
    expect(inbox[0]!.to).toEqual(['owner@shop.test']);
    expect(inbox[0]!.from).toBe('bookkeeper@firm.test');
    const mail = parseMessage(inbox[0]!.raw);
    expect(mail.headers).toMatch(/^Subject: Please connect your TikTok Shop to Acme Books$/im);
    expect(mail.headers).toMatch(/^Reply-To: books@acme\.test$/im);
    expect(mail.body).toContain(created.authorizeUrl);
    expect(mail.body).toContain(`state=${state}`);
    expect(mail.body).toContain('synder invite accept');
    expect(mail.body).toContain('2026-03-03 10:00 UTC');
    expect(mail.body).not.toContain('smtp-pass-secret');

    expect((await listInvites({ invites, orgId, status: 'pending' })).map((i) => i.id)).toEqual([created.invite.id]);

    const landed = await approve(created.authorizeUrl);
    clock += 3_600_000;
    const accepted = await acceptInvite({ invites, url: landed, adapter: adapter() });
    expect(accepted.tokens.accessToken).toMatch(/^at-/);
    expect(accepted.invite.status).toBe('accepted');
    expect(accepted.invite.acceptedAt).toBe('2026-03-01T11:00:00.000Z');
    expect((await listInvites({ invites, orgId })).map((i) => i.status)).toEqual(['accepted']);

    await expect(acceptInvite({ invites, url: landed, adapter: adapter() })).rejects.toMatchObject({ code: 'invite_used' });
  });

  it('without SMTP returns the message and a mailto: link to send', async () => {
    const created = await createInvite({ invites, orgId, orgName: 'Acme Books', platform: 'tiktok', email: 'owner@shop.test', adapter: adapter(), redirectUri, now });
    expect(inbox).toHaveLength(0);
    expect(created.delivery.kind).toBe('manual');
    if (created.delivery.kind !== 'manual') return;
    expect(created.delivery.mailto.startsWith('mailto:owner@shop.test?subject=Please%20connect')).toBe(true);
    const body = new URL(created.delivery.mailto).searchParams.get('body')!;
    expect(body).toContain(created.authorizeUrl);
    expect(created.message.text).toContain(redirectUri);
    expect(created.invite.expiresAt).toBe('2026-03-04T10:00:00.000Z');
  });

  it('refuses an address whose state belongs to no invitation', async () => {
    await createInvite({ invites, orgId, orgName: 'Acme Books', platform: 'tiktok', email: 'owner@shop.test', adapter: adapter(), redirectUri, now });
    const before = oauth.exchangeCalls;
    const err = await acceptInvite({ invites, url: `${redirectUri}?code=abc&state=guessed`, adapter: adapter() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SynderError);
    expect((err as SynderError).code).toBe('invite_not_found');
    await expect(acceptInvite({ invites, url: 'hello there', adapter: adapter() })).rejects.toMatchObject({ exitCode: 2 });
    expect(oauth.exchangeCalls).toBe(before);
  });

  it('refuses an expired invitation and lists it as expired', async () => {
    const created = await createInvite({ invites, orgId, orgName: 'Acme Books', platform: 'tiktok', email: 'owner@shop.test', ttlHours: 1, adapter: adapter(), redirectUri, now });
    const landed = await approve(created.authorizeUrl);
    clock += 2 * 3_600_000;
    const before = oauth.exchangeCalls;
    const err = (await acceptInvite({ invites, url: landed, adapter: adapter() }).catch((e: unknown) => e)) as SynderError;
    expect(err.code).toBe('invite_expired');
    expect(err.message).toContain('2026-03-01T11:00:00.000Z');
    expect(err.hint).toContain('synder invite tiktok --email owner@shop.test');
    expect(oauth.exchangeCalls).toBe(before);
    expect((await listInvites({ invites, orgId }))[0]!.status).toBe('expired');
  });

  it('a cancelled invitation cannot be accepted', async () => {
    const created = await createInvite({ invites, orgId, orgName: 'Acme Books', platform: 'tiktok', email: 'owner@shop.test', adapter: adapter(), redirectUri, now });
    expect((await cancelInvite({ invites, orgId, id: created.invite.id })).status).toBe('cancelled');
    await expect(cancelInvite({ invites, orgId, id: created.invite.id })).rejects.toThrow(/not pending/);
    await expect(acceptInvite({ invites, url: await approve(created.authorizeUrl), adapter: adapter() })).rejects.toMatchObject({ code: 'invite_cancelled' });
  });

  it('a rejected code leaves the invitation pending so the owner can try again', async () => {
    const created = await createInvite({ invites, orgId, orgName: 'Acme Books', platform: 'tiktok', email: 'owner@shop.test', adapter: adapter(), redirectUri, now });
    const landed = new URL(await approve(created.authorizeUrl));
    landed.searchParams.set('code', 'stale');
    await expect(acceptInvite({ invites, url: landed.toString(), adapter: adapter() })).rejects.toMatchObject({ code: 'code_exchange_failed' });
    expect((await listInvites({ invites, orgId }))[0]!.status).toBe('pending');
    const accepted = await acceptInvite({ invites, url: await approve(created.authorizeUrl), adapter: adapter() });
    expect(accepted.invite.status).toBe('accepted');
  });

  it('an SMTP failure is a clear error without the password, and cancels the invitation', async () => {
    const err = (await createInvite({
      invites, orgId, orgName: 'Acme Books', platform: 'tiktok', email: 'owner@shop.test', adapter: adapter(), redirectUri, now,
      smtpUrl: `smtp://bookkeeper%40firm.test:wrong-pass-secret@127.0.0.1:${smtpPort}`,
    }).catch((e: unknown) => e)) as SynderError;
    expect(err).toBeInstanceOf(SynderError);
    expect(err.code).toBe('smtp_failed');
    expect(err.message).toContain(`127.0.0.1:${smtpPort}`);
    expect(err.message).not.toContain('wrong-pass-secret');
    expect((await listInvites({ invites, orgId })).map((i) => i.status)).toEqual(['cancelled']);
  });

  it('rejects an address that is not an email', async () => {
    await expect(createInvite({ invites, orgId, orgName: 'Acme Books', platform: 'tiktok', email: 'owner at shop', adapter: adapter(), redirectUri, now })).rejects.toMatchObject({ exitCode: 2 });
    expect(await listInvites({ invites, orgId })).toEqual([]);
  });
});
