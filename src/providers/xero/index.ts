export { createXeroOAuth, listXeroConnections, authEventIdOf, XERO_SCOPES, type XeroTenant, type XeroOAuthConfig } from './oauth.js';
export { XeroClient, XeroApiError, XeroDailyLimitError, XERO_LIMITS, idempotencyKey, xeroErrorMessages, type XeroClientOptions, type XeroBudget } from './client.js';
export { XeroConnector, TIKTOK_CONTACT, type XeroConnectorOptions } from './connector.js';
export { renderDocument, expectedPartTypes, xeroDocNumber, RenderError, type RenderedDocument, type RenderedPart, type XeroPartType } from './render.js';
