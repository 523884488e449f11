import { exportBeancount, exportCsv, exportHledger, type BookingDocument, type ExportOptions } from '../booking/index.js';
import type { Org } from '../store/orgs.js';
import type { Store } from '../store/store.js';
import { AccountResolver } from './accounts.js';

export type ExportFormat = 'hledger' | 'beancount' | 'csv';

const WRITERS: Record<ExportFormat, (docs: BookingDocument[], opts: ExportOptions) => string> = { hledger: exportHledger, beancount: exportBeancount, csv: exportCsv };

/**
 * `synder export`: the documents in the ledger (status posted), dated on or after `since`, as the
 * booking core writes them, with the ledger account names of the org's mapping at export time.
 */
export async function exportJournal(store: Store, org: Org, opts: { format: ExportFormat; since?: string }): Promise<{ text: string; documents: number }> {
  const integrations = new Map((await store.integrations.listForOrg(org.id)).map((i) => [i.id, i]));
  const specFor = await new AccountResolver(store, org.id).snapshot();
  const rows = await store.documents.list(org.id, { status: ['posted'], since: opts.since });
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const documents = rows.map((r) => r.body);
  const names = new Map<string, string>();
  const text = WRITERS[opts.format](documents, {
    accountName: (role, currency, doc) => {
      const row = doc && byKey.get(doc.key);
      const integration = row?.integrationId != null ? integrations.get(row.integrationId) : undefined;
      const key = `${role}|${integration?.id ?? ''}|${currency}`;
      let name = names.get(key);
      if (name === undefined) names.set(key, (name = specFor({ role, currency, integration }).name));
      return name;
    },
    ledgerRef: (doc) => byKey.get(doc.key)?.refs[0],
  });
  return { text, documents: documents.length };
}
