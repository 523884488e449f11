export { TikTokClient, listAuthorizedShops, ORDER_DETAIL_BATCH, type TikTokClientOptions, type ListShopsOptions } from './client.js';
export { createTikTokOAuth } from './oauth.js';
export { signRequest, stringToSign, encodeQuery, type SignInput } from './sign.js';
export * from './errors.js';
export type { TikTokShopApi, AuthorizedShop, TimeWindow } from './shop-client.js';
