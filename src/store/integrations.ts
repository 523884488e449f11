import { z } from 'zod';
import type { Database } from './db.js';
import { parseColumn, parseJsonColumn } from './json.js';
import type { LedgerKind } from './orgs.js';
import { integrationSettings, ledgerSettings, type IntegrationSettings, type LedgerSettings } from './settings.js';

export interface Integration {
  id: number;
  orgId: number;
  platform: string;
  externalId: string;
  name: string;
  region: string | null;
  currency: string | null;
  status: string;
  settings: IntegrationSettings;
  createdAt: string;
}

export interface LedgerConnection {
  orgId: number;
  provider: LedgerKind;
  externalId: string;
  name: string | null;
  settings: LedgerSettings;
  connectedAt: string;
}

interface IntegrationRow {
  id: number;
  org_id: number;
  platform: string;
  external_id: string;
  name: string;
  region: string | null;
  currency: string | null;
  status: string;
  settings_json: string;
  created_at: string;
}

const fromRow = (r: IntegrationRow): Integration => ({
  id: r.id,
  orgId: r.org_id,
  platform: r.platform,
  externalId: r.external_id,
  name: r.name,
  region: r.region,
  currency: r.currency,
  status: r.status,
  settings: parseJsonColumn(integrationSettings, r.settings_json, { table: 'integrations', row: r.id, column: 'settings_json' }),
  createdAt: r.created_at,
});

const ledgerKind = z.enum(['quickbooks', 'xero']) satisfies z.ZodType<LedgerKind>;

export class IntegrationRepository {
  constructor(private readonly db: Database, private readonly now: () => Date) {}

  listForOrg(orgId: number): Integration[] {
    return (this.db.prepare('SELECT * FROM integrations WHERE org_id = ? ORDER BY id').all(orgId) as IntegrationRow[]).map(fromRow);
  }

  get(id: number): Integration | undefined {
    const row = this.db.prepare('SELECT * FROM integrations WHERE id = ?').get(id) as IntegrationRow | undefined;
    return row && fromRow(row);
  }

  find(orgId: number, platform: string, externalId: string): Integration | undefined {
    const row = this.db
      .prepare('SELECT * FROM integrations WHERE org_id = ? AND platform = ? AND external_id = ?')
      .get(orgId, platform, externalId) as IntegrationRow | undefined;
    return row && fromRow(row);
  }

  /** Creates the integration, or updates name/region/settings of an existing one (re-connect keeps history). */
  upsert(i: { orgId: number; platform: string; externalId: string; name: string; region?: string | null; currency?: string | null; settings?: IntegrationSettings }): Integration {
    const existing = this.find(i.orgId, i.platform, i.externalId);
    if (existing) {
      this.db
        .prepare(`UPDATE integrations SET name=?, region=?, currency=?, status='active', settings_json=? WHERE id=?`)
        .run(i.name, i.region ?? existing.region, i.currency ?? existing.currency, JSON.stringify({ ...existing.settings, ...(i.settings ?? {}) }), existing.id);
      return this.get(existing.id)!;
    }
    const info = this.db
      .prepare(
        `INSERT INTO integrations (org_id, platform, external_id, name, region, currency, settings_json, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(i.orgId, i.platform, i.externalId, i.name, i.region ?? null, i.currency ?? null, JSON.stringify(i.settings ?? {}), this.now().toISOString());
    return this.get(Number(info.lastInsertRowid))!;
  }

  updateSettings(id: number, patch: IntegrationSettings): Integration {
    const current = this.get(id);
    if (!current) throw new Error(`integration ${id} does not exist`);
    this.db.prepare('UPDATE integrations SET settings_json=? WHERE id=?').run(JSON.stringify({ ...current.settings, ...patch }), id);
    return this.get(id)!;
  }

  setStatus(id: number, status: string): void {
    this.db.prepare('UPDATE integrations SET status=? WHERE id=?').run(status, id);
  }

  getLedgerConnection(orgId: number): LedgerConnection | undefined {
    const r = this.db.prepare('SELECT * FROM ledger_connections WHERE org_id = ?').get(orgId) as
      | { org_id: number; provider: string; external_id: string; name: string | null; settings_json: string; connected_at: string }
      | undefined;
    if (!r) return undefined;
    const at = (column: string) => ({ table: 'ledger_connections', row: `of org ${r.org_id}`, column });
    return {
      orgId: r.org_id,
      provider: parseColumn(ledgerKind, r.provider, at('provider')),
      externalId: r.external_id,
      name: r.name,
      settings: parseJsonColumn(ledgerSettings, r.settings_json, at('settings_json')),
      connectedAt: r.connected_at,
    };
  }

  setLedgerConnection(c: Omit<LedgerConnection, 'connectedAt'>): LedgerConnection {
    this.db
      .prepare(
        `INSERT INTO ledger_connections (org_id, provider, external_id, name, settings_json, connected_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(org_id) DO UPDATE SET provider=excluded.provider, external_id=excluded.external_id, name=excluded.name,
         settings_json=excluded.settings_json, connected_at=excluded.connected_at`,
      )
      .run(c.orgId, c.provider, c.externalId, c.name, JSON.stringify(c.settings), this.now().toISOString());
    return this.getLedgerConnection(c.orgId)!;
  }
}
