import { UsageError } from '../errors.js';
import type { Store } from '../store/store.js';
import type { Org } from '../store/orgs.js';
import { validateCountry, validateCurrency, validateEmail, validateOrgName, validateTimeZone } from '../validation.js';

export interface OrgInput {
  name?: string;
  country?: string;
  currency?: string;
  timezone?: string;
  email?: string;
}

export async function createOrg(store: Store, input: OrgInput): Promise<Org> {
  const name = validateOrgName(input.name);
  if (await store.orgs.findByName(name)) throw new UsageError(`An organization named "${name}" already exists.`, 'Pick another name, or `synder org use` it.');
  return await store.orgs.create({
    name,
    country: input.country ? validateCountry(input.country) : null,
    currency: input.currency ? validateCurrency(input.currency) : null,
    timezone: input.timezone ? validateTimeZone(input.timezone) : null,
    email: input.email ? validateEmail(input.email) : null,
  });
}

export async function orgView(store: Store, org: Org, activeName: string | undefined) {
  const ledger = await store.integrations.getLedgerConnection(org.id);
  return {
    name: org.name,
    active: activeName !== undefined && activeName.toLowerCase() === org.name.toLowerCase(),
    country: org.country,
    currency: org.currency,
    timezone: org.timezone,
    email: org.email,
    ledger: org.ledger,
    ledgerCompany: ledger?.name ?? null,
    mode: org.mode,
    createdAt: org.createdAt,
    integrations: (await store.integrations.listForOrg(org.id)).map((i) => ({ id: i.id, platform: i.platform, externalId: i.externalId, name: i.name, region: i.region, currency: i.currency, status: i.status })),
  };
}
