import type { Command } from 'commander';
import type { Context } from '../../runtime/context.js';
import { action, type ProgramDeps } from '../command.js';

interface SetFlags {
  account?: string;
  tax?: string;
  create?: boolean;
  marketplaceVat?: boolean;
  json?: boolean;
}

export function registerMap(program: Command, deps: ProgramDeps): void {
  const map = program
    .command('map')
    .description('Show or change the ledger account and tax code each role books to, and where TikTok fields go')
    .option('--json', 'print as JSON')
    .option('--offline', "show the stored mapping without reading the ledger's chart (numbers and types)")
    .action(action(deps, runMapList));
  map
    .command('list')
    .description('Every role with its account, tax code and the TikTok fields that feed it')
    .option('--json', 'print as JSON')
    .option('--offline', "show the stored mapping without reading the ledger's chart (numbers and types)")
    .action(action(deps, runMapList));
  map
    .command('set <role>')
    .description('Book a role to an existing account (or --create it), and/or with a tax code; `fallback` is the code for lines without tax')
    .option('--account <name|number|id>', 'the ledger account')
    .option('--tax <code>', "a tax code of the ledger (name or id), e.g. \"20.0% S\" or OUTPUT2")
    .option('--create', 'create the account when the ledger has none by that name')
    .option('--marketplace-vat', 'the tax code for income of orders whose VAT TikTok paid (deemed supplier)')
    .option('--json', 'print as JSON')
    .action(action(deps, runMapSet));
  map
    .command('route <field> <role>')
    .description('Send a TikTok field (e.g. fee_tax_breakdown.fee.x) or transaction type to a role')
    .option('--json', 'print as JSON')
    .action(action(deps, runMapRoute));
  map
    .command('reset [role]')
    .description("Back to synder's default account and tax code for a role (no role: every mapping, tax choice and route)")
    .option('--json', 'print as JSON')
    .action(action(deps, runMapReset));
}

export async function runMapList(ctx: Context, flags: { offline?: boolean }): Promise<void> {
  const org = await ctx.requireOrg();
  const store = await ctx.store();
  const { mapView } = await import('../../sync/mapping.js');
  // The ledger's chart gives each account's number and type; without a connection the view is the stored one.
  let accounts: import('../../providers/ledger-connector.js').LedgerAccount[] | undefined;
  if (!flags.offline && await store.integrations.getLedgerConnection(org.id)) {
    try {
      const { openLedger } = await import('../../sync/clients.js');
      accounts = await (await openLedger(ctx, org)).listAccounts();
    } catch (err) {
      ctx.output.info(`(Could not read the ledger's accounts: ${(err as Error).message}; showing the stored mapping.)`);
    }
  }
  const view = await mapView(store, org, accounts);
  if (ctx.output.json) {
    ctx.output.printJson(view);
    return;
  }
  await ctx.output.table({
    head: ['Role', 'Account', 'Tax code', 'Fed by'],
    rows: view.rows.map((r) => [
      r.role,
      `${r.account.name}${r.account.code ? ` (${r.account.code})` : ''}${r.account.type ? `\n${r.account.type}` : ''}${r.account.mapped ? '' : r.account.exists === false ? ' (created when first used)' : ' (default)'}`,
      r.tax ? `${r.tax.name}${r.tax.chosen ? '' : ' (default)'}${r.tax.reason ? `\n${r.tax.reason}` : ''}` : '—',
      r.feeds.length > 4 ? `${r.feeds.slice(0, 4).join('\n')}\n… ${r.feeds.length - 4} more (--json)` : r.feeds.join('\n'),
    ]),
  });
  for (const p of view.taxProblems) ctx.output.info(`To do before syncing: ${p}`);
}

export async function runMapSet(ctx: Context, flags: SetFlags, [role]: string[]): Promise<void> {
  const org = await ctx.requireOrg();
  const store = await ctx.store();
  const { setRole } = await import('../../sync/mapping.js');
  const { openLedger } = await import('../../sync/clients.js');
  const notes = await setRole(store, org, role ?? '', flags, () => openLedger(ctx, org));
  if (ctx.output.json) ctx.output.printJson({ ok: true, notes });
  else for (const n of notes) ctx.output.line(n);
}

export async function runMapRoute(ctx: Context, _flags: { json?: boolean }, [field, role]: string[]): Promise<void> {
  const org = await ctx.requireOrg();
  const store = await ctx.store();
  const { routeKey } = await import('../../sync/mapping.js');
  const note = await routeKey(store, org, field ?? '', role ?? '');
  if (ctx.output.json) ctx.output.printJson({ ok: true, notes: [note] });
  else ctx.output.line(note);
}

export async function runMapReset(ctx: Context, _flags: { json?: boolean }, [role]: string[]): Promise<void> {
  const org = await ctx.requireOrg();
  const store = await ctx.store();
  const { resetRoles } = await import('../../sync/mapping.js');
  const note = await resetRoles(store, org, role);
  if (ctx.output.json) ctx.output.printJson({ ok: true, notes: [note] });
  else ctx.output.line(note);
}
