import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { action, type ProgramDeps } from '../command.js';

const STATUSES = ['ready', 'synced', 'synced_with_warnings', 'failed', 'skipped', 'deleted'] as const;

export function registerTransactions(program: Command, deps: ProgramDeps): void {
  program
    .command('transactions')
    .description('List the platform transactions synder has seen, with status')
    .option('--status <list>', `only these statuses, comma-separated (${STATUSES.join(', ')})`)
    .option('--since <date|Nd>', 'only transactions settled on or after this date')
    .option('--json', 'print as JSON')
    .action(
      action<{ status?: string; since?: string; json?: boolean }>(deps, async (ctx, opts) => {
        const { parseWhen } = await import('../../sync/dates.js');
        const { listTransactions } = await import('../../sync/views.js');
        const status = opts.status?.split(',').map((s) => s.trim()).filter(Boolean);
        const bad = status?.filter((s) => !(STATUSES as readonly string[]).includes(s));
        if (bad?.length) throw new UsageError(`--status: unknown status ${bad.join(', ')} (use ${STATUSES.join(', ')}).`);
        const since = parseWhen(opts.since, ctx.clock.now(), '--since');
        const org = await ctx.requireOrg();
        const rows = listTransactions(await ctx.store(), org, { status: status as (typeof STATUSES)[number][] | undefined, since: since?.toISOString() });
        if (ctx.output.json) {
          ctx.output.printJson({ org: org.name, transactions: rows });
          return;
        }
        if (rows.length === 0) {
          ctx.output.line('No transactions yet. Run `synder sync`.');
          return;
        }
        await ctx.output.table({
          head: ['Order / transaction', 'Date', 'Type', 'Settlement', 'Status', 'Ledger documents'],
          rows: rows.map((r) => [
            r.orderId ? `${r.orderId}\n${r.id}` : r.id,
            r.date,
            r.type,
            r.settlement ? `${r.settlement} ${r.currency}` : '',
            r.status + (r.error ? `\n${r.error.slice(0, 60)}` : ''),
            r.documents.map((d) => `${d.ledgerType ?? d.kind} ${d.ledgerNumber ?? d.ledgerId ?? ''} (${d.status})`).join('\n'),
          ]),
          alignRight: [3],
        });
        const counts = new Map<string, number>();
        for (const r of rows) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
        ctx.output.line([...counts.entries()].map(([s, n]) => `${n} ${s}`).join(', '));
      }),
    );
}
