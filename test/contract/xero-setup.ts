import { fastTimer } from '../../src/clock.js';
import { loadConfig, type Config } from '../../src/config.js';
import { newPkcePair, newState } from '../../src/auth/pkce.js';
import type { TokenSet } from '../../src/auth/types.js';
import { createXeroOAuth, listXeroConnections } from '../../src/providers/xero/oauth.js';
import { XeroClient } from '../../src/providers/xero/client.js';
import { XeroConnector } from '../../src/providers/xero/connector.js';
import { startXeroSandbox, type XeroSandbox, type XeroSandboxOptions } from '../../src/sandbox/xero/index.js';
import type { BookingDocument, BookingLine, AccountRole, DocumentKind } from '../../src/booking/document.js';

/** Signs in through the sandbox's consent page over plain HTTP, as a browser would. */
export async function approveInBrowser(authorizeUrl: string, decision: 'approve' | 'deny' = 'approve'): Promise<URL> {
  const page = await fetch(authorizeUrl, { redirect: 'manual' });
  if (page.status === 302) return new URL(page.headers.get('location')!);
  const html = await page.text();
  if (page.status !== 200) throw new Error(`authorize page: HTTP ${page.status}: ${html}`);
  const forms = [...html.matchAll(/<form method="post" action="([^"]+)"[^>]*><button id="(approve|deny)"/g)];
  const action = forms.find((m) => m[2] === decision)?.[1];
  if (!action) throw new Error(`no ${decision} button on the consent page`);
  const res = await fetch(new URL(action.replace(/&amp;/g, '&'), authorizeUrl), { method: 'POST', redirect: 'manual' });
  if (res.status !== 302) throw new Error(`decision: HTTP ${res.status}`);
  return new URL(res.headers.get('location')!);
}

export interface Connected {
  sandbox: XeroSandbox;
  config: Config;
  tokens: TokenSet;
  client: XeroClient;
  connector: XeroConnector;
  /** A connector as a new synder process would build it: its own client, nothing cached. */
  newProcess(): { client: XeroClient; connector: XeroConnector };
  close(): Promise<void>;
}

export async function connectXero(opts: XeroSandboxOptions = {}, clientOpts: { speed?: number } = {}): Promise<Connected> {
  const sandbox = await startXeroSandbox({ autoApprove: true, ...opts });
  const config = loadConfig(sandbox.env);
  const oauth = createXeroOAuth(config.xero);
  const pkce = newPkcePair();
  const state = newState();
  const back = await approveInBrowser(oauth.authorizeUrl({ state, redirectUri: config.xero.redirectUri, codeChallenge: pkce.challenge }));
  let tokens = await oauth.exchange(back.searchParams, { redirectUri: config.xero.redirectUri, codeVerifier: pkce.verifier });
  const [tenant] = await listXeroConnections(config.xero, tokens.accessToken);
  tokens = { ...tokens, extra: { ...tokens.extra, tenantId: tenant!.tenantId } };
  const holder = { tokens };
  const newClient = () =>
    new XeroClient({
      apiUrl: config.xero.apiUrl,
      tenantId: tenant!.tenantId,
      getAccessToken: async () => holder.tokens.accessToken,
      onUnauthorized: async () => {
        holder.tokens = await oauth.refresh(holder.tokens);
        return holder.tokens.accessToken;
      },
      timer: fastTimer(clientOpts.speed ?? opts.timeScale ?? 1),
    });
  const client = newClient();
  const connector = new XeroConnector({ client, appUrl: config.xero.appUrl });
  const newProcess = () => {
    const c = newClient();
    return { client: c, connector: new XeroConnector({ client: c, appUrl: config.xero.appUrl }) };
  };
  return { sandbox, config, tokens, client, connector, newProcess, close: () => sandbox.close() };
}

let seq = 0;
/** A small neutral document built by hand (debit positive, sums to zero). */
export function doc(kind: DocumentKind, lines: Array<[AccountRole, number]>, over: Partial<BookingDocument> = {}): BookingDocument {
  const n = ++seq;
  const built: BookingLine[] = lines.map(([role, amountMinor], i) => ({
    role,
    amountMinor,
    description: `${role} line ${i + 1}`,
    source: { kind: 'statement_transaction', id: `tx${n}`, field: `field.${role}` },
  }));
  const sum = built.reduce((s, l) => s + l.amountMinor, 0);
  if (sum !== 0) throw new Error(`test document does not balance: ${sum}`);
  return {
    key: `tts:shop1:${Date.now()}-${n}:${kind}`,
    kind,
    date: '2026-03-14',
    currency: 'USD',
    memo: `${kind} ${n}`,
    lines: built,
    refs: { shopId: 'shop1', orderId: `5770000000${n}`, transactionId: `tx${n}` },
    warnings: [],
    ...over,
  };
}
