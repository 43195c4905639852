/**
 * JD POP order (`OrderSearchInfo` of jingdong.pop.order.enSearch, cn-marketplaces.md §2.4) and
 * refund application (jingdong.pop.afs.soa.refundapply.queryPageList, §2.5) → unified drafts. Pure.
 *
 * Amount rule (JD documents the pieces, we state the identity we hold):
 *   goods            = orderTotalPrice                         (goods before any discount)
 *   merchantDiscount = sellerDiscount                          (orderSellerPrice = orderTotalPrice − sellerDiscount, checked)
 *   shipping         = freightPrice + serviceFee               (serviceFee is a buyer charge with no better bucket)
 *   tax              = taxFee
 *   buyerPaid        = orderPayment + balanceUsed              (余额 is the buyer's own stored money: a means of
 *                                                                payment, not a discount — the merchant is paid for it)
 *   platformDiscount = goods − merchantDiscount + shipping + tax − buyerPaid   (京豆/京券/红包/礼品卡: everything
 *                                                                the buyer did not pay and the merchant did not fund)
 * so buyerPaid = goods − platformDiscount − merchantDiscount + shipping + tax holds exactly.
 * couponDetailList only attributes: merchant-funded coupons that name a skuId (type 30 单品促销) become
 * line-level merchant discounts; the rest stays order-level for the pool to apportion. JD says per-SKU
 * allocation is not in this API ("详细的sku优惠/分摊金额 请联系jos找ofc").
 */
import { Decimal, fromMinor, sum, tryMoney, ZERO } from '../../src/money/index.js'
import {
  mapFailed,
  mapped,
  type MapResult,
  type PlatformOrderStatus,
  type RefundDraft,
  type RefundState,
  type RefundStatus,
  type UnifiedLineDraft,
  type UnifiedOrderDraft,
} from '../types.js'
import { fromShanghai } from '../cn/time.js'
import { idString } from '../json.js'

/** Every documented `orderState` (§2.4 ✅) → unified. The hub's own hold states never come from JD. */
export const ORDER_STATUS = {
  WAIT_SELLER_STOCK_OUT: 'paid', // 等待出库
  WAIT_SELLER_DELIVERY: 'paid', // 等待发货 (cross-border)
  WAIT_SEND_CODE: 'paid', // 等待发码 (LOC service orders)
  POP_ORDER_PAUSE: 'paid', // POP暂停: paid, JD holds it; the pool decides on_hold
  PAUSE: 'paid', // 暂停 (LOC)
  LOCKED: 'paid', // 已锁定: a cancel/refund application is pending (refundState requested)
  SEND_TO_DISTRIBUTION_CENER: 'shipped', // LBP: handed to JD's distribution centre (JD's spelling)
  DISTRIBUTION_CENTER_RECEIVED: 'shipped', // LBP: the centre received it
  WAIT_GOODS_RECEIVE_CONFIRM: 'shipped', // 等待确认收货
  RECEIPTS_CONFIRM: 'completed', // LBP: receipt confirmed
  FINISHED_L: 'completed', // 完成
  TRADE_CANCELED: 'cancelled', // 取消
} as const satisfies Record<string, PlatformOrderStatus>
export type JdOrderState = keyof typeof ORDER_STATUS

/**
 * Refund-application `status` (§2.5 ⚠) → unified. 7/10: JD stopped the parcel or is chasing it, the
 * refund is agreed but money has not moved; 8: the interception failed, this pre-shipment refund
 * is dead and the buyer goes through after-sales instead.
 */
export const REFUND_STATUS = {
  '0': 'requested', // 未审核
  '1': 'approved', // 审核通过
  '2': 'rejected', // 审核不通过
  '3': 'refunded', // 京东财务审核通过
  '4': 'rejected', // 京东财务审核不通过
  '5': 'approved', // 人工审核通过
  '6': 'refunded', // 拦截并退款
  '7': 'approved', // 青龙拦截成功
  '8': 'rejected', // 青龙拦截失败
  '9': 'refunded', // 强制关单并退款
  '10': 'approved', // 物流待跟进
} as const satisfies Record<string, RefundStatus>

/**
 * couponType (§2.4 ✅; the value text carries the label, e.g. "30-单品促销优惠") → who funds it.
 * 30/35/100 merchant per common ERP practice ⚠; 20/28/29 are promotions the merchant sets up in
 * 京麦 ❓; 34/39/41/52 are JD's own instruments ⚠. Only attribution depends on this (see the header).
 */
