import { z } from 'zod';
import type { Database } from './db.js';
import { parseColumn, parseJsonColumn } from './json.js';
import { inviteDetail, type InviteDetail } from './settings.js';

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
  constructor(private readonly db: Database, private readonly now: () => Date) {}

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

  create(i: { orgId: number; platform: string; email: string; state: string; expiresAt: Date; detail?: InviteDetail }): Invite {
    const info = this.db
      .prepare('INSERT INTO invites (org_id, platform, email, state, status, created_at, expires_at, detail_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(i.orgId, i.platform, i.email, i.state, 'pending', this.now().toISOString(), i.expiresAt.toISOString(), JSON.stringify(i.detail ?? {}));
    return this.get(Number(info.lastInsertRowid))!;
  }

  get(id: number): Invite | undefined {
    const row = this.db.prepare('SELECT * FROM invites WHERE id = ?').get(id) as InviteRow | undefined;
    return row && this.fromRow(row);
  }

  findByState(state: string): Invite | undefined {
    const row = this.db.prepare('SELECT * FROM invites WHERE state = ?').get(state) as InviteRow | undefined;
    return row && this.fromRow(row);
  }

  list(orgId: number, status?: Invite['status']): Invite[] {
    const all = (this.db.prepare('SELECT * FROM invites WHERE org_id = ? ORDER BY id').all(orgId) as InviteRow[]).map(this.fromRow);
    return status ? all.filter((i) => i.status === status) : all;
  }

  /** Marks a pending, unexpired invite accepted; false when another accept got there first. */
  claim(id: number): boolean {
    const now = this.now().toISOString();
    return this.db.prepare(`UPDATE invites SET status = 'accepted', accepted_at = ? WHERE id = ? AND status = 'pending' AND expires_at > ?`).run(now, id, now).changes === 1;
  }

  /** Puts a claimed invite back to pending (the code exchange failed, so the link may be retried). */
  unclaim(id: number): void {
    this.db.prepare(`UPDATE invites SET status = 'pending', accepted_at = NULL WHERE id = ? AND status = 'accepted'`).run(id);
  }

  updateDetail(id: number, patch: InviteDetail): void {
    const current = this.get(id);
    if (!current) return;
    this.db.prepare('UPDATE invites SET detail_json = ? WHERE id = ?').run(JSON.stringify({ ...current.detail, ...patch }), id);
  }

  cancel(id: number): boolean {
    return this.db.prepare(`UPDATE invites SET status = 'cancelled' WHERE id = ? AND status = 'pending'`).run(id).changes === 1;
  }
}
