import type { AccountClass, AccountRole, BookingDocument } from '../booking/document.js';
import type { LedgerTaxProfile } from '../booking/tax.js';

/**
 * What the sync engine needs from an accounting ledger. QuickBooks Online and Xero each
 * implement it; the engine never sees their payload shapes.
 */

export interface LedgerAccount {
  id: string;
  name: string;
  /** Provider account type, e.g. QuickBooks "Bank", Xero "BANK". */
  type: string;
  currency?: string;
  code?: string;
}

export interface AccountSpec {
  role: AccountRole;
  name: string;
  class: AccountClass;
  currency?: string;
  /** For bank-type accounts Xero needs a number; also a stable way to find it again. */
  bankAccountNumber?: string;
}

export interface LedgerCompany {
  id: string;
  name: string;
  currency: string;
  country?: string;
  /** Xero organisation ShortCode, used in deep links. */
  shortCode?: string;
}

/** A document ready to render: the neutral document plus the ledger account for each role it uses. */
export interface PostInput {
  doc: BookingDocument;
  accounts: Partial<Record<AccountRole, LedgerAccount>>;
  /**
   * The state store held no row for this key before this run, so no earlier run can have sent it
   * (intents are recorded before every ledger call). A connector may then skip its pre-create
   * lookup where the ledger itself rejects a second copy (duplicate document numbers).
   */
  fresh?: boolean;
}

export interface LedgerRef {
  /** Provider object type, e.g. "SalesReceipt", "Invoice", "BankTransfer". */
  type: string;
  id: string;
  number?: string;
  url?: string;
}

export type PostOutcome =
  | { key: string; status: 'created' | 'existing'; refs: LedgerRef[] }
  | { key: string; status: 'failed'; error: string; fix?: string; refs: LedgerRef[] };

export interface RemoveOutcome {
  key: string;
  status: 'deleted' | 'voided' | 'refused' | 'missing';
  message?: string;
}

export interface LedgerConnector {
  readonly provider: 'quickbooks' | 'xero';
  /** Calls made so far (for the run summary and the benchmark). */
  readonly apiCalls: number;
  /**
   * Documents it takes per post() unless the caller says otherwise: enough to fill whole batch
   * calls and share lookups, few enough that what waits on the ledger's rate limit stays small.
   */
  readonly documentsPerPost: number;
  company(): Promise<LedgerCompany>;
  /** The company's country and tax settings and its tax codes (read at connect, kept with the org). */
  taxProfile(): Promise<LedgerTaxProfile>;
  listAccounts(): Promise<LedgerAccount[]>;
  /** Finds each account by name (or bank number) and creates what is missing. Idempotent. */
  ensureAccounts(specs: AccountSpec[]): Promise<LedgerAccount[]>;
  /** Looks documents up by their key (after a crash, before creating). Missing keys are absent from the map. */
  findByKeys(docs: BookingDocument[]): Promise<Map<string, LedgerRef[]>>;
  /** Creates documents in batches; one bad document fails alone. Never creates a second copy of a key. */
  post(inputs: PostInput[]): Promise<PostOutcome[]>;
  /** Deletes (or voids where deletion is not allowed) what synder created for these keys. */
  remove(items: Array<{ key: string; refs: LedgerRef[] }>): Promise<RemoveOutcome[]>;
  /**
   * The note synder keeps in the ledger on who books a TikTok shop there (which synder, mode, from
   * when), so a second synder booking the same shop into the same company is caught. QuickBooks
   * keeps it in the clearing account's description; Xero, whose bank accounts take no description,
   * in a contact per shop found by its contact number. Undefined when there is none.
   */
  shopClaim(shopId: string, clearing: Pick<LedgerAccount, 'id'>): Promise<string | undefined>;
  setShopClaim(shopId: string, clearing: Pick<LedgerAccount, 'id'>, note: string): Promise<void>;
  /** Balance of an account in minor units (debit positive), as the ledger reports it. */
  accountBalance(accountId: string): Promise<number>;
  /** "Show in QuickBooks/Xero" link for an object. */
  deepLink(ref: Pick<LedgerRef, 'type' | 'id'>): string;
}