export const COUPON_FUNDER = {
  '20': 'merchant', // 套装优惠
  '28': 'merchant', // 闪团优惠
  '29': 'merchant', // 团购优惠
  '30': 'merchant', // 单品促销优惠 (carries skuId)
  '34': 'platform', // 手机红包
  '35': 'merchant', // 满返满送(返现)
  '39': 'platform', // 京豆优惠
  '41': 'platform', // 京东券优惠
  '52': 'platform', // 礼品卡优惠
  '100': 'merchant', // 店铺优惠
} as const satisfies Record<string, 'merchant' | 'platform'>

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null)
class Malformed extends Error {}

const amount = (o: Obj, key: string, optional = true): Decimal => {
  const v = o[key]
  if (v === undefined || v === null || v === '') {
    if (optional) return ZERO
    throw new Malformed(`${key} is required`)
  }
  const d = tryMoney(v)
  if (!d) throw new Malformed(`${key} must be a decimal yuan amount (got ${JSON.stringify(v)})`)
  return d
}

/** JD writes "0001-01-01 00:00:00" / "1970-01-01 …" for "not yet"; those are null. */
export function jdTime(v: unknown): Date | null {
  if (typeof v !== 'string' || /^(0001|1970)-01-01/.test(v.trim())) return null
  return fromShanghai(v)
}

const positiveInt = (v: unknown): number | null => {
  const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : ''
  return /^[1-9]\d{0,8}$/.test(s) ? parseInt(s, 10) : null
}

class Unsupported extends Error {}

function run<T>(f: () => T): MapResult<T> {
  try {
    return mapped(f())
  } catch (err) {
    if (err instanceof Malformed) return mapFailed('malformed_payload', err.message)
    if (err instanceof Unsupported) return mapFailed('unsupported', err.message)
    // A bug of ours on an odd payload is still reported per order, never thrown into the pull.
    return mapFailed('mapper_error', err instanceof Error ? err.message : 'unknown mapper failure')
  }
}

export const mapJdOrder = (raw: unknown): MapResult<UnifiedOrderDraft> => run(() => mapOrder(raw))
export const mapJdRefund = (raw: unknown): MapResult<RefundDraft> => run(() => mapRefund(raw))

/** The couponType code at the front of "30-单品促销优惠" (or a bare code). */
const couponCode = (v: unknown): string =>
  /^\s*(\d+)/.exec(typeof v === 'number' ? String(v) : typeof v === 'string' ? v : '')?.[1] ?? ''

interface Coupon {
  code: string
  skuId: string | null
  price: Decimal
}

function coupons(raw: Obj): Coupon[] {
  const list = Array.isArray(raw.couponDetailList) ? raw.couponDetailList : []
  return list.map((c, i) => {
    if (!isObj(c)) throw new Malformed(`couponDetailList[${i}] must be an object`)
    return {
      code: couponCode(c.couponType),
      skuId: idString(c.skuId),
      price: amount(c, 'couponPrice', false),
    }
  })
}

function lineOf(item: unknown, i: number, seen: Map<string, number>): UnifiedLineDraft {
  if (!isObj(item)) throw new Malformed(`itemInfoList[${i}] must be an object`)
  const skuId = idString(item.skuId)
  if (!skuId) throw new Malformed(`itemInfoList[${i}].skuId is required`)
  const quantity = positiveInt(item.itemTotal)
  if (quantity === null) throw new Malformed(`itemInfoList[${i}].itemTotal must be a positive integer`)
  const unitPrice = amount(item, 'jdPrice', false)
  // JD has no sub-order id: the SKU is the line. The same SKU twice (a gift row) gets a stable suffix.
  const n = (seen.get(skuId) ?? 0) + 1
  seen.set(skuId, n)
  return {
    externalLineId: n === 1 ? skuId : `${skuId}#${n}`,
    platformItemId: idString(item.wareId),
    platformSkuId: skuId,
    outerCode: str(item.outerSkuId) ?? str(item.productNo),
    title: str(item.skuName) ?? `sku ${skuId}`,
    skuProperties: null,
    quantity,
    unitPrice,
    goodsAmount: unitPrice.mul(quantity),
    platformDiscount: ZERO,
    merchantDiscount: ZERO,
    tax: ZERO,
    platformStatus: null,
    refundState: 'none',
    refundedQuantity: 0,
    refundedAmount: ZERO,
  }
}

