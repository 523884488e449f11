import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amountMinor, binary, hledgerName, run, startE2E, sync, type E2E, type LedgerName, type Mode } from '../helpers/e2e.js';
import { synderNow } from '../helpers/in-process.js';

/**
 * `synder report` against a sandbox sync: its figures are those of `reconcile --json` and of an
 * hledger balance of `export`, to the minor unit, over the whole history and over a month-end
 * split; its HTML opens in headless Chromium with three drawn charts and nothing fetched.
 */

const T = 120_000;
const chromiumPath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));
const hledger = binary('hledger');
const skipped = (what: string, missing: string | undefined, install: string) => (missing ? what : `${what} (skipped: no ${install} binary; install the Debian package "${install}")`);

interface ReportJson {
  period: { since: string; until: string };
  shops: Array<{
    shop: string;
    currency: string;
    clearingAccount: string;
    rollForward: { openingMinor: number; settlementsMinor: number; payoutsMinor: number; reserveMinor: number; closingMinor: number; tiktokMinor: number; ledgerMinor: number | null; differenceMinor: number };
    pnl: Array<{ role: string; account: string; bookedMinor: number; amountMinor: number }>;
    netMinor: number;
    payouts: Array<{ amountMinor: number; paymentId: string | null; statementIds: string[]; ledger: { id: string } | null }>;
    daily: Array<{ date: string; balanceMinor: number }>;
  }>;
  exceptions: unknown[];
}

interface ReconcileJson {
  reconciles: boolean;
  clearing: Array<{ integration: string; currency: string; ledgerBalanceMinor: number; bookedBalanceMinor: number; unpaidSettlementsMinor: number; differenceMinor: number }>;
}

