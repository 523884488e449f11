import type { SyncSummary } from '../sync/types.js';
import type { Context } from '../runtime/context.js';
import { BackRequested, Prompter } from '../runtime/prompts.js';
import { ExitCode, SynderError, UsageError } from '../errors.js';
import type { Org, SyncMode } from '../store/orgs.js';
import { parseWhen } from '../sync/dates.js';
import { validateCountry, validateCurrency, validateEmail, validateOrgName, validateTimeZone } from '../validation.js';
import { assertAppCredentials, type Provider } from './app-credentials.js';
import { connectLedger, MODE_CHOICES, type ConnectLedgerResult, type LedgerProvider } from './connect-ledger.js';
import { connectTikTok, type ConnectTikTokResult } from './connect-tiktok.js';
import type { SignInOptions } from './sign-in.js';

/** The answers `synder init` takes as flags; whatever is missing is asked (in a terminal) or an error. */
export interface InitOptions {
  input?: boolean; // --no-input sets false
  name?: string;
  country?: string;
  currency?: string;
  timezone?: string;
  email?: string;
  platforms?: string;
  ledger?: LedgerProvider;
  mode?: SyncMode;
  bankAccount?: string;
  accounts?: 'existing' | 'create';
  account?: string[];
  tiktok?: 'connect' | 'invite' | 'skip';
  ownerEmail?: string;
  shops?: string;
  startDate?: Date;
  sync?: boolean; // --no-sync sets false
  browser?: boolean; // --no-browser sets false
  /** Milliseconds each browser sign-in may take. */
  timeout: number;
  json?: boolean;
}

const PLATFORMS = [
  { name: 'TikTok Shop', value: 'tiktok', checked: true },
  { name: 'Shopify (not yet supported)', value: 'shopify', disabled: 'not yet supported' },
  { name: 'Amazon (not yet supported)', value: 'amazon', disabled: 'not yet supported' },
  { name: 'Etsy (not yet supported)', value: 'etsy', disabled: 'not yet supported' },
];

const asValidator = (fn: (v: string) => unknown) => (v: string): string | true => {
  try {
    fn(v);
    return true;
  } catch (err) {
    return (err as Error).message;
  }
};

/** The import start: the date grammar of every date flag, and not in the future. */
export function parseStartDate(value: string, now: Date, flag = '--start-date'): Date {
  return notInFuture(parseWhen(value, now, flag), now, flag);
}

function notInFuture(d: Date, now: Date, flag: string): Date {
  if (d.getTime() > now.getTime()) throw new UsageError(`${flag}: ${d.toISOString().slice(0, 10)} is in the future.`);
  return d;
}

async function stepOrganization(ctx: Context, flags: InitOptions, prompter: Prompter): Promise<Org> {
  const store = await ctx.store();
  let name = flags.name ?? (await ctx.activeOrgName());
  if (!flags.name && prompter.interactive) {
    const orgs = await store.orgs.list();
    if (orgs.length > 0) {
      const NEW = '\u0000new';
      const pick = await prompter.select<string>({
        message: 'Organization:',
        flag: '--name <business>',
        default: name && await store.orgs.findByName(name) ? (await store.orgs.findByName(name))!.name : NEW,
        choices: [...orgs.map((o) => ({ name: `${o.name}${o.ledger ? ` (${o.ledger})` : ''}`, value: o.name })), { name: 'Create a new organization', value: NEW }],
      });
      name = pick === NEW ? undefined : pick;
    } else name = undefined;
  }
  const existing = name ? await store.orgs.findByName(name) : undefined;
  const sysTz = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  if (existing) {
    ctx.output.info(`Resuming set-up of "${existing.name}".`);
    const patch = {
      country: flags.country ? validateCountry(flags.country) : existing.country,
      currency: flags.currency ? validateCurrency(flags.currency) : existing.currency,
      timezone: flags.timezone ? validateTimeZone(flags.timezone) : existing.timezone,
      email: flags.email ? validateEmail(flags.email) : existing.email,
    };
    const org = await store.orgs.update(existing.id, patch);
    (await ctx.preferences()).activeOrg = org.name;
    return org;
  }
  ctx.output.info(prompter.interactive ? 'Business details (answer < to go back a question; lists have a "← Back")' : 'Business details');
  // One question at a time, so "back" can return to the one before.
  const answers: string[] = [];
  const questions: Array<() => Promise<string>> = [
    async () => validateOrgName(await prompter.text({ message: 'Business name:', flag: '--name <business>', value: flags.name, default: answers[0], validate: asValidator(validateOrgName) })),
    async () => validateCountry(await prompter.text({ message: 'Country (ISO code, e.g. US):', flag: '--country <code>', value: flags.country, default: answers[1] ?? 'US', validate: asValidator(validateCountry) })),
    async () => validateCurrency(await prompter.text({ message: 'Base currency (e.g. USD):', flag: '--currency <code>', value: flags.currency, default: answers[2] ?? 'USD', validate: asValidator(validateCurrency) })),
    async () => validateTimeZone(await prompter.text({ message: 'Time zone:', flag: '--timezone <iana>', value: flags.timezone, default: answers[3] ?? sysTz, validate: asValidator(validateTimeZone) })),
    async () => prompter.text({ message: 'Contact email:', flag: '--email <address>', value: flags.email, default: answers[4] ?? '', validate: (v) => (v.trim() === '' ? true : asValidator(validateEmail)(v)) }),
  ];
  const asked: boolean[] = [];
  for (let i = 0; i < questions.length; ) {
    prompter.canGoBack = asked.slice(0, i).some(Boolean);
    const shown = prompter.asked;
    try {
      answers[i] = await questions[i]!();
      asked[i] = prompter.asked > shown;
      i++;
    } catch (err) {
      if (!(err instanceof BackRequested)) throw err;
      // Back to the last question that was actually asked (flags answered the others).
      let j = i - 1;
      while (j > 0 && !asked[j]) j--;
      i = Math.max(0, j);
    }
  }
  prompter.canGoBack = false;
  const [orgName, country, currency, timezone, emailRaw] = answers as [string, string, string, string, string];
  const org = await store.orgs.create({ name: orgName, country, currency, timezone, email: emailRaw.trim() ? validateEmail(emailRaw) : null });
  (await ctx.preferences()).activeOrg = org.name;
  ctx.output.info(`Created organization "${org.name}".`);
  return org;
}

