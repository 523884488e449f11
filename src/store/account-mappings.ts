import type { Database } from './db.js';

export interface AccountMapping {
  orgId: number;
  scope: string;
  role: string;
  currency: string;
  accountId: string;
  accountName: string;
}

export const integrationScope = (integrationId: number): string => `integration:${integrationId}`;

export class AccountMappingRepository {
  constructor(private readonly db: Database) {}

  list(orgId: number): AccountMapping[] {
    return (this.db.prepare('SELECT * FROM account_mappings WHERE org_id = ? ORDER BY scope, role, currency').all(orgId) as Array<{
      org_id: number; scope: string; role: string; currency: string; account_id: string; account_name: string;
    }>).map((r) => ({ orgId: r.org_id, scope: r.scope, role: r.role, currency: r.currency, accountId: r.account_id, accountName: r.account_name }));
  }

  get(orgId: number, role: string, opts: { scope?: string; currency?: string } = {}): AccountMapping | undefined {
    return this.list(orgId).find((m) => m.role === role && m.scope === (opts.scope ?? '') && m.currency === (opts.currency ?? ''));
  }

  /** Forgets an org-wide role's account (clearing mappings are per integration and stay). */
  remove(orgId: number, role: string): void {
    this.db.prepare("DELETE FROM account_mappings WHERE org_id = ? AND role = ? AND scope = '' AND currency = ''").run(orgId, role);
  }

  set(m: AccountMapping): void {
    this.db
      .prepare(
        `INSERT INTO account_mappings (org_id, scope, role, currency, account_id, account_name) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(org_id, scope, role, currency) DO UPDATE SET account_id=excluded.account_id, account_name=excluded.account_name`,
      )
      .run(m.orgId, m.scope, m.role, m.currency, m.accountId, m.accountName);
  }
}
