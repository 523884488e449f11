import * as vitest from 'vitest';
import { cleanRunSuite } from '../helpers/e2e.js';

/**
 * Shops that stress other corners of the books: statements on both sides of a month end (summary
 * entries are split there), a UK shop whose fees carry VAT, and a zero-decimal currency.
 */
cleanRunSuite(vitest, 'quickbooks', 'summary', 7, { days: 40, orders: 60, title: 'across a month end' });
cleanRunSuite(vitest, 'xero', 'per-transaction', 7, { currency: 'GBP', title: 'GBP shop, VAT paid by TikTok on some orders' });
cleanRunSuite(vitest, 'xero', 'summary', 7, { currency: 'JPY', title: 'JPY, no decimals' });
