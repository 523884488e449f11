import fs from 'node:fs';
import { Option, type Command } from 'commander';
import type { Context } from '../../runtime/context.js';
import type { ExportFormat } from '../../sync/export.js';
import { action, type ProgramDeps } from '../command.js';
import { whenOption } from '../options.js';

const FORMATS = ['hledger', 'beancount', 'csv'] as const satisfies readonly ExportFormat[];

export interface ExportFlags { format: ExportFormat; since?: Date; output?: string }

export function registerExport(program: Command, deps: ProgramDeps): void {
  program
    .command('export')
    .description('Write the postings as an hledger, beancount or CSV journal')
    .addOption(new Option('--format <hledger|beancount|csv>', 'journal format').choices(FORMATS).makeOptionMandatory())
    .addOption(whenOption('--since <date|Nd>', 'only documents dated on or after this date', deps.clock))
    .option('--output <file>', 'write to this file instead of stdout')
    .action(action(deps, runExport));
}

export async function runExport(ctx: Context, flags: ExportFlags): Promise<void> {
  const org = await ctx.requireOrg();
  const { exportJournal } = await import('../../sync/export.js');
  const { text, documents } = await exportJournal(await ctx.store(), org, { format: flags.format, since: flags.since?.toISOString().slice(0, 10) });
  if (flags.output) {
    fs.writeFileSync(flags.output, text);
    ctx.output.info(`Wrote ${documents} document(s) to ${flags.output}.`);
  } else ctx.streams.stdout.write(text);
}
