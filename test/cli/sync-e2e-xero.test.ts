import * as vitest from 'vitest';
import { cleanRunSuite, killPoints, killSuite } from '../helpers/e2e.js';

/**
 * `synder sync` end to end against the Xero sandbox: the built binary, a real loopback sign-in
 * (PKCE), and assertions on the sandbox organisation's own books.
 */
cleanRunSuite(vitest, 'xero', 'per-transaction', 2);
cleanRunSuite(vitest, 'xero', 'summary', 2);
// Invoices go in before their payments: the first two kills leave documents half-written.
killSuite(vitest, 'xero', 'per-transaction', 2, [() => killPoints.firstWrite(['Invoice']), () => killPoints.afterObjects(1), () => killPoints.firstWrite(['Payment'])]);
killSuite(vitest, 'xero', 'summary', 2, [() => killPoints.firstWrite(['Invoice'])]);