async function stepPlatforms(ctx: Context, flags: InitOptions, prompter: Prompter): Promise<string[]> {
  ctx.output.info('\nPlatforms. Each integration gets its own clearing account in the ledger, standing for the money the platform holds.');
  ctx.output.info('You can skip a platform now and connect it later (`synder connect tiktok`), or invite someone with admin access to it.');
  const given = flags.platforms?.split(',').map((p) => p.trim().toLowerCase()).filter(Boolean);
  if (given) {
    for (const p of given) {
      const known = PLATFORMS.find((x) => x.value === p);
      if (!known) throw new UsageError(`--platforms: "${p}" is not a platform synder knows (${PLATFORMS.map((x) => x.value).join(', ')}).`);
      if (known.disabled) throw new UsageError(`--platforms: ${known.name.replace(/ \(.*/, '')} is not supported yet; only TikTok Shop is.`);
    }
  }
  return prompter.checkbox({ message: 'Platforms to connect:', flag: '--platforms <list>', choices: PLATFORMS, value: given });
}

async function stepLedger(ctx: Context, org: Org, flags: InitOptions, prompter: Prompter, signIn: SignInOptions): Promise<ConnectLedgerResult | undefined> {
  const store = await ctx.store();
  ctx.output.info('\nAccounting');
  const connection = await store.integrations.getLedgerConnection(org.id);
  if (connection && !flags.ledger) {
    const keep = await prompter.confirm({ message: `Keep the connection to ${connection.name ?? connection.provider}?`, flag: '--ledger <quickbooks|xero>', default: true });
    if (keep) {
      ctx.output.info(`Keeping ${connection.provider}: ${connection.name ?? connection.externalId}.`);
      return undefined;
    }
  }
  const provider = await prompter.select<LedgerProvider>({
    message: 'Accounting software:',
    flag: '--ledger <quickbooks|xero>',
    value: flags.ledger,
    choices: [
      { name: 'QuickBooks Online', value: 'quickbooks' },
      { name: 'Xero', value: 'xero' },
    ],
  });
  const mode = await prompter.select({ message: 'Sync mode:', flag: '--mode <per-transaction|summary>', value: flags.mode, choices: MODE_CHOICES });
  const result = await connectLedger(ctx, org, { provider, mode, bankAccount: flags.bankAccount, accounts: flags.accounts, account: flags.account, signIn, prompter });
  ctx.output.info(`Connected ${result.company.name}. Payouts land in "${result.bankAccount.name}".`);
  return result;
}

