import * as vitest from 'vitest';
import { cleanRunSuite } from '../helpers/e2e.js';

/**
 * A two-day-old shop: its newest statement withholds a reserve and is not paid out yet, so
 * Clearing must hold settlement + reserve of that statement (reserves split out).
 */
cleanRunSuite(vitest, 'quickbooks', 'per-transaction', 5, { days: 6, title: 'unpaid statement with a reserve', unpaidReserve: true });
cleanRunSuite(vitest, 'xero', 'summary', 5, { days: 6, title: 'unpaid statement with a reserve', unpaidReserve: true });