async function reportJson(e: E2E, args: string[]): Promise<ReportJson> {
  const r = await e.cli(['report', '--format', 'json', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as ReportJson;
}

/** hledger's balance of every account of the export between two dates (until excluded), by ledger account name. */
async function hledgerBalances(e: E2E, journal: string, range: { since?: string; until?: string }): Promise<Record<string, number>> {
  const args = ['-f', journal, 'balance', '--flat', '--no-total', '-O', 'csv', ...(range.since ? ['-b', range.since] : []), ...(range.until ? ['-e', range.until] : [])];
  const bal = await run(hledger!, args);
  expect(bal.code, bal.stderr).toBe(0);
  const rows = bal.stdout.trim().split('\n').slice(1).map((l) => l.split(',').map((c) => c.replace(/^"|"$/g, '')));
  return Object.fromEntries(rows.filter((row) => row[0] && row[0] !== 'total').map((row) => [row[0]!, amountMinor(row[1]!, e.currency)]));
}

/** The P&L as hledger sees it: every Income and Expenses account, by its ledger name. */
const hledgerPnl = (balances: Record<string, number>) =>
  Object.fromEntries(Object.entries(balances).filter(([a, v]) => /^(Income|Expenses):/.test(a) && v !== 0).map(([a, v]) => [a.slice(a.indexOf(':') + 1), v]));
const reportPnl = (shop: ReportJson['shops'][number]) => Object.fromEntries(shop.pnl.filter((p) => p.bookedMinor !== 0).map((p) => [hledgerName(p.account), p.bookedMinor]));
const clearingOf = (e: E2E, balances: Record<string, number>) => Object.entries(balances).find(([a]) => a.endsWith(`:${hledgerName(e.clearingAccount)}`))?.[1] ?? 0;

const day = (d: Date) => d.toISOString().slice(0, 10);

const CASES: Array<[LedgerName, Mode, number]> = [
  ['quickbooks', 'per-transaction', 21],
  ['quickbooks', 'summary', 22],
  ['xero', 'per-transaction', 23],
  ['xero', 'summary', 24],
];

for (const [ledger, mode, seed] of CASES) {
  describe(`report: ${ledger} ${mode}`, () => {
    let e: E2E;
    let journal: string;
    // Forty days of history always hold a month end.
    const currentMonth = day(new Date()).slice(0, 7);
    const previousMonth = day(new Date(Date.parse(`${currentMonth}-01T00:00:00Z`) - 86_400_000)).slice(0, 7);

    beforeAll(async () => {
      e = await startE2E({ ledger, mode, seed, orders: 45, days: 40 });
      const { result, summary } = await sync(e);
      expect(result.code, result.stderr).toBe(0);
      expect(summary.failures).toEqual([]);
      journal = path.join(e.home, 'journal.hledger');
      const ex = await e.cli(['export', '--format', 'hledger', '--output', journal]);
      expect(ex.code, ex.stderr).toBe(0);
    }, T);
    afterAll(async () => {
      await e?.close();
    });

    it("the roll-forward over the whole history is reconcile --json's figures", async () => {
      const report = await reportJson(e, ['--since', e.since]);
      const rec = await e.cli(['reconcile', '--json']);
      expect(rec.code, rec.stderr).toBe(0);
      const r = (JSON.parse(rec.stdout) as { reconciliation: ReconcileJson }).reconciliation;
      expect(report.shops.map((s) => [s.shop, s.currency])).toEqual(r.clearing.map((c) => [c.integration, c.currency]));
      for (const [i, s] of report.shops.entries()) {
        const c = r.clearing[i]!;
        const rf = s.rollForward;
        expect(rf.openingMinor).toBe(0);
        expect(rf.openingMinor + rf.settlementsMinor + rf.payoutsMinor + rf.reserveMinor).toBe(rf.closingMinor);
        expect({ closing: rf.closingMinor, tiktok: rf.tiktokMinor, ledger: rf.ledgerMinor, difference: rf.differenceMinor }).toEqual({
          closing: c.bookedBalanceMinor, tiktok: c.unpaidSettlementsMinor, ledger: c.ledgerBalanceMinor, difference: c.differenceMinor,
        });
        expect(rf.differenceMinor).toBe(0);
        expect(s.daily.at(-1)!.balanceMinor).toBe(rf.closingMinor);
        expect(s.payouts.length).toBeGreaterThan(0);
        expect(s.payouts.reduce((t, p) => t + p.amountMinor, 0)).toBe(-rf.payoutsMinor);
        expect(s.payouts.every((p) => p.ledger !== null && p.statementIds.length > 0)).toBe(true);
      }
    }, T);

    it.skipIf(!hledger)(skipped("the P&L and the clearing balance are hledger's balances of the export", hledger, 'hledger'), async () => {
      const report = await reportJson(e, ['--since', e.since]);
      const balances = await hledgerBalances(e, journal, { since: report.period.since, until: report.period.until });
      const [s] = report.shops;
      expect(reportPnl(s!)).toEqual(hledgerPnl(balances));
      expect(s!.netMinor).toBe(-Object.values(hledgerPnl(balances)).reduce((t, v) => t + v, 0));
      expect(clearingOf(e, balances)).toBe(s!.rollForward.closingMinor);
    }, T);

    it(`a month-end split (${previousMonth} | ${currentMonth}): the halves chain, and reconcile at the month end`, async () => {
      const before = await reportJson(e, ['--month', previousMonth]);
      const after = await reportJson(e, ['--since', `${currentMonth}-01`]);
      const whole = await reportJson(e, ['--since', e.since]);
      expect(before.period).toEqual({ since: `${previousMonth}-01`, until: `${currentMonth}-01` });
      const parts = [before, after];
      // Forty days back may reach into the month before the previous one.
      if (e.since < before.period.since) parts.unshift(await reportJson(e, ['--since', e.since, '--until', before.period.since]));
      const shops = parts.map((p) => p.shops[0]!);
      const w = whole.shops[0]!;
      for (let i = 1; i < shops.length; i++) expect(shops[i]!.rollForward.openingMinor).toBe(shops[i - 1]!.rollForward.closingMinor);
      expect(shops.at(-1)!.rollForward.closingMinor).toBe(w.rollForward.closingMinor);
      for (const k of ['settlementsMinor', 'payoutsMinor', 'reserveMinor'] as const) expect(shops.reduce((t, s) => t + s.rollForward[k], 0), k).toBe(w.rollForward[k]);
      const pnl = (s: ReportJson['shops'][number]) => Object.fromEntries(s.pnl.map((p) => [p.role, p.bookedMinor]));
      const sum: Record<string, number> = {};
      for (const s of shops) for (const [role, v] of Object.entries(pnl(s))) sum[role] = (sum[role] ?? 0) + v;
      expect(sum).toEqual(pnl(w));
      // A past month: the ledger's balance is today's, so TikTok's figure is set against the booked closing.
      const [a, b] = [before.shops[0]!, after.shops[0]!];
      expect(a.rollForward.ledgerMinor).toBeNull();
      expect(a.rollForward.differenceMinor).toBe(a.rollForward.closingMinor - a.rollForward.tiktokMinor);
      expect(a.rollForward.differenceMinor, 'clearing at the month end matches what TikTok had not paid out then').toBe(0);
      expect(b.rollForward.ledgerMinor).not.toBeNull();
      expect(b.rollForward.differenceMinor).toBe(0);
    }, T);

    it.skipIf(!hledger)(skipped('each half of the split is hledger\'s balance of the export for its dates', hledger, 'hledger'), async () => {
      for (const args of [['--month', previousMonth], ['--since', `${currentMonth}-01`]]) {
        const report = await reportJson(e, args);
        const [s] = report.shops;
        const movements = await hledgerBalances(e, journal, report.period);
        expect(reportPnl(s!), args.join(' ')).toEqual(hledgerPnl(movements));
        const atEnd = await hledgerBalances(e, journal, { until: report.period.until });
        expect(clearingOf(e, atEnd), args.join(' ')).toBe(s!.rollForward.closingMinor);
        const atStart = await hledgerBalances(e, journal, { until: report.period.since });
        expect(clearingOf(e, atStart), args.join(' ')).toBe(s!.rollForward.openingMinor);
      }
    }, T);

    it('csv carries the same figures', async () => {
      const r = await e.cli(['report', '--format', 'csv', '--since', e.since]);
      expect(r.code, r.stderr).toBe(0);
      const report = await reportJson(e, ['--since', e.since]);
      const lines = r.stdout.trim().split('\r\n');
      expect(lines[0]).toBe('section,shop,currency,item,account,date,reference,amount,amount_minor,detail');
      const figure = (section: string, item: string) => Number(lines.find((l) => l.startsWith(`${section},`) && l.split(',')[3] === item)!.split(',')[8]);
      expect(figure('roll_forward', 'closing')).toBe(report.shops[0]!.rollForward.closingMinor);
      expect(figure('roll_forward', 'tiktok')).toBe(report.shops[0]!.rollForward.tiktokMinor);
      expect(figure('pnl', 'Net')).toBe(report.shops[0]!.netMinor);
    }, T);

    if (ledger === 'quickbooks' && mode === 'per-transaction') {
      it.skipIf(!chromiumPath)(skipped('the HTML report opens in headless Chromium: three charts drawn, no console error, nothing fetched', chromiumPath, 'chromium'), async () => {
        const file = path.join(e.home, 'report.html');
        const r = await e.cli(['report', '--since', e.since, '--output', file]);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout.trim()).toBe(path.resolve(file));
        const html = fs.readFileSync(file, 'utf8');
        expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
        const { chromium } = await import('playwright-core');
        const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
        try {
          const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
          const requests: string[] = [];
          const errors: string[] = [];
          page.on('request', (req) => {
            if (!req.url().startsWith('file:')) requests.push(req.url());
          });
          page.on('console', (m) => {
            if (m.type() === 'error') errors.push(m.text());
          });
          page.on('pageerror', (err) => errors.push(err.message));
          await page.goto(pathToFileURL(file).toString(), { waitUntil: 'load' });
          const charts = await page.$$eval('figure.chart', (figs) =>
            figs.map((f) => ({ id: f.getAttribute('data-chart'), svgs: f.querySelectorAll('svg').length, marks: f.querySelectorAll('svg g.role-mark path, svg g.role-mark rect').length, width: f.querySelector('svg')?.getBoundingClientRect().width ?? 0 })),
          );
          expect(charts.map((c) => c.id)).toEqual(['flows', 'balance', 'fees']);
          for (const c of charts) {
            expect(c.svgs, c.id!).toBe(1);
            expect(c.marks, c.id!).toBeGreaterThan(0);
            expect(c.width, c.id!).toBeGreaterThan(100);
          }
          expect(errors).toEqual([]);
          expect(requests).toEqual([]);
          const shot = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'synder-report-shot-')), 'report.png');
          await page.screenshot({ path: shot, fullPage: true });
          console.info(`report screenshot: ${shot}`);
          expect(fs.statSync(shot).size).toBeGreaterThan(10_000);
        } finally {
          await browser.close();
        }
      }, T);

      it.skipIf(!chromiumPath)(skipped('--format pdf prints the report through headless Chromium', chromiumPath, 'chromium'), async () => {
        const file = path.join(e.home, 'report.pdf');
        const r = await synderNow(['report', '--since', e.since, '--format', 'pdf', '--output', file], { env: { ...e.env, SYNDER_CHROMIUM: chromiumPath } });
        expect(r.code, r.stderr).toBe(0);
        expect(fs.readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-');
      }, T);

      it('a ledger that cannot be reached leaves its balance out, says why and exits 3', async () => {
        // A ledger that answers every request with 400 (nothing to retry).
        const refusing = http.createServer((_req, res) => res.writeHead(400, { 'content-type': 'application/json' }).end('{"Fault":{"Error":[{"Message":"refused"}]}}'));
        await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
        const port = (refusing.address() as AddressInfo).port;
        let r: Awaited<ReturnType<typeof synderNow>>;
        try {
          r = await synderNow(['report', '--since', e.since, '--format', 'json'], { env: { ...e.env, SYNDER_QBO_API_URL: `http://127.0.0.1:${port}` } });
        } finally {
          refusing.close();
        }
        expect(r.code, r.stderr).toBe(3);
        expect(r.stderr).toMatch(/The ledger could not be read/);
        const report = JSON.parse(r.stdout) as ReportJson & { ledgerError: string | null };
        expect(report.ledgerError).toBeTruthy();
        const rf = report.shops[0]!.rollForward;
        expect(rf.ledgerMinor).toBeNull();
        expect(rf.differenceMinor).toBe(rf.closingMinor - rf.tiktokMinor);
      }, T);

      it('--format pdf without Chromium says how to install it', async () => {
        const r = await synderNow(['report', '--since', e.since, '--format', 'pdf', '--output', path.join(e.home, 'none.pdf')], { env: { ...e.env, SYNDER_CHROMIUM: path.join(e.home, 'no-such-browser') } });
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/No Chromium or Chrome was found/);
        expect(r.stderr).toMatch(/apt install chromium/);
        expect(fs.existsSync(path.join(e.home, 'none.pdf'))).toBe(false);
      }, T);
    }
  });
}
