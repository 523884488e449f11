/**
 * Which account role each TikTok breakdown field or adjustment type is booked to. The routing is
 * per org (stored as JSON by the caller); keys TikTok adds later that are not in it go to
 * `uncategorized` with a warning on the document, so no amount is ever dropped.
 */
import { ACCOUNT_ROLES, isAccountRole, type AccountRole } from './document.js';

export interface RoleRouting {
  /** revenue_breakdown.<key> */
  revenueKeys: Record<string, AccountRole>;
  /** shipping_cost_breakdown.<key> (supplementary_component is informational and never booked) */
  shippingKeys: Record<string, AccountRole>;
  /** fee_tax_breakdown.fee.<key> */
  feeKeys: Record<string, AccountRole>;
  /** fee_tax_breakdown.tax.<key> */
  taxKeys: Record<string, AccountRole>;
  /** transaction type → role of its adjustment_amount */
  adjustmentTypes: Record<string, AccountRole>;
  /** supplementary_component keys that are marketplace-facilitator tax (booked only with mfTax 'gross'). */
  mfTaxKeys: string[];
  /** Optional per-org account names by role (display/export); ACCOUNT_ROLES names otherwise. */
  accountNames?: Partial<Record<AccountRole, string>>;
}

const REVENUE: Record<string, AccountRole> = {
  subtotal_before_discount_amount: 'sales',
  seller_discount_amount: 'seller_discounts',
  refund_subtotal_before_discount_amount: 'refunds',
  // The seller's discount given back on a refund nets the refund (the Refunds account shows what was actually returned).
  seller_discount_refund_amount: 'refunds',
  cod_service_fee_amount: 'sales',
  refund_cod_service_fee_amount: 'refunds',
  distant_item_fee_amount: 'sales',
};

const SHIPPING_INCOME_KEYS = ['customer_paid_shipping_fee_amount'];
// Costs and platform subsidies both land in Shipping & Fulfilment: subsidies arrive positive and act as its contra.
const SHIPPING_COST_KEYS = [
  'actual_shipping_fee_amount', 'shipping_fee_discount_amount', 'return_shipping_fee_amount',
  'return_shipping_fee_paid_buyer_amount', 'return_shipping_label_fee_amount', 'replacement_shipping_fee_amount',
  'exchange_shipping_fee_amount', 'signature_confirmation_fee_amount', 'shipping_insurance_fee_amount',
  'fbt_fulfillment_fee_reimbursement_amount', 'fbt_free_shipping_fee_amount', 'seller_self_shipping_service_fee_amount',
  'failed_delivery_subsidy_amount', 'free_return_subsidy_amount', 'shipping_fee_guarantee_reimbursement',
  'distant_shipping_fee_amount', 'logistics_service_fee', 'shipping_app_service_fee_amount', 'fbt_key_merchant_subsidy',
  'fbt_overall_merchant_subsidy', 'international_leg_logistics_amount', 'tiktok_shop_shipping_incentive_amount',
  'fbt_fulfillment_fee_amount', 'fbt_shipping_cost_amount', 'fbm_shipping_cost_amount',
];

const MARKETPLACE_FEE_KEYS = [
  'platform_commission_amount', 'referral_fee_amount', 'refund_administration_fee_amount', 'sfp_service_fee_amount',
  'live_specials_fee_amount', 'bonus_cashback_service_fee_amount', 'mall_service_fee_amount',
  'voucher_xtra_service_fee_amount', 'flash_sales_service_fee_amount', 'cofunded_promotion_service_fee_amount',
  'pre_order_service_fee_amount', 'epr_pob_service_fee_amount', 'fee_per_item_sold_amount', 'dynamic_commission_amount',
  'vn_fix_infrastructure_fee', 'shipping_fee_guarantee_service_fee', 'installation_service_fee', 'campaign_resource_fee',
  'platform_special_service_fee_amount', 'platform_semi_managed_commission_fee', 'seller_growth_fee_amount',
  'new_customer_growth_package_fee', 'store_gmv_growth_package_fee', 'brand_campaign_fee', 'insurance_fee',
  'campaign_period_fee_cfp_amount', 'campaign_period_fee_sp_amount', 'buyer_fault_return_shipping_fee',
];
const TRANSACTION_FEE_KEYS = [
  'transaction_fee_amount', 'credit_card_handling_fee_amount', 'dt_handling_fee_amount', 'seller_paylater_handling_fee_amount',
];
const AFFILIATE_KEYS = [
  'affiliate_commission_amount', 'affiliate_commission_amount_before_pit', 'affiliate_partner_commission_amount',
  'affiliate_ads_commission_amount', 'affiliate_commission_deposit', 'affiliate_commission_release',
  'tap_shop_ads_commission', 'tsp_commission_amount', 'cofunded_creator_bonus_amount',
  'external_affiliate_marketing_fee_amount', 'auto_post_shoppable_video_commission_fee',
];
const ADVERTISING_FEE_KEYS = ['gmv_max_ad_fee_amount', 'gmv_max_coupon_fee', 'smart_promotion_fee_amount'];

