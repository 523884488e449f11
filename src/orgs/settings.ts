import { UsageError } from '../errors.js';
import type { Store } from '../store/store.js';
import type { Org, SyncMode } from '../store/orgs.js';

/**
 * Switching the sync mode after documents are booked would book the same money twice (per
 * transaction and again per statement), so it is refused until those documents are rolled back.
 */
export async function assertModeChangeAllowed(store: Store, org: Org, next: SyncMode): Promise<void> {
  if (!org.mode || org.mode === next) return;
  const posted = (await store.documents.list(org.id, { status: ['posted', 'pending'] })).length;
  if (posted > 0) {
    throw new UsageError(
      `${org.name} already has ${posted} document(s) booked in ${org.mode} mode; switching to ${next} would book that money twice.`,
      'Roll them back first (`synder rollback --since <date>`), or create a new organization with the new mode from a cut-over date.',
    );
  }
}

export const MF_TAX = ['off', 'gross'] as const;
export const DATE_BASES = ['settlement', 'order'] as const;

export interface OrgSettingsInput {
  mode?: SyncMode;
  /** US marketplace-facilitator tax: kept for explain only, or booked gross through an MF Tax account. */
  mfTax?: (typeof MF_TAX)[number];
  /** Date documents by TikTok's settlement or by the order. */
  dateBasis?: (typeof DATE_BASES)[number];
}

/** Applies `synder org set` to an org; a mode switch is refused once documents are booked. */
export async function applyOrgSettings(store: Store, org: Org, input: OrgSettingsInput): Promise<Org> {
  const patch: { mode?: SyncMode; settings: Record<string, unknown> } = { settings: {} };
  if (input.mode !== undefined) {
    await assertModeChangeAllowed(store, org, input.mode);
    patch.mode = input.mode;
  }
  if (input.mfTax !== undefined) patch.settings.mfTax = input.mfTax;
  if (input.dateBasis !== undefined) patch.settings.dateBasis = input.dateBasis;
  return await store.orgs.update(org.id, patch);
}
