import { spawn, spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { binPath, repoRoot, tempHome } from '../helpers/cli.js';
import { synderNow } from '../helpers/in-process.js';
import { browse, ledgerBankAccounts, startOnboardingSandbox, type OnboardingSandbox } from './onboarding-helpers.js';

// util-linux `script` gives the built binary a real pseudo-terminal, as a user's shell would.
const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

const ENTER = '\r';
const DOWN = '\u001b[B';
const SPACE = ' ';

const plain = (s: string) => s.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** A synder run inside a pseudo-terminal: wait for a prompt on screen, then type. */
function terminal(args: string[], env: Record<string, string>) {
  // A pty started from a pipe has no size (0 columns); give it one like a terminal window's.
  const cmd = `stty cols 100 rows 40; exec ${[process.execPath, binPath, ...args].map(quote).join(' ')}`;
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', TERM: 'xterm', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  let seen = 0;
  child.stdout.on('data', (d) => (screen += plain(String(d))));
  child.stderr.on('data', (d) => (screen += plain(String(d))));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  void exited.then(() => clearTimeout(killer));
  return {
    get screen() {
      return screen;
    },
    exited,
    /** Waits until `text` appears after everything already answered, then moves past it. */
    async expect(text: string | RegExp, timeoutMs = 20_000): Promise<string> {
      const started = Date.now();
      for (;;) {
        const rest = screen.slice(seen);
        const m = typeof text === 'string' ? (rest.includes(text) ? { index: rest.indexOf(text), 0: text } : null) : text.exec(rest);
        if (m) {
          seen += m.index + m[0].length;
          return m[0];
        }
        if (child.exitCode !== null || Date.now() - started > timeoutMs) throw new Error(`never saw ${String(text)} on the terminal:\n${screen}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async type(...keys: string[]): Promise<void> {
      for (const k of keys) {
        child.stdin.write(k);
        // Prompts read keypresses one render at a time.
        await new Promise((r) => setTimeout(r, 40));
      }
    },
  };
}

describe.skipIf(!hasScript)(`synder init in a terminal${hasScript ? '' : ' (skipped: util-linux `script` is not installed)'}`, () => {
  let sandbox: OnboardingSandbox | undefined;
  afterEach(async () => {
    await sandbox?.close();
    sandbox = undefined;
  });

  it('asks every question and sets up the org, Xero with a new bank account, and the chosen shops', { timeout: 120_000 }, async () => {
    sandbox = await startOnboardingSandbox({ ledger: 'xero', shops: 2 });
    const home = tempHome();
    const env = { ...sandbox.env, SYNDER_HOME: home, SYNDER_CREDENTIALS: 'file' };
    const t = terminal(['init'], env);

    await t.expect('Business name:');
    await t.type('Wizard Shop', ENTER);
    await t.expect('Country (ISO code, e.g. US):');
    await t.type('us', ENTER);
    await t.expect('Base currency (e.g. USD):');
    await t.type('usd', ENTER);
    await t.expect('Time zone:');
    await t.type('America/Chicago', ENTER);
    await t.expect('Contact email:');
    await t.type('me@wizard.test', ENTER);

    await t.expect('Platforms to connect:');
    expect(t.screen).toMatch(/Shopify \(not yet supported\)/);
    await t.type(ENTER); // TikTok Shop is pre-selected
    await t.expect('Accounting software:');
    await t.type(DOWN, ENTER); // Xero
    await t.expect('Sync mode:');
    await t.type(DOWN, ENTER); // Summary

    const xeroUrl = (await t.expect(/https?:\/\/\S+\/identity\/connect\/authorize\?\S+/)).trim();
    await browse(xeroUrl);
    await t.expect('Which bank account do TikTok payouts land in?');
    await t.type(DOWN, ENTER); // "Create a new bank account…" (after Business Bank Account)
    await t.expect('Name of the new bank account:');
    await t.type('Wizard Payouts', ENTER);
    await t.expect('Book to accounts you already have');
    await t.type(DOWN, ENTER); // Create synder's accounts

    await t.expect('Connect TikTok Shop:');
    await t.type(ENTER); // Sign in now
    const tiktokUrl = (await t.expect(/https?:\/\/\S+\/open\/authorize\?\S+/)).trim();
    await browse(tiktokUrl);
    await t.expect('Which shops should synder book?');
    await t.type(DOWN, SPACE, ENTER); // untick the second shop
    await t.expect('Import orders settled since');
    await t.type('14d', ENTER);

    expect(await t.exited, t.screen).toBe(0);
    expect(t.screen).toMatch(/Synced Wizard Shop into xero \(summary\)/);
    expect(t.screen).toMatch(/Next commands to try/);
    // The last screen recaps the set-up, what the first sync booked and whether it reconciles.
    const recap = t.screen.slice(t.screen.indexOf('Set-up summary'));
    for (const line of [/Ledger +│ Xero: /, /Sync mode +│ summary/, /Payouts land in +│ Wizard Payouts/, /Clearing accounts +│ .+: TikTok Shop Clearing/, /First sync +│ \d+ document\(s\) created/, /Reconciles +│ yes/]) expect(recap).toMatch(line);

    const st = await synderNow(['status', '--json'], { env });
    const s = JSON.parse(st.stdout) as {
      org: { name: string; currency: string; timezone: string; mode: string };
      ledger: { provider: string; bankAccount: string };
      integrations: Array<{ shopId: string; clearingAccounts: unknown[] }>;
    };
    expect(s.org).toEqual(expect.objectContaining({ name: 'Wizard Shop', currency: 'USD', timezone: 'America/Chicago', mode: 'summary' }));
    expect(s.ledger).toMatchObject({ provider: 'xero', bankAccount: 'Wizard Payouts' });
    expect(s.integrations.map((i) => i.shopId)).toEqual([sandbox.tiktok.shops[0]!.id]);
    expect(s.integrations[0]!.clearingAccounts).toHaveLength(1);
    const banks = ledgerBankAccounts(sandbox).map((a) => a.name);
    expect(banks).toContain('Wizard Payouts');
    expect(banks.filter((n) => n.startsWith('TikTok Shop Clearing'))).toHaveLength(1);
    const show = JSON.parse((await synderNow(['org', 'show', '--json'], { env })).stdout) as { email: string; country: string };
    expect(show).toMatchObject({ email: 'me@wizard.test', country: 'US' });
  });

  it('goes back a question with "<" and a step with "← Back", and ends with a recap of the set-up', { timeout: 120_000 }, async () => {
    sandbox = await startOnboardingSandbox({ ledger: 'quickbooks' });
    const env = { ...sandbox.env, SYNDER_HOME: tempHome(), SYNDER_CREDENTIALS: 'file' };
    const t = terminal(['init', '--tiktok', 'skip', '--no-sync'], env);
    await t.expect('answer < to go back a question');
    await t.expect('Business name:');
    await t.type('Back Shop', ENTER);
    await t.expect('Country (ISO code, e.g. US):');
    await t.type('<', ENTER);
    await t.expect('Business name:');
    await t.type(ENTER); // the answer given before is the default
    await t.expect('Country (ISO code, e.g. US):');
    await t.type('us', ENTER);
    await t.expect('Base currency');
    await t.type(ENTER);
    await t.expect('Time zone');
    await t.type(ENTER);
    await t.expect('Contact email');
    await t.type(ENTER);
    await t.expect('Platforms to connect:');
    await t.type(ENTER);
    await t.expect('Accounting software:');
    expect(t.screen).toContain('← Back');
    await t.type(DOWN, DOWN, ENTER); // QuickBooks Online, Xero, ← Back
    await t.expect('Platforms to connect:');
    await t.type(ENTER);
    await t.expect('Accounting software:');
    await t.type(ENTER);
    await t.expect('Sync mode:');
    await t.type(ENTER);
    await browse((await t.expect(/https?:\/\/\S+\/connect\/oauth2\S*/)).trim());
    await t.expect('Which bank account do TikTok payouts land in?');
    await t.type(ENTER);
    await t.expect('Book to accounts you already have');
    await t.type(DOWN, ENTER); // Create synder's accounts
    expect(await t.exited, t.screen).toBe(0);
    const recap = t.screen.slice(t.screen.indexOf('Set-up summary'));
    for (const line of [/Organization +│ Back Shop \(USD/, /Ledger +│ QuickBooks Online: /, /Sync mode +│ per-transaction/, /Payouts land in +│ \S/, /Clearing accounts +│ none yet/, /First sync +│ skipped \(--no-sync\)/, /Reconciles +│ not checked yet/]) expect(recap).toMatch(line);
    const orgs = JSON.parse((await synderNow(['org', 'list', '--json'], { env })).stdout) as Array<{ name: string }>;
    expect(orgs.map((o) => o.name)).toEqual(['Back Shop']);
  });

  it('re-running in a terminal offers the existing org and keeps the ledger connection', async () => {
    sandbox = await startOnboardingSandbox({ ledger: 'quickbooks' });
    const env = { ...sandbox.env, SYNDER_HOME: tempHome(), SYNDER_CREDENTIALS: 'file' };
    expect((await synderNow(['org', 'create', 'Kept Shop', '--currency', 'USD'], { env })).code).toBe(0);
    const t = terminal(['init', '--ledger', 'quickbooks', '--mode', 'per-transaction', '--bank-account', 'Business Checking', '--tiktok', 'skip'], env);
    await t.expect('Organization:');
    await t.type(ENTER); // the active org is the default
    await t.expect('Platforms to connect:');
    await t.type(ENTER);
    const url = (await t.expect(/https?:\/\/\S+\/connect\/oauth2\S*/)).trim();
    await browse(url);
    await t.expect('Book to accounts you already have');
    await t.type(DOWN, ENTER); // Create synder's accounts
    expect(await t.exited, t.screen).toBe(0);
    expect(t.screen).toContain('Resuming set-up of "Kept Shop"');

    const again = terminal(['init'], env);
    await again.expect('Organization:');
    await again.type(ENTER);
    await again.expect('Platforms to connect:');
    await again.type(ENTER);
    await again.expect(/Keep the connection to .+\?/);
    await again.type('y', ENTER);
    await again.expect('Connect TikTok Shop:');
    await again.type(DOWN, DOWN, ENTER); // Skip for now
    expect(await again.exited, again.screen).toBe(0);
    const orgs = JSON.parse((await synderNow(['org', 'list', '--json'], { env })).stdout) as unknown[];
    expect(orgs).toHaveLength(1);
  });
});
