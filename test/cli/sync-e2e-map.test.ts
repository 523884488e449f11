import { afterAll, describe, expect, it } from 'vitest';
import { parseMinor } from '../../src/booking/money.js';
import { ACCOUNTS, balanceOf, connectThroughLoopback, expectedBooks, ledgerBalances, startE2E, sync, type E2E } from '../helpers/e2e.js';

/**
 * `synder map` end to end: a role booked to an account the user already has, an unknown TikTok
 * fee key routed off Uncategorized, and the account-type checks — books read back from the
 * sandbox ledger, expected figures from the shop data.
 */
describe('synder map with QuickBooks', () => {
  let e: E2E;
  afterAll(async () => e?.close());

  it('set to an existing account and route an unknown fee key: the ledger shows the amounts there', async () => {
    e = await startE2E({ ledger: 'quickbooks', mode: 'per-transaction', orders: 60 });
    // The user's own chart: an expense account with a number, and a bank account.
    e.qbo!.books.create('Account', { Name: 'Selling Fees', AcctNum: '6100', AccountType: 'Expense', AccountSubType: 'OtherMiscellaneousServiceCost' });
    const boostField = 'fee_tax_breakdown.fee.creator_boost_service_fee_amount';
    let boost = 0;
    for (const shop of e.tiktok.dataset.shops) {
      for (const d of shop.statementTransactions.values()) for (const t of d.transactions) boost -= parseMinor(t.fee_tax_breakdown?.fee?.creator_boost_service_fee_amount ?? '0', shop.shop.currency);
    }
    expect(boost, 'the generated shop has the unknown fee key').toBeGreaterThan(0);

    const list = await e.cli(['map', '--json']);
    expect(list.code, list.stderr).toBe(0);
    const rows = (JSON.parse(list.stdout) as { rows: Array<{ role: string; feeds: string[]; account: { name: string; type?: string; exists?: boolean } }> }).rows;
    expect(rows.find((r) => r.role === 'bank')!.account).toMatchObject({ name: 'Business Checking', type: 'Bank', exists: true });
    expect(rows.find((r) => r.role === 'marketplace_fees')!.feeds).toContain('fee_tax_breakdown.fee.referral_fee_amount');
    expect(rows.find((r) => r.role === 'marketplace_fees')!.account.name).toBe(ACCOUNTS.marketplaceFees);

    // Before routing, the warning on the documents names the exact command.
    const dry = await sync(e, ['--dry-run']);
    expect(dry.result.stdout).toContain(`route it with: synder map route ${boostField} marketplace_fees`);

    // Refused: income on a bank account, fees on the clearing account.
    const bank = await e.cli(['map', 'set', 'sales', '--account', 'Checking']);
    expect(bank.code).toBe(2);
    expect(bank.stderr).toMatch(/"Checking" is a Bank account; sales needs one of: Income, Other Income/);
    const clearing = await e.cli(['map', 'set', 'marketplace_fees', '--account', e.clearingAccount]);
    expect(clearing.code).toBe(2);
    expect(clearing.stderr).toMatch(/clearing account/);

    const set = await e.cli(['map', 'set', 'marketplace_fees', '--account', '6100']);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout + set.stderr).toMatch(/marketplace_fees now books to "Selling Fees" \(6100\)/);
    expect(set.stdout + set.stderr).toMatch(/roll them back and sync again/);
    const route = await e.cli(['map', 'route', boostField, 'transaction_fees']);
    expect(route.code, route.stderr).toBe(0);
    // A transaction type TikTok added, routed the same way.
    const type = await e.cli(['map', 'route', 'SELLER_GROWTH_PROGRAM_FEE', 'platform_adjustments']);
    expect(type.code, type.stderr).toBe(0);

    const { result } = await sync(e);
    expect(result.code, result.stderr).toBe(0);
    const x = expectedBooks(e.tiktok);
    expect(balanceOf(e, 'Selling Fees')).toBe(x.marketplaceFees);
    expect(balanceOf(e, ACCOUNTS.marketplaceFees), JSON.stringify(ledgerBalances(e))).toBe(0);
    expect(balanceOf(e, ACCOUNTS.transactionFees)).toBe(x.transactionFees + boost);
    expect(balanceOf(e, 'Uncategorized TikTok')).toBe(0);
  }, 180_000);
});

describe('connect offers existing accounts', () => {
  let e: E2E;
  afterAll(async () => e?.close());

  it('--accounts existing maps roles to the accounts the ledger has (by name and type), --account names one; sync books there', async () => {
    e = await startE2E({ ledger: 'quickbooks', mode: 'per-transaction' });
    e.qbo!.books.create('Account', { Name: 'Selling Fees', AcctNum: '6100', AccountType: 'Expense', AccountSubType: 'OtherMiscellaneousServiceCost' });
    e.qbo!.books.create('Account', { Name: 'Advertising & Marketing', AccountType: 'Expense', AccountSubType: 'AdvertisingPromotional' });
    await connectThroughLoopback(['connect', 'quickbooks', '--mode', 'per-transaction', '--bank-account', 'Business Checking', '--accounts', 'existing', '--account', 'marketplace_fees=6100'], e.env);
    const rows = (JSON.parse((await e.cli(['map', '--json'])).stdout) as { rows: Array<{ role: string; account: { name: string; mapped: boolean } }> }).rows;
    const acct = (role: string) => rows.find((r) => r.role === role)!.account;
    expect(acct('sales')).toEqual(expect.objectContaining({ name: 'Sales of Product Income', mapped: true }));
    expect(acct('advertising').name).toBe('Advertising & Marketing');
    expect(acct('marketplace_fees').name).toBe('Selling Fees');
    expect(acct('refunds')).toEqual(expect.objectContaining({ name: ACCOUNTS.refunds, mapped: false }));
    const { result } = await sync(e);
    expect(result.code, result.stderr).toBe(0);
    const x = expectedBooks(e.tiktok);
    expect(balanceOf(e, 'Sales of Product Income')).toBe(x.sales);
    expect(balanceOf(e, 'Selling Fees')).toBe(x.marketplaceFees);
  }, 180_000);
});