async function stepTikTok(ctx: Context, org: Org, flags: InitOptions, prompter: Prompter, signIn: SignInOptions): Promise<ConnectTikTokResult | { invited: string } | undefined> {
  const store = await ctx.store();
  ctx.output.info('\nTikTok Shop');
  const existing = (await store.integrations.listForOrg(org.id)).filter((i) => i.platform === 'tiktok');
  const how = await prompter.select<'connect' | 'invite' | 'skip'>({
    message: 'Connect TikTok Shop:',
    flag: '--tiktok <connect|invite|skip>',
    value: flags.tiktok,
    default: existing.length > 0 ? 'skip' : undefined,
    choices: [
      { name: existing.length > 0 ? 'Sign in again / add shops' : 'Sign in now (I have admin access to the shop)', value: 'connect' },
      { name: 'Invite the account owner (they approve, you finish)', value: 'invite' },
      { name: existing.length > 0 ? `Keep ${existing.map((i) => i.name).join(', ')}` : 'Skip for now', value: 'skip' },
    ],
  });
  if (how === 'skip') return undefined;
  if (how === 'invite') {
    const email = validateEmail(await prompter.text({ message: "Account owner's email:", flag: '--owner-email <address>', value: flags.ownerEmail, validate: asValidator(validateEmail) }), '--owner-email');
    const { inviteOwner } = await import('./invite.js');
    const invite = await inviteOwner(ctx, org, { email });
    return { invited: invite.email };
  }
  const result = await connectTikTok(ctx, org, { shops: flags.shops, signIn, prompter });
  for (const c of result.clearingAccounts) ctx.output.info(`Clearing account for ${c.integration}: ${c.account.name}`);
  return result;
}

/** Without a terminal, checks up front what would otherwise stop the run halfway (after a sign-in). */
async function preflight(ctx: Context, flags: InitOptions): Promise<void> {
  if (flags.startDate !== undefined) notInFuture(flags.startDate, ctx.clock.now(), '--start-date');
  const providers: Provider[] = [];
  if (flags.ledger) providers.push(flags.ledger);
  const platforms = flags.platforms?.split(',').map((p) => p.trim().toLowerCase()) ?? ['tiktok'];
  if (platforms.includes('tiktok') && (flags.tiktok === 'connect' || flags.tiktok === 'invite')) providers.push('tiktok');
  if (providers.length > 0) await assertAppCredentials(providers, ctx.config, await ctx.vault());
}

/** The `synder init` wizard. Every step is idempotent, so a re-run resumes. */
export async function runInit(ctx: Context, flags: InitOptions): Promise<number> {
  try {
    return await wizard(ctx, flags);
  } catch (err) {
    if (err instanceof SynderError && err.code === 'cancelled') {
      throw new SynderError(err.message, { exitCode: ExitCode.usage, code: 'cancelled', hint: 'Nothing done so far is lost: run `synder init` again (with the same flags) to resume where it stopped.' });
    }
    throw err;
  }
}