const TAX_KEYS = [
  'vat_amount', 'local_vat_amount', 'import_vat_amount', 'gst_amount', 'sst_amount', 'customs_duty_amount',
  'customs_clearance_amount', 'anti_dumping_duty_amount', 'pit_amount', 'isr_amount', 'iva_amount', 'cedular_tax',
  'sales_tax_referral_fee_amount', 'smart_promotion_fee_tax_amount', 'article22_income_tax_withheld',
  'campaign_period_fee_cfp_tax_amount', 'campaign_period_fee_sp_tax_amount', 'platform_semi_managed_commission_fee_tax',
];

const PLATFORM_ADJUSTMENT_TYPES = [
  'ORDER', 'CHARGE_BACK', 'CUSTOMER_SERVICE_COMPENSATION', 'DEDUCTIONS_INCURRED_BY_SELLER', 'PLATFORM_COMMISSION_ADJUSTMENT',
  'PLATFORM_COMMISSION_COMPENSATION', 'PLATFORM_PENALTY', 'PROMOTION_ADJUSTMENT', 'REBATE', 'PLATFORM_COMPENSATION',
  'PLATFORM_REIMBURSEMENT', 'COFUNDED_CREATOR_REWARDS', 'STAMP_DUTY', 'SELLER_MISSION_REWARD', 'OTHER_ADJUSTMENT',
];
const LOGISTICS_ADJUSTMENT_TYPES = [
  'FBT_WAREHOUSE_SERVICE_FEE', 'LOGISTICS_REIMBURSEMENT', 'SHIPPING_FEE_ADJUSTMENT', 'SHIPPING_FEE_COMPENSATION',
  'SHIPPING_FEE_REBATE', 'SAMPLE_SHIPPING_FEE',
];

const fill = (keys: string[], role: AccountRole): Record<string, AccountRole> => Object.fromEntries(keys.map((k) => [k, role]));

/** The routing a new org starts with. A fresh object every call, so callers may edit it. */
export function defaultRouting(): RoleRouting {
  return {
    revenueKeys: { ...REVENUE },
    shippingKeys: { ...fill(SHIPPING_COST_KEYS, 'shipping_fulfilment'), ...fill(SHIPPING_INCOME_KEYS, 'shipping_income') },
    feeKeys: {
      ...fill(MARKETPLACE_FEE_KEYS, 'marketplace_fees'),
      ...fill(TRANSACTION_FEE_KEYS, 'transaction_fees'),
      ...fill(AFFILIATE_KEYS, 'affiliate_commissions'),
      ...fill(ADVERTISING_FEE_KEYS, 'advertising'),
    },
    // VAT the platform paid on the seller's behalf is the buyer's tax, not a cost of the seller.
    taxKeys: { ...fill(TAX_KEYS, 'fee_taxes'), vat_amount: 'marketplace_vat', local_vat_amount: 'marketplace_vat' },
    adjustmentTypes: {
      ...fill(PLATFORM_ADJUSTMENT_TYPES, 'platform_adjustments'),
      ...fill(LOGISTICS_ADJUSTMENT_TYPES, 'shipping_fulfilment'),
      GMV_PAYMENT_FOR_ADS: 'advertising',
    },
    mfTaxKeys: ['sales_tax_amount', 'retail_delivery_fee_amount'],
  };
}

/** Default routing overlaid with an org's stored overrides; rejects roles that do not exist. */
export function mergeRouting(overrides: Partial<RoleRouting> | undefined): RoleRouting {
  const base = defaultRouting();
  if (!overrides) return base;
  const merged: RoleRouting = {
    revenueKeys: { ...base.revenueKeys, ...overrides.revenueKeys },
    shippingKeys: { ...base.shippingKeys, ...overrides.shippingKeys },
    feeKeys: { ...base.feeKeys, ...overrides.feeKeys },
    taxKeys: { ...base.taxKeys, ...overrides.taxKeys },
    adjustmentTypes: { ...base.adjustmentTypes, ...overrides.adjustmentTypes },
    mfTaxKeys: overrides.mfTaxKeys ?? base.mfTaxKeys,
    accountNames: { ...overrides.accountNames },
  };
  for (const table of ['revenueKeys', 'shippingKeys', 'feeKeys', 'taxKeys', 'adjustmentTypes'] as const) {
    for (const [key, role] of Object.entries(merged[table])) {
      if (!isAccountRole(role)) throw new Error(`routing ${table}.${key}: "${role}" is not an account role (${Object.keys(ACCOUNT_ROLES).join(', ')})`);
    }
  }
  return merged;
}

/** Display name of a role's account for an org (routing override, else the default name). */
export function accountNameFor(routing: RoleRouting | undefined, role: AccountRole): string {
  return routing?.accountNames?.[role] ?? ACCOUNT_ROLES[role].name;
}
