import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config.js';
import { Context } from '../runtime/context.js';
import { UsageError } from '../errors.js';
import type { SyncMode } from '../store/orgs.js';
import type { LedgerProvider } from './connect-ledger.js';
import { connectSandboxShop } from './sandbox-shop.js';
import { freePort } from '../sandbox/http-kit.js';
import { printSyncSummary } from '../sync/report.js';
import { syncExitCode, syncOrg } from '../sync/sync-org.js';
import { startOfUtcDay } from '../sync/dates.js';
import { showExplanation, showReconciliation, showTransactions } from '../sync/show.js';
import { writeDemoReport } from '../sync/report-file.js';

export interface DemoOptions {
  ledger: LedgerProvider;
  mode: SyncMode;
  orders: number;
  days: number;
  seed: number;
  home?: string;
  faults?: string;
  /** The sandbox ledger's country (tax codes and rules) and sales-tax setting. */
  country?: 'US' | 'GB' | 'CA' | 'AU';
  salesTax?: 'off' | 'automated' | 'on';
}

/**
 * `synder demo`: the whole flow against the built-in sandbox — an org, both sign-ins through the
 * real loopback redirect (auto-approved), a sync, then what `transactions`, `explain` and
 * `reconcile` would show.
 */
export async function runDemo(ctx: Context, opts: DemoOptions): Promise<number> {
  const { ledger, mode } = opts;
  // The sandbox starts empty every time, so state from an earlier demo would describe books that no longer exist.
  if (opts.home && fs.existsSync(opts.home) && fs.readdirSync(opts.home).length > 0) {
    throw new UsageError(`--home ${opts.home} is not empty.`, 'The demo sandbox starts with empty books each time: give a new or empty folder (or leave out --home for a temporary one).');
  }
  if (opts.salesTax === 'automated' && (opts.country ?? 'US') !== 'US') {
    throw new UsageError('--sales-tax automated exists only for a US company.', 'Use --country US, or --sales-tax on|off for a GB, CA or AU company.');
  }
  const home = opts.home ?? fs.mkdtempSync(path.join(os.tmpdir(), 'synder-demo-'));
  const started = Date.now();

  const { startSandbox } = await import('../sandbox/index.js');
  const redirectUri = `http://localhost:${await freePort()}/callback`;
  ctx.output.info(`Starting the sandbox (TikTok Shop, QuickBooks Online, Xero) with ${opts.orders} orders…`);
  const sandbox = await startSandbox({
    autoApprove: true,
    seed: opts.seed,
    orders: opts.orders,
    days: opts.days,
    redirectUri,
    faults: opts.faults,
    country: opts.country,
    salesTax: opts.salesTax,
    xeroOpenApi: ctx.config.xeroOpenApi,
    services: ['tiktok', ledger],
  });
  try {
    // The demo's state is its own throwaway folder, never a database other hosts share.
    const env = { ...ctx.env, ...sandbox.env, SYNDER_HOME: home, SYNDER_CREDENTIALS: 'file', SYNDER_ORG: 'Demo Store', SYNDER_DATABASE_URL: undefined };
    const demo = new Context(loadConfig(env), env, ctx.streams, ctx.clock);
    try {
      ctx.output.info(`Signing in to ${ledger === 'xero' ? 'Xero' : 'QuickBooks Online'} (sandbox, auto-approved) through ${redirectUri}…`);
      const { tiktok } = await connectSandboxShop(demo, {
        orgName: 'Demo Store', email: 'owner@demo-store.test', ledger, mode,
        country: opts.country, currency: { US: 'USD', GB: 'GBP', CA: 'CAD', AU: 'AUD' }[opts.country ?? 'US'],
        onLedgerConnected: (connected) => {
          ctx.output.info(`Connected ${connected.company.name}; payouts land in "${connected.bankAccount.name}".`);
          ctx.output.info('Signing in to TikTok Shop (sandbox, auto-approved)…');
        },
      });
      for (const c of tiktok.clearingAccounts) ctx.output.info(`Clearing account for ${c.integration}: ${c.account.name}`);

      const store = await demo.store();
      const org = await demo.requireOrg();
      const since = startOfUtcDay(new Date(ctx.clock.now().getTime() - opts.days * 86_400_000));
      ctx.output.info('');
      const summary = await syncOrg(demo, org, { since });
      await printSyncSummary(demo, summary);
      ctx.output.info('');
      await showTransactions(demo, org, {}, 'brief');

      // In summary mode no document carries an order, but every synced order still has an explain.
      const orderId =
        (await store.documents.list(org.id, { status: ['posted'] })).find((d) => d.orderId && d.kind === 'sale')?.orderId ??
        (await store.sourceRecords.list({ integrationIds: (await store.integrations.listForOrg(org.id)).map((i) => i.id), status: ['synced'] })).find((r) => r.orderId)?.orderId ??
        undefined;
      if (orderId) {
        ctx.output.info('');
        await showExplanation(demo, org, orderId, { form: 'brief' });
      }
      ctx.output.info('');
      await showReconciliation(demo, org, 'brief');
      ctx.output.info('');
      const reportFile = await writeDemoReport(demo, org, since, path.join(home, 'report.html'));
      ctx.output.info(`Close report: ${reportFile}`);
      ctx.output.info(`Demo finished in ${((Date.now() - started) / 1000).toFixed(1)} s. State kept in ${home}`);
      ctx.output.info(`Explore it with: SYNDER_HOME=${home} synder transactions   (the sandbox has stopped, so ledger links no longer open)`);
      return syncExitCode(summary);
    } finally {
      await demo.close();
    }
  } finally {
    await sandbox.close();
  }
}