/** Merchant-funded coupons naming a SKU of the order go on that SKU's first line, when they fit inside sellerDiscount. */
function attributeLineDiscounts(lines: UnifiedLineDraft[], list: Coupon[], sellerDiscount: Decimal): Decimal {
  const perSku = new Map<string, Decimal>()
  for (const c of list) {
    const funder = COUPON_FUNDER[c.code as keyof typeof COUPON_FUNDER] as string | undefined
    if (funder !== 'merchant' || !c.skuId || !lines.some((l) => l.platformSkuId === c.skuId)) continue
    perSku.set(c.skuId, (perSku.get(c.skuId) ?? ZERO).plus(c.price))
  }
  const attributed = sum([...perSku.values()])
  // Coupon data that does not fit the order's own merchant total is not trusted for attribution.
  if (attributed.gt(sellerDiscount)) return ZERO
  for (const [skuId, d] of perSku) {
    const line = lines.find((l) => l.platformSkuId === skuId)!
    line.merchantDiscount = Decimal.min(d, line.goodsAmount)
  }
  return sum(lines.map((l) => l.merchantDiscount))
}

function receiverOf(raw: Obj): UnifiedOrderDraft['receiver'] {
  const c = isObj(raw.consigneeInfo) ? raw.consigneeInfo : {}
  const privacy: Record<string, string> = {}
  for (const key of ['encrypt_fullname', 'encrypt_mobile', 'encrypt_telephone', 'encrypt_fullAddress']) {
    const v = str(c[key])
    if (v) privacy[key] = v
  }
  for (const key of ['open_id_buyer', 'xid_buyer']) {
    const v = str(raw[key])
    if (v) privacy[key] = v
  }
  const name = str(c.fullname)
  const phone = str(c.desen_mobile) ?? str(c.mobile) ?? str(c.desen_telephone) ?? str(c.telephone)
  const address = str(c.fullAddress)
  // enSearch answers masks (张**, 138****1234) or ciphertext; both are shown as given, never decrypted.
  const masked =
    Object.keys(privacy).some((k) => k.startsWith('encrypt_')) ||
    [name, phone, address].some((v) => v !== null && v.includes('*'))
  return {
    name,
    phone,
    country: 'CN',
    province: str(c.province),
    city: str(c.city),
    district: str(c.county),
    town: str(c.town),
    address,
    postcode: null,
    masked,
    privacyRef: Object.keys(privacy).length > 0 ? privacy : null,
  }
}

function refundStateOf(state: JdOrderState, paidAt: Date | null): RefundState {
  if (state === 'LOCKED') return 'requested'
  // JD refunds a paid order in full when it is cancelled; an unpaid cancel has nothing to refund.
  if (state === 'TRADE_CANCELED' && paidAt) return 'refunded'
  return 'none'
}

