import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { databaseUrl } from '../../config.js';
import { ExitCode } from '../../errors.js';
import type { Context } from '../../runtime/context.js';
import { action, type ProgramDeps } from '../command.js';

export function registerState(program: Command, deps: ProgramDeps): void {
  const state = program.command('state').description('Move the state store (orgs, documents, history, tokens) between engines');
  state
    .command('copy')
    .description("Copy this SYNDER_HOME's SQLite state and its tokens into an empty PostgreSQL database, then verify the copy")
    .requiredOption('--to <url>', 'the PostgreSQL database (postgres://user@host/db); it must be empty', (v: string) => {
      try {
        return databaseUrl(v.trim(), '--to')!;
      } catch {
        throw new InvalidArgumentError('Not a PostgreSQL URL: use the form postgres://user:password@host:5432/database.');
      }
    })
    .option('--json', 'print as JSON')
    .action(action(deps, runStateCopy));
}

export async function runStateCopy(ctx: Context, opts: { to: string }): Promise<number> {
  const { copyStateToPostgres } = await import('../../onboarding/state-copy.js');
  const { source, description, close } = await ctx.sqliteState();
  try {
    const vault = await ctx.localVault();
    const progress = ctx.output.json ? undefined : (table: string, rows: number) => ctx.output.info(`Copied ${table}: ${rows} row${rows === 1 ? '' : 's'}`);
    const result = await copyStateToPostgres({ source, sourceDescription: description, sourceVault: vault, to: opts.to, env: ctx.env, progress });
    if (ctx.output.json) {
      ctx.output.printJson(result);
    } else {
      await ctx.output.table({
        title: `${result.from} → ${result.to}`,
        head: ['Table', 'Rows (SQLite)', 'Rows (PostgreSQL)', 'Content', 'Verified'],
        rows: [
          ...result.tables.map((t) => [t.table, t.source.rows, t.target.rows, t.target.hash.slice(0, 12), t.matches ? 'yes' : 'NO']),
          ['credentials', result.credentials.tokens + result.credentials.secrets, result.credentials.tokens + result.credentials.secrets, 're-sealed', result.credentials.matches ? 'yes' : 'NO'],
        ],
      });
      if (result.ok) ctx.output.info(`Copied and verified. Use it with SYNDER_DATABASE_URL (or --database-url) and the same SYNDER_CREDENTIALS_KEY on every host.`);
      else ctx.output.info('The copy does not match its source (see the rows marked NO). Drop that database and copy again; the SQLite state is unchanged.');
    }
    return result.ok ? ExitCode.ok : ExitCode.error;
  } finally {
    await close();
  }
}
