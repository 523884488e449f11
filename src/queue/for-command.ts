import { UsageError } from '../errors.js';
import type { Context } from '../runtime/context.js';
import { queueDatabaseUrl, requireQueueDatabaseUrl } from './database.js';
import { openQueue, type JobQueue } from './queue.js';

/** The job queue for a command, released when the command ends; a usage error without a database URL. */
export async function queueFor(ctx: Context, command: string, opts: { supervise?: boolean } = {}): Promise<JobQueue> {
  const url = requireQueueDatabaseUrl(ctx.config, command);
  return openWith(ctx, url, opts);
}

/** The job queue when a database URL is set, else undefined (for `synder status`). */
export async function queueIfConfigured(ctx: Context): Promise<JobQueue | undefined> {
  const url = queueDatabaseUrl(ctx.config);
  return url ? openWith(ctx, url, {}) : undefined;
}

async function openWith(ctx: Context, url: string, opts: { supervise?: boolean }): Promise<JobQueue> {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !/^postgres(ql)?:$/.test(parsed.protocol)) {
    throw new UsageError('SYNDER_DATABASE_URL is not a PostgreSQL URL.', 'Use the form postgres://user:password@host:5432/database.');
  }
  ctx.logger.addSecret(decodeURIComponent(parsed.password) || undefined);
  const queue = await openQueue(url, { supervise: opts.supervise, onError: (err) => ctx.logger.debug(`queue: ${err.message}`) });
  ctx.onClose(() => queue.release());
  return queue;
}
