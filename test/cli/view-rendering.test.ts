import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Logger } from '../../src/runtime/logger.js';
import { Output } from '../../src/runtime/output.js';
import type { Reconciliation } from '../../src/sync/clearing-check.js';
import type { Explanation } from '../../src/sync/explain.js';
import { printExplanation, printReconciliation, printTransactions, type TransactionsView } from '../../src/sync/show.js';

/**
 * The one rendering of the transactions, explain and reconcile views: the commands print the full
 * form, the wizard and the demo the brief one, and --json prints the view itself.
 */

function capture(json = false, columns?: number): { out: Output; stdout: () => string; stderr: () => string } {
  const sink = () => {
    let text = '';
    const stream = new Writable({ write: (chunk, _enc, cb) => ((text += String(chunk)), cb()) });
    return { stream, text: () => text };
  };
  const stdout = sink();
  const stderr = sink();
  if (columns) Object.assign(stdout.stream, { isTTY: true, columns });
  const out = new Output({ stdin: process.stdin, stdout: stdout.stream, stderr: stderr.stream }, new Logger(stderr.stream, false), false);
  out.json = json;
  return { out, stdout: stdout.text, stderr: stderr.text };
}

const document = { key: 'tts:1:100:sale', kind: 'sale', status: 'posted', ledgerType: 'Invoice', ledgerId: '77', ledgerNumber: '1042' };

const transactions: TransactionsView = {
  org: 'Acme',
  transactions: [
    { kind: 'statement_transaction', id: '100', orderId: '5760001', type: 'ORDER', date: '2026-10-01', currency: 'USD', settlement: '12.50', status: 'synced', error: null, warnings: [{ message: 'unknown TikTok field fee_tax_breakdown.fee.new_fee (-0.50) booked to uncategorized', fix: 'Booked to Uncategorized TikTok: `synder explain 5760001` shows the line' }], documents: [document] },
    { kind: 'payment', id: 'P1', orderId: null, type: 'PAYOUT', date: '2026-10-03', currency: 'USD', settlement: '12.50', status: 'failed', error: 'the bank account is archived', warnings: [], documents: [] },
  ],
};

const explanation: Explanation = {
  subject: { kind: 'order', id: '5760001' },
  orderId: '5760001',
  payout: null,
  order: { status: 'COMPLETED', createdAt: '2026-09-30T10:00:00.000Z', items: [{ name: 'Glow Serum', sku: 'SBX-001', quantity: 2 }] },
  transactions: [
    {
      transactionId: '100', type: 'ORDER', currency: 'USD', settlement: '12.50', status: 'synced', error: null,
      amounts: [{ field: 'settlement_amount', amount: '12.50', amountMinor: 1250, booked: false }],
      postings: [{ document: document.key, kind: 'sale', account: 'TikTok Shop Clearing', role: 'clearing', debit: '12.50', credit: '', description: 'Order 5760001', source: 'settlement_amount' }],
      checks: [{ name: 'balanced', ok: true, detail: 'debits equal credits' }],
      documents: [{ ...document, link: 'https://ledger.test/invoice/77', error: null, fix: null }],
      warnings: [],
      statement: { id: 'S1', date: '2026-10-01', settlement: '12.50', paymentId: 'P1', paymentStatus: 'PAID' },
      payout: null,
    },
  ],
  history: [{ at: '2026-10-02T08:00:00.000Z', subject: `document ${document.key}`, status: 'posted', message: null }],
};

const clearing = {
  integration: 'Acme Shop', integrationId: 1, currency: 'USD', account: 'TikTok Shop Clearing', accountId: '9',
  ledgerBalance: '10.00', bookedBalance: '10.00', unpaidSettlements: '12.50', difference: '-2.50',
  ledgerBalanceMinor: 1000, bookedBalanceMinor: 1000, unpaidSettlementsMinor: 1250, differenceMinor: -250,
  unpaidStatements: [{ statementId: 'S1', date: '2026-10-01', paymentId: null, paymentStatus: null, settlement: '12.50', reserve: '0.00', amount: '12.50', amountMinor: 1250 }],
  explanations: [{ kind: 'unexplained' as const, message: 'not explained', documentKey: null, statementId: null, transactionId: '100', orderId: '5760001', paymentId: null, status: 'ready', amount: '-2.50', amountMinor: -250 }],
};
const reconciliation: Reconciliation = { org: 'Acme', ledger: 'quickbooks', reconciles: false, clearing: [clearing] };

