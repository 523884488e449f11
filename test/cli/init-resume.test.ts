import { afterEach, describe, expect, it } from 'vitest';
import { tempHome } from '../helpers/cli.js';
import { synderNow } from '../helpers/in-process.js';
import { autoBrowser, browse, ledgerBankAccounts, spawnCli, startOnboardingSandbox, type OnboardingSandbox } from './onboarding-helpers.js';

const FLAGS = [
  'init', '--no-input', '--name', 'Resume Shop', '--country', 'US', '--currency', 'USD', '--timezone', 'UTC', '--ledger', 'quickbooks',
  '--mode', 'summary', '--bank-account', 'Business Checking', '--tiktok', 'connect', '--start-date', '14d', '--timeout', '60',
];

describe('synder init resumes after an interruption', () => {
  let sandbox: OnboardingSandbox | undefined;
  afterEach(async () => {
    await sandbox?.close();
    sandbox = undefined;
  });

  it('Ctrl+C while waiting for the ledger sign-in cancels cleanly; the re-run completes with one org', async () => {
    sandbox = await startOnboardingSandbox({ ledger: 'quickbooks', shops: 2 });
    const env = { ...sandbox.env, SYNDER_HOME: tempHome(), SYNDER_CREDENTIALS: 'file' };

    const first = spawnCli(FLAGS, env);
    await first.authorizeUrl(0);
    first.child.kill('SIGINT');
    expect(await first.exited, first.stderr).toBe(2);
    expect(first.stderr).toContain('Sign-in was cancelled.');
    expect(first.stderr).toMatch(/run `synder init` again/);

    const again = spawnCli(FLAGS, env);
    await autoBrowser(again, 2);
    expect(await again.exited, again.stderr).toBe(0);
    expect(again.stderr).toContain('Resuming set-up of "Resume Shop"');

    const orgs = JSON.parse((await synderNow(['org', 'list', '--json'], { env })).stdout) as Array<{ name: string }>;
    expect(orgs.map((o) => o.name)).toEqual(['Resume Shop']);
    const st = JSON.parse((await synderNow(['status', '--json'], { env })).stdout) as { integrations: Array<{ shopId: string; clearingAccounts: unknown[] }> };
    expect(st.integrations).toHaveLength(2);
    expect(ledgerBankAccounts(sandbox).filter((a) => a.name.startsWith('TikTok Shop Clearing'))).toHaveLength(2);
  });

  it('killed while waiting for TikTok (ledger already connected): the re-run adds no second connection, integration or account', async () => {
    sandbox = await startOnboardingSandbox({ ledger: 'quickbooks', shops: 2 });
    const env = { ...sandbox.env, SYNDER_HOME: tempHome(), SYNDER_CREDENTIALS: 'file' };

    const first = spawnCli(FLAGS, env);
    await browse(await first.authorizeUrl(0));
    await first.authorizeUrl(1);
    first.child.kill('SIGKILL');
    await first.exited;

    const again = spawnCli(FLAGS, env);
    await autoBrowser(again, 2);
    expect(await again.exited, again.stderr).toBe(0);
    const shotOne = JSON.parse((await synderNow(['status', '--json'], { env })).stdout) as { integrations: Array<{ id: number }>; ledger: { company: string } };
    expect(shotOne.integrations).toHaveLength(2);

    // A third run with everything in place is harmless too.
    const third = spawnCli(FLAGS, env);
    await autoBrowser(third, 2);
    expect(await third.exited, third.stderr).toBe(0);
    const st = JSON.parse((await synderNow(['status', '--json'], { env })).stdout) as { integrations: Array<{ id: number; clearingAccounts: Array<{ id: string }> }> };
    expect(st.integrations.map((i) => i.id)).toEqual(shotOne.integrations.map((i) => i.id));
    const banks = ledgerBankAccounts(sandbox);
    expect(banks.filter((a) => a.name.startsWith('TikTok Shop Clearing'))).toHaveLength(2);
    expect(banks.filter((a) => a.name === 'Business Checking')).toHaveLength(1);
    const orgs = JSON.parse((await synderNow(['org', 'list', '--json'], { env })).stdout) as unknown[];
    expect(orgs).toHaveLength(1);
  });
});
