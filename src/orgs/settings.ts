import { UsageError } from '../errors.js';
import type { Store } from '../store/store.js';
import type { Org, SyncMode } from '../store/orgs.js';

/**
 * Switching the sync mode after documents are booked would book the same money twice (per
 * transaction and again per statement), so it is refused until those documents are rolled back.
 */
export function assertModeChangeAllowed(store: Store, org: Org, next: SyncMode): void {
  if (!org.mode || org.mode === next) return;
  const posted = store.documents.list(org.id, { status: ['posted', 'pending'] }).length;
  if (posted > 0) {
    throw new UsageError(
      `${org.name} already has ${posted} document(s) booked in ${org.mode} mode; switching to ${next} would book that money twice.`,
      'Roll them back first (`synder rollback --since <date>`), or create a new organization with the new mode from a cut-over date.',
    );
  }
}

export interface OrgSettingsInput {
  mode?: string;
  mfTax?: string;
  dateBasis?: string;
}

/** Applies `synder org set` flags to an org, validating each value. */
export function applyOrgSettings(store: Store, org: Org, input: OrgSettingsInput): Org {
  const patch: { mode?: SyncMode; settings: Record<string, unknown> } = { settings: {} };
  if (input.mode !== undefined) {
    if (input.mode !== 'per-transaction' && input.mode !== 'summary') throw new UsageError(`--mode must be "per-transaction" or "summary", not "${input.mode}".`);
    assertModeChangeAllowed(store, org, input.mode);
    patch.mode = input.mode;
  }
  if (input.mfTax !== undefined) {
    if (input.mfTax !== 'off' && input.mfTax !== 'gross') throw new UsageError(`--mf-tax must be "off" or "gross", not "${input.mfTax}".`);
    patch.settings.mfTax = input.mfTax;
  }
  if (input.dateBasis !== undefined) {
    if (input.dateBasis !== 'settlement' && input.dateBasis !== 'order') throw new UsageError(`--date-basis must be "settlement" or "order", not "${input.dateBasis}".`);
    patch.settings.dateBasis = input.dateBasis;
  }
  return store.orgs.update(org.id, patch);
}
