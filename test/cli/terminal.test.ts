import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, repoRoot, tempHome } from '../helpers/cli.js';
import { ledgerDocuments, spawnSync, startE2E, sync, type E2E, type E2EOptions } from '../helpers/e2e.js';
import { openTerminal, tmuxMissing, type Terminal } from '../helpers/terminal.js';

/**
 * synder at a real terminal (a tmux pseudo-terminal of a given size): tables fit it, long output
 * goes through the pager, and Ctrl+C stops a sync within two seconds, leaving state the next run
 * finishes from without booking anything twice.
 */

const synder = `node ${binPath}`;
/** The widest line; a single word (a URL) wider than the terminal is folded by it, not by synder. */
const widest = (lines: string[]): { width: number; line: string } =>
  lines.filter((l) => /\s/.test(l.trim())).reduce((w, line) => ([...line].length > w.width ? { width: [...line].length, line } : w), { width: 0, line: '' });

describe.skipIf(tmuxMissing)(`tables at a terminal${tmuxMissing ? ` (skipped: ${tmuxMissing})` : ''}`, () => {
  let e: E2E;
  let orderId: string;
  beforeAll(async () => {
    e = await startE2E({ ledger: 'quickbooks', mode: 'per-transaction', seed: 5, orders: 40, days: 10 });
    const first = await sync(e);
    expect(first.result.code, first.result.stderr).toBe(0);
    const tx = JSON.parse((await e.cli(['transactions', '--json', '--type', 'ORDER'])).stdout) as { transactions: Array<{ orderId: string }> };
    orderId = tx.transactions[0]!.orderId;
  }, 120_000);
  afterAll(async () => {
    await e?.close();
  });

  for (const columns of [80, 120]) {
    it(`no line of a view is wider than ${columns} columns, and ids stay whole`, async () => {
      const t = openTerminal({ columns, env: { ...e.env, PAGER: 'cat' }, cwd: repoRoot });
      try {
        for (const cmd of ['transactions --limit 0', `explain ${orderId}`, 'reconcile', 'status', 'sync --dry-run', 'org show', `--help`, 'sync --help']) {
          const r = await t.run(`${synder} ${cmd}`);
          expect(r.code, `${cmd}:\n${r.lines.join('\n')}`).toBe(0);
          const w = widest(r.lines);
          expect(w.width, `${cmd} printed a line of ${w.width} columns:\n${w.line}`).toBeLessThanOrEqual(columns);
        }
        const tx = await t.run(`${synder} transactions --limit 0`);
        expect(tx.lines.join('\n')).toMatch(/^[┌│]/m);
        expect(tx.lines.join('\n')).toContain(orderId);
      } finally {
        t.close();
      }
    }, 120_000);
  }

  it('a long view goes through $PAGER at a terminal, never when piped; a short one is printed directly', async () => {
    const dir = tempHome('synder-pager-');
    const paged = path.join(dir, 'paged.txt');
    const t = openTerminal({ columns: 100, rows: 20, env: { ...e.env, PAGER: `tee ${paged}` }, cwd: repoRoot });
    try {
      const long = await t.run(`${synder} transactions --limit 0`);
      expect(long.code).toBe(0);
      expect(fs.readFileSync(paged, 'utf8')).toContain(orderId);
      fs.rmSync(paged);
      const piped = await t.run(`${synder} transactions --limit 0 | cat > ${path.join(dir, 'piped.txt')}`);
      expect(piped.code).toBe(0);
      expect(fs.existsSync(paged)).toBe(false);
      const short = await t.run(`${synder} transactions --limit 2`);
      expect(short.code).toBe(0);
      expect(fs.existsSync(paged)).toBe(false);
      // On a terminal the list is cut to the newest ones with a hint; `--limit 0` shows them all.
      const cut = await t.run(`${synder} transactions --limit 2`);
      expect(cut.lines.join('\n')).toMatch(/older transaction\(s\) not shown: --limit 0 shows all/);
    } finally {
      t.close();
    }
  }, 120_000);
});

