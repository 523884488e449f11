import type { SqlConnection } from './sql.js';

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
  constructor(private readonly conn: () => SqlConnection) {}

  async list(orgId: number): Promise<AccountMapping[]> {
    const rows = await this.conn().all<{ org_id: number; scope: string; role: string; currency: string; account_id: string; account_name: string }>(
      'SELECT * FROM account_mappings WHERE org_id = ? ORDER BY scope, role, currency',
      [orgId],
    );
    return rows.map((r) => ({ orgId: r.org_id, scope: r.scope, role: r.role, currency: r.currency, accountId: r.account_id, accountName: r.account_name }));
  }

  async get(orgId: number, role: string, opts: { scope?: string; currency?: string } = {}): Promise<AccountMapping | undefined> {
    return (await this.list(orgId)).find((m) => m.role === role && m.scope === (opts.scope ?? '') && m.currency === (opts.currency ?? ''));
  }

  /** Forgets an org-wide role's account (clearing mappings are per integration and stay). */
  async remove(orgId: number, role: string): Promise<void> {
    await this.conn().run("DELETE FROM account_mappings WHERE org_id = ? AND role = ? AND scope = '' AND currency = ''", [orgId, role]);
  }

  async set(m: AccountMapping): Promise<void> {
    await this.conn().run(
      `INSERT INTO account_mappings (org_id, scope, role, currency, account_id, account_name) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(org_id, scope, role, currency) DO UPDATE SET account_id=excluded.account_id, account_name=excluded.account_name`,
      [m.orgId, m.scope, m.role, m.currency, m.accountId, m.accountName],
    );
  }
}
