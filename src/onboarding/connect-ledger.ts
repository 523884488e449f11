import { UsageError } from '../errors.js';
import { vaultKeys, type OAuthAdapter, type TokenSet } from '../auth/types.js';
import type { Context } from '../runtime/context.js';
import type { Prompter } from '../runtime/prompts.js';
import type { Org, SyncMode } from '../store/orgs.js';
import type { LedgerAccount, LedgerCompany } from '../providers/ledger-connector.js';
import { ensureAppCredentials } from './app-credentials.js';
import { signIn, type SignInOptions } from './sign-in.js';

export type LedgerProvider = 'quickbooks' | 'xero';

export interface ConnectLedgerOptions {
  provider: LedgerProvider;
  mode?: SyncMode;
  bankAccount?: string;
  tenant?: string;
  /** QuickBooks: the company (realm id or name) the consent page must have picked. */
  company?: string;
  /** Book to the user's existing accounts or create synder's; `account`: role=name choices. */
  accounts?: 'existing' | 'create';
  account?: string[];
  signIn: SignInOptions;
  prompter: Prompter;
}

export interface ConnectLedgerResult {
  provider: LedgerProvider;
  company: LedgerCompany;
  mode: SyncMode;
  bankAccount: LedgerAccount;
  clearingAccounts: Array<{ integration: string; account: LedgerAccount }>;
}

export const MODE_CHOICES = [
  { name: 'Per transaction', value: 'per-transaction' as const, description: 'One set of documents per settled order (sales receipt, fees, refunds) and a transfer per payout: the most detail.' },
  { name: 'Summary', value: 'summary' as const, description: 'One balanced entry per TikTok daily statement, split at month end, plus the payout transfer: the tidiest ledger.' },
];

export async function ledgerAdapter(ctx: Context, provider: LedgerProvider): Promise<OAuthAdapter> {
  if (provider === 'quickbooks') {
    const { createQuickBooksOAuth } = await import('../providers/quickbooks/index.js');
    return createQuickBooksOAuth(ctx.config.quickbooks);
  }
  const { createXeroOAuth } = await import('../providers/xero/index.js');
  return createXeroOAuth(ctx.config.xero);
}

async function chooseXeroTenant(ctx: Context, tokens: TokenSet, opts: ConnectLedgerOptions): Promise<{ id: string; name: string }> {
  const { listXeroConnections } = await import('../providers/xero/index.js');
  const tenants = await listXeroConnections(ctx.config.xero, tokens.accessToken);
  if (tenants.length === 0) throw new UsageError('This Xero sign-in gave access to no organisation.', 'Run `synder connect xero` again and tick an organisation on the consent page.');
  const wanted = opts.tenant?.trim().toLowerCase();
  if (wanted) {
    const hit = tenants.find((t) => t.tenantId.toLowerCase() === wanted || t.tenantName.toLowerCase() === wanted);
    if (!hit) throw new UsageError(`--tenant "${opts.tenant}" is not among the organisations you authorized: ${tenants.map((t) => t.tenantName).join(', ')}.`);
    return { id: hit.tenantId, name: hit.tenantName };
  }
  if (tenants.length === 1) return { id: tenants[0]!.tenantId, name: tenants[0]!.tenantName };
  const id = await opts.prompter.select({
    message: 'Which Xero organisation should synder book into?',
    flag: '--tenant <name|id>',
    choices: tenants.map((t) => ({ name: t.tenantName, value: t.tenantId })),
  });
  return { id, name: tenants.find((t) => t.tenantId === id)!.tenantName };
}

/**
 * Intuit lets the user pick the company on its consent page and only says afterwards which one
 * (the realmId on the redirect); with many companies a wrong pick would book a shop into
 * another client's books, so a named company is checked before anything is saved.
 */
