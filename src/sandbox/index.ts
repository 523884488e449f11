import { parseFaults } from './faults.js';
import { HOME_CURRENCY, type TaxCountry } from './quickbooks/tax.js';
import type { SandboxCommonOptions, SandboxService } from './types.js';

export interface SandboxOptions {
  host?: string;
  /** Base port: TikTok on port, QuickBooks on port+1, Xero on port+2. 0 = free ports. */
  port?: number;
  seed?: number;
  orders?: number;
  days?: number;
  /** TikTok shops the seller authorizes (default 1); `synder connect tiktok --shops` picks among them. */
  shops?: number;
  /**
   * QuickBooks companies and Xero organisations (default 1 each), each with its own books, ids
   * and rate limits. QuickBooks: each sign-in connects one company, and auto-approve takes the next
   * one not connected yet. Xero: a sign-in connects every organisation, `--tenant` picks one.
   */
  companies?: number;
  currency?: string;
  /** The ledger companies' country (US, GB, CA, AU): codes, tax rules and home currency. */
  country?: string;
  /** US QuickBooks: off (default) or automated; elsewhere on (VAT/GST registered, default) or off. */
  salesTax?: 'off' | 'automated' | 'on';
  autoApprove?: boolean;
  faults?: string;
  tiktokDataFile?: string;
  xeroOpenApi?: string;
  timeScale?: number;
  /** The loopback redirect URI the fake apps have registered (where synder's listener waits). */
  redirectUri?: string;
  services?: Array<SandboxService['name']>;
}

export interface RunningSandbox {
  services: SandboxService[];
  /** Every SYNDER_* variable that points synder at the running sandbox. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Starts the fake TikTok Shop, QuickBooks Online and Xero servers together. */
export async function startSandbox(opts: SandboxOptions = {}): Promise<RunningSandbox> {
  const faults = parseFaults(opts.faults);
  // A shop and ledgers of one country keep that country's currency unless told otherwise.
  opts = { ...opts, currency: opts.currency ?? (opts.country ? HOME_CURRENCY[opts.country as TaxCountry] : undefined) };
  if (opts.salesTax === 'automated' && (opts.country ?? 'US') !== 'US') throw new Error('--sales-tax automated exists for US companies only');
  const wanted = new Set(opts.services ?? ['tiktok', 'quickbooks', 'xero']);
  const basePort = opts.port ?? 0;
  const common = (offset: number): SandboxCommonOptions => ({
    host: opts.host ?? '127.0.0.1',
    port: basePort === 0 ? 0 : basePort + offset,
    seed: opts.seed ?? 1,
    autoApprove: opts.autoApprove ?? false,
    faults,
    timeScale: opts.timeScale ?? 1,
  });
  const redirectUris = opts.redirectUri ? [opts.redirectUri] : undefined;
  const services: SandboxService[] = [];
  const closeAll = async () => {
    await Promise.allSettled(services.map((s) => s.close()));
  };
  try {
    if (wanted.has('tiktok')) {
      const { startTikTokSandbox, loadReplayFile } = await import('./tiktok/index.js');
      const data = opts.tiktokDataFile ? await loadReplayFile(opts.tiktokDataFile) : undefined;
      services.push(
        await startTikTokSandbox({ ...common(0), orders: opts.orders, days: opts.days, shops: opts.shops, currency: opts.currency, data, redirectUri: opts.redirectUri }),
      );
    }
    if (wanted.has('quickbooks')) {
      const { startQuickBooksSandbox } = await import('./quickbooks/index.js');
      services.push(
        await startQuickBooksSandbox({ ...common(1), redirectUris, currency: opts.currency, country: opts.country, salesTax: opts.salesTax, companies: opts.companies }),
      );
    }
    if (wanted.has('xero')) {
      const { startXeroSandbox } = await import('./xero/index.js');
      services.push(
        await startXeroSandbox({
          ...common(2),
          redirectUris,
          openApiPath: opts.xeroOpenApi,
          tenants: Array.from({ length: Math.max(1, opts.companies ?? 1) }, (_, i) => ({
            name: i === 0 ? 'Demo Company (Sandbox)' : `Demo Company ${i + 1} (Sandbox)`,
            currency: opts.currency,
            country: opts.country,
            paysTax: opts.salesTax === undefined ? undefined : opts.salesTax !== 'off',
          })),
        }),
      );
    }
  } catch (err) {
    await closeAll();
    throw err;
  }
  const env: Record<string, string> = {};
  for (const s of services) Object.assign(env, s.env);
  // The clients must compress their own rate-limit windows the same way, or they would wait in real time.
  if ((opts.timeScale ?? 1) > 1) env.SYNDER_TIME_SCALE = String(opts.timeScale);
  if (opts.redirectUri) {
    env.SYNDER_TIKTOK_REDIRECT_URI = opts.redirectUri;
    env.SYNDER_QBO_REDIRECT_URI = opts.redirectUri;
    env.SYNDER_XERO_REDIRECT_URI = opts.redirectUri;
  }
  return { services, env, close: closeAll };
}
