import * as vitest from 'vitest';
import { faultSuite } from '../helpers/e2e.js';

/**
 * `synder sync` through sandboxes that answer 20 % of calls with 429 and 10 % with 500
 * (TikTok, the OAuth endpoints and the ledger alike): retries must end in the same books.
 * One mode per ledger keeps the run short; the retry paths do not depend on the mode.
 */
faultSuite(vitest, 'quickbooks', 'per-transaction', 5);
faultSuite(vitest, 'xero', 'summary', 23);
