export { startXeroSandbox, type XeroSandbox, type XeroSandboxOptions } from './server.js';
export { XeroBooks, TenantBooks } from './books.js';
export { OpenApiValidator, openApiValidator, resolveOpenApiPath } from './openapi.js';
