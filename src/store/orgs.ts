import { z } from 'zod';
import type { Database } from './db.js';
import { parseColumn, parseJsonColumn } from './json.js';
import { orgSettings, type OrgSettings } from './settings.js';

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
  constructor(private readonly db: Database, private readonly now: () => Date) {}

  list(): Org[] {
    return (this.db.prepare('SELECT * FROM orgs ORDER BY name').all() as OrgRow[]).map(fromRow);
  }

  findByName(name: string): Org | undefined {
    const row = this.db.prepare('SELECT * FROM orgs WHERE name = ?').get(name) as OrgRow | undefined;
    return row && fromRow(row);
  }

  get(id: number): Org | undefined {
    const row = this.db.prepare('SELECT * FROM orgs WHERE id = ?').get(id) as OrgRow | undefined;
    return row && fromRow(row);
  }

  create(o: NewOrg): Org {
    const info = this.db
      .prepare(
        `INSERT INTO orgs (name, country, currency, timezone, email, ledger, mode, settings_json, created_at)
         VALUES (@name, @country, @currency, @timezone, @email, @ledger, @mode, @settings, @createdAt)`,
      )
      .run({
        name: o.name,
        country: o.country ?? null,
        currency: o.currency ?? null,
        timezone: o.timezone ?? null,
        email: o.email ?? null,
        ledger: o.ledger ?? null,
        mode: o.mode ?? null,
        settings: JSON.stringify(o.settings ?? {}),
        createdAt: this.now().toISOString(),
      });
    return this.get(Number(info.lastInsertRowid))!;
  }

  update(id: number, patch: Partial<NewOrg>): Org {
    const current = this.get(id);
    if (!current) throw new Error(`org ${id} does not exist`);
    const next = { ...current, ...patch, settings: { ...current.settings, ...(patch.settings ?? {}) } };
    this.db
      .prepare(
        `UPDATE orgs SET name=@name, country=@country, currency=@currency, timezone=@timezone, email=@email,
         ledger=@ledger, mode=@mode, settings_json=@settings WHERE id=@id`,
      )
      .run({
        id,
        name: next.name,
        country: next.country ?? null,
        currency: next.currency ?? null,
        timezone: next.timezone ?? null,
        email: next.email ?? null,
        ledger: next.ledger ?? null,
        mode: next.mode ?? null,
        settings: JSON.stringify(next.settings),
      });
    return this.get(id)!;
  }

  remove(id: number): void {
    this.db.prepare('DELETE FROM orgs WHERE id = ?').run(id);
  }
}