describe.skipIf(tmuxMissing)(`Ctrl+C at a terminal${tmuxMissing ? ` (skipped: ${tmuxMissing})` : ''}`, () => {
  let e: E2E;
  let t: Terminal;
  beforeAll(async () => {
    ({ e, t } = await slowSandboxAtTerminal('per-transaction'));
  }, 180_000);
  afterAll(async () => {
    t?.close();
    await e?.close();
  });

  it('stops a sync within two seconds with 130, says how to carry on, and the next sync books each document once', async () => {
    const stopped = await t.run(`${synder} sync --since ${e.since}`, {
      onScreen: (text) => /Posting \d+ document/.test(text),
      thenKeys: ['C-c'],
      timeoutMs: 120_000,
    });
    await expectStoppedThenBookedOnce(stopped, e);
  }, 240_000);

  it('kill -TERM without a terminal stops a sync the same way', async () => {
    const child = spawnSync(e, []);
    const started = Date.now();
    while (!/Fetching/.test(child.stderr())) {
      if (Date.now() - started > 60_000) throw new Error(`the sync never started:\n${child.stderr()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const sentAt = Date.now();
    child.child.kill('SIGTERM');
    const result = await child.done;
    expect(result.code, result.stderr).toBe(130);
    expect(Date.now() - sentAt).toBeLessThan(2000);
    expect(result.stderr).toMatch(/Run `synder sync` again to carry on/);
    expect(result.stderr).not.toMatch(/Internal error|\n\s+at /);
  }, 120_000);

  it('stops a rollback within two seconds with 130; running it again finishes it', async () => {
    const before = [...ledgerDocuments(e).keys()].length;
    expect(before).toBeGreaterThan(0);
    const stopped = await t.run(`${synder} rollback --since ${e.since} --yes`, {
      onScreen: (text) => /Removing \d+ document/.test(text),
      thenKeys: ['C-c'],
      timeoutMs: 120_000,
    });
    expect(stopped.code, stopped.lines.join('\n')).toBe(130);
    expect(stopped.endedAt - stopped.keysAt!).toBeLessThan(2000);
    // Messages wrap to the terminal: read them as prose.
    expect(stopped.lines.join(' ').replace(/\s+/g, ' ')).toMatch(/Run the same `synder rollback` again to finish it/);
    const again = await e.cli(['rollback', '--since', e.since, '--yes', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect([...ledgerDocuments(e).keys()]).toEqual([]);
  }, 240_000);
});

describe.skipIf(tmuxMissing)(`Ctrl+C at a terminal, summary mode${tmuxMissing ? ` (skipped: ${tmuxMissing})` : ''}`, () => {
  let e: E2E;
  let t: Terminal;
  beforeAll(async () => {
    ({ e, t } = await slowSandboxAtTerminal('summary'));
  }, 180_000);
  afterAll(async () => {
    t?.close();
    await e?.close();
  });

  it('stops within two seconds while pages and orders are being fetched; the next sync books each document once', async () => {
    let readingSince: number | undefined;
    const stopped = await t.run(`${synder} sync --since ${e.since}`, {
      // With every call 1.5–2 s late, the statements' pages take about four seconds after the
      // listings; then the order lane is at work (a spinner's counts are too brief to wait for).
      onScreen: (text) => {
        if (!/payments to read/.test(text)) return false;
        readingSince ??= Date.now();
        return Date.now() - readingSince >= 4500;
      },
      thenKeys: ['C-c'],
      timeoutMs: 120_000,
    });
    await expectStoppedThenBookedOnce(stopped, e);
  }, 240_000);
});

/** A sync stopped by Ctrl+C exits 130 within two seconds and says how to carry on; the next run completes the books, each document once. */
async function expectStoppedThenBookedOnce(stopped: Awaited<ReturnType<Terminal['run']>>, e: E2E): Promise<void> {
  expect(stopped.keysAt, stopped.lines.join('\n')).toBeDefined();
  expect(stopped.code, stopped.lines.join('\n')).toBe(130);
  expect(stopped.endedAt - stopped.keysAt!).toBeLessThan(2000);
  const said = stopped.lines.join(' ').replace(/\s+/g, ' ');
  expect(said).toMatch(/Stopping the sync/);
  expect(said).toMatch(/Run `synder sync` again to carry on/);
  expect(said).not.toMatch(/Internal error|at .+\.js:\d+/);

  const again = await sync(e);
  expect(again.result.code, again.result.stderr).toBe(0);
  expect(again.summary.failures).toEqual([]);
  for (const c of again.summary.clearing) expect(c.differenceMinor).toBe(0);
  const copies = [...ledgerDocuments(e)].filter(([, types]) => Object.values(types).some((n) => n !== 1));
  expect(copies).toEqual([]);
  // A third run finds everything booked.
  const third = await sync(e);
  expect(third.summary.documents.created).toBe(0);
}

/** A sandbox whose every ledger and TikTok call answers late (1.5–2 s, as `synder sandbox --faults slow:1`), and a terminal on it. */
async function slowSandboxAtTerminal(mode: E2EOptions['mode']): Promise<{ e: E2E; t: Terminal }> {
  const e = await startE2E({ ledger: 'quickbooks', mode, seed: 8, orders: 40, days: 10, faults: 'slow:1', timeScale: 1 });
  return { e, t: openTerminal({ columns: 100, env: { ...e.env, PAGER: 'cat' }, cwd: repoRoot }) };
}
