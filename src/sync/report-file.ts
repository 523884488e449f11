import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { OrgCloseReport } from './close-report.js';
import { reportCsv, reportHtml, reportJson, type ReportFormat } from './close-report-render.js';
import { printPdf } from './report-pdf.js';
import type { Context } from '../runtime/context.js';
import type { Org } from '../store/orgs.js';

/** Writes the report in `format` to `file` (PDF through a temporary HTML file). */
export async function writeReport(report: OrgCloseReport, format: ReportFormat, file: string, env: Record<string, string | undefined>): Promise<void> {
  if (format === 'pdf') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synder-report-'));
    try {
      const html = path.join(dir, 'report.html');
      fs.writeFileSync(html, await reportHtml(report));
      await printPdf(html, file, env);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    return;
  }
  fs.writeFileSync(file, await reportText(report, format));
}

export async function reportText(report: OrgCloseReport, format: Exclude<ReportFormat, 'pdf'>): Promise<string> {
  if (format === 'html') return reportHtml(report);
  if (format === 'csv') return reportCsv(report);
  return JSON.stringify(reportJson(report), null, 2) + '\n';
}

/** The demo's closing step: an HTML report of everything it synced, from `since` to today. */
export async function writeDemoReport(ctx: Context, org: Org, since: Date, file: string): Promise<string> {
  const { closeReportFor, reportPeriod, orgToday } = await import('./close-report.js');
  const { openLedger } = await import('./clients.js');
  const now = ctx.clock.now();
  const period = reportPeriod({ since }, orgToday(org, now));
  const report = await closeReportFor({ store: await ctx.store(), openLedger: () => openLedger(ctx, org) }, org, period, now);
  await writeReport(report, 'html', file, ctx.env);
  return file;
}
