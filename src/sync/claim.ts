import { randomBytes } from 'node:crypto';
import { SynderError } from '../errors.js';
import type { LedgerAccount } from '../providers/ledger-connector.js';
import { integrationScope } from '../store/account-mappings.js';
import type { Integration } from '../store/integrations.js';
import type { SyncMode } from '../store/orgs.js';
import { clearingAccountSpec } from './accounts.js';
import type { RunContext } from './run.js';

/**
 * Who books a TikTok shop into a ledger company, written into that company (see
 * LedgerConnector.shopClaim): "synder <booker> <mode> from <date> (<org>)". The booker is a
 * random id each org of each state folder makes once, so a second org, a second SYNDER_HOME or
 * another machine booking the same shop into the same company finds someone else's claim and is
 * refused before it books anything, whatever its own state store says.
 */
export interface ShopClaim {
  booker: string;
  mode: SyncMode;
  /** YYYY-MM-DD: the claimant books what TikTok settled from this date on. */
  from: string;
  org?: string;
}

const CLAIM = /synder ([0-9a-f]{8}) (per-transaction|summary) from (\d{4}-\d{2}-\d{2})(?: \((.*)\))?/;

/** At most 100 characters (QuickBooks' limit on an account description); the org name is cut to fit. */
export function formatClaim(c: ShopClaim): string {
  const head = `synder ${c.booker} ${c.mode} from ${c.from}`;
  if (!c.org) return head;
  const room = 100 - head.length - 3;
  const org = c.org.length > room ? `${c.org.slice(0, Math.max(0, room - 1))}…` : c.org;
  return room > 1 ? `${head} (${org})` : head;
}

export function parseClaim(text: string | undefined): ShopClaim | undefined {
  const m = text ? CLAIM.exec(text) : null;
  if (!m) return undefined;
  return { booker: m[1]!, mode: m[2] as SyncMode, from: m[3]!, org: m[4] || undefined };
}

/** Another synder books this shop into this ledger company. */
export class ShopClaimedError extends SynderError {
  constructor(message: string, hint: string) {
    super(message, { hint, code: 'shop_booked_elsewhere' });
  }
}

const day = (d: Date): string => d.toISOString().slice(0, 10);

/** This org's booker id, made (and kept in its settings) the first time it claims a shop. */
async function bookerOf(run: RunContext): Promise<string | undefined> {
  const existing = run.org.settings.bookerId;
  if (typeof existing === 'string' && /^[0-9a-f]{8}$/.test(existing)) return existing;
  if (!run.write) return undefined;
  const made = randomBytes(4).toString('hex');
  run.org = await run.store.orgs.update(run.org.id, { settings: { bookerId: made } });
  return made;
}

/**
 * The clearing account of a shop: the one recorded for the org, else (writing runs only) found or
 * created in the ledger and recorded, as the first sync would.
 */
async function clearingOf(run: RunContext, integration: Integration): Promise<Pick<LedgerAccount, 'id'> | undefined> {
  const { store, org, ledger } = run;
  const currency = integration.currency ?? org.currency;
  const mapped = (await store.accounts.list(org.id)).find((m) => m.role === 'clearing' && m.scope === integrationScope(integration.id) && (!currency || m.currency === currency));
  if (mapped) return { id: mapped.accountId };
  if (!currency) return undefined;
  const spec = clearingAccountSpec(integration, currency);
  // A dry run creates nothing: it reads the claim of an account that exists already.
  if (!run.write) return (await ledger.listAccounts()).find((a) => a.name.toLowerCase() === spec.name.toLowerCase());
  const [account] = await ledger.ensureAccounts([spec]);
  if (!account) return undefined;
  await store.accounts.set({ orgId: org.id, scope: integrationScope(integration.id), role: 'clearing', currency, accountId: account.id, accountName: account.name });
  return account;
}

/**
 * Checks, before a run books anything, that no other synder books these shops into this ledger
 * company, and records this org's claim (mode and start date) where it has none yet. A dry run
 * only reads. `takeOver` moves the claim to this org from that date on (the cut-over): the other
 * claimant is refused from then on, and this org books nothing settled before it.
 */
export async function claimShops(run: RunContext, integrations: Integration[], startOf: (i: Integration) => Promise<Date>, takeOver?: Date): Promise<void> {
  const { store, ledger, org, mode } = run;
  const ledgerName = ledger.provider === 'xero' ? 'Xero organisation' : 'QuickBooks company';
  for (const integration of integrations) {
    const clearing = await clearingOf(run, integration);
    if (!clearing) continue;
    const text = await ledger.shopClaim(integration.externalId, clearing);
    const theirs = parseClaim(text);
    const booker = await bookerOf(run);
    const mine = (from: string): ShopClaim => ({ booker: booker!, mode, from, org: org.name });
    if (takeOver) {
      if (!run.write) continue;
      await ledger.setShopClaim(integration.externalId, clearing, formatClaim(mine(day(takeOver))));
      await store.integrations.updateSettings(integration.id, { bookFrom: takeOver.toISOString() });
      integration.settings = { ...integration.settings, bookFrom: takeOver.toISOString() };
      continue;
    }
    if (theirs && theirs.booker !== booker) {
      const who = `${theirs.org ? `organization "${theirs.org}" of ` : ''}another synder (booker ${theirs.booker}), ${theirs.mode} mode from ${theirs.from}`;
      throw new ShopClaimedError(
        `The TikTok shop "${integration.name}" (${integration.externalId}) is already booked into this ${ledgerName} by ${who}. Booking it from ${org.name} as well would count its money twice, so nothing was booked.`,
        `If ${org.name} should book it from now on, stop the other one and take over from a cut-over date: \`synder sync --take-over <YYYY-MM-DD>\` books what TikTok settles from that date here, and the other is refused from then on. ` +
          `Pick a date after the last statement the other booked (or roll its documents back from that date first). A state folder that was lost or moved takes over from ${theirs.from} in ${theirs.mode} mode: what is already booked is found by its keys, not booked again.`,
      );
    }
    if (!run.write) continue;
    const start = day(await startOf(integration));
    if (!theirs) {
      await refuseUnclaimedHistory(run, integration, clearing, ledgerName);
      await ledger.setShopClaim(integration.externalId, clearing, formatClaim(mine(start)));
    } else if (theirs.mode !== mode || start < theirs.from) {
      // Own claim: a mode change this org was allowed to make, or an earlier --since.
      await ledger.setShopClaim(integration.externalId, clearing, formatClaim(mine(start < theirs.from ? start : theirs.from)));
    }
  }
}

/**
 * A clearing account with money on it but no claim was booked by a synder that wrote none (an
 * older version): taken only by the org that holds those documents, or by a take-over.
 */
async function refuseUnclaimedHistory(run: RunContext, integration: Integration, clearing: Pick<LedgerAccount, 'id'>, ledgerName: string): Promise<void> {
  const { store, ledger, org } = run;
  if (await store.documents.hasAny(org.id, ['posted', 'deleted', 'replaced'])) return;
  const balance = await ledger.accountBalance(clearing.id);
  if (balance === 0) return;
  throw new ShopClaimedError(
    `The clearing account of the TikTok shop "${integration.name}" (${integration.externalId}) in this ${ledgerName} already holds money that ${org.name} did not book, with no record of who booked it. Booking it again would count it twice, so nothing was booked.`,
    'If no other synder books this shop here any more (or this state folder was lost), take over from a cut-over date: `synder sync --take-over <YYYY-MM-DD>`; with the date the bookings start and the same mode, what is already booked is found by its keys, not booked again.',
  );
}
