import { Option, type Command } from 'commander';
import { UsageError } from '../../errors.js';
import { DATE_BASES, MF_TAX, type OrgSettingsInput } from '../../orgs/settings.js';
import type { Context } from '../../runtime/context.js';
import { action, type ProgramDeps } from '../command.js';
import { modeOption } from '../options.js';

export interface CreateFlags { country?: string; currency?: string; timezone?: string; email?: string; json?: boolean; use?: boolean }
export interface SetFlags extends OrgSettingsInput { json?: boolean }

export function registerOrg(program: Command, deps: ProgramDeps): void {
  const org = program.command('org').description('Organizations: one ledger company each, many integrations each');

  org
    .command('create')
    .description('Create an organization (and make it active)')
    .argument('<name>', 'business name, e.g. "Acme Store"')
    .option('--country <code>', 'ISO 3166 country code, e.g. US')
    .option('--currency <code>', 'base currency, ISO 4217, e.g. USD')
    .option('--timezone <iana>', 'time zone, e.g. America/New_York')
    .option('--email <address>', 'contact email')
    .option('--no-use', 'do not make it the active organization')
    .option('--json', 'print the organization as JSON')
    .action(action(deps, runOrgCreate));

  org
    .command('list')
    .description('List organizations (* marks the active one)')
    .option('--json', 'print as JSON')
    .action(action(deps, runOrgList));

  org
    .command('use')
    .description('Switch the active organization')
    .argument('<name>')
    .action(action(deps, runOrgUse));

  org
    .command('show')
    .description('Show the active organization (or the one named)')
    .argument('[name]')
    .option('--json', 'print as JSON')
    .action(action(deps, runOrgShow));

  org
    .command('set')
    .description('Change how the active organization books (mode, marketplace-facilitator tax, dates)')
    .addOption(modeOption('how to book (refused once documents are booked in the other mode)'))
    .addOption(new Option('--mf-tax <how>', 'US marketplace-facilitator sales tax: off (kept for explain, not booked) | gross (equal and opposite lines through an MF Tax account)').choices(MF_TAX))
    .addOption(new Option('--date-basis <basis>', 'date documents by TikTok settlement date (settlement) or order date (order)').choices(DATE_BASES))
    .option('--json', 'print the organization as JSON')
    .action(action(deps, runOrgSet));

  org
    .command('remove')
    .description('Delete an organization and its local state (the ledger is not touched)')
    .argument('<name>')
    .option('--yes', 'confirm the removal')
    .option('--json', 'print the result as JSON')
    .action(action(deps, runOrgRemove));
}

export async function runOrgCreate(ctx: Context, flags: CreateFlags, [rawName]: string[]): Promise<void> {
  const { createOrg, orgView } = await import('../../orgs/service.js');
  const store = await ctx.store();
  const created = await createOrg(store, { name: rawName, ...flags });
  const prefs = await ctx.preferences();
  if (flags.use !== false) prefs.activeOrg = created.name;
  if (ctx.output.json) ctx.output.printJson(await orgView(store, created, prefs.activeOrg));
  else ctx.output.line(`Created organization "${created.name}"${flags.use !== false ? ' and made it active' : ''}.`);
}

export async function runOrgList(ctx: Context): Promise<void> {
  const { orgView } = await import('../../orgs/service.js');
  const store = await ctx.store();
  const active = await ctx.activeOrgName();
  const orgs = await store.orgs.list();
  if (ctx.output.json) {
    ctx.output.printJson(await Promise.all(orgs.map((o) => orgView(store, o, active))));
    return;
  }
  if (orgs.length === 0) {
    ctx.output.line('No organizations yet. Run `synder init` or `synder org create <name>`.');
    return;
  }
  const shops = new Map<number, number>();
  for (const o of orgs) shops.set(o.id, (await store.integrations.listForOrg(o.id)).length);
  await ctx.output.table({
    head: ['', 'Name', 'Country', 'Currency', 'Ledger', 'Mode', 'Integrations'],
    rows: orgs.map((o) => [
      o.name.toLowerCase() === active?.toLowerCase() ? '*' : '',
      o.name,
      o.country,
      o.currency,
      o.ledger ?? 'not connected',
      o.mode,
      shops.get(o.id) ?? 0,
    ]),
  });
}

export async function runOrgUse(ctx: Context, _flags: object, [name]: string[]): Promise<void> {
  const store = await ctx.store();
  const found = await store.orgs.findByName((name ?? '').trim());
  if (!found) throw new UsageError(`Organization "${name}" does not exist.`, 'See `synder org list`.');
  (await ctx.preferences()).activeOrg = found.name;
  ctx.output.line(`Active organization: ${found.name}`);
}

export async function runOrgShow(ctx: Context, _flags: { json?: boolean }, [name]: string[]): Promise<void> {
  const { orgView } = await import('../../orgs/service.js');
  if (name) ctx.orgOverride = name;
  const found = await ctx.requireOrg();
  const store = await ctx.store();
  const view = await orgView(store, found, await ctx.activeOrgName());
  if (ctx.output.json) {
    ctx.output.printJson(view);
    return;
  }
  await ctx.output.table({
    head: ['Field', 'Value'],
    rows: [
      ['Name', view.name + (view.active ? ' (active)' : '')],
      ['Country', view.country],
      ['Currency', view.currency],
      ['Time zone', view.timezone],
      ['Email', view.email],
      ['Ledger', view.ledger ? `${view.ledger}${view.ledgerCompany ? ` — ${view.ledgerCompany}` : ''}` : 'not connected'],
      ['Sync mode', view.mode],
      ['Integrations', view.integrations.map((i) => `${i.platform}: ${i.name}`).join('\n') || 'none'],
    ],
  });
}

export async function runOrgSet(ctx: Context, flags: SetFlags): Promise<void> {
  const { applyOrgSettings } = await import('../../orgs/settings.js');
  const { orgView } = await import('../../orgs/service.js');
  if (flags.mode === undefined && flags.mfTax === undefined && flags.dateBasis === undefined) throw new UsageError('Nothing to change.', 'Pass --mode, --mf-tax or --date-basis.');
  const store = await ctx.store();
  const updated = await applyOrgSettings(store, await ctx.requireOrg(), flags);
  if (ctx.output.json) ctx.output.printJson({ ...(await orgView(store, updated, await ctx.activeOrgName())), settings: updated.settings });
  else ctx.output.line(`Updated ${updated.name}: mode ${updated.mode ?? 'not set'}, MF tax ${String(updated.settings.mfTax ?? 'off')}, dates by ${String(updated.settings.dateBasis ?? 'settlement')}.`);
}

export async function runOrgRemove(ctx: Context, flags: { yes?: boolean; json?: boolean }, [name]: string[]): Promise<void> {
  const store = await ctx.store();
  const found = await store.orgs.findByName((name ?? '').trim());
  if (!found) throw new UsageError(`Organization "${name}" does not exist.`, 'See `synder org list`.');
  if (!flags.yes) throw new UsageError(`Removing "${found.name}" deletes its local state.`, 'Pass --yes to confirm.');
  await store.orgs.remove(found.id);
  const prefs = await ctx.preferences();
  if (prefs.activeOrg?.toLowerCase() === found.name.toLowerCase()) prefs.activeOrg = undefined;
  if (ctx.output.json) ctx.output.printJson({ ok: true, removed: found.name });
  else ctx.output.line(`Removed organization "${found.name}".`);
}
