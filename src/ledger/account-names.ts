/**
 * The default names of the chart's accounts as people read them, Chinese and English side by side:
 * the one place they are written. The console's `books.account` dictionary takes both, and so do the
 * server's answers and files (chart, journal, trial balance, vouchers) through labels.ts, so an
 * English file and the English console name an account alike. A merchant's own name for an account
 * (ledger_accounts) comes before these. This module imports nothing: Vite bundles it into the console.
 */
export const ACCOUNT_NAMES = {
  gross_sales: ['主营业务收入-销售额', 'Gross sales'],
  merchant_discounts: ['主营业务收入-商家优惠', 'Merchant-funded discounts'],
  platform_discounts: ['主营业务收入-平台优惠', 'Platform-funded discounts'],
  platform_subsidy: ['主营业务收入-平台补贴', 'Platform subsidy'],
  shipping_income: ['主营业务收入-运费', 'Shipping income'],
  tax_payable: ['应交税费', 'Tax payable'],
  refunds: ['主营业务收入-退款', 'Refunds'],
  commission: ['销售费用-平台佣金', 'Platform commission'],
  payment_fees: ['财务费用-支付手续费', 'Payment fees'],
  other_fees: ['销售费用-其他平台费用', 'Other platform fees'],
  settlement_adjustments: ['销售费用-结算调整', 'Settlement adjustments'],
  cogs: ['主营业务成本', 'Cost of goods sold'],
  inventory: ['库存商品', 'Inventory'],
  bank: ['银行存款', 'Bank'],
  accrued_commission: ['其他应付款-预提平台佣金', 'Accrued platform commission'],
  accrued_payment_fees: ['其他应付款-预提支付手续费', 'Accrued payment fees'],
  commission_variance: ['销售费用-平台佣金差异', 'Commission variance'],
  payment_fee_variance: ['财务费用-支付手续费差异', 'Payment fee variance'],
  fx_realised: ['财务费用-汇兑损益（已实现）', 'Realised exchange differences'],
  fx_unrealised: ['财务费用-汇兑损益（未实现）', 'Unrealised exchange differences'],
  fx_rounding: ['财务费用-折算尾差', 'Conversion rounding'],
  suspense: ['待处理财产损溢-待查明', 'Suspense'],
  receivable: ['应收账款-平台', 'Receivable from platform'],
  platform_balance: ['其他货币资金-平台余额', 'Platform balance'],
} as const satisfies Record<string, readonly [zh: string, en: string]>

export type NamedAccount = keyof typeof ACCOUNT_NAMES

/** Every account's default name in one language, keyed by account code. */
export function accountNames(lang: 'zh-CN' | 'en'): Readonly<Record<NamedAccount, string>> {
  const i = lang === 'zh-CN' ? 0 : 1
  return Object.fromEntries(Object.entries(ACCOUNT_NAMES).map(([code, names]) => [code, names[i]])) as Record<
    NamedAccount,
    string
  >
}
