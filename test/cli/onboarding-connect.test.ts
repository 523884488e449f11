import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { tempHome } from '../helpers/cli.js';
import { synderNow } from '../helpers/in-process.js';
import { browse, decide, hop, spawnCli, startOnboardingSandbox, type OnboardingSandbox } from './onboarding-helpers.js';

interface StatusDoc {
  ledger: { provider: string; token: { health: string } } | null;
}

/** Follows the consent flow like a browser on another machine: stops at the redirect to the callback, unvisited. */
async function redirectedAddress(authorizeUrl: string, redirectUri: string): Promise<string> {
  const r = await browse(authorizeUrl, (u) => u.startsWith(redirectUri));
  if (!r.last.startsWith(redirectUri)) throw new Error(`the consent flow ended at ${r.last} (${r.status}): ${r.body.slice(0, 200)}`);
  return r.last;
}

describe('synder connect --no-browser', () => {
  let sandbox: OnboardingSandbox | undefined;
  afterEach(async () => {
    await sandbox?.close();
    sandbox = undefined;
  });

  async function setup(autoApprove: boolean) {
    sandbox = await startOnboardingSandbox({ ledger: 'xero', autoApprove });
    const env = { ...sandbox.env, SYNDER_HOME: tempHome(), SYNDER_CREDENTIALS: 'file' };
    const created = await synderNow(['org', 'create', 'Paste Shop', '--currency', 'USD'], { env });
    expect(created.code, created.stderr).toBe(0);
    return env;
  }

  const CONNECT = ['connect', 'xero', '--no-browser', '--mode', 'per-transaction', '--bank-account', 'Business Checking', '--timeout', '60'];

  it('accepts the pasted redirect address and connects', async () => {
    const env = await setup(true);
    const cli = spawnCli([...CONNECT, '--json'], env);
    const url = await cli.authorizeUrl(0);
    expect(cli.stderr).toMatch(/paste it here/);
    const landed = await redirectedAddress(url, sandbox!.redirectUri);
    expect(new URL(landed).searchParams.get('code')).toBeTruthy();
    cli.child.stdin.write(`  ${landed}  \n`);
    expect(await cli.exited, cli.stderr).toBe(0);
    const out = JSON.parse(cli.stdout) as { ok: boolean; provider: string; company: { name: string }; bankAccount: { name: string } };
    expect(out).toMatchObject({ ok: true, provider: 'xero', company: { name: 'Demo Company (Sandbox)' }, bankAccount: { name: 'Business Checking' } });
    const st = JSON.parse((await synderNow(['status', '--json'], { env })).stdout) as StatusDoc;
    expect(st.ledger).toMatchObject({ provider: 'xero', token: { health: 'ok' } });
  });

  it('a denied consent exits 2 with a clear message and stores no tokens', async () => {
    const env = await setup(false);
    const cli = spawnCli(CONNECT, env);
    const url = await cli.authorizeUrl(0);
    const consent = await hop(url);
    expect(consent.status).toBe(200);
    const back = await decide(url, consent.body, 'deny');
    expect(new URL(back).searchParams.get('error')).toBe('access_denied');
    await browse(back); // the browser lands on synder's listener
    expect(await cli.exited, cli.stderr).toBe(2);
    expect(cli.stderr).toMatch(/Access was not granted: the sign-in to Xero was declined/);
    expect(cli.stderr).toMatch(/Run the command again and choose/);
    const st = await synderNow(['status', '--json'], { env });
    expect((JSON.parse(st.stdout) as StatusDoc).ledger).toBeNull();
    expect(st.stdout).not.toMatch(/access_token|refresh_token/);
  });

  it('an address from another sign-in (wrong state) is rejected clearly', async () => {
    const env = await setup(true);
    const cli = spawnCli(CONNECT, env);
    const url = await cli.authorizeUrl(0);
    const landed = new URL(await redirectedAddress(url, sandbox!.redirectUri));
    landed.searchParams.set('state', 'some-other-attempt');
    cli.child.stdin.write(`${landed.toString()}\n`);
    const code = await cli.exited;
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(cli.stderr).toMatch(/different state than this sign-in sent/);
    expect(cli.stderr).toMatch(/use only the newest link/);
    expect((JSON.parse((await synderNow(['status', '--json'], { env })).stdout) as StatusDoc).ledger).toBeNull();
  });

  it('garbage pasted first is asked again, then the right address works', async () => {
    const env = await setup(true);
    const cli = spawnCli(CONNECT, env);
    const url = await cli.authorizeUrl(0);
    cli.child.stdin.write('not an address\n');
    await cli.waitFor(/does not look like the address/);
    cli.child.stdin.write(`${await redirectedAddress(url, sandbox!.redirectUri)}\n`);
    expect(await cli.exited, cli.stderr).toBe(0);
  });

  it('a busy redirect port is named, with the variable that changes it', async () => {
    const env = await setup(true);
    const port = Number(new URL(sandbox!.redirectUri).port);
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const r = await synderNow(CONNECT, { env });
      expect(r.code).not.toBe(0);
      expect(r.code).not.toBeNull();
      expect(r.stderr).toContain(`Port ${port}`);
      expect(r.stderr).toMatch(/already in use/);
      expect(r.stderr).toContain('SYNDER_XERO_REDIRECT_URI');
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});
