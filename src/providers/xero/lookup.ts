import { z } from 'zod';
import { parseResponse, type XeroClient } from './client.js';
import type { XeroPartType } from './render.js';
import { chunk } from '../../lists.js';

/**
 * Finding what synder already wrote to Xero, by the document numbers it carries
 * (InvoiceNumber / CreditNoteNumber / Reference), with as few calls as Xero allows.
 */

const messages = z.array(z.looseObject({ Message: z.string() })).optional();
export const element = z.looseObject({
  InvoiceID: z.string().optional(),
  CreditNoteID: z.string().optional(),
  PaymentID: z.string().optional(),
  BankTransactionID: z.string().optional(),
  BankTransferID: z.string().optional(),
  FromBankTransactionID: z.string().optional(),
  InvoiceNumber: z.string().optional(),
  CreditNoteNumber: z.string().optional(),
  Reference: z.string().optional(),
  Status: z.string().optional(),
  StatusAttributeString: z.string().optional(),
  /** On invoices and credit notes: the payments that settle them (how a payment is found again). */
  Payments: z.array(z.looseObject({ PaymentID: z.string().optional() })).optional(),
  ValidationErrors: messages,
  Warnings: messages,
});
export type Element = z.infer<typeof element>;
export const envelope = (key: string) => z.looseObject({ [key]: z.array(element) });

export const PART: Record<XeroPartType, { key: string; id: keyof Element; path: string }> = {
  Invoice: { key: 'Invoices', id: 'InvoiceID', path: '/Invoices' },
  CreditNote: { key: 'CreditNotes', id: 'CreditNoteID', path: '/CreditNotes' },
  Payment: { key: 'Payments', id: 'PaymentID', path: '/Payments' },
  BankTransaction: { key: 'BankTransactions', id: 'BankTransactionID', path: '/BankTransactions' },
  BankTransfer: { key: 'BankTransfers', id: 'BankTransferID', path: '/BankTransfers' },
};
const DEAD = new Set(['DELETED', 'VOIDED']);
/** Numbers per lookup by number: a where clause of 50 alternatives stays a short URL. */
const NUMBERS_PER_GET = 50;
/** Xero's largest page. */
const PAGE_SIZE = 1000;

export interface Found {
  type: XeroPartType;
  id: string;
  status?: string;
  fromTx?: string;
}

const quote = (s: string) => `"${s.replace(/(["\\])/g, '\\$1')}"`;
const dateTime = (isoDate: string) => `DateTime(${isoDate.slice(0, 4)}, ${isoDate.slice(5, 7)}, ${isoDate.slice(8, 10)})`;

export class XeroFinder {
  /** BankTransferID → the bank transaction Xero shows it as (for deep links). */
  readonly transferFrom = new Map<string, string>();

  constructor(private readonly client: XeroClient) {}

  /**
   * Live objects of one type with these numbers, by number. An invoice or credit note brings
   * the payments that settle it (Xero lists them on the document), so payments are never
   * looked up on their own.
   */
  async byNumber(type: Exclude<XeroPartType, 'Payment'>, numbers: string[]): Promise<Map<string, Found[]>> {
    const out = new Map<string, Found[]>();
    for (const part of chunk([...new Set(numbers)], NUMBERS_PER_GET)) {
      const byRef = (field: string) => part.map((n) => `${field}==${quote(n)}`).join(' OR ');
      const query: Record<string, string> =
        type === 'Invoice'
          ? { InvoiceNumbers: part.join(','), page: '1', pageSize: String(PAGE_SIZE) }
          : type === 'CreditNote'
            ? { where: byRef('CreditNoteNumber'), page: '1', pageSize: String(PAGE_SIZE) }
            : type === 'BankTransfer'
              ? { where: byRef('Reference') } // BankTransfers are not paged
              : { where: byRef('Reference'), page: '1', pageSize: String(PAGE_SIZE) };
      this.collect(type, await this.get(type, query), new Set(part), out);
    }
    return out;
  }

  /**
   * Bank transactions with these References, in the fewest calls: by number when there are few,
   * otherwise every bank transaction dated within the documents' dates, a page of 1,000 at a time.
   * Date is a filter Xero optimises; Reference is not, and the contact can be renamed or merged.
   */
  async bankTransactions(numbers: string[], dates: string[]): Promise<Map<string, Found[]>> {
    const wanted = new Set(numbers);
    if (wanted.size <= NUMBERS_PER_GET || dates.length === 0) return this.byNumber('BankTransaction', [...wanted]);
    const sorted = [...dates].sort();
    const where = `Date>=${dateTime(sorted[0]!)} AND Date<=${dateTime(sorted[sorted.length - 1]!)}`;
    const out = new Map<string, Found[]>();
    // A busy ledger can hold more in that range than looking each number up would cost: past that
    // many pages, the numbers not seen yet are looked up by number instead.
    const pagesWorthIt = Math.ceil(wanted.size / NUMBERS_PER_GET) - 1;
    for (let page = 1; page <= pagesWorthIt; page++) {
      const items = await this.get('BankTransaction', { where, page: String(page), pageSize: String(PAGE_SIZE) });
      this.collect('BankTransaction', items, wanted, out);
      if (items.length < PAGE_SIZE) return out;
    }
    const rest = await this.byNumber('BankTransaction', [...wanted].filter((n) => !out.has(n)));
    for (const [n, f] of rest) out.set(n, f);
    return out;
  }

  private async get(type: XeroPartType, query: Record<string, string>): Promise<Element[]> {
    const spec = PART[type];
    return parseResponse(envelope(spec.key), await this.client.get(spec.path, query), `GET ${spec.path}`)[spec.key] as Element[];
  }

  private collect(type: XeroPartType, items: Element[], wanted: Set<string>, out: Map<string, Found[]>): void {
    const spec = PART[type];
    for (const e of items) {
      if (DEAD.has(e.Status ?? '')) continue;
      const id = e[spec.id] as string | undefined;
      const number = type === 'Invoice' ? e.InvoiceNumber : type === 'CreditNote' ? e.CreditNoteNumber : e.Reference;
      if (!id || !number || !wanted.has(number)) continue;
      const found: Found[] = [{ type, id, status: e.Status, fromTx: e.FromBankTransactionID }];
      if (type === 'BankTransfer' && e.FromBankTransactionID) this.transferFrom.set(id, e.FromBankTransactionID);
      for (const p of e.Payments ?? []) if (p.PaymentID) found.push({ type: 'Payment', id: p.PaymentID });
      out.set(number, [...(out.get(number) ?? []), ...found]);
    }
  }
}
