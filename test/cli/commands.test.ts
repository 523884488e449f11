import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempHome } from '../helpers/cli.js';
import { synder, synderIn } from '../helpers/in-process.js';

/** Flags, JSON documents and exit codes of every command, run in process against a fresh home. */

const withOrg = async () => {
  const env = { SYNDER_HOME: tempHome(), SYNDER_CREDENTIALS: 'file' };
  const run = synderIn(env);
  const created = await run(['org', 'create', 'Acme', '--currency', 'USD', '--timezone', 'UTC']);
  expect(created.code, created.stderr).toBe(0);
  return run;
};

describe('bad flag values stop the run with exit 2 before anything is opened, naming the flag', () => {
  it.each([
    [['sync', '--since', 'last tuesday'], "'--since <date|Nd>' argument 'last tuesday' is invalid"],
    [['sync', '--until', '2026-02-30'], "'--until <date|Nd>'"],
    [['sync', '--lookback', '-1'], 'Use a number of hours of 0 or more'],
    [['rollback', '--since', 'yesterday'], "'--since <date|Nd>'"],
    [['rollback', '--run', 'x'], "'--run <id>' argument 'x' is invalid"],
    [['init', '--start-date', 'soon'], "'--start-date <date>'"],
    [['init', '--ledger', 'sage'], 'Allowed choices are quickbooks, xero'],
    [['init', '--tiktok', 'maybe'], 'Allowed choices are connect, invite, skip'],
    [['init', '--timeout', '0'], 'Use a number of seconds from 1 to 86400'],
    [['connect', 'shopify'], 'Allowed choices are tiktok, quickbooks, xero'],
    [['connect', 'xero', '--mode', 'daily'], 'Allowed choices are per-transaction, summary'],
    [['disconnect', 'amazon'], 'Allowed choices are tiktok, quickbooks, xero'],
    [['org', 'set', '--date-basis', 'ship'], 'Allowed choices are settlement, order'],
    [['invite', 'tiktok', '--email', 'a@b.test', '--expires', '1000'], 'Use a number of hours from 1 to 720'],
    [['invite', 'cancel', 'first'], 'Use a whole number of 1 or more'],
    [['invite', 'tiktok', '--email', 'owner'], 'Use an email address'],
    [['org', 'set', '--mf-tax', 'net'], 'Allowed choices are off, gross'],
    [['export', '--format', 'xml'], 'Allowed choices are hledger, beancount, csv'],
    [['export'], "required option '--format <hledger|beancount|csv>' not specified"],
    [['export', '--format', 'csv', '--since', 'never'], "'--since <date|Nd>' argument 'never' is invalid"],
    [['transactions', '--status', 'bogus'], "'--status <list>' argument 'bogus' is invalid. Unknown: bogus. Allowed choices are ready, synced, synced_with_warnings, failed, skipped, deleted"],
    [['transactions', '--status', 'synced, nope'], 'Unknown: nope.'],
    [['transactions', '--since', 'soon'], "'--since <date|Nd>' argument 'soon' is invalid"],
    [['explain'], "missing required argument 'id'"],
    [['explain', '  '], 'Give an order, statement transaction, statement or payout id'],
    [['reconcile', 'now'], 'too many arguments'],
    [['demo', '--orders', '0'], 'Use a whole number from 1 to 100000'],
    [['demo', '--ledger', 'sage'], 'Allowed choices are quickbooks, xero'],
    [['sandbox', '--port', '70000'], 'Use a whole number from 0 to 65533'],
    [['sandbox', '--currency', 'DOLLARS'], 'is not an ISO 4217 currency code'],
  ])('synder %j', async (args, message) => {
    const r = await synder(args);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });

  it('with --json the error is also the one JSON document on stdout', async () => {
    const r = await synder(['sync', '--since', 'soon', '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({ ok: false, error: { code: 'usage', message: expect.stringContaining("'--since <date|Nd>'"), hint: null } });
  });

  it('every date flag takes the same grammar: YYYY-MM-DD, an ISO date-time, Nd and Nh', async () => {
    const run = await withOrg();
    for (const when of ['2026-10-01', '2026-10-01T08:30:00Z', '7d', '12h']) {
      const t = await run(['transactions', '--since', when, '--json']);
      expect(t.code, `${when}: ${t.stderr}`).toBe(0);
      const e = await run(['export', '--format', 'csv', '--since', when]);
      expect(e.code, `${when}: ${e.stderr}`).toBe(0);
      const r = await run(['rollback', '--since', when, '--json']);
      expect(r.code, `${when}: ${r.stderr}`).toBe(0);
    }
  });

  it('relative and future dates are judged by the run\'s clock', async () => {
    // The in-process clock stands on 2026-10-15, so 2026-11-01 is still ahead of it.
    const r = await synder(['init', '--no-input', '--name', 'Later', '--start-date', '2026-11-01']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--start-date: 2026-11-01 is in the future');
  });
});

describe('checks that need the values together', () => {
  it('sync refuses --since after --until', async () => {
    const run = await withOrg();
    const r = await run(['sync', '--since', '2026-10-10', '--until', '2026-10-01']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--since must be before --until');
  });

  it('rollback takes exactly one selection', async () => {
    const run = await withOrg();
    for (const args of [['rollback'], ['rollback', '123', '--run', '4'], ['rollback', '--run', '4', '--since', '7d']]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain('Name what to roll back');
    }
  });
});

describe('JSON documents', () => {
  it('org create / list / show / set / remove', async () => {
    const run = synderIn({ SYNDER_HOME: tempHome() });
    const created = JSON.parse((await run(['org', 'create', 'Acme', '--country', 'us', '--currency', 'usd', '--timezone', 'UTC', '--email', 'a@acme.test', '--json'])).stdout);
    expect(created).toEqual({
      name: 'Acme', active: true, country: 'US', currency: 'USD', timezone: 'UTC', email: 'a@acme.test',
      ledger: null, ledgerCompany: null, mode: null, createdAt: '2026-10-15T12:00:00.000Z', integrations: [],
    });
    expect(JSON.parse((await run(['org', 'list', '--json'])).stdout)).toEqual([created]);
    expect(JSON.parse((await run(['org', 'show', '--json'])).stdout)).toEqual(created);
    const set = JSON.parse((await run(['org', 'set', '--mode', 'summary', '--json'])).stdout);
    expect(set).toMatchObject({ name: 'Acme', mode: 'summary', settings: {} });
    expect(JSON.parse((await run(['org', 'remove', 'Acme', '--yes', '--json'])).stdout)).toEqual({ ok: true, removed: 'Acme' });
  });

  it('status of an org with nothing connected', async () => {
    const run = await withOrg();
    const r = await run(['status', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      org: { name: 'Acme', currency: 'USD', timezone: 'UTC', mode: null },
      state: { engine: 'sqlite', location: expect.stringMatching(/synder\.db$/) },
      credentials: expect.objectContaining({ kind: 'file' }),
      ledger: null,
      integrations: [],
      lastRun: null,
      invites: [],
    });
  });

  it('transactions, rollback and export with nothing booked', async () => {
    const run = await withOrg();
    expect(JSON.parse((await run(['transactions', '--status', 'synced,failed', '--json'])).stdout)).toEqual({ org: 'Acme', transactions: [] });
    expect(JSON.parse((await run(['transactions', '--status', ' synced , ,failed', '--since', '7d', '--json'])).stdout)).toEqual({ org: 'Acme', transactions: [] });
    const human = await run(['transactions']);
    expect(human.code).toBe(0);
    expect(human.stdout).toBe('No transactions yet. Run `synder sync`.\n');
    expect(human.stderr).toBe('');
    expect(JSON.parse((await run(['rollback', '--run', '1', '--json'])).stdout)).toEqual({ org: 'Acme', removed: [], refused: [], sharedStatements: [] });
    const csv = await run(['export', '--format', 'csv']);
    expect(csv.stdout.trim()).toBe('document_key,doc_number,kind,date,currency,memo,role,account,debit,credit,amount,description,source_kind,source_id,source_field,order_id,statement_id,transaction_id,payment_id,sku,product,quantity,warnings,ledger_type,ledger_id,tax_code,tax_amount');
    const file = path.join(tempHome(), 'journal.hledger');
    const written = await run(['export', '--format', 'hledger', '--since', '2026-10-01', '--output', file]);
    expect(written.code, written.stderr).toBe(0);
    expect(written.stdout).toBe('');
    expect(written.stderr).toContain(`Wrote 0 document(s) to ${file}.`);
    expect(fs.existsSync(file)).toBe(true);
  });

  it('expected errors under --json: exit code and {ok:false, error}', async () => {
    const run = await withOrg();
    const noLedger = await run(['sync', '--json']);
    expect(noLedger.code).toBe(2);
    expect(JSON.parse(noLedger.stdout)).toEqual({ ok: false, error: { code: 'usage', message: 'Acme has no ledger connected.', hint: expect.stringContaining('synder connect quickbooks') } });
    const reconcile = await run(['reconcile', '--json']);
    expect(reconcile.code).toBe(2);
    expect(JSON.parse(reconcile.stdout).error.code).toBe('usage');
    const explain = await run(['explain', '42', '--json']);
    expect(explain.code).toBe(1);
    expect(JSON.parse(explain.stdout)).toMatchObject({ ok: false, error: { message: expect.stringContaining('No TikTok order, transaction, statement or payout 42') } });
    // The id is trimmed as it is parsed.
    const spaced = await run(['explain', ' 42 ', '--json']);
    expect(JSON.parse(spaced.stdout).error.message).toBe('No TikTok order, transaction, statement or payout 42 is known for Acme.');
  });
});

describe('exit codes', () => {
  it('0 for help and version, 2 for an unknown command or a missing organization', async () => {
    expect((await synder(['--help'])).code).toBe(0);
    expect((await synder(['--version'])).code).toBe(0);
    expect((await synder(['sync', '--help'])).code).toBe(0);
    const unknown = await synder(['frobnicate']);
    expect(unknown.code).toBe(2);
    const none = await synder(['status', '--json']);
    expect(none.code).toBe(2);
    expect(JSON.parse(none.stdout).error.message).toBe('No organization is active.');
  });

  it('every command documents its flags in --help', async () => {
    const expected: Record<string, string[]> = {
      init: ['--no-input', '--ledger <name>', '--mode <mode>', '--tiktok <how>', '--start-date <date>', '--timeout <seconds>', '--no-sync', '--json'],
      'org create': ['--country <code>', '--currency <code>', '--timezone <iana>', '--email <address>', '--no-use', '--json'],
      'org set': ['--mode <mode>', '--mf-tax <how>', '--date-basis <basis>'],
      connect: ['--no-browser', '--timeout <seconds>', '--mode <mode>', '--bank-account <name>', '--tenant <name|id>', '--company <name|id>', '--shops <ids>'],
      'invite tiktok': ['--email <owner>', '--expires <hours>'],
      sync: ['--since <date|Nd>', '--until <date|Nd>', '--dry-run', '--lookback <hours>', '--json'],
      transactions: ['--status <list>', '--since <date|Nd>', '--json'],
      explain: ['<id>', '--open', '--json'],
      reconcile: ['--json'],
      rollback: ['--run <id>', '--since <date|Nd>'],
      export: ['--format <hledger|beancount|csv>', '--since <date|Nd>', '--output <file>'],
      sandbox: ['--port <n>', '--seed <n>', '--orders <n>', '--days <n>', '--shops <n>', '--companies <n>', '--currency <code>', '--auto-approve', '--faults <spec>', '--time-scale <n>'],
      demo: ['--ledger <name>', '--mode <mode>', '--orders <n>', '--days <n>', '--seed <n>', '--home <dir>', '--faults <spec>'],
    };
    for (const [command, flags] of Object.entries(expected)) {
      const r = await synder([...command.split(' '), '--help']);
      expect(r.code, command).toBe(0);
      for (const flag of flags) expect(r.stdout, `${command} --help`).toContain(flag);
    }
  });
});
