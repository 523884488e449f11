import type { BuildContext, DocumentBuilder } from './types.js';

/** The booking core as the engine's document builder; options come from the org's and integration's settings. */
export async function defaultBuilder(): Promise<DocumentBuilder> {
  const booking = await import('../booking/index.js');
  const cache = new WeakMap<BuildContext, Parameters<typeof booking.buildStatementDocuments>[1]>();
  const optionsFor = (ctx: BuildContext) => {
    let o = cache.get(ctx);
    if (!o) {
      const s = ctx.settings;
      o = {
        mode: ctx.mode,
        shopId: ctx.shopId,
        timeZone: ctx.timezone,
        dateBasis: s.dateBasis === 'order' ? 'order' : 'settlement',
        routing: booking.mergeRouting(s.routing),
        mfTax: s.mfTax === 'gross' ? 'gross' : 'off',
        tax: ctx.tax,
        orders: ctx.orders,
      };
      cache.set(ctx, o);
    }
    return o;
  };
  return {
    statement: (bundle, ctx) => booking.buildStatementDocuments(bundle, optionsFor(ctx)),
    statementPages: (bundle, ctx) => new booking.StatementBuilder(bundle, optionsFor(ctx)),
    payout: (payment, statements, ctx) => booking.buildPayoutDocuments(payment, statements, optionsFor(ctx)),
  };
}
