import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSignIn, tempHome } from '../helpers/cli.js';
import { synderNow } from '../helpers/in-process.js';
import { startTestSandbox } from '../helpers/sandbox.js';

const chromiumPath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));

/**
 * A real browser on the consent page: headless Chromium opens the link `synder connect` prints,
 * clicks Approve, and the CLI's loopback listener receives the redirect.
 */
describe.skipIf(!chromiumPath)(`browser sign-in with headless Chromium${chromiumPath ? '' : ' (skipped: no chromium binary; install the Debian package "chromium")'}`, () => {
  let sandbox: Awaited<ReturnType<typeof startTestSandbox>>;
  beforeAll(async () => {
    sandbox = await startTestSandbox({ services: ['tiktok', 'quickbooks'], autoApprove: false });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  /** Runs `synder connect …` and lets headless Chromium click Approve on the link it prints. */
  async function connectInBrowser(args: string[], env: Record<string, string>, authorizePath: RegExp): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const { url: authorizeUrl, done } = await startSignIn(['connect', ...args], env, new RegExp(`^https?://\\S*${authorizePath.source}`), 20_000);
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      await page.goto(authorizeUrl);
      await page.click('#approve');
      await page.waitForURL(/\/callback\?/, { timeout: 20_000 });
      const shot = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'synder-shot-')), 'callback.png');
      await page.screenshot({ path: shot });
      expect(await page.content()).toMatch(/connected|return to|close this/i);
    } finally {
      await browser.close();
    }
    return done;
  }

  it('connects TikTok Shop after clicking Approve on the consent page', async () => {
    const env = { ...sandbox.env, SYNDER_HOME: tempHome(), SYNDER_CREDENTIALS: 'file' };
    expect((await synderNow(['org', 'create', 'Browser Shop', '--currency', 'USD'], { env })).code).toBe(0);
    const r = await connectInBrowser(['tiktok'], env, /\/open\/authorize\?/);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { ok: boolean; integrations: Array<{ shopId: string }> };
    expect(result.ok).toBe(true);
    expect(result.integrations.length).toBeGreaterThan(0);
    const status = await synderNow(['status', '--json'], { env });
    expect(status.code, status.stderr).toBe(0);
    const s = JSON.parse(status.stdout) as { integrations: Array<{ token: { health: string } }> };
    expect(s.integrations[0]!.token.health).toBe('ok');
  });

  it('connects QuickBooks Online after clicking Approve on its consent page', async () => {
    const env = { ...sandbox.env, SYNDER_HOME: tempHome(), SYNDER_CREDENTIALS: 'file' };
    expect((await synderNow(['org', 'create', 'Browser Books', '--currency', 'USD'], { env })).code).toBe(0);
    const r = await connectInBrowser(['quickbooks', '--mode', 'summary', '--bank-account', 'Business Checking'], env, /\/connect\/oauth2\?/);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { ok: boolean; provider: string; clearingAccounts: unknown[]; bankAccount: { name: string } };
    expect(result).toMatchObject({ ok: true, provider: 'quickbooks', bankAccount: { name: 'Business Checking' } });
    const status = JSON.parse((await synderNow(['status', '--json'], { env })).stdout) as { ledger: { token: { health: string } } };
    expect(status.ledger.token.health).toBe('ok');
  });
});
