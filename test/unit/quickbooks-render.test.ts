import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AccountRole, BookingDocument } from '../../src/booking/document.js';
import type { LedgerAccount } from '../../src/providers/ledger-connector.js';
import { keyFromPrivateNote, privateNote, renderDocument, shortDocNumber } from '../../src/providers/quickbooks/index.js';

const acct = (id: string, type: string): LedgerAccount => ({ id, name: `A${id}`, type });
const accounts: Partial<Record<AccountRole, LedgerAccount>> = {
  clearing: acct('1', 'Bank'),
  bank: acct('2', 'Bank'),
  reserve: acct('3', 'Other Current Asset'),
  sales: acct('10', 'Income'),
  shipping_income: acct('11', 'Income'),
  seller_discounts: acct('12', 'Income'),
  refunds: acct('13', 'Income'),
  marketplace_fees: acct('20', 'Expense'),
  transaction_fees: acct('21', 'Expense'),
  platform_adjustments: acct('30', 'Other Income'),
};
const items: Record<string, string> = { '10': 'i10', '11': 'i11', '12': 'i12', '13': 'i13', '30': 'i30' };
const ctx = { itemForAccount: (id: string) => items[id], customerId: 'c1', homeCurrency: 'USD' };

function doc(kind: BookingDocument['kind'], lines: Array<[AccountRole, number]>, currency = 'USD'): BookingDocument {
  return {
    key: `tts:s:${kind}:${lines.length}`,
    kind,
    date: '2026-04-01',
    currency,
    memo: 'memo',
    lines: lines.map(([role, amountMinor]) => ({ role, amountMinor, description: role, source: { kind: 'statement_transaction', id: '1', field: 'f' } })),
    refs: { shopId: 's' },
    warnings: [],
  };
}

