import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempHome } from '../helpers/cli.js';
import { synder } from '../helpers/in-process.js';

describe('synder org', () => {
  it('creates, lists, switches, shows and removes organizations', async () => {
    const home = tempHome();
    const env = { SYNDER_HOME: home };
    let r = await synder(['org', 'create', 'Acme Store', '--country', 'US', '--currency', 'usd', '--timezone', 'America/New_York', '--email', 'owner@acme.test'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Created organization "Acme Store"');
    r = await synder(['org', 'create', 'Beta Co', '--currency', 'GBP', '--no-use'], { env });
    expect(r.code).toBe(0);

    r = await synder(['org', 'list', '--json'], { env });
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as Array<{ name: string; active: boolean; currency: string }>;
    expect(list.map((o) => [o.name, o.active, o.currency])).toEqual([
      ['Acme Store', true, 'USD'],
      ['Beta Co', false, 'GBP'],
    ]);

    // Piped, the list is on stdout as tab-separated lines a script can cut.
    r = await synder(['org', 'list'], { env });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^\*\tAcme Store\t/m);

    r = await synder(['org', 'use', 'Beta Co'], { env });
    expect(r.code).toBe(0);
    r = await synder(['org', 'show', '--json'], { env });
    expect(JSON.parse(r.stdout)).toMatchObject({ name: 'Beta Co', active: true, currency: 'GBP', ledger: null });

    r = await synder(['org', 'show', '--json'], { env: { ...env, SYNDER_ORG: 'Acme Store' } });
    expect(JSON.parse(r.stdout)).toMatchObject({ name: 'Acme Store', timezone: 'America/New_York' });
    r = await synder(['--org', 'Acme Store', 'org', 'show', '--json'], { env });
    expect(JSON.parse(r.stdout)).toMatchObject({ name: 'Acme Store' });

    r = await synder(['org', 'remove', 'Beta Co'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--yes');
    r = await synder(['org', 'remove', 'Beta Co', '--yes'], { env });
    expect(r.code).toBe(0);
    r = await synder(['org', 'list', '--json'], { env });
    expect((JSON.parse(r.stdout) as unknown[]).length).toBe(1);
  });

  it('rejects bad names and values with a message naming the problem', async () => {
    const env = { SYNDER_HOME: tempHome() };
    let r = await synder(['org', 'create', '   '], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('name is empty');
    r = await synder(['org', 'create', 'ok name', '--currency', 'DOLLARS'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--currency');
    r = await synder(['org', 'create', 'ok name', '--timezone', 'Mars/Base'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--timezone');
    r = await synder(['org', 'create', 'ok name', '--email', 'nope'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--email');
    await synder(['org', 'create', 'Dup'], { env });
    r = await synder(['org', 'create', 'dup'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('already exists');
    r = await synder(['org', 'use', 'missing'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"missing" does not exist');
  });

  it('prints exactly one JSON document on stdout for errors under --json', async () => {
    const env = { SYNDER_HOME: tempHome() };
    const r = await synder(['org', 'show', 'ghost', '--json'], { env });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: 'usage' } });
  });
});

describe('synder org set', () => {
  it('sets mode, marketplace-facilitator tax and date basis, and rejects bad values naming the flag', async () => {
    const env = { SYNDER_HOME: tempHome() };
    await synder(['org', 'create', 'Settings Co', '--currency', 'USD'], { env });
    let r = await synder(['org', 'set', '--mode', 'summary', '--mf-tax', 'gross', '--date-basis', 'order', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ mode: 'summary', settings: { mfTax: 'gross', dateBasis: 'order' } });
    r = await synder(['org', 'set', '--mf-tax', 'net'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--mf-tax');
    r = await synder(['org', 'set'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Nothing to change');
  });
});

describe('synder top level', () => {
  it('lists every public command in --help and exits 0', async () => {
    const r = await synder(['--help'], { env: { SYNDER_HOME: tempHome() } });
    expect(r.code).toBe(0);
    for (const cmd of ['init', 'org', 'connect', 'invite', 'disconnect', 'sync', 'transactions', 'explain', 'reconcile', 'rollback', 'export', 'status', 'sandbox', 'demo']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${cmd}\\b`, 'm'));
    }
  });

  it('prints its version', async () => {
    const r = await synder(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('exits 2 on an unknown command', async () => {
    const r = await synder(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
  });
});

describe('state store', () => {
  it('refuses a database written by a newer synder, naming the file', async () => {
    const home = tempHome();
    const env = { SYNDER_HOME: home };
    expect((await synder(['org', 'create', 'A'], { env })).code).toBe(0);
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(path.join(home, 'synder.db'));
    db.pragma('user_version = 999');
    db.close();
    const r = await synder(['org', 'list'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('newer synder');
    expect(r.stderr).toContain('synder.db');
  });

  it('reports a corrupt database clearly instead of crashing', async () => {
    const home = tempHome();
    fs.writeFileSync(path.join(home, 'synder.db'), 'this is not a database at all, just text'.repeat(200));
    const r = await synder(['org', 'list'], { env: { SYNDER_HOME: home } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('synder.db');
    expect(r.stderr).not.toContain('Internal error');
  });
});