async function wizard(ctx: Context, flags: InitOptions): Promise<number> {
  const prompter = new Prompter(ctx, { allowPrompts: flags.input !== false });
  const signIn: SignInOptions = { noBrowser: flags.browser === false, timeoutMs: flags.timeout };
  if (!prompter.interactive) await preflight(ctx, flags);
  let org!: Org;
  let platforms: string[] = [];
  let ledger: ConnectLedgerResult | undefined;
  let tiktok: ConnectTikTokResult | { invited: string } | undefined;
  // Steps in order; "← Back" in one returns to the last one that asked something. Every step is
  // idempotent, so going back and forward again asks again but creates nothing twice.
  const steps: Array<() => Promise<unknown>> = [
    async () => (org = await stepOrganization(ctx, flags, prompter)),
    async () => (platforms = await stepPlatforms(ctx, flags, prompter)),
    async () => (ledger = await stepLedger(ctx, org, flags, prompter, signIn)),
    async () => (tiktok = platforms.includes('tiktok') ? await stepTikTok(ctx, org, flags, prompter, signIn) : undefined),
  ];
  const asked: boolean[] = [];
  for (let i = 0; i < steps.length; ) {
    const canGoBack = asked.slice(0, i).some(Boolean);
    prompter.canGoBack = canGoBack;
    const shown = prompter.asked;
    try {
      await steps[i]!();
      asked[i] = prompter.asked > shown;
      i++;
    } catch (err) {
      if (!(err instanceof BackRequested) || !canGoBack) throw err;
      let j = i - 1;
      while (j > 0 && !asked[j]) j--;
      i = j;
    }
  }
  prompter.canGoBack = false;

  const store = await ctx.store();
  const current = (await store.orgs.get(org.id))!;
  const integrations = await store.integrations.listForOrg(org.id);
  const ready = Boolean(current.ledger) && integrations.length > 0;
  let sync: unknown = null;
  let exit: number = ExitCode.ok;
  if (ready && flags.sync !== false) {
    const since =
      flags.startDate !== undefined
        ? notInFuture(flags.startDate, ctx.clock.now(), '--start-date')
        : parseStartDate(await prompter.text({ message: 'Import orders settled since (YYYY-MM-DD or 30d):', flag: '--start-date <date>', default: '30d', validate: asValidator((v) => parseStartDate(v, ctx.clock.now())) }), ctx.clock.now());
    await store.orgs.update(org.id, { settings: { importStart: since.toISOString() } });
    ctx.output.info(`\nFirst sync of orders settled since ${since.toISOString().slice(0, 10)}…`);
    const { firstSync } = await import('./first-sync.js');
    const result = await firstSync(ctx, current, since);
    sync = result.summary;
    exit = result.exitCode;
  }

  if (ctx.output.json) {
    ctx.output.printJson({
      ok: exit === ExitCode.ok,
      org: { name: current.name, ledger: current.ledger, mode: current.mode, currency: current.currency, timezone: current.timezone },
      ledger: ledger ? { company: ledger.company.name, bankAccount: ledger.bankAccount.name } : null,
      integrations: integrations.map((i) => ({ id: i.id, platform: i.platform, shopId: i.externalId, name: i.name })),
      invited: tiktok && 'invited' in tiktok ? tiktok.invited : null,
      sync,
    });
    return exit;
  }
  ctx.output.line('');
  await printRecap(ctx, current, sync, flags.sync === false ? 'skipped (--no-sync)' : ready ? undefined : 'not yet: it needs a ledger and a shop connected');
  if (integrations.length > 0) ctx.output.line(`TikTok Shop is connected: ${integrations.map((i) => i.name).join(', ')} → ${current.ledger ?? 'no ledger yet'}.`);
  if (tiktok && 'invited' in tiktok) ctx.output.line(`Invitation sent to ${tiktok.invited}. When they approve, finish with \`synder invite accept <url>\`; \`synder status\` shows pending invitations.`);
  if (!current.ledger) ctx.output.line('Next: connect a ledger with `synder connect quickbooks` or `synder connect xero`.');
  if (ready) {
    ctx.output.line('Next commands to try:');
    ctx.output.line('  synder transactions          what was synced, with status');
    ctx.output.line('  synder explain <orderId>     every amount and posting of one order');
    ctx.output.line('  synder reconcile             clearing balance vs TikTok\'s unpaid settlements');
    ctx.output.line('  synder sync                  run again any time (from cron: synder sync --json)');
  }
  return exit;
}

/**
 * The last screen of the wizard: what was set up — org, ledger, mode, where payouts land, each
 * shop's clearing account — what the first sync booked, and whether the clearing account reconciles.
 */
async function printRecap(ctx: Context, org: Org, sync: unknown, noSync: string | undefined): Promise<void> {
  const { collectStatus } = await import('./status.js');
  const s = await collectStatus(ctx, org);
  const summary = sync && typeof sync === 'object' && 'documents' in sync ? (sync as SyncSummary) : undefined;
  const failed = sync && typeof sync === 'object' && 'error' in sync ? (sync as { error: { message: string } }).error.message : undefined;
  const booked = summary
    ? `${summary.documents.created} document(s) created, ${summary.documents.existing} already there, ${summary.failures.length} failed (${summary.fetched.transactions} TikTok transactions)`
    : (noSync ?? `did not finish: ${failed ?? 'see above'}`);
  const off = summary?.clearing.filter((c) => c.differenceMinor !== 0) ?? [];
  const reconciles = !summary
    ? 'not checked yet (`synder reconcile`)'
    : summary.clearing.length === 0
      ? 'nothing to check yet'
      : off.length === 0
        ? 'yes: the clearing account matches TikTok\'s unpaid settlements'
        : `no: ${off.map((c) => `${c.account} is off by ${c.difference} ${c.currency}`).join('; ')} (\`synder reconcile\` shows why)`;
  await ctx.output.table({
    title: 'Set-up summary',
    head: ['What', 'Now'],
    rows: [
      ['Organization', `${org.name} (${org.currency ?? 'no currency'}, ${org.timezone ?? 'no time zone'})`],
      ['Ledger', s.ledger ? `${s.ledger.provider === 'xero' ? 'Xero' : 'QuickBooks Online'}: ${s.ledger.company ?? s.ledger.id}` : 'not connected'],
      ['Sync mode', org.mode ?? 'not chosen'],
      ['Payouts land in', s.ledger?.bankAccount ?? 'not chosen'],
      ['Clearing accounts', s.integrations.map((i) => `${i.name}: ${i.clearingAccounts.map((c) => c.name).join(', ') || 'not created yet'}`).join('\n') || 'none yet (no shop connected)'],
      ['First sync', booked],
      ['Reconciles', reconciles],
    ],
  });
}
