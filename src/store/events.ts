import type { SqlConnection } from './sql.js';

export interface StatusEvent {
  id: number;
  orgId: number;
  subjectKind: string;
  subjectId: string;
  status: string;
  message: string | null;
  runId: number | null;
  at: string;
}

interface Row { id: number; org_id: number; subject_kind: string; subject_id: string; status: string; message: string | null; run_id: number | null; at: string }

const fromRow = (r: Row): StatusEvent => ({ id: r.id, orgId: r.org_id, subjectKind: r.subject_kind, subjectId: r.subject_id, status: r.status, message: r.message, runId: r.run_id, at: r.at });

/** Status history of source records and documents (what `explain` shows). */
export class EventRepository {
  constructor(private readonly conn: () => SqlConnection, private readonly now: () => Date) {}

  async add(e: { orgId: number; subjectKind: string; subjectId: string; status: string; message?: string | null; runId?: number | null }): Promise<void> {
    await this.conn().run('INSERT INTO events (org_id, subject_kind, subject_id, status, message, run_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      e.orgId, e.subjectKind, e.subjectId, e.status, e.message ?? null, e.runId ?? null, this.now().toISOString(),
    ]);
  }

  async forSubjects(orgId: number, subjects: Array<{ kind: string; id: string }>): Promise<StatusEvent[]> {
    if (subjects.length === 0) return [];
    const cond = subjects.map(() => '(subject_kind = ? AND subject_id = ?)').join(' OR ');
    const params = subjects.flatMap((s) => [s.kind, s.id]);
    return (await this.conn().all<Row>(`SELECT * FROM events WHERE org_id = ? AND (${cond}) ORDER BY id`, [orgId, ...params])).map(fromRow);
  }
}
