import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config.js';
import { Context } from '../cli/context.js';
import { main } from '../cli/main.js';
import { ExitCode, UsageError } from '../errors.js';
import { parseMode, type LedgerProvider } from './connect-ledger.js';
import { connectSandboxShop } from './sandbox-shop.js';
import { freePort } from '../sandbox/http-kit.js';

export interface DemoOptions {
  ledger?: string;
  mode?: string;
  orders?: number;
  days?: number;
  seed?: number;
  home?: string;
  faults?: string;
}

/**
 * `synder demo`: the whole flow against the built-in sandbox — an org, both sign-ins through the
 * real loopback redirect (auto-approved), a sync, then the tables a user would look at.
 */
export async function runDemo(ctx: Context, opts: DemoOptions): Promise<number> {
  const ledger = (opts.ledger ?? 'quickbooks') as LedgerProvider;
  if (ledger !== 'quickbooks' && ledger !== 'xero') throw new UsageError(`--ledger must be "quickbooks" or "xero", not "${opts.ledger}".`);
  const mode = parseMode(opts.mode) ?? 'per-transaction';
  // The sandbox starts empty every time, so state from an earlier demo would describe books that no longer exist.
  if (opts.home && fs.existsSync(opts.home) && fs.readdirSync(opts.home).length > 0) {
    throw new UsageError(`--home ${opts.home} is not empty.`, 'The demo sandbox starts with empty books each time: give a new or empty folder (or leave out --home for a temporary one).');
  }
  const home = opts.home ?? fs.mkdtempSync(path.join(os.tmpdir(), 'synder-demo-'));
  const started = Date.now();

  const { startSandbox } = await import('../sandbox/index.js');
  const redirectUri = `http://localhost:${await freePort()}/callback`;
  ctx.output.info(`Starting the sandbox (TikTok Shop, QuickBooks Online, Xero) with ${opts.orders ?? 40} orders…`);
  const sandbox = await startSandbox({
    autoApprove: true,
    seed: opts.seed ?? 7,
    orders: opts.orders ?? 40,
    days: opts.days ?? 14,
    redirectUri,
    faults: opts.faults,
    xeroOpenApi: ctx.config.xeroOpenApi,
    services: ['tiktok', ledger],
  });
  try {
    const env = { ...ctx.env, ...sandbox.env, SYNDER_HOME: home, SYNDER_CREDENTIALS: 'file', SYNDER_ORG: 'Demo Store' };
    const demo = new Context(loadConfig(env), env, ctx.streams, ctx.clock);
    try {
      ctx.output.info(`Signing in to ${ledger === 'xero' ? 'Xero' : 'QuickBooks Online'} (sandbox, auto-approved) through ${redirectUri}…`);
      const { tiktok } = await connectSandboxShop(demo, {
        orgName: 'Demo Store', email: 'owner@demo-store.test', ledger, mode,
        onLedgerConnected: (connected) => {
          ctx.output.info(`Connected ${connected.company.name}; payouts land in "${connected.bankAccount.name}".`);
          ctx.output.info('Signing in to TikTok Shop (sandbox, auto-approved)…');
        },
      });
      for (const c of tiktok.clearingAccounts) ctx.output.info(`Clearing account for ${c.integration}: ${c.account.name}`);
    } finally {
      await demo.close();
    }

    const run = (args: string[]) => main(['node', 'synder', ...args], { env, streams: ctx.streams, clock: ctx.clock });
    const since = new Date(ctx.clock.now().getTime() - (opts.days ?? 14) * 86_400_000).toISOString().slice(0, 10);
    ctx.output.info('');
    const syncCode = await run(['sync', '--since', since]);
    if (syncCode !== ExitCode.ok && syncCode !== ExitCode.partial) return syncCode;
    ctx.output.info('');
    await run(['transactions']);

    const again = new Context(loadConfig(env), env, ctx.streams, ctx.clock);
    let orderId: string | undefined;
    try {
      const store = await again.store();
      const org = store.orgs.findByName('Demo Store')!;
      // In summary mode no document carries an order, but every synced order still has an explain.
      orderId =
        store.documents.list(org.id, { status: ['posted'] }).find((d) => d.orderId && d.kind === 'sale')?.orderId ??
        store.sourceRecords.list({ integrationIds: store.integrations.listForOrg(org.id).map((i) => i.id), status: ['synced'] }).find((r) => r.orderId)?.orderId ??
        undefined;
    } finally {
      await again.close();
    }
    if (orderId) {
      ctx.output.info('');
      await run(['explain', orderId]);
    }
    ctx.output.info('');
    const reconcileCode = await run(['reconcile']);
    ctx.output.info('');
    ctx.output.info(`Demo finished in ${((Date.now() - started) / 1000).toFixed(1)} s. State kept in ${home}`);
    ctx.output.info(`Explore it with: SYNDER_HOME=${home} synder transactions   (the sandbox has stopped, so ledger links no longer open)`);
    return syncCode === ExitCode.ok ? reconcileCode : syncCode;
  } finally {
    await sandbox.close();
  }
}
