import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidResponseError } from '../../src/errors.js';
import {
  TikTokApiError,
  TikTokRateLimitError,
  TikTokScopeError,
  TikTokShopCipherError,
  TikTokSignatureError,
  TikTokTokenExpiredError,
  TikTokTransientError,
  TikTokInvalidRequestError,
  tiktokError,
  tiktokRetryDelay,
} from '../../src/providers/tiktok/errors.js';
import * as s from '../../src/providers/tiktok/schemas.js';
import { sharedDir } from '../helpers/cli.js';

const res = (status: number, body: unknown) => ({ status, headers: {}, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('TikTok error mapping and retry rules', () => {
  it('maps codes to typed errors', () => {
    expect(tiktokError('GET /x', 401, 105002, 'expired')).toBeInstanceOf(TikTokTokenExpiredError);
    expect(tiktokError('GET /x', 401, 106001, 'sign')).toBeInstanceOf(TikTokSignatureError);
    expect(tiktokError('GET /x', 400, 36009004, 'bad')).toBeInstanceOf(TikTokInvalidRequestError);
    expect(tiktokError('GET /x', 429, 36009002, 'slow down')).toBeInstanceOf(TikTokRateLimitError);
    expect(tiktokError('GET /x', 500, 36009003, 'oops')).toBeInstanceOf(TikTokTransientError);
    expect(tiktokError('GET /x', 200, 36009007, 'timeout')).toBeInstanceOf(TikTokTransientError);
    expect(tiktokError('GET /x', 403, 105005, 'scope')).toBeInstanceOf(TikTokScopeError);
    expect(tiktokError('GET /x', 400, 106013, 'cipher')).toBeInstanceOf(TikTokShopCipherError);
    const other = tiktokError('GET /finance/202309/statements', 200, 21008111, 'not yours', 'req-1');
    expect(other).toBeInstanceOf(TikTokApiError);
    expect(other.message).toContain('GET /finance/202309/statements');
    expect(other.message).toContain('21008111');
  });

  it('retries rate limits and server trouble, never validation or auth errors', () => {
    expect(tiktokRetryDelay(res(429, { code: 36009002 }), 0)).toBeGreaterThan(0);
    expect(tiktokRetryDelay(res(200, { code: 36009002 }), 0)).toBeGreaterThan(0);
    expect(tiktokRetryDelay(res(503, 'Service Unavailable'), 1)).toBeGreaterThan(0);
    expect(tiktokRetryDelay(res(200, { code: 36009003 }), 0)).toBeGreaterThan(0);
    expect(tiktokRetryDelay({ status: 429, headers: { 'retry-after': '2' }, body: '' }, 0)).toBe(2000);
    expect(tiktokRetryDelay(res(400, { code: 36009004 }), 0)).toBeUndefined();
    expect(tiktokRetryDelay(res(401, { code: 106001 }), 0)).toBeUndefined();
    expect(tiktokRetryDelay(res(401, { code: 105002 }), 0)).toBeUndefined();
    expect(tiktokRetryDelay(res(200, { code: 0 }), 0)).toBeUndefined();
  });
});

describe('TikTok response schemas', () => {
  it('keeps unknown breakdown keys and trims amounts', () => {
    const tx = s.parseOrThrow(s.statementTransaction, {
      id: '1', type: 'ORDER', settlement_amount: ' 1.50 ',
      fee_tax_breakdown: { fee: { brand_new_fee_amount: '-0.50' } },
      shipping_cost_breakdown: { actual_shipping_fee_amount: '-1', supplementary_component: { x: '2' }, new_shipping_key: '0 ' },
    }, 'GET /t');
    expect(tx.settlement_amount).toBe('1.50');
    expect(tx.fee_tax_breakdown?.fee).toEqual({ brand_new_fee_amount: '-0.50' });
    expect(tx.shipping_cost_breakdown).toMatchObject({ new_shipping_key: '0', supplementary_component: { x: '2' } });
  });

  it('names the endpoint and field path on bad data', () => {
    const bad = { statements: [{ id: '1', statement_time: 1, currency: 'USD', settlement_amount: '1' }, { id: '2', statement_time: 1, currency: 'USD', settlement_amount: 1.5 }] };
    expect(() => s.parseOrThrow(s.statementsData, bad, 'GET /finance/202309/statements')).toThrow(InvalidResponseError);
    expect(() => s.parseOrThrow(s.statementsData, bad, 'GET /finance/202309/statements')).toThrow(/GET \/finance\/202309\/statements.*data\.statements\[1\]\.settlement_amount/);
    const badFee = { id: '1', type: 'ORDER', settlement_amount: '1', fee_tax_breakdown: { fee: { referral_fee_amount: 'abc' } } };
    expect(() => s.parseOrThrow(s.statementTransaction, badFee, 'GET /t', 'data.transactions[0]')).toThrow(/data\.transactions\[0\]\.fee_tax_breakdown\.fee\.referral_fee_amount/);
  });
});

const dir = sharedDir();
describe.skipIf(!dir)('TikTok schemas accept the documented examples (needs ../shared reference data)', () => {
  const sample = (name: string) => (JSON.parse(fs.readFileSync(path.join(dir!, 'tiktok-samples', name), 'utf8')) as { data: unknown }).data;
  it.each([
    ['authorized-shops-202309.docs-example.json', s.authorizedShopsData],
    ['finance-statements-202309.docs-example.json', s.statementsData],
    ['finance-payments-202309.docs-example.json', s.paymentsData],
    ['finance-statement-transactions-202501.docs-example.json', s.statementTransactionsData],
    // The orders of a search answer have the shape of Get Order Detail's.
    ['order-search-202309.docs-example.json', s.ordersDetailData],
    ['order-search-202309.realistic-MY-sanitized.json', s.ordersDetailData],
    ['order-detail-202507.docs-example.json', s.ordersDetailData],
    ['auth-token-get.docs-example.json', s.tokenData],
  ] as const)('%s', (name, schema) => {
    expect(() => s.parseOrThrow(schema as never, sample(name), name)).not.toThrow();
  });
});
