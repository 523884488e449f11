import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, repoRoot, runCli, tempHome } from '../helpers/cli.js';
import { startE2E, sync, type E2E } from '../helpers/e2e.js';

/**
 * The built binary in pipes, redirections and cron lines: results on stdout as plain text a script
 * can cut, a closed pipe ends it quietly, `--json` is one line, and problems with the user's own
 * machine are named as such, never as a bug.
 */

/** Runs a shell line with synder as `synder`, no terminal anywhere. */
function sh(line: string, env: Record<string, string>, cwd = repoRoot): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', `synder() { node ${binPath} "$@"; }\n${line}`], {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('pipes and scripts', () => {
  let e: E2E;
  let dir: string;
  beforeAll(async () => {
    e = await startE2E({ ledger: 'quickbooks', mode: 'per-transaction', seed: 3, orders: 150, days: 12 });
    dir = tempHome('synder-pipes-');
  }, 120_000);
  afterAll(async () => {
    await e?.close();
  });

  it('two cron-style `sync --json >> f` runs append two valid JSON lines; progress goes to the error log', async () => {
    const log = path.join(dir, 'synder.jsonl');
    const err = path.join(dir, 'synder.err');
    for (let i = 0; i < 2; i++) {
      const r = await sh(`synder sync --since ${e.since} --json >> ${log} 2>> ${err}`, e.env);
      expect(r.code, fs.readFileSync(err, 'utf8')).toBe(0);
    }
    const lines = fs.readFileSync(log, 'utf8').split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    const runs = lines.map((l) => JSON.parse(l) as { ok: boolean; documents: { created: number; existing: number } });
    expect(runs.map((r) => r.ok)).toEqual([true, true]);
    expect(runs[0]!.documents.created).toBeGreaterThan(0);
    expect(runs[1]!.documents.created).toBe(0);
    expect(fs.readFileSync(err, 'utf8')).toMatch(/Fetching/);
  }, 120_000);

  it('`transactions > file` writes the table as tab-separated lines; `| grep -c PAYOUT` counts the payouts', async () => {
    const file = path.join(dir, 'tx.tsv');
    const r = await sh(`synder transactions > ${file}`, e.env);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const text = fs.readFileSync(file, 'utf8');
    const json = JSON.parse((await sh('synder transactions --json', e.env)).stdout) as { transactions: Array<{ type: string; orderId: string | null }> };
    expect(text.split('\n')[0]).toBe('Order / transaction\tDate\tType\tSettlement\tStatus\tLedger documents\tWarnings');
    expect(text).not.toMatch(/[┌│─]|\u001b\[/);
    // Piped, nothing is cut: a header, then one line per transaction and nothing else.
    expect(text.trim().split('\n')).toHaveLength(json.transactions.length + 1);
    const payouts = json.transactions.filter((t) => t.type === 'PAYOUT').length;
    expect(payouts).toBeGreaterThan(0);
    const counted = await sh('synder transactions | grep -c PAYOUT', e.env);
    expect(counted.stdout.trim()).toBe(String(payouts));
    expect(counted.stderr).toBe('');
    const cut = await sh(`synder transactions --type PAYOUT --limit 3 | cut -f3 | sort -u`, e.env);
    expect(cut.stdout).toBe('PAYOUT\nType\n');
  }, 60_000);

  it('a reader that stops early (`| head -1`) ends synder quietly: no stack trace, and 0 even under pipefail', async () => {
    for (const cmd of ['transactions', 'transactions --json', 'export --format csv', 'export --format hledger', 'export --format beancount', `sync --since ${e.since}`]) {
      const r = await sh(`set -o pipefail; synder ${cmd} 2>&1 | head -1; echo "status $?"`, e.env);
      const [first, status] = r.stdout.trim().split('\n');
      expect(first, cmd).not.toMatch(/Error|EPIPE/);
      expect(r.stderr, cmd).toBe('');
      expect(status, cmd).toBe('status 0');
    }
    // A sync whose reader left still does its job, and says how it went by its status.
    const cut = await sh(`set -o pipefail; synder sync --since ${e.since} --json 2>&1 | head -c 1; echo; echo "status $?"`, e.env);
    expect(cut.stdout.trim().split('\n').pop()).toBe('status 0');
    // Far more than a pipe holds, so synder is still writing when head leaves.
    const big = await sh(`set -o pipefail; synder export --format csv | head -1; echo "status $?"`, e.env);
    expect(big.stdout.trim().split('\n')).toEqual([expect.stringMatching(/^document_key,/), 'status 0']);
    expect(big.stderr).toBe('');
  }, 120_000);

  it('a usage error under --json is one JSON line on stdout, with exit 2', async () => {
    const r = await sh('synder sync --since yesterday --json', e.env);
    expect(r.code).toBe(2);
    const lines = r.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ ok: false, error: { code: 'usage' } });
  });
});

describe('problems with the user\'s own machine are named, never called a bug', () => {
  const home = tempHome('synder-env-');
  const env = (h: string) => ({ SYNDER_HOME: h, SYNDER_CREDENTIALS: 'file' });

  it('a file where SYNDER_HOME should be a folder', async () => {
    const file = path.join(home, 'not-a-folder');
    fs.writeFileSync(file, 'x');
    const r = await runCli(['org', 'list'], { env: env(file) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file} is a file, but synder needs a folder there.`);
    expect(r.stderr).toMatch(/SYNDER_HOME/);
    expect(r.stderr).not.toMatch(/bug|Internal error|\n\s+at /);
  });

  it.skipIf(process.getuid?.() === 0)('a SYNDER_HOME it may not read (skipped as root, whom permissions do not stop)', async () => {
    const locked = path.join(home, 'locked');
    fs.mkdirSync(locked);
    fs.chmodSync(locked, 0o000);
    try {
      const r = await runCli(['org', 'list'], { env: env(path.join(locked, 'state')) });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/permission denied/);
      expect(r.stderr).toContain(locked);
      expect(r.stderr).not.toMatch(/bug|Internal error/);
    } finally {
      fs.chmodSync(locked, 0o700);
    }
  });

  it('a database damaged in the middle of the file', async () => {
    const h = path.join(home, 'damaged');
    expect((await runCli(['org', 'create', 'Acme', '--currency', 'USD'], { env: env(h) })).code).toBe(0);
    for (let i = 0; i < 30; i++) expect((await runCli(['org', 'create', `Shop ${i} ${'x'.repeat(200)}`.slice(0, 60), '--currency', 'USD', '--no-use'], { env: env(h) })).code).toBe(0);
    const file = path.join(h, 'synder.db');
    const bytes = fs.readFileSync(file);
    // Keep the header page: the file still opens as a database, and breaks when read further in.
    for (let i = 4096 + 100; i < bytes.length - 100; i += 7) bytes[i] = 0xa5;
    fs.writeFileSync(file, bytes);
    const r = await runCli(['org', 'list'], { env: env(h) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(file);
    expect(r.stderr).toMatch(/damaged|corrupt/);
    expect(r.stderr).toMatch(/backup|move it away/);
    expect(r.stderr).not.toMatch(/bug|Internal error/);
  });
});
