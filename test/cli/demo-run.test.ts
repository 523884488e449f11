import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempHome } from '../helpers/cli.js';
import { synderNow } from '../helpers/in-process.js';
import { autoBrowser, spawnCli, startOnboardingSandbox, type OnboardingSandbox } from './onboarding-helpers.js';

describe('synder demo', () => {
  it.each([
    { args: [], ledger: 'quickbooks' },
    { args: ['--ledger', 'xero', '--mode', 'summary'], ledger: 'xero' },
  ])('runs the whole flow ($ledger $args) and ends with a reconcile without difference', async ({ args, ledger }) => {
    const home = tempHome('synder-demo-test-');
    const r = await synderNow(['demo', '--orders', '20', '--days', '10', '--home', home, ...args], { env: {} });
    expect(r.code, r.stderr).toBe(0);
    // The demo's tables are its result (stdout); its steps are progress (stderr).
    const out = r.stderr + r.stdout;
    expect(out).toMatch(new RegExp(`Signing in to ${ledger === 'xero' ? 'Xero' : 'QuickBooks Online'}`));
    expect(out).toMatch(/Clearing account for .+: TikTok Shop Clearing/);
    // The transactions table.
    expect(r.stdout).toMatch(/^Order \/ transaction\tDate\tType\tSettlement\tStatus$/m);
    expect(r.stdout).toMatch(/\tsynced$/m);
    // An explain of one order, with its checks.
    expect(out).toMatch(/^Order \d+ — /m);
    expect(r.stdout).toMatch(/^balanced\tyes\t/m);
    // The reconcile: every clearing difference is zero.
    const diffs = [...out.matchAll(/unpaid settlements [\d,.]+, difference (-?[\d,]+\.\d{2})\./g)].map((m) => m[1]);
    expect(diffs.length).toBeGreaterThan(0);
    expect(diffs.every((d) => d === '0.00')).toBe(true);
    expect(out).toContain('Clearing reconciles: no difference.');
    expect(out).not.toMatch(/does not reconcile/);
    expect(out).toMatch(/Demo finished/);
    // It ends with the close report, named by its path.
    const report = /^Close report: (.+\.html)$/m.exec(out)?.[1];
    expect(report, out).toBe(path.join(home, 'report.html'));
    expect(fs.readFileSync(report!, 'utf8').match(/<figure class="chart"/g)).toHaveLength(3);

    // The state stays behind and other commands read it.
    const t = await synderNow(['transactions', '--json'], { env: { SYNDER_HOME: home } });
    expect(t.code, t.stderr).toBe(0);
    const rows = (JSON.parse(t.stdout) as { transactions: unknown[] }).transactions;
    expect(rows.length).toBeGreaterThan(0);
    const st = JSON.parse((await synderNow(['status', '--json'], { env: { SYNDER_HOME: home, SYNDER_CREDENTIALS: 'file' } })).stdout) as { org: { mode: string }; ledger: { provider: string } };
    expect(st.ledger.provider).toBe(ledger);
    expect(st.org.mode).toBe(ledger === 'xero' ? 'summary' : 'per-transaction');
  });
});

describe('synder demo --home', () => {
  it('refuses a folder that already holds state, since the sandbox books start empty', async () => {
    const home = tempHome('synder-demo-test-');
    expect((await synderNow(['org', 'create', 'Old'], { env: { SYNDER_HOME: home } })).code).toBe(0);
    const r = await synderNow(['demo', '--home', home], { env: {} });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--home .+ is not empty/);
  });
});

