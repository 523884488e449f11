import { z } from 'zod';
import { parseColumn, parseJsonColumn } from './json.js';
import type { LedgerKind } from './orgs.js';
import { integrationSettings, ledgerSettings, type IntegrationSettings, type LedgerSettings } from './settings.js';
import type { SqlConnection } from './sql.js';

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

interface LedgerConnectionRow { org_id: number; provider: string; external_id: string; name: string | null; settings_json: string; connected_at: string }

export class IntegrationRepository {
  constructor(private readonly conn: () => SqlConnection, private readonly now: () => Date) {}

  async listForOrg(orgId: number): Promise<Integration[]> {
    return (await this.conn().all<IntegrationRow>('SELECT * FROM integrations WHERE org_id = ? ORDER BY id', [orgId])).map(fromRow);
  }

  async get(id: number): Promise<Integration | undefined> {
    const row = await this.conn().get<IntegrationRow>('SELECT * FROM integrations WHERE id = ?', [id]);
    return row && fromRow(row);
  }

  async find(orgId: number, platform: string, externalId: string): Promise<Integration | undefined> {
    const row = await this.conn().get<IntegrationRow>('SELECT * FROM integrations WHERE org_id = ? AND platform = ? AND external_id = ?', [orgId, platform, externalId]);
    return row && fromRow(row);
  }

  /** Creates the integration, or updates name/region/settings of an existing one (re-connect keeps history). */
  async upsert(i: { orgId: number; platform: string; externalId: string; name: string; region?: string | null; currency?: string | null; settings?: IntegrationSettings }): Promise<Integration> {
    const existing = await this.find(i.orgId, i.platform, i.externalId);
    if (existing) {
      await this.conn().run(`UPDATE integrations SET name=?, region=?, currency=?, status='active', settings_json=? WHERE id=?`, [
        i.name, i.region ?? existing.region, i.currency ?? existing.currency, JSON.stringify({ ...existing.settings, ...(i.settings ?? {}) }), existing.id,
      ]);
      return (await this.get(existing.id))!;
    }
    const row = await this.conn().get<{ id: number }>(
      `INSERT INTO integrations (org_id, platform, external_id, name, region, currency, settings_json, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      [i.orgId, i.platform, i.externalId, i.name, i.region ?? null, i.currency ?? null, JSON.stringify(i.settings ?? {}), this.now().toISOString()],
    );
    return (await this.get(row!.id))!;
  }

  async updateSettings(id: number, patch: IntegrationSettings): Promise<Integration> {
    const current = await this.get(id);
    if (!current) throw new Error(`integration ${id} does not exist`);
    await this.conn().run('UPDATE integrations SET settings_json=? WHERE id=?', [JSON.stringify({ ...current.settings, ...patch }), id]);
    return (await this.get(id))!;
  }

  async setStatus(id: number, status: string): Promise<void> {
    await this.conn().run('UPDATE integrations SET status=? WHERE id=?', [status, id]);
  }

  async getLedgerConnection(orgId: number): Promise<LedgerConnection | undefined> {
    const r = await this.conn().get<LedgerConnectionRow>('SELECT * FROM ledger_connections WHERE org_id = ?', [orgId]);
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

  async setLedgerConnection(c: Omit<LedgerConnection, 'connectedAt'>): Promise<LedgerConnection> {
    await this.conn().run(
      `INSERT INTO ledger_connections (org_id, provider, external_id, name, settings_json, connected_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(org_id) DO UPDATE SET provider=excluded.provider, external_id=excluded.external_id, name=excluded.name,
       settings_json=excluded.settings_json, connected_at=excluded.connected_at`,
      [c.orgId, c.provider, c.externalId, c.name, JSON.stringify(c.settings), this.now().toISOString()],
    );
    return (await this.getLedgerConnection(c.orgId))!;
  }
}
