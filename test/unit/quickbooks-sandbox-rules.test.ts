import { describe, expect, it } from 'vitest';
import { parseFault } from '../../src/providers/quickbooks/index.js';
import { Company, parseQuery } from '../../src/sandbox/quickbooks/index.js';

const company = () => new Company({ realmId: '1', companyName: 'T', currency: 'USD', country: 'US', now: () => Date.UTC(2026, 0, 1) });
const fault = (fn: () => unknown): { code: string; status: number } => {
  try {
    fn();
  } catch (err) {
    const e = err as { code: string; status: number };
    return { code: e.code, status: e.status };
  }
  throw new Error('expected a Fault');
};

describe('sandbox query language', () => {
  it('parses WHERE/IN/ORDERBY/paging with escaped quotes', () => {
    const q = parseQuery("select * from Account where Name = 'Adam\\'s Shop' AND AccountType IN ('Bank', 'Income') ORDERBY Name DESC STARTPOSITION 3 MAXRESULTS 5000");
    expect(q).toEqual({
      count: false,
      entity: 'Account',
      where: [
        { field: 'Name', op: '=', value: "Adam's Shop" },
        { field: 'AccountType', op: 'IN', value: ['Bank', 'Income'] },
      ],
      orderBy: { field: 'Name', desc: true },
      start: 3,
      max: 1000,
    });
    const detail = (sql: string) => {
      try {
        parseQuery(sql);
      } catch (err) {
        return (err as { code: string; detail: string }).code + ' ' + (err as { detail: string }).detail;
      }
      return 'parsed';
    };
    expect(detail("select * from Account where Name = 'a' OR Name = 'b'")).toMatch(/^4000 .*OR/);
    expect(detail('select Name from Account')).toMatch(/^4000 .*projections/);
  });

  it('answers like QBO: absent key when nothing matches, PrivateNote not filterable, count(*)', () => {
    const c = company();
    expect(c.query("select * from Account where Name = 'nope'")).toEqual({});
    expect(fault(() => c.query("select * from SalesReceipt where PrivateNote = 'x'")).code).toBe('4001');
    expect(c.query("select count(*) from Account where AccountType = 'Bank'")).toEqual({ totalCount: 2 });
    const page = c.query('select * from Account STARTPOSITION 2 MAXRESULTS 3') as { Account: unknown[]; startPosition: number; maxResults: number };
    expect(page.Account).toHaveLength(3);
    expect(page.startPosition).toBe(2);
  });
});

describe('sandbox business rules', () => {
  it('enforces balanced journals, account types, DocNumber length and duplicates, SyncToken', () => {
    const c = company();
    const bank = c.accountByName('Checking')!.Id as string;
    const income = c.accountByName('Services')!.Id as string;
    const je = (debit: number, credit: number, DocNumber?: string) => ({
      DocNumber,
      Line: [
        { DetailType: 'JournalEntryLineDetail', Amount: debit, JournalEntryLineDetail: { PostingType: 'Debit', AccountRef: { value: bank } } },
        { DetailType: 'JournalEntryLineDetail', Amount: credit, JournalEntryLineDetail: { PostingType: 'Credit', AccountRef: { value: income } } },
      ],
    });
    expect(fault(() => c.create('JournalEntry', je(10, 9.99))).code).toBe('6000');
    expect(fault(() => c.create('JournalEntry', je(10, 10, 'X'.repeat(22)))).code).toBe('2050');
    const ok = c.create('JournalEntry', je(10, 10, 'A1'));
    expect(fault(() => c.create('JournalEntry', je(1, 1, 'A1'))).code).toBe('6140');
    expect(c.balance(bank)).toBe(1000);
    expect(c.balance(income)).toBe(-1000);
    expect(fault(() => c.create('SalesReceipt', { DepositToAccountRef: { value: income }, Line: [] })).code).toBe('2020');
    expect(fault(() => c.create('Purchase', { PaymentType: 'Cash', AccountRef: { value: income }, Line: [{ DetailType: 'AccountBasedExpenseLineDetail', Amount: 1, AccountBasedExpenseLineDetail: { AccountRef: { value: bank } } }] })).code).toBe('6000');
    expect(fault(() => c.create('Purchase', { Bogus: 1 })).code).toBe('2010');
    expect(fault(() => c.delete('JournalEntry', { Id: ok.Id, SyncToken: '7' })).code).toBe('5010');
    c.delete('JournalEntry', { Id: ok.Id, SyncToken: ok.SyncToken });
    expect(c.balance(bank)).toBe(0);
    expect(fault(() => c.read('JournalEntry', ok.Id)).code).toBe('610');
    // A deleted document frees its number; a renumbered one frees the old number and takes the new.
    const again = c.create('JournalEntry', je(2, 2, 'A1'));
    c.update('JournalEntry', { ...je(2, 2, 'B1'), Id: again.Id, SyncToken: again.SyncToken });
    c.create('JournalEntry', je(3, 3, 'A1'));
    expect(fault(() => c.create('JournalEntry', je(4, 4, 'B1'))).code).toBe('6140');
    expect(c.query("SELECT * FROM JournalEntry WHERE DocNumber IN ('A1', 'B1') ORDERBY DocNumber").JournalEntry.map((j: { DocNumber: string; TotalAmt: number }) => [j.DocNumber, j.TotalAmt])).toEqual([['A1', 3], ['B1', 2]]);
  });

  it('reports balance-sheet CurrentBalance in natural sign', () => {
    const c = company();
    const bank = c.accountByName('Checking')!.Id as string;
    const eq = c.accountByName('Opening Balance Equity')!.Id as string;
    c.create('JournalEntry', {
      Line: [
        { DetailType: 'JournalEntryLineDetail', Amount: 5.25, JournalEntryLineDetail: { PostingType: 'Debit', AccountRef: { value: bank } } },
        { DetailType: 'JournalEntryLineDetail', Amount: 5.25, JournalEntryLineDetail: { PostingType: 'Credit', AccountRef: { value: eq } } },
      ],
    });
    expect(c.read('Account', bank).CurrentBalance).toBe(5.25);
    expect(c.read('Account', eq).CurrentBalance).toBe(5.25);
  });
});

describe('Fault parsing', () => {
  it('reads upper- and lower-case Fault bodies', () => {
    expect(parseFault({ Fault: { Error: [{ Message: 'Duplicate', Detail: 'd', code: '6140' }], type: 'ValidationFault' } })).toEqual({
      type: 'ValidationFault',
      errors: [{ message: 'Duplicate', detail: 'd', code: '6140', element: undefined }],
    });
    expect(parseFault({ fault: { error: [{ message: 'auth', detail: 'Token expired', code: '3200' }], type: 'AUTHENTICATION' } })?.errors[0]?.code).toBe('3200');
    expect(parseFault({ QueryResponse: {} })).toBeUndefined();
  });
});
