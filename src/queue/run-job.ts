import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { ExitCode, SynderError } from '../errors.js';
import type { Context } from '../runtime/context.js';
import type { SignalSource } from '../runtime/interrupt.js';
import type { SyncSummary } from '../sync/types.js';
import type { JobOutcome, JobRunner } from './worker.js';

/**
 * A stream that writes each whole line to `sink` with the org in front, so lines of jobs running
 * side by side stay apart; progress is dropped unless `verbose`, warnings always pass.
 */
export function orgLines(sink: Writable, org: string, verbose: boolean): Writable {
  let partial = '';
  return new Writable({
    write(chunk, _enc, cb) {
      const text = partial + String(chunk).replace(/\r/g, '\n');
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const plain = line.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').trimEnd();
        if (plain && (verbose || /^(warning|error)/i.test(plain))) sink.write(`${org}: ${plain}\n`);
      }
      cb();
    },
  });
}

/** The summary a job keeps: everything but a dry run's plan, which a queued run never has. */
export function jobSummary(s: SyncSummary): Record<string, unknown> {
  const { plan: _plan, ...rest } = s;
  return rest as unknown as Record<string, unknown>;
}

const summaryLine = (s: SyncSummary): string =>
  `${s.documents.created} created, ${s.documents.updated} updated, ${s.documents.existing} already there, ${s.documents.failed} failed` +
  (s.failures.length > 0 ? ' (partial: see `synder runs --json`)' : '');

/** Errors a retry cannot mend: the same attempt would fail the same way. */
const PERMANENT: ReadonlySet<number> = new Set([ExitCode.usage, ExitCode.reauth]);

/**
 * Runs one org's sync for a worker, through the same syncOrg as `synder sync`: its own context
 * (tokens, output prefixed by the org; the worker's state pool), its own interrupt, fired when the
 * worker hands the job back. The org's sync lock still guards: a job that meets it is retried later.
 */
export function orgSyncRunner(parent: Context): JobRunner {
  return async (ticket, signal): Promise<JobOutcome> => {
    const signals = new EventEmitter();
    const source: SignalSource = { on: (s, l) => signals.on(s, l), off: (s, l) => signals.off(s, l) };
    const stderr = orgLines(parent.streams.stderr, ticket.org, parent.logger.verbose);
    const stdout = new Writable({ write: (_c, _e, cb) => cb() });
    const ctx = parent.derive({ streams: { stdin: parent.streams.stdin, stdout, stderr }, signals: source, org: ticket.org });
    const onAbort = (): void => void signals.emit('SIGTERM');
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const { syncOrg } = await import('../sync/sync-org.js');
      const org = await ctx.requireOrg();
      const summary = await syncOrg(ctx, org, {});
      return { kind: 'done', summary: jobSummary(summary), line: summaryLine(summary) };
    } catch (err) {
      if (err instanceof SynderError) {
        const error = { message: err.message, code: err.code, exitCode: err.exitCode, hint: err.hint ?? null };
        return PERMANENT.has(err.exitCode) ? { kind: 'fail', error } : { kind: 'retry', error };
      }
      return { kind: 'retry', error: { message: (err as Error)?.message ?? String(err), code: 'internal' } };
    } finally {
      signal.removeEventListener('abort', onAbort);
      await ctx.close();
    }
  };
}
