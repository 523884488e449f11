import { z } from 'zod';
import { parseColumn, parseJsonColumn } from './json.js';
import type { SqlConnection } from './sql.js';

const runStatus = z.enum(['running', 'ok', 'partial', 'failed']);
export type RunStatus = z.output<typeof runStatus>;

/** A finished run's summary is the sync's report, kept as it was printed with --json. */
const runSummary = z.record(z.string(), z.unknown());

export interface SyncRun {
  id: number;
  orgId: number;
  startedAt: string;
  finishedAt: string | null;
  status: RunStatus;
  since: string | null;
  until: string | null;
  dryRun: boolean;
  summary: Record<string, unknown> | null;
  error: string | null;
}

interface Row {
  id: number; org_id: number; started_at: string; finished_at: string | null; status: string; since: string | null; until: string | null;
  dry_run: number; summary_json: string | null; error: string | null;
}

const fromRow = (r: Row): SyncRun => {
  const at = (column: string) => ({ table: 'sync_runs', row: r.id, column });
  return {
    id: r.id, orgId: r.org_id, startedAt: r.started_at, finishedAt: r.finished_at, status: parseColumn(runStatus, r.status, at('status')), since: r.since, until: r.until,
    dryRun: Number(r.dry_run) === 1, summary: r.summary_json ? parseJsonColumn(runSummary, r.summary_json, at('summary_json')) : null, error: r.error,
  };
};

export class RunRepository {
  constructor(private readonly conn: () => SqlConnection, private readonly now: () => Date) {}

  async start(orgId: number, opts: { since?: string | null; until?: string | null; dryRun?: boolean }): Promise<SyncRun> {
    const row = await this.conn().get<{ id: number }>('INSERT INTO sync_runs (org_id, started_at, since, until, dry_run) VALUES (?, ?, ?, ?, ?) RETURNING id', [
      orgId, this.now().toISOString(), opts.since ?? null, opts.until ?? null, opts.dryRun ? 1 : 0,
    ]);
    return (await this.get(row!.id))!;
  }

  async finish(id: number, status: Exclude<RunStatus, 'running'>, summary: unknown, error?: string | null): Promise<void> {
    await this.conn().run('UPDATE sync_runs SET finished_at=?, status=?, summary_json=?, error=? WHERE id=?', [
      this.now().toISOString(), status, summary === undefined ? null : JSON.stringify(summary), error ?? null, id,
    ]);
  }

  async get(id: number): Promise<SyncRun | undefined> {
    const r = await this.conn().get<Row>('SELECT * FROM sync_runs WHERE id=?', [id]);
    return r && fromRow(r);
  }

  async last(orgId: number): Promise<SyncRun | undefined> {
    const r = await this.conn().get<Row>('SELECT * FROM sync_runs WHERE org_id=? ORDER BY id DESC LIMIT 1', [orgId]);
    return r && fromRow(r);
  }
}