function mapOrder(raw: unknown): UnifiedOrderDraft {
  if (!isObj(raw)) throw new Malformed('order must be an object')
  const externalId = idString(raw.orderId)
  if (!externalId) throw new Malformed('orderId is required')
  const state = typeof raw.orderState === 'string' ? raw.orderState : ''
  if (!(state in ORDER_STATUS)) throw new Unsupported(`unknown orderState ${JSON.stringify(raw.orderState)}`)
  const jdState = state as JdOrderState
  const modified = jdTime(raw.modified)
  if (!modified) throw new Malformed('modified must be a "yyyy-MM-dd HH:mm:ss" time')
  if (!Array.isArray(raw.itemInfoList) || raw.itemInfoList.length === 0)
    throw new Malformed('itemInfoList must be a non-empty array')

  const seen = new Map<string, number>()
  const lines = raw.itemInfoList.map((item, i) => lineOf(item, i, seen))
  const goods = amount(raw, 'orderTotalPrice', false)
  const lineGoods = sum(lines.map((l) => l.goodsAmount))
  if (!lineGoods.eq(goods))
    throw new Malformed(
      `Σ jdPrice × itemTotal = ${lineGoods.toFixed(2)} but orderTotalPrice = ${goods.toFixed(2)}`,
    )
  const merchantDiscount = amount(raw, 'sellerDiscount')
  if (
    raw.orderSellerPrice !== undefined &&
    !amount(raw, 'orderSellerPrice').eq(goods.minus(merchantDiscount))
  ) {
    throw new Malformed('orderSellerPrice ≠ orderTotalPrice − sellerDiscount')
  }
  const shipping = amount(raw, 'freightPrice').plus(amount(raw, 'serviceFee'))
  const tax = amount(raw, 'taxFee')
  const buyerPaid = amount(raw, 'orderPayment', false).plus(amount(raw, 'balanceUsed'))
  const platformDiscount = goods.minus(merchantDiscount).plus(shipping).plus(tax).minus(buyerPaid)
  if (platformDiscount.isNegative())
    throw new Malformed(
      `the buyer paid ${buyerPaid.toFixed(2)}, more than goods − sellerDiscount + freight + tax`,
    )
  const lineMerchant = attributeLineDiscounts(lines, coupons(raw), merchantDiscount)

  const paidAt = jdTime(raw.paymentConfirmTime)
  return {
    channel: 'jd',
    externalId,
    status: ORDER_STATUS[jdState],
    platformStatus: str(raw.orderStateRemark) ? `${jdState} ${String(raw.orderStateRemark)}` : jdState,
    refundState: refundStateOf(jdState, paidAt),
    currency: 'CNY',
    placedAt: jdTime(raw.orderStartTime),
    paidAt,
    // The search answer carries no ship time; the waybill alone does not date the shipment.
    shippedAt: null,
    platformUpdatedAt: modified,
    buyer: {
      id: str(raw.open_id_buyer) ?? str(raw.open_id) ?? str(raw.pin),
      nick: str(raw.pin),
      email: null,
    },
    receiver: receiverOf(raw),
    buyerNote: str(raw.orderRemark),
    sellerNote: str(raw.venderRemark),
    totals: { goods, platformDiscount, merchantDiscount, shipping, tax, buyerPaid },
    orderLevel: { platformDiscount, merchantDiscount: merchantDiscount.minus(lineMerchant) },
    lines,
  }
}

/** `applyRefundSum` is integer fen ⚠: three independent ERP importers divide it by 100 (see the report). */
function refundAmount(v: unknown): Decimal {
  const s =
    typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : typeof v === 'string' ? v.trim() : ''
  if (!/^\d+$/.test(s)) throw new Malformed(`applyRefundSum must be integer fen (got ${JSON.stringify(v)})`)
  return fromMinor(s)
}

function mapRefund(raw: unknown): RefundDraft {
  if (!isObj(raw)) throw new Malformed('refund application must be an object')
  // queryPageList with showSku answers { refundApplyVo: {...} } per row; without it the row itself.
  const r = isObj(raw.refundApplyVo) ? raw.refundApplyVo : raw
  const externalRefundId = idString(r.id)
  if (!externalRefundId) throw new Malformed('id is required')
  const orderExternalId = idString(r.orderId)
  if (!orderExternalId) throw new Malformed('orderId is required')
  const code = idString(r.status) ?? ''
  if (!(code in REFUND_STATUS)) throw new Unsupported(`unknown refund status ${JSON.stringify(r.status)}`)
  const createdAt = jdTime(r.applyTime)
  if (!createdAt) throw new Malformed('applyTime must be a "yyyy-MM-dd HH:mm:ss" time')
  const checkedAt = jdTime(r.checkTime)
  return {
    externalRefundId,
    orderExternalId,
    status: REFUND_STATUS[code as keyof typeof REFUND_STATUS],
    platformStatus: code,
    currency: 'CNY',
    amount: refundAmount(r.applyRefundSum),
    reason: str(r.reason),
    // A refund application is JD's pre-shipment cancel-and-refund: the whole order, no goods back.
    lines: [],
    returnGoods: false,
    createdAt,
    platformUpdatedAt: checkedAt && checkedAt > createdAt ? checkedAt : createdAt,
  }
}

/** The version time the puller keys a refund row by (same rule as the mapper, tolerant of bad rows). */
export function refundUpdatedAt(raw: unknown): Date | null {
  if (!isObj(raw)) return null
  const r = isObj(raw.refundApplyVo) ? raw.refundApplyVo : raw
  const created = jdTime(r.applyTime)
  const checked = jdTime(r.checkTime)
  return checked && (!created || checked > created) ? checked : created
}