async function checkQuickBooksCompany(ctx: Context, tokens: TokenSet, realmId: string, wanted: string): Promise<void> {
  const want = wanted.trim().toLowerCase();
  if (realmId.toLowerCase() === want) return;
  const { QuickBooksConnector } = await import('../providers/quickbooks/index.js');
  const cfg = ctx.config.quickbooks;
  const picked = await new QuickBooksConnector({ apiUrl: cfg.apiUrl, appUrl: cfg.appUrl, realmId, getAccessToken: async () => tokens.accessToken }).company();
  if (picked.name.trim().toLowerCase() === want) return;
  throw new UsageError(
    `The QuickBooks sign-in picked ${picked.name} (company ${realmId}), not --company "${wanted}". Nothing was saved.`,
    `Run \`synder connect quickbooks --company "${wanted}"\` again and choose that company on the consent page.`,
  );
}

/**
 * Connects the org's accounting company: sign-in, tokens into the vault, the ledger connection,
 * the sync mode, the payout bank account, and every mapped account — clearing accounts included.
 */
export async function connectLedger(ctx: Context, org: Org, opts: ConnectLedgerOptions): Promise<ConnectLedgerResult> {
  const store = await ctx.store();
  const vault = await ctx.vault();
  const info = (t: string) => ctx.output.info(t);
  let mode = opts.mode ?? org.mode ?? undefined;
  mode ??= await opts.prompter.select({ message: 'Sync mode:', flag: '--mode <per-transaction|summary>', choices: MODE_CHOICES });
  const { assertModeChangeAllowed } = await import('../orgs/settings.js');
  await assertModeChangeAllowed(store, org, mode);

  const existing = await store.integrations.getLedgerConnection(org.id);
  if (existing && existing.provider !== opts.provider && await store.documents.hasAny(org.id, ['posted'])) {
    throw new UsageError(
      `${org.name} already books into ${existing.provider}; switching to ${opts.provider} would book everything twice.`,
      'Create a new organization for the other ledger (`synder org create`).',
    );
  }

  await ensureAppCredentials(opts.provider, ctx.config, vault, opts.prompter, info);
  const adapter = await ledgerAdapter(ctx, opts.provider);
  const { tokens } = await signIn(ctx, adapter, ctx.config[opts.provider].redirectUri, opts.signIn);

  let externalId: string;
  let name: string | null = null;
  if (opts.provider === 'quickbooks') {
    externalId = tokens.extra?.realmId ?? '';
    if (!externalId) throw new UsageError('QuickBooks did not say which company was connected (no realmId in the redirect).', 'Run `synder connect quickbooks` again.');
    if (opts.company) await checkQuickBooksCompany(ctx, tokens, externalId, opts.company);
  } else {
    const tenant = await chooseXeroTenant(ctx, tokens, opts);
    externalId = tenant.id;
    name = tenant.name;
    tokens.extra = { ...(tokens.extra ?? {}), tenantId: tenant.id };
  }

  if (existing && existing.externalId !== externalId && existing.provider === opts.provider && await store.documents.hasAny(org.id, ['posted'])) {
    throw new UsageError(
      `${org.name} already books into another ${opts.provider} company (${existing.name ?? existing.externalId}).`,
      'Connect the same company again, or create a new organization for the other company.',
    );
  }

  // Tokens first: a rotating refresh token must never exist only in memory.
  await vault.set(vaultKeys.ledger(org.id), tokens);
  await store.integrations.setLedgerConnection({ orgId: org.id, provider: opts.provider, externalId, name, settings: existing?.externalId === externalId ? { ...existing.settings, reauthRequired: false, disconnected: false } : {} });
  const updated = await store.orgs.update(org.id, { ledger: opts.provider, mode });

  const { openLedger } = await import('../sync/clients.js');
  const connector = await openLedger(ctx, updated);
  const company = await connector.company();
  await store.integrations.setLedgerConnection({
    orgId: org.id,
    provider: opts.provider,
    externalId,
    name: company.name,
    settings: { currency: company.currency, shortCode: company.shortCode ?? null, country: company.country ?? null },
  });
  if (updated.currency && company.currency && updated.currency !== company.currency) {
    ctx.logger.warn(`${company.name} keeps its books in ${company.currency}, but ${org.name} is set to ${updated.currency}; synder books each shop in its own currency and never converts.`);
  }
  // The company's tax settings decide which tax code every line carries; sync refuses a plan it cannot book.
  const { refreshTaxProfile, orgTaxPlan } = await import('../sync/tax.js');
  const profile = await refreshTaxProfile(store, updated, connector);
  ctx.output.info(`${company.name}: ${describeTax(profile)}.`);
  const plan = await orgTaxPlan(store, updated);
  if (plan && !plan.ok) for (const p of plan.problems) ctx.logger.warn(`${p} Sync refuses to book until then.`);

  const bankAccount = await chooseBankAccount(ctx, updated, connector, opts);
  const { ensureLedgerAccounts } = await import('../sync/setup.js');
  const clearing = await ensureLedgerAccounts(ctx, updated, connector);
  const { chooseAccounts } = await import('./choose-accounts.js');
  for (const c of await chooseAccounts(ctx, updated, connector, opts.prompter, { accounts: opts.accounts, account: opts.account })) info(`${c.role} books to "${c.account}".`);
  return { provider: opts.provider, company, mode, bankAccount, clearingAccounts: clearing };
}

