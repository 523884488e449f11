export { createQuickBooksOAuth, QBO_SCOPE, type QuickBooksOAuthConfig } from './oauth.js';
export { QuickBooksClient, QBO_LIMITS, QBO_MINOR_VERSION, qboString, type QuickBooksClientOptions, type BatchItemRequest, type BatchItemResult, type QueryPage, type QboEntity } from './client.js';
export { QuickBooksConnector, TIKTOK_CUSTOMER_NAME, type QuickBooksConnectorOptions } from './connector.js';
export { renderDocument, qboAmount, SYNDER_ENTITIES, type QboEntityName, type RenderContext, type Rendered } from './render.js';
export { QuickBooksFaultError, parseFault, faultHint, describeFault, type QboFault, type QboFaultError } from './fault.js';
export { shortDocNumber, requestIdFor, privateNote, keyFromPrivateNote } from './keys.js';
export { accountTypeFor } from './accounts.js';
