import type { Context } from '../cli/context.js';
import { main } from '../cli/main.js';
import type { Org } from '../store/orgs.js';

/**
 * The first sync after set-up: the same `synder sync` a user runs later (same progress,
 * same exit codes), then the transactions table of what it booked.
 */
export async function firstSync(ctx: Context, org: Org, since: Date): Promise<{ exitCode: number; summary: unknown }> {
  const env = { ...ctx.env, SYNDER_HOME: ctx.config.home, SYNDER_ORG: org.name };
  const day = since.toISOString().slice(0, 10);
  if (ctx.output.json) {
    let captured = '';
    const { Writable } = await import('node:stream');
    const stdout = new Writable({
      write(chunk, _enc, cb) {
        captured += String(chunk);
        cb();
      },
    });
    const exitCode = await main(['node', 'synder', 'sync', '--since', day, '--json'], { env, streams: { ...ctx.streams, stdout }, clock: ctx.clock });
    let summary: unknown = null;
    try {
      summary = JSON.parse(captured);
    } catch {
      summary = { raw: captured };
    }
    return { exitCode, summary };
  }
  const exitCode = await main(['node', 'synder', 'sync', '--since', day], { env, streams: ctx.streams, clock: ctx.clock });
  await main(['node', 'synder', 'transactions', '--since', day], { env, streams: ctx.streams, clock: ctx.clock });
  return { exitCode, summary: null };
}