function describeTax(p: import('../booking/tax.js').LedgerTaxProfile): string {
  if (p.system === 'us_sales_tax') return p.automated ? 'US company with automated sales tax (synder marks every sales line non-taxable: TikTok collects the sales tax)' : `US company${p.registered ? ' with sales tax on' : ' without sales tax'}`;
  return p.registered ? `${p.country} company registered for VAT/GST (${p.codes.length} tax codes)` : `${p.country} company not registered for VAT/GST (every line gross, no VAT)`;
}

async function chooseBankAccount(
  ctx: Context,
  org: Org,
  connector: { listAccounts(): Promise<LedgerAccount[]>; ensureAccounts(specs: import('../providers/ledger-connector.js').AccountSpec[]): Promise<LedgerAccount[]> },
  opts: ConnectLedgerOptions,
): Promise<LedgerAccount> {
  const store = await ctx.store();
  const clearingIds = new Set((await store.accounts.list(org.id)).filter((m) => m.role === 'clearing').map((m) => m.accountId));
  const isBank = (a: LedgerAccount) => /^bank$/i.test(a.type) && !clearingIds.has(a.id) && !/tiktok shop clearing/i.test(a.name);
  const banks = (await connector.listAccounts()).filter(isBank);
  const current = await store.accounts.get(org.id, 'bank');
  let name = opts.bankAccount?.trim();
  if (!name) {
    const CREATE = '\u0000create';
    const choice = await opts.prompter.select<string>({
      message: 'Which bank account do TikTok payouts land in?',
      flag: '--bank-account <name>',
      default: current?.accountName,
      choices: [...banks.map((b) => ({ name: b.name, value: b.name })), { name: 'Create a new bank account…', value: CREATE }],
    });
    name = choice === CREATE ? await opts.prompter.text({ message: 'Name of the new bank account:', flag: '--bank-account <name>', default: 'TikTok Payouts' }) : choice;
  }
  if (/tiktok shop clearing/i.test(name)) throw new UsageError(`"${name}" is a clearing account; payouts must land in a real bank account.`, 'Pass another --bank-account.');
  const existing = banks.find((b) => b.name.toLowerCase() === name!.toLowerCase());
  const account = existing ?? (await connector.ensureAccounts([{ role: 'bank', name, class: 'bank', currency: org.currency ?? undefined }]))[0]!;
  await store.accounts.set({ orgId: org.id, scope: '', role: 'bank', currency: '', accountId: account.id, accountName: account.name });
  return account;
}
