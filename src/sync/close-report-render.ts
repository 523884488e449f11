import { currencyExponent, formatMinor, type ShopReport } from '../booking/index.js';
import type { OrgCloseReport } from './close-report.js';

/**
 * The close report's HTML, CSV and JSON. HTML is one self-contained file: styles inline, charts
 * compiled to static SVG here (Vega-Lite → Vega → SVG), no script and nothing fetched, so it
 * opens offline and prints as it shows.
 */

export type ReportFormat = 'html' | 'pdf' | 'csv' | 'json';

const money = (minor: number, currency: string) => formatMinor(minor, currency);
const major = (minor: number, currency: string) => minor / 10 ** currencyExponent(currency);

/** The JSON form: the figures in minor units, each with its decimal string beside it. */
export function reportJson(r: OrgCloseReport): unknown {
  return {
    ...r,
    shops: r.shops.map((s) => {
      const f = (n: number) => money(n, s.currency);
      const rf = s.rollForward;
      return {
        ...s,
        rollForward: {
          ...rf, opening: f(rf.openingMinor), settlements: f(rf.settlementsMinor), payouts: f(rf.payoutsMinor), reserve: f(rf.reserveMinor), closing: f(rf.closingMinor),
          tiktok: f(rf.tiktokMinor), ledger: rf.ledgerMinor === null ? null : f(rf.ledgerMinor), difference: f(rf.differenceMinor),
        },
        pnl: s.pnl.map((p) => ({ ...p, amount: f(p.amountMinor) })),
        net: f(s.netMinor),
        fees: s.fees.map((x) => ({ ...x, amount: f(x.amountMinor) })),
        payouts: s.payouts.map((p) => ({ ...p, amount: f(p.amountMinor) })),
      };
    }),
  };
}

// ---------------------------------------------------------------- CSV

const CSV_HEAD = ['section', 'shop', 'currency', 'item', 'account', 'date', 'reference', 'amount', 'amount_minor', 'detail'] as const;
type CsvRow = Record<(typeof CSV_HEAD)[number], string | number | null | undefined>;

const cell = (v: string | number | null | undefined) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Every table of the report in one sheet, one row per figure (RFC 4180, CRLF line ends). */
export function reportCsv(r: OrgCloseReport): string {
  const rows: CsvRow[] = [];
  for (const s of r.shops) {
    const c = s.currency;
    const base = { shop: s.shop, currency: c };
    const fig = (section: string, item: string, minor: number | null, more: Partial<CsvRow> = {}): CsvRow => ({
      section, ...base, item, account: null, date: null, reference: null, amount: minor === null ? null : money(minor, c), amount_minor: minor, detail: null, ...more,
    });
    const rf = s.rollForward;
    rows.push(
      fig('roll_forward', 'opening', rf.openingMinor, { account: s.clearingAccount, date: r.period.since }),
      fig('roll_forward', 'settlements', rf.settlementsMinor, { account: s.clearingAccount }),
      fig('roll_forward', 'payouts', rf.payoutsMinor, { account: s.clearingAccount }),
      fig('roll_forward', 'reserve', rf.reserveMinor, { account: s.clearingAccount }),
      fig('roll_forward', 'closing', rf.closingMinor, { account: s.clearingAccount, date: r.period.until }),
      fig('roll_forward', 'tiktok', rf.tiktokMinor, { detail: 'statements not paid out at the period end' }),
      fig('roll_forward', 'ledger', rf.ledgerMinor, { detail: rf.ledgerMinor !== null ? null : r.ledgerError ? `could not be read: ${r.ledgerError}` : "the ledger's balance is of today, outside the period" }),
      fig('roll_forward', 'difference', rf.differenceMinor),
    );
    for (const e of rf.explanations) rows.push(fig('difference', e.kind, e.clearingMinor, { reference: e.orderId ?? e.transactionId ?? e.documentKey ?? e.paymentId ?? e.statementId ?? null, detail: e.message }));
    if (rf.unexplainedMinor !== 0) rows.push(fig('difference', 'unexplained', rf.unexplainedMinor));
    for (const p of s.pnl) rows.push(fig('pnl', p.label, p.amountMinor, { account: p.account, detail: p.sources.join(' ') }));
    rows.push(fig('pnl', 'Net', s.netMinor));
    for (const f of s.fees) rows.push(fig('fees', f.type, f.amountMinor, { account: f.account }));
    for (const p of s.payouts) rows.push(fig('payouts', 'payout', p.amountMinor, { date: p.date, reference: p.paymentId ?? p.documentKey, detail: [`statements ${p.statementIds.join(' ')}`, p.ledger ? `ledger ${p.ledger.type} ${p.ledger.number ?? p.ledger.id}` : ''].filter(Boolean).join('; ') }));
    for (const d of s.daily) rows.push(fig('daily_balance', 'clearing', d.balanceMinor, { date: d.date, detail: `settlements ${money(d.settlementsMinor, c)}; payouts ${money(d.payoutsMinor, c)}; reserve ${money(d.reserveMinor, c)}` }));
  }
  for (const e of r.exceptions) rows.push({ section: 'exceptions', shop: e.shop, currency: null, item: e.kind, account: null, date: e.date, reference: e.orderId ?? e.transactionId, amount: e.amount, amount_minor: null, detail: `${e.message} — fix: ${e.fix}` });
  return [CSV_HEAD.join(','), ...rows.map((row) => CSV_HEAD.map((h) => cell(row[h])).join(','))].join('\r\n') + '\r\n';
}