describe('--json', () => {
  it.each([
    ['transactions', (out: Output) => printTransactions(out, transactions), transactions],
    ['explain', (out: Output) => printExplanation(out, explanation), explanation],
    // `ok` says the command ran; the result, reconciled or not, is under its own key.
    ['reconcile', (out: Output) => printReconciliation(out, reconciliation), { ok: true, reconciliation }],
  ] as const)('%s prints the view as it is, and nothing else', async (_name, print, view) => {
    const c = capture(true);
    await print(c.out);
    expect(JSON.parse(c.stdout())).toEqual(view);
    expect(c.stderr()).toBe('');
  });
});

describe('transactions view', () => {
  it('the full form lists each transaction\'s ledger documents; the brief one leaves that column out', async () => {
    const full = capture();
    await printTransactions(full.out, transactions);
    expect(full.stdout()).toMatch(/Ledger documents/);
    expect(full.stdout()).toContain('Invoice 1042 (posted)');
    // Piped, the rows are the whole output: no line of totals after them.
    expect(full.stdout()).toMatch(/^P1\t2026-10-03\tPAYOUT\t12\.50 USD\tfailed the bank account is archived\t\t\n$/m);
    expect(full.stdout()).not.toMatch(/1 synced, 1 failed/);
    const brief = capture();
    await printTransactions(brief.out, transactions, 'brief');
    expect(brief.stdout()).not.toMatch(/Ledger documents/);
    expect(brief.stdout()).toContain('the bank account is archived');
    const tty = capture(false, 120); // room for every column with its padding, the warnings column included
    await printTransactions(tty.out, transactions);
    expect(tty.stdout()).toMatch(/│ 5760001 +│/);
    expect(tty.stdout()).toMatch(/1 synced, 1 failed\n$/);
  });

  it('tells on stderr how many older ones --limit left out', async () => {
    const c = capture();
    await printTransactions(c.out, { ...transactions, omitted: 40 });
    expect(c.stdout()).toMatch(/^P1\t/m);
    expect(c.stderr()).toMatch(/^40 older transaction\(s\) not shown: --limit 0 shows all/);
  });

  it('says when there is nothing yet', async () => {
    const full = capture();
    await printTransactions(full.out, { org: 'Acme', transactions: [] });
    expect(full.stdout()).toBe('No transactions yet. Run `synder sync`.\n');
    const brief = capture();
    await printTransactions(brief.out, { org: 'Acme', transactions: [] }, 'brief');
    expect(brief.stdout()).toBe('No transactions yet.\n');
  });
});

describe('explain view', () => {
  it('the full form shows amounts, postings, links and history; the brief one the checks and documents', async () => {
    const full = capture();
    await printExplanation(full.out, explanation, { provider: 'xero' });
    const text = full.stdout();
    for (const part of ['Items: Glow Serum / SBX-001 × 2', 'TikTok amounts', 'Postings', 'Checks', 'Show in Xero', 'https://ledger.test/invoice/77', 'History']) expect(text).toContain(part);
    const brief = capture();
    await printExplanation(brief.out, explanation, { form: 'brief' });
    const short = brief.stdout();
    expect(short).toMatch(/^Order 5760001 — COMPLETED, created 2026-09-30\n/);
    expect(short).toMatch(/^balanced\tyes\t/m);
    expect(short).toContain('Invoice 1042');
    for (const part of ['Items:', 'TikTok amounts', 'Postings', 'Show in', 'History']) expect(short).not.toContain(part);
  });
});

describe('reconcile view', () => {
  it('the full form explains the difference; the brief one points to `synder reconcile`', async () => {
    const full = capture();
    await printReconciliation(full.out, reconciliation);
    expect(full.stdout()).toContain('Statements not paid out yet');
    expect(full.stdout()).toContain('What makes the difference');
    // Nothing stored explains it: said plainly, with what to check.
    expect(full.stdout()).toMatch(/Clearing does not reconcile, and no transaction synder has stored accounts for the difference: check the clearing account's register .+`synder sync --since <date>`\)\.\n$/);
    const explained = capture();
    await printReconciliation(explained.out, { ...reconciliation, clearing: [{ ...clearing, explanations: [{ ...clearing.explanations[0]!, kind: 'transaction_not_booked' }] }] });
    expect(explained.stdout()).toMatch(/Clearing does not reconcile; the rows above account for the whole difference\.\n$/);
    const brief = capture();
    await printReconciliation(brief.out, reconciliation, 'brief');
    expect(brief.stdout()).toContain('Unpaid settlements (TikTok)');
    expect(brief.stdout()).not.toContain('What makes the difference');
    expect(brief.stdout()).toMatch(/Clearing does not reconcile; `synder reconcile` lists what explains the difference\.\n$/);
  });

  it('with no clearing account yet says to sync first', async () => {
    const c = capture();
    await printReconciliation(c.out, { org: 'Acme', ledger: 'xero', reconciles: true, clearing: [] });
    expect(c.stdout()).toBe('No clearing account yet: run `synder sync` first.\nClearing reconciles: no difference.\n');
  });
});
