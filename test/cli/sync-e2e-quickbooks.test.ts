import * as vitest from 'vitest';
import { cleanRunSuite, killPoints, killSuite } from '../helpers/e2e.js';

/**
 * `synder sync` end to end against the QuickBooks Online sandbox: the built binary, a real
 * loopback sign-in, and assertions on the sandbox company's own books.
 */
cleanRunSuite(vitest, 'quickbooks', 'per-transaction', 5);
cleanRunSuite(vitest, 'quickbooks', 'summary', 5);
killSuite(vitest, 'quickbooks', 'per-transaction', 5, [() => killPoints.firstWrite(), () => killPoints.afterObjects(15), () => killPoints.afterObjects(1)]);
killSuite(vitest, 'quickbooks', 'summary', 5, [() => killPoints.firstWrite()]);
