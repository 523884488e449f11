import fs from 'node:fs';
import { Option, type Command } from 'commander';
import { UsageError } from '../../errors.js';
import { action, type ProgramDeps } from '../command.js';

export function registerExport(program: Command, deps: ProgramDeps): void {
  program
    .command('export')
    .description('Write the postings as an hledger, beancount or CSV journal')
    .addOption(new Option('--format <hledger|beancount|csv>', 'journal format').choices(['hledger', 'beancount', 'csv']).makeOptionMandatory())
    .option('--since <date|Nd>', 'only documents dated on or after this date')
    .option('--output <file>', 'write to this file instead of stdout')
    .action(
      action<{ format: string; since?: string; output?: string }>(deps, async (ctx, opts) => {
        if (!['hledger', 'beancount', 'csv'].includes(opts.format)) throw new UsageError(`--format must be hledger, beancount or csv, not "${opts.format}".`);
        const { parseWhen } = await import('../../sync/dates.js');
        const { exportJournal } = await import('../../sync/export.js');
        const since = parseWhen(opts.since, ctx.clock.now(), '--since')?.toISOString().slice(0, 10);
        const org = await ctx.requireOrg();
        const { text, documents } = exportJournal(await ctx.store(), org, { format: opts.format as 'hledger' | 'beancount' | 'csv', since });
        if (opts.output) {
          fs.writeFileSync(opts.output, text);
          ctx.output.info(`Wrote ${documents} document(s) to ${opts.output}.`);
        } else ctx.streams.stdout.write(text);
      }),
    );
}