describe('synder disconnect', () => {
  let sandbox: OnboardingSandbox | undefined;
  afterEach(async () => {
    await sandbox?.close();
    sandbox = undefined;
  });

  it('revokes the ledger; status shows it not connected and sync exits 4 naming `synder connect quickbooks`', async () => {
    sandbox = await startOnboardingSandbox({ ledger: 'quickbooks' });
    const env = { ...sandbox.env, SYNDER_HOME: tempHome(), SYNDER_CREDENTIALS: 'file' };
    const init = spawnCli(['init', '--no-input', '--name', 'Gone Shop', '--ledger', 'quickbooks', '--mode', 'per-transaction', '--bank-account', 'Business Checking', '--tiktok', 'connect', '--no-sync'], env);
    await autoBrowser(init, 2);
    expect(await init.exited, init.stderr).toBe(0);

    const d = await synderNow(['disconnect', 'quickbooks', '--json'], { env });
    expect(d.code, d.stderr).toBe(0);
    expect(JSON.parse(d.stdout)).toMatchObject({ ok: true, provider: 'quickbooks', revoked: true });

    const st = await synderNow(['status', '--json'], { env });
    expect(st.code, st.stderr).toBe(0);
    const s = JSON.parse(st.stdout) as { ledger: { token: { health: string } } | null; integrations: Array<{ token: { health: string } }> };
    expect(['not connected', 're-auth needed']).toContain(s.ledger?.token.health ?? 'not connected');
    expect(s.integrations[0]!.token.health).toBe('ok');
    const human = await synderNow(['status'], { env });
    expect(human.stdout).toMatch(/quickbooks.*(not connected|re-auth needed)/i);

    const sync = await synderNow(['sync', '--since', '7d'], { env });
    expect(sync.code, sync.stderr).toBe(4);
    expect(sync.stderr).toContain('synder connect quickbooks');

    // Connecting again brings it back without losing anything.
    const back = spawnCli(['connect', 'quickbooks', '--mode', 'per-transaction', '--bank-account', 'Business Checking'], env);
    await autoBrowser(back, 1);
    expect(await back.exited, back.stderr).toBe(0);
    const ok = await synderNow(['sync', '--since', '7d', '--json'], { env });
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('a sync after disconnect tiktok exits 4 naming the shop and `synder connect tiktok`; an org with no shop is a usage error', async () => {
    sandbox = await startOnboardingSandbox({ ledger: 'quickbooks' });
    const env = { ...sandbox.env, SYNDER_HOME: tempHome(), SYNDER_CREDENTIALS: 'file' };
    const init = spawnCli(['init', '--no-input', '--name', 'Quiet Shop', '--ledger', 'quickbooks', '--mode', 'per-transaction', '--bank-account', 'Business Checking', '--tiktok', 'connect', '--no-sync'], env);
    await autoBrowser(init, 2);
    expect(await init.exited, init.stderr).toBe(0);
    const shop = (JSON.parse((await synderNow(['status', '--json'], { env })).stdout) as { integrations: Array<{ name: string }> }).integrations[0]!.name;

    expect((await synderNow(['disconnect', 'tiktok'], { env })).code).toBe(0);
    const sync = await synderNow(['sync', '--since', '7d', '--json'], { env });
    expect(sync.code, sync.stderr).toBe(4);
    expect(sync.stdout).not.toMatch(/"ok": true/);
    expect(sync.stderr).toContain(shop);
    expect(sync.stderr).toContain('synder connect tiktok');

    expect((await synderNow(['org', 'create', 'Empty Shop'], { env })).code).toBe(0);
    const empty = await synderNow(['sync', '--org', 'Empty Shop', '--json'], { env });
    expect(empty.code, empty.stderr).toBe(2);
    expect(empty.stderr).toMatch(/synder connect/);
  });

  it('disconnect tiktok forgets the tokens and says how the seller ends the authorization', async () => {
    sandbox = await startOnboardingSandbox({ ledger: 'quickbooks' });
    const env = { ...sandbox.env, SYNDER_HOME: tempHome(), SYNDER_CREDENTIALS: 'file' };
    expect((await synderNow(['org', 'create', 'Shop Only'], { env })).code).toBe(0);
    const c = spawnCli(['connect', 'tiktok'], env);
    await autoBrowser(c, 1);
    expect(await c.exited, c.stderr).toBe(0);
    const d = await synderNow(['disconnect', 'tiktok'], { env });
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toMatch(/Seller Center/);
    const s = JSON.parse((await synderNow(['status', '--json'], { env })).stdout) as { integrations: Array<{ token: { health: string } }> };
    expect(s.integrations[0]!.token.health).toBe('not connected');
    const again = await synderNow(['disconnect', 'xero'], { env });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/not connected to xero/);
  });
});
