export { startXeroSandbox, type XeroSandbox, type XeroSandboxOptions } from './server.js';
export { XeroBooks, TenantBooks } from './books.js';
export { OpenApiValidator, resolveOpenApiPath } from './openapi.js';
