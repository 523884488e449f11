import type { AccountMapping } from '../ledger/mapping.js';
import type { BuildContext, DocumentBuilder } from './types.js';

/** The pure ledger module as the engine's document builder; options come from the org's and integration's settings. */
export async function defaultBuilder(): Promise<DocumentBuilder> {
  const ledger = await import('../ledger/index.js');
  const cache = new WeakMap<BuildContext, Parameters<typeof ledger.buildStatementDocuments>[1]>();
  const optionsFor = (ctx: BuildContext) => {
    let o = cache.get(ctx);
    if (!o) {
      const s = ctx.settings;
      o = {
        mode: ctx.mode,
        shopId: ctx.shopId,
        timeZone: ctx.timezone,
        dateBasis: s.dateBasis === 'order' ? 'order' : 'settlement',
        mapping: ledger.mergeMapping(s.mapping as Partial<AccountMapping> | undefined),
        mfTax: s.mfTax === 'gross' ? 'gross' : 'off',
        orders: ctx.orders,
      };
      cache.set(ctx, o);
    }
    return o;
  };
  return {
    statement: (bundle, ctx) => ledger.buildStatementDocuments(bundle, optionsFor(ctx)),
    payout: (payment, statements, ctx) => ledger.buildPayoutDocuments(payment, statements, optionsFor(ctx)),
  };
}
