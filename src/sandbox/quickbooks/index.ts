export { startQuickBooksSandbox, type QuickBooksSandbox, type QuickBooksSandboxOptions, type QuickBooksSandboxStats } from './server.js';
export { Company, TXN_ENTITIES, type EntityName, type Obj, type Posting } from './books.js';
export { parseQuery, runQuery, type ParsedQuery } from './query.js';
export { taxCatalogue, type SalesTaxMode } from './tax.js';
