export { startXeroSandbox, type XeroSandbox, type XeroSandboxOptions } from './server.js';
export { XeroBooks, TenantBooks } from './books.js';
export { OpenApiValidator, openApiValidator, resolveOpenApiPath } from './openapi.js';
export { AccountingApi } from './api.js';
export { taxRatesFor, type TaxRate } from './tax.js';
