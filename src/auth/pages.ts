/** The small pages the loopback listener answers the browser with. */

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,-apple-system,sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem;line-height:1.5;color:#222}h1{font-size:1.4rem}</style>
</head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

export function successPage(provider?: string): string {
  const who = provider ? ` to ${providerName(provider)}` : '';
  return page(`Signed in${who}`, '<p>synder received the authorization. You can close this tab and go back to the terminal.</p>');
}

export function errorPage(title: string, detail: string): string {
  return page(title, `<p>${escapeHtml(detail)}</p><p>Go back to the terminal for what to do next. You can close this tab.</p>`);
}

export function providerName(provider: string): string {
  return ({ tiktok: 'TikTok Shop', quickbooks: 'QuickBooks Online', xero: 'Xero' } as Record<string, string>)[provider] ?? provider;
}
