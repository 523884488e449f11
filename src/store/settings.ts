import { z } from 'zod';
import { ACCOUNT_ROLES, type AccountRole } from '../booking/document.js';
import type { RoleRouting } from '../booking/routing.js';
import type { LedgerTaxProfile } from '../booking/tax.js';

/**
 * The JSON settings stored with orgs, integrations, ledger connections and invites. Keys a
 * newer synder may add are kept (loose objects); the keys this one reads must have their type.
 */

export const accountRole = z.enum(Object.keys(ACCOUNT_ROLES) as [AccountRole, ...AccountRole[]]);

/** An org's overrides of the TikTok-key → role table (merged over the defaults by mergeRouting). */
export const routingOverrides = z.object({
  revenueKeys: z.record(z.string(), accountRole).optional(),
  shippingKeys: z.record(z.string(), accountRole).optional(),
  feeKeys: z.record(z.string(), accountRole).optional(),
  taxKeys: z.record(z.string(), accountRole).optional(),
  adjustmentTypes: z.record(z.string(), accountRole).optional(),
  mfTaxKeys: z.array(z.string()).optional(),
  accountNames: z.partialRecord(accountRole, z.string()).optional(),
});

/** The ledger company's tax settings and codes (booking/tax.ts LedgerTaxProfile), read at connect. */
const taxSide = z.object({ percent: z.number(), rateIds: z.array(z.string()).optional() }).optional();
export const ledgerTaxProfile = z.object({
  country: z.string(),
  system: z.enum(['us_sales_tax', 'vat']),
  registered: z.boolean(),
  automated: z.boolean().optional(),
  codes: z.array(z.object({ id: z.string(), name: z.string(), sales: taxSide, purchase: taxSide })),
  taxAccount: z.object({ id: z.string(), name: z.string() }).optional(),
});

/** How documents are built; set per org, and an integration may override them. */
const bookingOptions = {
  /** ISO time: the first sync reads from here. */
  importStart: z.string().optional(),
  mfTax: z.enum(['off', 'gross']).optional(),
  dateBasis: z.enum(['settlement', 'order']).optional(),
  routing: routingOverrides.optional(),
  /** The user's tax code per role (or `marketplace_vat_sales`, `fallback`), by code name or id, over synder's defaults. */
  taxCodes: z.record(z.string(), z.string()).optional(),
};

export const orgSettings = z.looseObject({
  ...bookingOptions,
  /** Names this org of this state folder in the ledger's record of who books a shop there. */
  bookerId: z.string().optional(),
});
export type OrgSettings = z.output<typeof orgSettings>;

export const integrationSettings = z.looseObject({
  ...bookingOptions,
  /** TikTok's shop cipher, sent with every shop-scoped call. */
  cipher: z.string().optional(),
  code: z.string().nullable().optional(),
  sellerType: z.string().nullable().optional(),
  /** The vault key of the authorization this shop came with. */
  authKey: z.string().optional(),
  reauthRequired: z.boolean().optional(),
  /** ISO time of a take-over: what TikTok settled before it is another synder's to book. */
  bookFrom: z.string().optional(),
});
export type IntegrationSettings = z.output<typeof integrationSettings>;

export const ledgerSettings = z.looseObject({
  currency: z.string().optional(),
  /** Xero's organisation short code (deep links). */
  shortCode: z.string().nullable().optional(),
  country: z.string().nullable().optional(),
  tax: ledgerTaxProfile.optional(),
  reauthRequired: z.boolean().optional(),
  disconnected: z.boolean().optional(),
});
export type LedgerSettings = z.output<typeof ledgerSettings>;

export const inviteDetail = z.looseObject({
  redirectUri: z.string().optional(),
  codeVerifier: z.string().optional(),
  delivery: z.enum(['manual', 'smtp']).optional(),
  messageId: z.string().optional(),
});
export type InviteDetail = z.output<typeof inviteDetail>;

// Compile-time proof that stored overrides are what mergeRouting takes.
type Assignable<T, U extends T> = U;
export type _Checks = [Assignable<Partial<RoleRouting>, z.output<typeof routingOverrides>>, Assignable<LedgerTaxProfile, z.output<typeof ledgerTaxProfile>>];
