import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempHome } from '../helpers/cli.js';
import { synder } from '../helpers/in-process.js';
import { startTestSandbox } from '../helpers/sandbox.js';

describe('synder init without a terminal: missing input is an error naming what to pass', () => {
  let sandbox: Awaited<ReturnType<typeof startTestSandbox>>;
  beforeAll(async () => {
    sandbox = await startTestSandbox({ services: ['tiktok', 'quickbooks'], autoApprove: true });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('no --ledger → exit 2 naming --ledger, and nothing waits on stdin', async () => {
    const env = { ...sandbox.env, SYNDER_HOME: tempHome(), SYNDER_CREDENTIALS: 'file' };
    const r = await synder(['init', '--no-input', '--name', 'X'], { env });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('--ledger');
    expect(r.stdout).toBe('');
  });

  it('no TTY (even without --no-input) also fails naming the flag', async () => {
    const env = { ...sandbox.env, SYNDER_HOME: tempHome(), SYNDER_CREDENTIALS: 'file' };
    const r = await synder(['init', '--name', 'X', '--ledger', 'quickbooks'], { env });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('pass --mode');
  });

  it('a bad --ledger value is a usage error', async () => {
    const env = { ...sandbox.env, SYNDER_HOME: tempHome(), SYNDER_CREDENTIALS: 'file' };
    const r = await synder(['init', '--no-input', '--name', 'X', '--ledger', 'sage'], { env });
    expect(r.code).toBe(2);
    // commander rejects it while parsing, naming the flag and the choices.
    expect(r.stderr).toMatch(/'--ledger <name>' argument 'sage' is invalid\. Allowed choices are quickbooks, xero/);
  });

  it('missing TikTok app credentials → exit 2 naming the variables and where to create the app', async () => {
    const env: Record<string, string | undefined> = { ...sandbox.env, SYNDER_HOME: tempHome(), SYNDER_CREDENTIALS: 'file' };
    delete env.SYNDER_TIKTOK_APP_KEY;
    delete env.SYNDER_TIKTOK_APP_SECRET;
    delete env.SYNDER_TIKTOK_SERVICE_ID;
    // Nobody follows the QuickBooks link here: the check must come before the first sign-in, not after it.
    const r = await synder(['init', '--no-input', '--name', 'NoApp', '--ledger', 'quickbooks', '--mode', 'summary', '--bank-account', 'Business Checking', '--tiktok', 'connect', '--timeout', '30'], { env });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).not.toContain('Sign in to');
    const orgs = await synder(['org', 'list', '--json'], { env });
    expect(JSON.parse(orgs.stdout)).toEqual([]);
    for (const v of ['SYNDER_TIKTOK_APP_KEY', 'SYNDER_TIKTOK_APP_SECRET', 'SYNDER_TIKTOK_SERVICE_ID']) expect(r.stderr).toContain(v);
    expect(r.stderr).toMatch(/Partner Center/);
    expect(r.stderr).toContain(sandbox.redirectUri);
  });

  it('missing QuickBooks app credentials → exit 2 naming SYNDER_QBO_CLIENT_ID and the developer portal', async () => {
    const env: Record<string, string | undefined> = { ...sandbox.env, SYNDER_HOME: tempHome(), SYNDER_CREDENTIALS: 'file' };
    delete env.SYNDER_QBO_CLIENT_ID;
    delete env.SYNDER_QBO_CLIENT_SECRET;
    const r = await synder(['init', '--no-input', '--name', 'NoQbo', '--ledger', 'quickbooks', '--mode', 'summary', '--bank-account', 'Business Checking', '--tiktok', 'skip'], { env });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('SYNDER_QBO_CLIENT_ID');
    expect(r.stderr).toContain('SYNDER_QBO_CLIENT_SECRET');
    expect(r.stderr).toMatch(/Intuit Developer/);
  });
});