// ---------------------------------------------------------------- charts

const FONT = 'Helvetica, Arial, sans-serif';
const CHART_CONFIG = {
  font: FONT,
  view: { stroke: null },
  axis: { labelFontSize: 10, titleFontSize: 11, grid: true, gridColor: '#e6e6e6', domainColor: '#888', tickColor: '#888' },
  legend: { labelFontSize: 11, titleFontSize: 11, orient: 'top' },
  title: { fontSize: 13, anchor: 'start', font: FONT },
};

async function svgOf(spec: Record<string, unknown>): Promise<string> {
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  const compiled = vl.compile({ $schema: 'https://vega.github.io/schema/vega-lite/v6.json', config: CHART_CONFIG, ...spec } as never).spec;
  // Inline data only: the loader is never asked for a file or URL.
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', loader: vega.loader({ mode: 'file' }) });
  try {
    const svg = await view.toSVG();
    // The SVG names its XML namespaces only; nothing in it loads.
    return svg.replace(/^<svg /, '<svg role="img" ');
  } finally {
    view.finalize();
  }
}

/** Three charts of a shop: daily settlements vs payouts, the clearing balance, the fee mix. */
export async function shopCharts(s: ShopReport): Promise<Array<{ id: string; title: string; svg: string }>> {
  const c = s.currency;
  const flows = s.daily.flatMap((d) => [
    { date: d.date, series: 'Settlements', amount: major(d.settlementsMinor, c) },
    { date: d.date, series: 'Payouts', amount: major(d.payoutsMinor, c) },
  ]);
  const balance = s.daily.map((d) => ({ date: d.date, balance: major(d.balanceMinor, c) }));
  const fees = s.fees.map((f) => ({ type: f.type, account: f.account, amount: major(f.amountMinor, c) }));
  const xDate = { field: 'date', type: 'ordinal', title: null, axis: { labelAngle: -50, labelExpr: 'slice(datum.value, 5)' } };
  const width = Math.max(360, Math.min(900, s.daily.length * 24));
  return [
    {
      id: 'flows', title: `Daily settlements and payouts (${c})`,
      svg: await svgOf({
        width, height: 200, data: { values: flows }, mark: { type: 'bar' },
        encoding: {
          x: xDate, xOffset: { field: 'series', sort: ['Settlements', 'Payouts'] },
          y: { field: 'amount', type: 'quantitative', title: c },
          color: { field: 'series', type: 'nominal', title: null, sort: ['Settlements', 'Payouts'], scale: { range: ['#2f7ebc', '#e3872d'] } },
        },
      }),
    },
    {
      id: 'balance', title: `Clearing balance at the end of each day (${c})`,
      svg: await svgOf({
        width, height: 180, data: { values: balance },
        layer: [
          { mark: { type: 'area', color: '#2f7ebc', opacity: 0.15, interpolate: 'step-after' } },
          { mark: { type: 'line', color: '#2f7ebc', interpolate: 'step-after', strokeWidth: 2 } },
          { mark: { type: 'point', color: '#2f7ebc', filled: true, size: 18 } },
        ],
        encoding: { x: xDate, y: { field: 'balance', type: 'quantitative', title: c } },
      }),
    },
    {
      id: 'fees', title: `Fee mix by type (${c})`,
      svg: await svgOf({
        width: 420, height: Math.max(60, fees.length * 22), data: { values: fees.length ? fees : [{ type: 'no fees in this period', account: '', amount: 0 }] },
        mark: { type: 'bar', color: '#8a5cb8' },
        encoding: {
          y: { field: 'type', type: 'nominal', title: null, sort: '-x', axis: { labelLimit: 220 } },
          x: { field: 'amount', type: 'quantitative', title: c },
        },
      }),
    },
  ];
}