describe('renderDocument', () => {
  it('renders a sale as a SalesReceipt into Clearing with item lines and one discount line', () => {
    const r = renderDocument({ doc: doc('sale', [['clearing', 1850], ['sales', -2000], ['shipping_income', -300], ['seller_discounts', 450]]), accounts }, ctx);
    expect(r.ok && r.entity).toBe('SalesReceipt');
    if (!r.ok) return;
    expect(r.payload.DepositToAccountRef).toEqual({ value: '1' });
    expect(r.payload.CustomerRef).toEqual({ value: 'c1' });
    expect(r.payload.DocNumber).toBe(shortDocNumber('tts:s:sale:4'));
    expect(String(r.payload.DocNumber).length).toBeLessThanOrEqual(21);
    expect(r.payload.Line).toEqual([
      expect.objectContaining({ DetailType: 'SalesItemLineDetail', Amount: 20, SalesItemLineDetail: { ItemRef: { value: 'i10' } } }),
      expect.objectContaining({ DetailType: 'SalesItemLineDetail', Amount: 3, SalesItemLineDetail: { ItemRef: { value: 'i11' } } }),
      expect.objectContaining({ DetailType: 'DiscountLineDetail', Amount: 4.5, DiscountLineDetail: { PercentBased: false, DiscountAccountRef: { value: '12' } } }),
    ]);
  });

  it('falls back to a balanced JournalEntry when the natural shape cannot carry the lines', () => {
    const cases: Array<[BookingDocument['kind'], Array<[AccountRole, number]>]> = [
      ['sale', [['clearing', -100], ['sales', -200], ['seller_discounts', 300]]], // negative total
      ['sale', [['clearing', 100], ['sales', -300], ['seller_discounts', 100], ['marketplace_fees', 100]]], // two debit accounts
      ['refund', [['refunds', 1000], ['marketplace_fees', -80], ['clearing', -920]]], // fee reversal
      ['fees', [['marketplace_fees', 100], ['transaction_fees', -30], ['clearing', -70]]], // mixed signs
      ['payout', [['bank', 100], ['clearing', -60], ['marketplace_fees', -40]]], // not two asset accounts
      ['statement', [['clearing', 70], ['sales', -100], ['marketplace_fees', 30]]],
    ];
    for (const [kind, lines] of cases) {
      const d = doc(kind, lines);
      const r = renderDocument({ doc: d, accounts }, ctx);
      expect(r.ok && r.entity, kind).toBe('JournalEntry');
      if (!r.ok) continue;
      const jl = r.payload.Line as Array<{ Amount: number; JournalEntryLineDetail: { PostingType: string; AccountRef: { value: string } } }>;
      const debit = jl.filter((l) => l.JournalEntryLineDetail.PostingType === 'Debit').reduce((a, l) => a + Math.round(l.Amount * 100), 0);
      const credit = jl.filter((l) => l.JournalEntryLineDetail.PostingType === 'Credit').reduce((a, l) => a + Math.round(l.Amount * 100), 0);
      expect(debit).toBe(credit);
      expect(debit).toBe(lines.filter(([, v]) => v > 0).reduce((a, [, v]) => a + v, 0));
    }
  });

  it('renders fees as a Purchase paid from Clearing, income adjustments as a Deposit, payouts as a Transfer', () => {
    const fees = renderDocument({ doc: doc('fees', [['marketplace_fees', 160], ['transaction_fees', 40], ['clearing', -200]]), accounts }, ctx);
    expect(fees.ok && fees.entity).toBe('Purchase');
    expect(fees.ok && fees.payload).toMatchObject({ PaymentType: 'Cash', AccountRef: { value: '1' } });
    const adj = renderDocument({ doc: doc('adjustment', [['clearing', 500], ['platform_adjustments', -500]]), accounts }, ctx);
    expect(adj.ok && adj.entity).toBe('Deposit');
    const payout = renderDocument({ doc: doc('payout', [['bank', 1000], ['clearing', -1000]]), accounts }, ctx);
    expect(payout.ok && payout.payload).toMatchObject({ FromAccountRef: { value: '1' }, ToAccountRef: { value: '2' }, Amount: 10 });
    expect(payout.ok && 'DocNumber' in payout.payload).toBe(false);
    const negative = renderDocument({ doc: doc('payout', [['bank', -1000], ['clearing', 1000]]), accounts }, ctx);
    expect(negative.ok && negative.payload).toMatchObject({ FromAccountRef: { value: '2' }, ToAccountRef: { value: '1' }, Amount: 10 });
  });

  it('refuses unbalanced documents and unmapped roles instead of altering amounts', () => {
    const unbalanced = renderDocument({ doc: doc('sale', [['clearing', 100], ['sales', -99]]), accounts }, ctx);
    expect(unbalanced.ok).toBe(false);
    const unmapped = renderDocument({ doc: doc('fees', [['affiliate_commissions', 100], ['clearing', -100]]), accounts }, ctx);
    expect(!unmapped.ok && unmapped.error).toMatch(/affiliate_commissions/);
  });

  it('converts minor units to QBO decimals exactly (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99_999_999_999_99 }), fc.constantFrom('USD', 'JPY', 'KWD'), (minor, cur) => {
        const r = renderDocument({ doc: doc('statement', [['clearing', minor], ['sales', -minor]], cur), accounts }, ctx);
        if (!r.ok) return false;
        const amounts = (r.payload.Line as Array<{ Amount: number }>).map((l) => l.Amount);
        const exp = cur === 'JPY' ? 0 : cur === 'KWD' ? 3 : 2;
        return amounts.every((a) => Math.round(a * 10 ** exp) === minor);
      }),
    );
  });
});

describe('document keys in QuickBooks', () => {
  it('keeps the full key in PrivateNote even when the memo is long', () => {
    const key = 'tts:7000:576462218839191234:sale';
    const note = privateNote('x'.repeat(5000), key);
    expect(note.length).toBeLessThanOrEqual(4000);
    expect(keyFromPrivateNote(note)).toBe(key);
    expect(keyFromPrivateNote('Voided\n' + privateNote('m', key))).toBe(key);
    expect(keyFromPrivateNote('typed by a user')).toBeUndefined();
  });
});
