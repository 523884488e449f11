import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildDocuments, buildStatementDocuments, documentTotals, parseMinor, reconcile, StatementBuilder, type BookingDocument, type BuildResult, type StatementBundle } from '../../src/booking/index.js';
import { arbStatementSet } from './booking-arbitraries.js';
import { opts } from './booking-fixtures.js';

const byRole = (docs: BookingDocument[]) => {
  const m: Record<string, number> = {};
  for (const d of docs) for (const l of d.lines) m[l.role] = (m[l.role] ?? 0) + l.amountMinor;
  for (const k of Object.keys(m)) if (m[k] === 0) delete m[k];
  return m;
};
const clearing = (docs: BookingDocument[]) => docs.reduce((s, d) => s + d.lines.reduce((t, l) => (l.role === 'clearing' ? t + l.amountMinor : t), 0), 0);

describe('ledger properties (generated statement sets)', () => {
  it('every document balances, has no zero lines, and one currency; clearing equals settlements per transaction', () => {
    fc.assert(
      fc.property(arbStatementSet(), (set) => {
        for (const mode of ['per-transaction', 'summary'] as const) {
          const o = opts({ mode, mfTax: set.mfTax, dateBasis: set.dateBasis });
          const { documents, issues } = buildDocuments({ bundles: set.bundles, payments: set.payments }, o);
          expect(issues.filter((i) => i.severity === 'error')).toEqual([]);
          for (const d of documents) {
            expect(d.lines.reduce((s, l) => s + l.amountMinor, 0)).toBe(0);
            expect(d.lines.every((l) => Number.isSafeInteger(l.amountMinor) && l.amountMinor !== 0)).toBe(true);
            expect(d.currency).toBe(set.currency);
            expect(d.key.length).toBeLessThanOrEqual(60);
          }
          for (const b of set.bundles) {
            const docs = documents.filter((d) => d.refs.statementId === b.statement.id && d.kind !== 'payout');
            const reserve = b.transactions.reduce((s, t) => s + (t.reserve_amount ? parseMinor(t.reserve_amount, set.currency) : 0), 0);
            // Clearing of a statement = its settlement + reserve movements it carried.
            expect(clearing(docs)).toBe(parseMinor(b.statement.settlement_amount, set.currency) + reserve);
            if (mode === 'per-transaction') {
              for (const t of b.transactions) {
                const own = docs.filter((d) => d.refs.transactionId === t.id && d.kind !== 'reserve');
                expect(clearing(own)).toBe(parseMinor(t.settlement_amount, set.currency));
              }
            }
          }
          // After every payout, Clearing holds exactly the unpaid statements.
          const unpaid = set.bundles.filter((b) => !b.statement.payment_id);
          const expected = unpaid.reduce((s, b) => s + parseMinor(b.statement.settlement_amount, set.currency) + b.transactions.reduce((t, x) => t + (x.reserve_amount ? parseMinor(x.reserve_amount, set.currency) : 0), 0), 0);
          expect(clearing(documents)).toBe(expected);
          const rec = reconcile({ documents: documents.map((document) => ({ document, posted: true })), bundles: set.bundles, payments: set.payments });
          const r = rec.find((x) => x.currency === set.currency)!;
          expect(r.clearingDifferenceMinor).toBe(0);
          expect(r.reserveDifferenceMinor).toBe(0);
          expect(r.bookedReserveMinor).toBe(byRole(documents).reserve ?? 0);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('the summary of a statement equals the sum of its per-transaction documents by role', () => {
    fc.assert(
      fc.property(arbStatementSet(), (set) => {
        for (const b of set.bundles) {
          const o = opts({ mfTax: set.mfTax, dateBasis: set.dateBasis });
          const per = buildStatementDocuments(b, o).documents;
          const sum = buildStatementDocuments(b, { ...o, mode: 'summary' }).documents;
          expect(byRole(sum)).toEqual(byRole(per));
          const months = new Set(per.map((d) => d.date.slice(0, 7)));
          expect(sum.length).toBeLessThanOrEqual(months.size);
          for (const d of sum) expect(new Set(sum.map((x) => x.key)).size).toBe(sum.length);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('a statement built a page at a time equals it built at once, in both modes, errors included', () => {
    // A page size per statement, and a corruption: none, a wrong statement total, a wrong count, a wrong transaction.
    const arbCase = fc.record({ page: fc.integer({ min: 1, max: 7 }), corrupt: fc.constantFrom('none', 'total', 'count', 'transaction'), tax: fc.boolean() });
    const attempt = (f: () => BuildResult): BuildResult | { threw: string } => {
      try {
        return f();
      } catch (err) {
        return { threw: (err as Error).message };
      }
    };
    fc.assert(
      fc.property(arbStatementSet(), fc.array(arbCase, { minLength: 4, maxLength: 4 }), (set, cases) => {
        set.bundles.forEach((original, i) => {
          const c = cases[i]!;
          let b: StatementBundle = original;
          if (c.corrupt === 'total') b = { ...b, statement: { ...b.statement, settlement_amount: '1234.56' } };
          if (c.corrupt === 'count' && b.header) b = { ...b, header: { ...b.header, total_count: b.transactions.length + 1 } };
          if (c.corrupt === 'transaction' && b.transactions.length > 0) b = { ...b, transactions: [{ ...b.transactions[0]!, settlement_amount: 'x' }, ...b.transactions.slice(1)] };
          for (const mode of ['per-transaction', 'summary'] as const) {
            const o = opts({ mode, mfTax: set.mfTax, dateBasis: set.dateBasis, ...(c.tax ? { tax: { ledger: 'xero' as const, roles: { sales: { code: 'S', name: '20.0% S', percent: 20 }, marketplace_fees: { code: 'P', name: '20.0% P', percent: 20 } }, marketplaceVat: {} } } : {}) });
            const paged = attempt(() => {
              const builder = new StatementBuilder(b, o);
              const out: BuildResult = { documents: [], issues: [] };
              for (let at = 0; at < b.transactions.length; at += c.page) {
                const page = builder.add(b.transactions.slice(at, at + c.page));
                out.documents.push(...page.documents);
                out.issues.push(...page.issues);
              }
              const rest = builder.finish();
              return { documents: [...out.documents, ...rest.documents], issues: [...out.issues, ...rest.issues] };
            });
            expect(paged).toEqual(attempt(() => buildStatementDocuments(b, o)));
          }
        });
      }),
      { numRuns: 200 },
    );
  });

  it('reconcile points at the documents not posted', () => {
    fc.assert(
      fc.property(arbStatementSet(), fc.infiniteStream(fc.boolean()), (set, coin) => {
        const { documents } = buildDocuments({ bundles: set.bundles, payments: set.payments }, opts({ mfTax: set.mfTax }));
        const booked = documents.map((document) => ({ document, posted: coin.next().value as boolean }));
        const [r] = reconcile({ documents: booked, bundles: set.bundles, payments: set.payments });
        expect(r!.unexplainedClearingMinor).toBe(0);
        expect(r!.unexplainedReserveMinor).toBe(0);
        const net = (d: BookingDocument, role: string) => d.lines.reduce((t, l) => (l.role === role ? t + l.amountMinor : t), 0);
        const unposted = booked.filter((b) => !b.posted && (net(b.document, 'clearing') !== 0 || net(b.document, 'reserve') !== 0));
        expect(r!.explanations.filter((e) => e.kind === 'unposted_document').map((e) => e.documentKey).sort()).toEqual(unposted.map((b) => b.document.key).sort());
      }),
      { numRuns: 100 },
    );
  });

  it('reconcile: its rows add up to its totals, whether fed documents or their totals, and only the transactions without a document or with a reserve matter', () => {
    // What a document books: its transaction, its summary statement, or its payment.
    const source = (d: BookingDocument) => (d.kind === 'payout' ? `p:${d.refs.paymentId}` : d.refs.transactionId ? `t:${d.refs.transactionId}` : `s:${d.refs.statementId}`);
    fc.assert(
      fc.property(arbStatementSet(), fc.infiniteStream(fc.nat(2)), fc.integer({ min: -100_000, max: 100_000 }), (set, dice, outside) => {
        const { documents } = buildDocuments({ bundles: set.bundles, payments: set.payments }, opts({ mode: set.mode, mfTax: set.mfTax }));
        // Per source: posted (0), built but not in the ledger (1), or never built (2).
        const fate = new Map<string, number>();
        for (const d of documents) if (!fate.has(source(d))) fate.set(source(d), dice.next().value as number);
        const kept = documents.filter((d) => fate.get(source(d)) !== 2).map((document) => ({ document, posted: fate.get(source(document)) === 0 }));
        const booked = clearing(kept.filter((b) => b.posted).map((b) => b.document));
        const ledgerBalances = [{ currency: set.currency, clearingMinor: booked + outside }];
        const [r] = reconcile({ documents: kept, bundles: set.bundles, payments: set.payments, ledgerBalances });
        // The statements not paid out add up to the Clearing TikTok expects; the explanations to the difference.
        expect(r!.unpaidStatements.reduce((a, u) => a + u.settlementMinor + u.reserveMinor, 0)).toBe(r!.expectedClearingMinor);
        expect(r!.clearingDifferenceMinor).toBe(booked + outside - r!.expectedClearingMinor);
        expect(r!.unexplainedClearingMinor).toBe(0);
        expect(r!.explanations.reduce((a, e) => a + e.clearingMinor, 0)).toBe(r!.clearingDifferenceMinor);

        const totals = kept.map((b) => documentTotals(b.document, b.posted));
        expect(reconcile({ documents: totals, bundles: set.bundles, payments: set.payments, ledgerBalances })).toEqual([r]);
        const withDocument = new Set(kept.map((b) => source(b.document)));
        const needed: StatementBundle[] = set.bundles.map((b) => ({
          ...b,
          transactions: b.transactions.filter((t) => t.reserve_amount != null || !(withDocument.has(`t:${t.id}`) || withDocument.has(`s:${b.statement.id}`))),
        }));
        expect(reconcile({ documents: totals, bundles: needed, payments: set.payments, ledgerBalances })).toEqual([r]);
      }),
      { numRuns: 150 },
    );
  });

  it('corrupted data never crashes: it becomes error issues naming the transaction, and nothing unbalanced is built', () => {
    const fields = ['settlement_amount', 'revenue_breakdown', 'shipping_cost_breakdown', 'fee_tax_breakdown', 'adjustment_amount', 'reserve_amount', 'currency', 'revenue_amount', 'order_create_time'];
    fc.assert(
      fc.property(arbStatementSet(), fc.constantFrom(...fields), fc.oneof(fc.anything(), fc.constantFrom('abc', '1.2345', '', '  ', '1e5', '--1', '0 ', null)), (set, field, junk) => {
        const tx = set.bundles.flatMap((b) => b.transactions)[0];
        if (!tx) return;
        (tx as unknown as Record<string, unknown>)[field] = junk;
        for (const mode of ['per-transaction', 'summary'] as const) {
          const { documents, issues } = buildDocuments({ bundles: set.bundles, payments: set.payments }, opts({ mode }));
          for (const d of documents) expect(d.lines.reduce((s, l) => s + l.amountMinor, 0)).toBe(0);
          for (const i of issues.filter((x) => x.severity === 'error')) expect(i.message).toMatch(/transaction|statement|payment/);
          if (documents.some((d) => d.refs.transactionId === tx.id)) {
            const own = documents.filter((d) => d.refs.transactionId === tx.id && d.kind !== 'reserve');
            expect(clearing(own)).toBe(parseMinor(String(tx.settlement_amount), set.currency));
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('corrupted statements, headers and payments never crash either', () => {
    const targets = ['statement.settlement_amount', 'statement.statement_time', 'statement.currency', 'header.total_settlement_amount', 'header.total_count', 'payment.amount', 'payment.create_time', 'payment.reserve_amount', 'payment.status'];
    fc.assert(
      fc.property(arbStatementSet(), fc.constantFrom(...targets), fc.oneof(fc.anything(), fc.constantFrom('abc', '1.2345', '', 'XX', -1e300, null)), (set, target, junk) => {
        const [where, field] = target.split('.') as [string, string];
        const b = set.bundles[0]!;
        const obj = (where === 'statement' ? b.statement : where === 'header' ? b.header : set.payments[0]) as unknown as Record<string, unknown> | undefined;
        if (!obj) return;
        obj[field] = junk;
        for (const mode of ['per-transaction', 'summary'] as const) {
          const { documents } = buildDocuments({ bundles: set.bundles, payments: set.payments }, opts({ mode }));
          for (const d of documents) {
            expect(d.lines.reduce((s, l) => s + l.amountMinor, 0)).toBe(0);
            expect(d.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
