import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { tempHome } from '../helpers/cli.js';
import { synderNow } from '../helpers/in-process.js';
import { autoBrowser, ledgerBankAccounts, spawnCli, startOnboardingSandbox, type OnboardingSandbox } from './onboarding-helpers.js';

interface StatusDoc {
  org: { name: string; currency: string; timezone: string; mode: string };
  credentials: { kind: string; location: string; file: string; mode: string };
  ledger: { provider: string; company: string; token: { health: string }; bankAccount: string } | null;
  integrations: Array<{ shopId: string; name: string; status: string; token: { health: string }; clearingAccounts: Array<{ id: string; name: string }> }>;
  lastRun: { status: string; dryRun: boolean } | null;
  invites: unknown[];
}

const flagsFor = (ledger: string, name: string) => [
  'init', '--no-input', '--name', name, '--country', 'US', '--currency', 'USD', '--timezone', 'America/New_York',
  '--email', 'owner@acme.test', '--platforms', 'tiktok', '--ledger', ledger, '--mode', 'per-transaction',
  '--bank-account', 'Business Checking', '--tiktok', 'connect', '--shops', 'all', '--start-date', '30d', '--timeout', '60',
];

describe.each(['quickbooks', 'xero'] as const)('synder init --no-input with every flag (%s)', (ledger) => {
  let sandbox: OnboardingSandbox | undefined;
  afterEach(async () => {
    await sandbox?.close();
    sandbox = undefined;
  });

  it('connects the ledger and every shop, creates one clearing account per shop, syncs, and status shows it all', async () => {
    sandbox = await startOnboardingSandbox({ ledger, shops: 2 });
    const home = tempHome();
    const env = { ...sandbox.env, SYNDER_HOME: home, SYNDER_CREDENTIALS: 'file' };

    const cli = spawnCli(flagsFor(ledger, 'Acme Store'), env);
    await autoBrowser(cli, 2);
    const code = await cli.exited;
    expect(code, cli.stderr).toBe(0);
    // What init did is its result, on stdout; the steps on the way are on stderr.
    const said = cli.stdout + cli.stderr;
    expect(said).toContain('Created organization "Acme Store"');
    expect(said).toMatch(/TikTok Shop is connected: .+ → /);
    expect(said).toContain('synder explain <orderId>');
    expect(said).toContain('synder reconcile');
    // The first sync's table of what was booked, tab-separated since stdout is a pipe.
    expect(cli.stdout).toMatch(/Synced Acme Store into/);
    expect(cli.stdout).toMatch(/\tsynced$/m);

    // One bank-type clearing account per shop in the ledger's own books, none of them the payout account.
    const banks = ledgerBankAccounts(sandbox);
    const clearing = banks.filter((a) => /^TikTok Shop Clearing/.test(a.name));
    expect(clearing).toHaveLength(2);
    const payout = banks.find((a) => a.name === 'Business Checking');
    expect(payout).toBeDefined();
    expect(clearing.map((c) => c.id)).not.toContain(payout!.id);

    const st = await synderNow(['status', '--json'], { env });
    expect(st.code, st.stderr).toBe(0);
    const s = JSON.parse(st.stdout) as StatusDoc;
    expect(s.org).toMatchObject({ name: 'Acme Store', currency: 'USD', timezone: 'America/New_York', mode: 'per-transaction' });
    expect(s.ledger).toMatchObject({ provider: ledger, bankAccount: 'Business Checking', token: { health: 'ok' } });
    expect(s.ledger!.company).toBe(ledger === 'xero' ? 'Demo Company (Sandbox)' : 'Sandbox Company_US_1');
    expect(s.integrations).toHaveLength(2);
    expect(new Set(s.integrations.map((i) => i.shopId))).toEqual(new Set(sandbox.tiktok.shops.map((x) => x.id)));
    for (const i of s.integrations) {
      expect(i.token.health).toBe('ok');
      expect(i.clearingAccounts).toHaveLength(1);
      expect(clearing.map((c) => c.id)).toContain(i.clearingAccounts[0]!.id);
    }
    expect(new Set(s.integrations.map((i) => i.clearingAccounts[0]!.id)).size).toBe(2);
    expect(s.lastRun).toMatchObject({ status: 'ok', dryRun: false });
    expect(s.credentials.kind).toBe('file');
    expect(s.credentials.mode).toBe('0600');
    expect(fs.statSync(s.credentials.file).mode & 0o777).toBe(0o600);
    // No secret of the sandbox apps leaks into status.
    for (const key of ['SYNDER_TIKTOK_APP_SECRET', 'SYNDER_QBO_CLIENT_SECRET']) if (env[key as keyof typeof env]) expect(st.stdout).not.toContain(env[key as keyof typeof env]);
  });

  it('--json prints exactly one document describing the result', async () => {
    sandbox = await startOnboardingSandbox({ ledger });
    const home = tempHome();
    const env = { ...sandbox.env, SYNDER_HOME: home, SYNDER_CREDENTIALS: 'file' };
    const cli = spawnCli([...flagsFor(ledger, 'Json Store'), '--json'], env);
    await autoBrowser(cli, 2);
    expect(await cli.exited, cli.stderr).toBe(0);
    const doc = JSON.parse(cli.stdout) as {
      ok: boolean;
      org: { name: string; ledger: string; mode: string };
      ledger: { company: string; bankAccount: string };
      integrations: Array<{ platform: string; shopId: string }>;
      sync: { runId?: number; status?: string } | null;
    };
    expect(doc.ok).toBe(true);
    expect(doc.org).toMatchObject({ name: 'Json Store', ledger, mode: 'per-transaction' });
    expect(doc.ledger.bankAccount).toBe('Business Checking');
    expect(doc.integrations.map((i) => i.shopId)).toEqual(sandbox.tiktok.shops.map((s) => s.id));
    expect(doc.sync).not.toBeNull();
    expect(doc.sync).not.toHaveProperty('raw');
  });
});
