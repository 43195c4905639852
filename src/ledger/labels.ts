/**
 * Headers of the accountant's files in the reader's language (zh-CN or en), and the business names
 * of channels and accounts. A file asked for without a language keeps the stable column codes
 * (machine-readable, what integrations parse).
 */
import type { Channel } from '../../connectors/types.js'
import { ACCOUNT_NAMES } from './account-names.js'
import type { BaseAccount } from './postings.js'

export const LANGS = ['zh-CN', 'en'] as const
export type Lang = (typeof LANGS)[number]

const COLUMN_LABELS: Record<string, [zh: string, en: string]> = {
  currency: ['币种', 'Currency'],
  grossSales: ['销售额', 'Gross sales'],
  merchantDiscounts: ['商家优惠', 'Merchant discounts'],
  platformDiscounts: ['平台优惠', 'Platform discounts'],
  shippingIncome: ['运费收入', 'Shipping income'],
  refunds: ['退款', 'Refunds'],
  netSales: ['净销售额', 'Net sales'],
  commissions: ['平台佣金', 'Commissions'],
  paymentFees: ['支付手续费', 'Payment fees'],
  otherFees: ['其他费用', 'Other fees'],
  cogs: ['销售成本', 'Cost of goods sold'],
  grossMargin: ['毛利', 'Gross margin'],
  marginPercent: ['毛利率(%)', 'Margin (%)'],
  contributionMargin: ['边际贡献', 'Contribution margin'],
  expectedReceivable: ['应收平台款', 'Expected from platforms'],
  settled: ['已结算', 'Settled'],
  paidOut: ['已提现', 'Paid out'],
  difference: ['未结算差额', 'Not yet settled'],
  suspense: ['待查明', 'Suspense'],
  commissionsExpected: ['预计佣金', 'Commission expected'],
  commissionsSettled: ['账单佣金', 'Commission billed'],
  commissionsDifference: ['佣金差异', 'Commission difference'],
  paymentFeesExpected: ['预计支付手续费', 'Payment fees expected'],
  paymentFeesSettled: ['账单支付手续费', 'Payment fees billed'],
  paymentFeesDifference: ['支付手续费差异', 'Payment fee difference'],
  fxRealised: ['已实现汇兑损益', 'Realised FX'],
  fxUnrealised: ['未实现汇兑损益', 'Unrealised FX'],
  channel: ['渠道', 'Channel'],
  channelName: ['渠道', 'Channel'],
  shopId: ['店铺ID', 'Shop id'],
  shopName: ['店铺', 'Shop'],
  skuId: ['SKU ID', 'SKU id'],
  skuCode: ['SKU编码', 'SKU code'],
  skuName: ['SKU名称', 'SKU name'],
  orderId: ['订单ID', 'Order id'],
  orderExternalId: ['平台订单号', 'Platform order no.'],
  kind: ['类型', 'Kind'],
  expected: ['应收', 'Expected'],
  actual: ['实收', 'Actual'],
  commissionExpected: ['预计佣金', 'Commission expected'],
  commissionActual: ['实扣佣金', 'Commission charged'],
  reason: ['原因', 'Reason'],
  settlementLineIds: ['结算行', 'Settlement lines'],
  originalCurrency: ['原币', 'Original currency'],
  originalGrossSales: ['原币销售额', 'Gross sales (original)'],
  originalNetSales: ['原币净销售额', 'Net sales (original)'],
  figure: ['项目', 'Figure'],
  total: ['合计', 'Total'],
  date: ['日期', 'Date'],
  entryNo: ['凭证号', 'Entry no.'],
  postingKey: ['业务键', 'Posting key'],
  entryKind: ['业务类型', 'Entry kind'],
  account: ['科目', 'Account'],
  accountCode: ['科目编码', 'Account code'],
  accountName: ['科目名称', 'Account name'],
  debit: ['借方', 'Debit'],
  credit: ['贷方', 'Credit'],
  baseDebit: ['借方(本位币)', 'Debit (base)'],
  baseCredit: ['贷方(本位币)', 'Credit (base)'],
  rate: ['汇率', 'Rate'],
  openingDebit: ['期初借方', 'Opening debit'],
  openingCredit: ['期初贷方', 'Opening credit'],
  closingDebit: ['期末借方', 'Closing debit'],
  closingCredit: ['期末贷方', 'Closing credit'],
  periodDebit: ['本期借方', 'Period debit'],
  periodCredit: ['本期贷方', 'Period credit'],
}

export function columnLabel(code: string, lang: Lang | undefined): string {
  if (!lang) return code
  const l = COLUMN_LABELS[code]
  return l ? (lang === 'zh-CN' ? l[0] : l[1]) : code
}

const CHANNEL_NAMES: Record<Channel, [string, string]> = {
  taobao: ['淘宝/天猫', 'Taobao/Tmall'],
  jd: ['京东', 'JD'],
  pdd: ['拼多多', 'Pinduoduo'],
  douyin: ['抖店', 'Douyin shop'],
  shopify: ['Shopify', 'Shopify'],
  woocommerce: ['WooCommerce', 'WooCommerce'],
  selfstore: ['自营商城', 'Own store'],
}

export function channelName(channel: string | null, lang: Lang | undefined): string | null {
  if (channel === null) return null
  const n = CHANNEL_NAMES[channel as Channel]
  return n ? (lang === 'en' ? n[1] : n[0]) : channel
}

// Every account of the chart has its two names: an account added without them does not compile.
const DEFAULT_NAMES: Readonly<Record<BaseAccount, readonly [zh: string, en: string]>> = ACCOUNT_NAMES

/**
 * An account's default name (account-names.ts, shared with the console) in the reader's language;
 * Chinese when none is asked for, as the books are kept. Undefined for a code not in the chart.
 */
export function defaultAccountName(code: BaseAccount, lang: Lang | undefined): string
export function defaultAccountName(code: string, lang: Lang | undefined): string | undefined
export function defaultAccountName(code: string, lang: Lang | undefined): string | undefined {
  const names = Object.hasOwn(DEFAULT_NAMES, code) ? DEFAULT_NAMES[code as BaseAccount] : undefined
  return names?.[lang === 'en' ? 1 : 0]
}
