import { PreparedStatements, type Database } from './db.js';

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
  private readonly statements: PreparedStatements;

  constructor(private readonly db: Database, private readonly now: () => Date) {
    this.statements = new PreparedStatements(db);
  }

  add(e: { orgId: number; subjectKind: string; subjectId: string; status: string; message?: string | null; runId?: number | null }): void {
    // A sync adds one per document and source record: prepared once.
    this.statements
      .get('INSERT INTO events (org_id, subject_kind, subject_id, status, message, run_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(e.orgId, e.subjectKind, e.subjectId, e.status, e.message ?? null, e.runId ?? null, this.now().toISOString());
  }

  forSubjects(orgId: number, subjects: Array<{ kind: string; id: string }>): StatusEvent[] {
    if (subjects.length === 0) return [];
    const cond = subjects.map(() => '(subject_kind = ? AND subject_id = ?)').join(' OR ');
    const params = subjects.flatMap((s) => [s.kind, s.id]);
    return (this.db.prepare(`SELECT * FROM events WHERE org_id = ? AND (${cond}) ORDER BY id`).all(orgId, ...params) as Row[]).map(fromRow);
  }
}
