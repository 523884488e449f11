import { z } from 'zod';
import { parseColumn, parseJsonColumn } from './json.js';
import { inviteDetail, type InviteDetail } from './settings.js';
import type { SqlConnection } from './sql.js';

/** Stored status; "expired" is derived from expires_at for pending rows. */
export type InviteStatus = 'pending' | 'accepted' | 'cancelled';

export interface Invite {
  id: number;
  orgId: number;
  platform: string;
  email: string;
  state: string;
  status: InviteStatus | 'expired';
  createdAt: string;
  expiresAt: string;
  acceptedAt: string | null;
  detail: InviteDetail;
}

interface InviteRow {
  id: number;
  org_id: number;
  platform: string;
  email: string;
  state: string;
  status: string;
  created_at: string;
  expires_at: string;
  accepted_at: string | null;
  detail_json: string;
}

const inviteStatus = z.enum(['pending', 'accepted', 'cancelled']) satisfies z.ZodType<InviteStatus>;

/** Pending "invite the account owner" authorizations: one row per link sent, keyed by its OAuth state. */
export class InviteRepository {
  constructor(private readonly conn: () => SqlConnection, private readonly now: () => Date) {}

  private fromRow = (r: InviteRow): Invite => {
    const at = (column: string) => ({ table: 'invites', row: r.id, column });
    const status = parseColumn(inviteStatus, r.status, at('status'));
    return {
      id: r.id,
      orgId: r.org_id,
      platform: r.platform,
      email: r.email,
      state: r.state,
      status: status === 'pending' && Date.parse(r.expires_at) <= this.now().getTime() ? 'expired' : status,
      createdAt: r.created_at,
      expiresAt: r.expires_at,
      acceptedAt: r.accepted_at,
      detail: parseJsonColumn(inviteDetail, r.detail_json, at('detail_json')),
    };
  };

  async create(i: { orgId: number; platform: string; email: string; state: string; expiresAt: Date; detail?: InviteDetail }): Promise<Invite> {
    const row = await this.conn().get<{ id: number }>(
      'INSERT INTO invites (org_id, platform, email, state, status, created_at, expires_at, detail_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id',
      [i.orgId, i.platform, i.email, i.state, 'pending', this.now().toISOString(), i.expiresAt.toISOString(), JSON.stringify(i.detail ?? {})],
    );
    return (await this.get(row!.id))!;
  }

  async get(id: number): Promise<Invite | undefined> {
    const row = await this.conn().get<InviteRow>('SELECT * FROM invites WHERE id = ?', [id]);
    return row && this.fromRow(row);
  }

  async findByState(state: string): Promise<Invite | undefined> {
    const row = await this.conn().get<InviteRow>('SELECT * FROM invites WHERE state = ?', [state]);
    return row && this.fromRow(row);
  }

  async list(orgId: number, status?: Invite['status']): Promise<Invite[]> {
    const all = (await this.conn().all<InviteRow>('SELECT * FROM invites WHERE org_id = ? ORDER BY id', [orgId])).map(this.fromRow);
    return status ? all.filter((i) => i.status === status) : all;
  }

  /** Marks a pending, unexpired invite accepted; false when another accept got there first. */
  async claim(id: number): Promise<boolean> {
    const now = this.now().toISOString();
    return (await this.conn().run(`UPDATE invites SET status = 'accepted', accepted_at = ? WHERE id = ? AND status = 'pending' AND expires_at > ?`, [now, id, now])).changes === 1;
  }

  /** Puts a claimed invite back to pending (the code exchange failed, so the link may be retried). */
  async unclaim(id: number): Promise<void> {
    await this.conn().run(`UPDATE invites SET status = 'pending', accepted_at = NULL WHERE id = ? AND status = 'accepted'`, [id]);
  }

  async updateDetail(id: number, patch: InviteDetail): Promise<void> {
    const current = await this.get(id);
    if (!current) return;
    await this.conn().run('UPDATE invites SET detail_json = ? WHERE id = ?', [JSON.stringify({ ...current.detail, ...patch }), id]);
  }

  async cancel(id: number): Promise<boolean> {
    return (await this.conn().run(`UPDATE invites SET status = 'cancelled' WHERE id = ? AND status = 'pending'`, [id])).changes === 1;
  }
}
