import type { AccountClass, AccountRole } from '../../booking/document.js';

/** QBO AccountType / AccountSubType for each account class (and role, where a better sub-type exists). */
export function accountTypeFor(cls: AccountClass, role: AccountRole): { AccountType: string; AccountSubType: string } {
  switch (cls) {
    case 'bank':
      return { AccountType: 'Bank', AccountSubType: role === 'clearing' ? 'CashOnHand' : 'Checking' };
    case 'current_asset':
      return { AccountType: 'Other Current Asset', AccountSubType: 'OtherCurrentAssets' };
    case 'income':
      return {
        AccountType: 'Income',
        AccountSubType: role === 'seller_discounts' || role === 'refunds' ? 'DiscountsRefundsGiven' : role === 'shipping_income' ? 'OtherPrimaryIncome' : 'SalesOfProductIncome',
      };
    case 'other_income':
      return { AccountType: 'Other Income', AccountSubType: 'OtherMiscellaneousIncome' };
    case 'current_liability':
      return { AccountType: 'Other Current Liability', AccountSubType: role === 'mf_tax' ? 'SalesTaxPayable' : 'OtherCurrentLiabilities' };
    case 'expense': {
      const sub =
        role === 'transaction_fees'
          ? 'BankCharges'
          : role === 'shipping_fulfilment'
            ? 'ShippingFreightDelivery'
            : role === 'marketplace_fees' || role === 'affiliate_commissions'
              ? 'CommissionsAndFees'
              : role === 'fee_taxes'
                ? 'TaxesPaid'
                : 'OtherMiscellaneousServiceCost';
      return { AccountType: 'Expense', AccountSubType: sub };
    }
  }
}

/** Account types a found account may have for a class (a user's existing account may differ in sub-type). */
export function acceptableTypes(cls: AccountClass): string[] {
  switch (cls) {
    case 'bank':
      return ['Bank'];
    case 'current_asset':
      return ['Other Current Asset', 'Bank'];
    case 'income':
      return ['Income', 'Other Income'];
    case 'other_income':
      return ['Other Income', 'Income', 'Other Expense', 'Expense'];
    case 'expense':
      return ['Expense', 'Other Expense', 'Cost of Goods Sold'];
    case 'current_liability':
      return ['Other Current Liability', 'Long Term Liability'];
  }
}

/** Debit-positive sign of CurrentBalance per Classification (QBO reports credit balances positive). */
export function debitSign(classification: string | undefined, accountType: string | undefined): 1 | -1 {
  const c = classification ?? classFromType(accountType);
  return c === 'Liability' || c === 'Equity' || c === 'Revenue' ? -1 : 1;
}

export function classFromType(type: string | undefined): string {
  switch (type) {
    case 'Bank':
    case 'Accounts Receivable':
    case 'Other Current Asset':
    case 'Fixed Asset':
    case 'Other Asset':
      return 'Asset';
    case 'Accounts Payable':
    case 'Credit Card':
    case 'Other Current Liability':
    case 'Long Term Liability':
      return 'Liability';
    case 'Equity':
      return 'Equity';
    case 'Income':
    case 'Other Income':
      return 'Revenue';
    default:
      return 'Expense';
  }
}
