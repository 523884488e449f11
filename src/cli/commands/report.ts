import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { ExitCode, UsageError } from '../../errors.js';
import type { Context } from '../../runtime/context.js';
import { action, type ProgramDeps } from '../command.js';
import { whenOption } from '../options.js';

export const REPORT_FORMATS = ['html', 'pdf', 'csv', 'json'] as const;
export type ReportFormatFlag = (typeof REPORT_FORMATS)[number];

export interface ReportFlags { month?: string; since?: Date; until?: Date; format: ReportFormatFlag; output?: string }

const month = (value: string): string => {
  const m = /^(\d{4})-(\d{2})$/.exec(value.trim());
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) throw new InvalidArgumentError('Use a month as YYYY-MM, e.g. 2026-10.');
  return value.trim();
};

export function registerReport(program: Command, deps: ProgramDeps): void {
  program
    .command('report')
    .description('Month-end close report: clearing roll-forward, P&L, payouts, exceptions and charts')
    .addOption(new Option('--month <YYYY-MM>', 'the month to report (default: the current month)').argParser(month).conflicts(['since', 'until']))
    .addOption(whenOption('--since <date|Nd>', 'start of the period (included)', deps.clock))
    .addOption(whenOption('--until <date|Nd>', 'end of the period (excluded; default: through today)', deps.clock))
    .addOption(new Option('--format <format>', 'html (one self-contained file), pdf (printed by headless Chromium), csv or json').choices(REPORT_FORMATS).default('html'))
    .option('--output <file>', 'write here (default: synder-report-<org>-<period>.<format> for html and pdf, stdout for csv and json)')
    .addHelpText('after', '\nIts figures are those of `synder reconcile` and `synder export`.')
    .action(action(deps, runReport));
}

export async function runReport(ctx: Context, flags: ReportFlags): Promise<number> {
  if (flags.since && flags.until && flags.since >= flags.until) throw new UsageError('--since must be before --until.');
  const { closeReportFor, reportPeriod, defaultReportFile, orgToday } = await import('../../sync/close-report.js');
  const now = ctx.clock.now();
  const org = await ctx.requireOrg();
  const period = reportPeriod(flags, orgToday(org, now));
  if (period.since >= period.until) throw new UsageError('--since must be before --until.');
  const store = await ctx.store();
  const { openLedger } = await import('../../sync/clients.js');
  const report = await closeReportFor({ store, openLedger: org.ledger ? () => openLedger(ctx, org) : undefined }, org, period, now);
  const { writeReport, reportText } = await import('../../sync/report-file.js');
  const file = flags.output ?? (flags.format === 'html' || flags.format === 'pdf' ? defaultReportFile(org.name, period, flags.format) : undefined);
  if (!file) {
    ctx.streams.stdout.write(await reportText(report, flags.format as 'csv' | 'json'));
  } else {
    await writeReport(report, flags.format, file, ctx.env);
    ctx.streams.stdout.write(`${path.resolve(file)}\n`);
  }
  const { formatMinor } = await import('../../booking/money.js');
  for (const s of report.shops) {
    const f = (n: number) => `${formatMinor(n, s.currency)} ${s.currency}`;
    const rf = s.rollForward;
    ctx.output.info(`${s.shop}: clearing ${f(rf.openingMinor)} → ${f(rf.closingMinor)}; TikTok ${f(rf.tiktokMinor)}; difference ${f(rf.differenceMinor)}; net ${f(s.netMinor)}.`);
  }
  if (report.ledgerError) ctx.output.info(`The ledger could not be read (${report.ledgerError}): the report has no ledger balance; TikTok's figure is set against the booked closing.`);
  if (report.exceptions.length) ctx.output.info(`${report.exceptions.length} exception(s): see the report's Exceptions table.`);
  return report.ledgerError ? ExitCode.partial : ExitCode.ok;
}
