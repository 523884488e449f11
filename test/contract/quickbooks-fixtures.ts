import { fastTimer } from '../../src/clock.js';
import type { TokenSet } from '../../src/auth/types.js';
import { loadConfig } from '../../src/config.js';
import { ACCOUNT_ROLES, type AccountRole, type DocumentKind, type BookingDocument, type BookingLine } from '../../src/booking/document.js';
import type { AccountSpec, LedgerAccount } from '../../src/providers/ledger-connector.js';
import { QuickBooksConnector, createQuickBooksOAuth, type QuickBooksConnectorOptions } from '../../src/providers/quickbooks/index.js';
import { startQuickBooksSandbox, type QuickBooksSandbox, type QuickBooksSandboxOptions } from '../../src/sandbox/quickbooks/index.js';

/** Shared set-up for the QuickBooks contract tests: a sandbox, a real sign-in, a connector. */

export class ManualClock {
  constructor(public t = Date.UTC(2026, 4, 1, 12)) {}
  now = () => this.t;
  advance(ms: number) {
    this.t += ms;
  }
}

export async function signIn(sb: QuickBooksSandbox): Promise<TokenSet> {
  const cfg = loadConfig(sb.env).quickbooks;
  const oauth = createQuickBooksOAuth(cfg);
  const res = await fetch(oauth.authorizeUrl({ state: 'st', redirectUri: cfg.redirectUri }), { redirect: 'manual' });
  if (res.status !== 302) throw new Error(`authorize answered ${res.status}; start the sandbox with autoApprove`);
  const cb = new URL(res.headers.get('location')!);
  return oauth.exchange(cb.searchParams, { redirectUri: cfg.redirectUri });
}

export interface Harness {
  sb: QuickBooksSandbox;
  tokens: TokenSet;
  connector(extra?: Partial<QuickBooksConnectorOptions>): QuickBooksConnector;
  close(): Promise<void>;
}

export async function harness(opts: QuickBooksSandboxOptions = {}): Promise<Harness> {
  const sb = await startQuickBooksSandbox({ autoApprove: true, timeScale: 1000, ...opts });
  const tokens = await signIn(sb);
  return {
    sb,
    tokens,
    connector: (extra = {}) =>
      new QuickBooksConnector({
        apiUrl: sb.env.SYNDER_QBO_API_URL!,
        appUrl: sb.env.SYNDER_QBO_APP_URL!,
        realmId: tokens.extra!.realmId!,
        getAccessToken: async () => tokens.accessToken,
        timer: fastTimer(1000),
        ...extra,
      }),
    close: () => sb.close(),
  };
}

export const SHOP = 'Demo Shop';

export function specs(): AccountSpec[] {
  return (Object.keys(ACCOUNT_ROLES) as AccountRole[]).map((role) => ({
    role,
    class: ACCOUNT_ROLES[role].class,
    name: role === 'clearing' ? `TikTok Shop Clearing – ${SHOP}` : role === 'bank' ? 'Checking' : ACCOUNT_ROLES[role].name,
  }));
}

export async function mapped(c: QuickBooksConnector): Promise<Partial<Record<AccountRole, LedgerAccount>>> {
  const list = specs();
  const accounts = await c.ensureAccounts(list);
  return Object.fromEntries(list.map((s, i) => [s.role, accounts[i]!]));
}

let n = 0;
export function doc(kind: DocumentKind, lines: Array<[AccountRole, number]>, opts: { key?: string; date?: string; currency?: string } = {}): BookingDocument {
  n++;
  const key = opts.key ?? `tts:shop1:${1000 + n}:${kind}`;
  return {
    key,
    kind,
    date: opts.date ?? '2026-04-20',
    currency: opts.currency ?? 'USD',
    memo: `TikTok Shop ${kind} ${n}`,
    lines: lines.map(([role, amountMinor], i): BookingLine => ({
      role,
      amountMinor,
      description: `${role} line ${i}`,
      source: { kind: 'statement_transaction', id: String(1000 + n), field: `field_${i}` },
    })),
    refs: { shopId: 'shop1', transactionId: String(1000 + n) },
    warnings: [],
  };
}

/** One document of every kind synder writes, both modes. */
export function everyKind(): BookingDocument[] {
  return [
    doc('sale', [['clearing', 1850], ['sales', -2000], ['shipping_income', -300], ['seller_discounts', 450]]),
    doc('fees', [['marketplace_fees', 160], ['transaction_fees', 40], ['clearing', -200]]),
    doc('adjustment', [['clearing', 500], ['platform_adjustments', -500]]),
    doc('adjustment', [['platform_adjustments', 250], ['clearing', -250]]),
    doc('refund', [['refunds', 1000], ['clearing', -1000]]),
    doc('refund', [['refunds', 1000], ['marketplace_fees', -80], ['clearing', -920]]),
    doc('reserve', [['reserve', 300], ['clearing', -300]]),
    doc('reserve', [['clearing', 100], ['reserve', -100]]),
    doc('payout', [['bank', 1000], ['clearing', -1000]]),
    doc('statement', [['clearing', 2670], ['sales', -5000], ['seller_discounts', 330], ['marketplace_fees', 1500], ['reserve', 500]]),
  ];
}

export const clearingNet = (docs: BookingDocument[]): number =>
  docs.flatMap((d) => d.lines).filter((l) => l.role === 'clearing').reduce((a, l) => a + l.amountMinor, 0);
