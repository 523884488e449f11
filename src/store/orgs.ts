import { z } from 'zod';
import { parseColumn, parseJsonColumn } from './json.js';
import { orgSettings, type OrgSettings } from './settings.js';
import type { SqlConnection } from './sql.js';

export type LedgerKind = 'quickbooks' | 'xero';
export type SyncMode = 'per-transaction' | 'summary';

export interface Org {
  id: number;
  name: string;
  country: string | null;
  currency: string | null;
  timezone: string | null;
  email: string | null;
  ledger: LedgerKind | null;
  mode: SyncMode | null;
  settings: OrgSettings;
  createdAt: string;
}

export interface NewOrg {
  name: string;
  country?: string | null;
  currency?: string | null;
  timezone?: string | null;
  email?: string | null;
  ledger?: LedgerKind | null;
  mode?: SyncMode | null;
  settings?: OrgSettings;
}

interface OrgRow {
  id: number;
  name: string;
  country: string | null;
  currency: string | null;
  timezone: string | null;
  email: string | null;
  ledger: string | null;
  mode: string | null;
  settings_json: string;
  created_at: string;
}

const ledgerKind = z.enum(['quickbooks', 'xero']).nullable();
const syncMode = z.enum(['per-transaction', 'summary']).nullable();

const fromRow = (r: OrgRow): Org => {
  const at = (column: string) => ({ table: 'orgs', row: r.id, column });
  return {
    id: r.id,
    name: r.name,
    country: r.country,
    currency: r.currency,
    timezone: r.timezone,
    email: r.email,
    ledger: parseColumn(ledgerKind, r.ledger, at('ledger')),
    mode: parseColumn(syncMode, r.mode, at('mode')),
    settings: parseJsonColumn(orgSettings, r.settings_json, at('settings_json')),
    createdAt: r.created_at,
  };
};

export class OrgRepository {
  constructor(private readonly conn: () => SqlConnection, private readonly now: () => Date) {}

  async list(): Promise<Org[]> {
    return (await this.conn().all<OrgRow>('SELECT * FROM orgs ORDER BY name')).map(fromRow);
  }

  /** Names are unique regardless of case (the column's NOCASE collation in SQLite); compared the same way on every engine. */
  async findByName(name: string): Promise<Org | undefined> {
    const row = await this.conn().get<OrgRow>('SELECT * FROM orgs WHERE lower(name) = lower(?)', [name]);
    return row && fromRow(row);
  }

  async get(id: number): Promise<Org | undefined> {
    const row = await this.conn().get<OrgRow>('SELECT * FROM orgs WHERE id = ?', [id]);
    return row && fromRow(row);
  }

  async create(o: NewOrg): Promise<Org> {
    const row = await this.conn().get<{ id: number }>(
      `INSERT INTO orgs (name, country, currency, timezone, email, ledger, mode, settings_json, created_at)
       VALUES (@name, @country, @currency, @timezone, @email, @ledger, @mode, @settings, @createdAt) RETURNING id`,
      {
        name: o.name,
        country: o.country ?? null,
        currency: o.currency ?? null,
        timezone: o.timezone ?? null,
        email: o.email ?? null,
        ledger: o.ledger ?? null,
        mode: o.mode ?? null,
        settings: JSON.stringify(o.settings ?? {}),
        createdAt: this.now().toISOString(),
      },
    );
    return (await this.get(row!.id))!;
  }

  async update(id: number, patch: Partial<NewOrg>): Promise<Org> {
    const current = await this.get(id);
    if (!current) throw new Error(`org ${id} does not exist`);
    const next = { ...current, ...patch, settings: { ...current.settings, ...(patch.settings ?? {}) } };
    await this.conn().run(
      `UPDATE orgs SET name=@name, country=@country, currency=@currency, timezone=@timezone, email=@email,
       ledger=@ledger, mode=@mode, settings_json=@settings WHERE id=@id`,
      {
        id,
        name: next.name,
        country: next.country ?? null,
        currency: next.currency ?? null,
        timezone: next.timezone ?? null,
        email: next.email ?? null,
        ledger: next.ledger ?? null,
        mode: next.mode ?? null,
        settings: JSON.stringify(next.settings),
      },
    );
    return (await this.get(id))!;
  }

  async remove(id: number): Promise<void> {
    await this.conn().run('DELETE FROM orgs WHERE id = ?', [id]);
  }
}