// ---------------------------------------------------------------- HTML

const esc = (v: unknown) => String(v ?? '').replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

type Cell = string | number | null | undefined | { html: string };

function table(head: string[], rows: Cell[][], opts: { right?: number[]; dates?: number[]; ids?: number[]; total?: boolean; className?: string } = {}): string {
  const cls = (i: number) => (opts.right?.includes(i) ? ' class="num"' : opts.dates?.includes(i) ? ' class="date"' : opts.ids?.includes(i) ? ' class="id"' : '');
  const td = (c: Cell, i: number) => `<td${cls(i)}>${c !== null && typeof c === 'object' ? c.html : esc(c)}</td>`;
  const body = rows.map((r, ri) => `<tr${opts.total && ri === rows.length - 1 ? ' class="total"' : ''}>${r.map(td).join('')}</tr>`).join('\n');
  return `<table${opts.className ? ` class="${opts.className}"` : ''}><thead><tr>${head.map((h, i) => `<th${cls(i)}>${esc(h)}</th>`).join('')}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

const STYLE = `
  :root { color-scheme: light; }
  body { font: 13px/1.45 ${FONT}; color: #1d1d1f; margin: 24px auto; max-width: 1000px; padding: 0 16px; }
  h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 2px solid #2f7ebc; padding-bottom: 3px; }
  h3 { font-size: 14px; margin: 18px 0 6px; }
  .meta { color: #555; margin: 0 0 12px; }
  table { border-collapse: collapse; width: 100%; margin: 4px 0 10px; }
  th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e2e2e2; vertical-align: top; }
  td.id, td.src { overflow-wrap: anywhere; }
  th { background: #f3f5f8; font-weight: 600; }
  td.date { white-space: nowrap; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
  tr.total td { font-weight: 600; border-top: 1.5px solid #888; }
  .src { color: #666; font-size: 11px; font-family: ui-monospace, Menlo, Consolas, monospace; }
  .ok { color: #1a7f37; font-weight: 600; } .bad { color: #b42318; font-weight: 600; }
  .charts { display: flex; flex-wrap: wrap; gap: 12px 28px; }
  figure.chart { margin: 6px 0; break-inside: avoid; max-width: 100%; } figure.chart svg { max-width: 100%; height: auto; } figure.chart figcaption { font-weight: 600; margin-bottom: 4px; }
  code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; background: #f3f5f8; padding: 1px 4px; border-radius: 3px; }
  section.shop { break-before: auto; }
  @media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } table, figure { break-inside: avoid; } @page { size: A4; margin: 14mm; } }
`;

export async function reportHtml(r: OrgCloseReport): Promise<string> {
  const parts: string[] = [];
  const untilIncl = new Date(Date.parse(`${r.period.until}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  parts.push(`<h1>TikTok Shop close report — ${esc(r.org)}</h1>`);
  parts.push(`<p class="meta">${esc(r.period.since)} to ${esc(untilIncl)} (${esc(r.timeZone)}) · ${esc(r.ledger ?? 'no ledger')} · ${esc(r.mode ?? '')} · made ${esc(r.generatedAt.slice(0, 16).replace('T', ' '))} UTC</p>`);
  if (r.shops.length === 0) parts.push('<p>No clearing account yet: run <code>synder sync</code> first.</p>');
  for (const s of r.shops) {
    const c = s.currency;
    const f = (n: number) => money(n, c);
    const rf = s.rollForward;
    const ok = rf.differenceMinor === 0;
    parts.push(`<section class="shop"><h2>${esc(s.shop)} · ${esc(c)}</h2>`);
    parts.push(`<p>${s.documents} document(s) booked in the period. Clearing account: <b>${esc(s.clearingAccount)}</b>. ${ok ? '<span class="ok">Reconciled: no difference.</span>' : `<span class="bad">Difference ${esc(f(rf.differenceMinor))} ${esc(c)}</span> — explained below.`}</p>`);
    parts.push('<h3>Clearing roll-forward</h3>');
    parts.push(table(['', 'Amount', 'From'], [
      ['Opening balance', f(rf.openingMinor), `documents booked before ${r.period.since}`],
      ['+ Settlements', f(rf.settlementsMinor), 'statement transactions: settlement_amount'],
      ['− Payouts', f(rf.payoutsMinor), 'payments: amount'],
      ['± Reserve movements', f(rf.reserveMinor), 'reserve_amount withheld or released'],
      ['Closing balance (booked)', f(rf.closingMinor), ''],
      ["TikTok's figure", f(rf.tiktokMinor), `statements not paid out by ${untilIncl}: settlement_amount + reserve`],
      ["Ledger's balance", rf.ledgerMinor === null ? 'n/a' : f(rf.ledgerMinor), rf.ledgerMinor !== null ? 'Clearing account in the ledger today' : r.ledgerError ? `could not be read: ${r.ledgerError}` : "the ledger reports today's balance, outside this period"],
      ['Difference', f(rf.differenceMinor), rf.ledgerMinor === null ? 'closing − TikTok' : 'ledger − TikTok'],
    ], { right: [1] }));
    if (rf.explanations.length || rf.unexplainedMinor !== 0) {
      parts.push('<h3>What makes the difference</h3>');
      parts.push(table(['Reference', 'Why', 'Amount'], [
        ...rf.explanations.map((e) => [e.orderId ?? e.transactionId ?? e.documentKey ?? e.paymentId ?? e.statementId ?? '', e.message, f(e.clearingMinor)]),
        ...(rf.unexplainedMinor !== 0 ? [['', 'not explained by anything synder has stored', f(rf.unexplainedMinor)]] : []),
        ['Total', '', f(rf.differenceMinor)],
      ], { right: [2], total: true }));
    }
    parts.push('<h3>Profit and loss from TikTok activity</h3>');
    parts.push(`<table><thead><tr><th>Line</th><th>Account</th><th>TikTok fields</th><th class="num">Amount</th></tr></thead><tbody>${s.pnl
      .map((p) => `<tr><td>${esc(p.label)}</td><td>${esc(p.account)}</td><td class="src">${p.sources.map(esc).join('<br>')}</td><td class="num">${esc(f(p.amountMinor))}</td></tr>`)
      .join('\n')}<tr class="total"><td>Net</td><td></td><td></td><td class="num">${esc(f(s.netMinor))}</td></tr></tbody></table>`);
    parts.push('<p class="meta">Income positive, costs negative, as booked (taxes charged on fees on their own line; marketplace-facilitator tax is a liability, not P&amp;L).</p>');
    parts.push('<h3>Charts</h3><div class="charts">');
    for (const chart of await shopCharts(s)) parts.push(`<figure class="chart" data-chart="${chart.id}"><figcaption>${esc(chart.title)}</figcaption>${chart.svg}</figure>`);
    parts.push('</div>');
    parts.push('<h3>Payouts</h3>');
    parts.push(s.payouts.length
      ? table(['Date', 'Payment', 'Statements', 'Ledger transfer', 'Amount'], [
          ...s.payouts.map((p) => [p.date, p.paymentId ?? '', p.statementIds.join(', '), p.ledger ? `${p.ledger.type} ${p.ledger.number ?? p.ledger.id}` : '', f(p.amountMinor)]),
          ['Total', '', '', '', f(s.payouts.reduce((t, p) => t + p.amountMinor, 0))],
        ], { right: [4], dates: [0], ids: [1, 2], total: true })
      : '<p>No payout in this period.</p>');
    parts.push('</section>');
  }
  parts.push('<h2>Exceptions</h2>');
  parts.push(r.exceptions.length
    ? table(['Kind', 'Date', 'Order / transaction', 'Amount', 'What', 'Fix with'], r.exceptions.map((e) => [e.kind, e.date, e.orderId ?? e.transactionId, e.amount, e.message, { html: `<code>${esc(e.fix)}</code>` }]), { right: [3], dates: [1], ids: [2, 4, 5] })
    : '<p class="ok">None: every transaction of the period is booked, none with warnings or unmapped fields.</p>');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(`Close report — ${r.org} — ${r.period.since} to ${untilIncl}`)}</title>
<style>${STYLE}</style></head>
<body>
${parts.join('\n')}
</body></html>
`;
}
