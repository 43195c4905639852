/**
 * Douyin shop order (order.searchList / order.orderDetail `shop_order`) and after-sale
 * (afterSale.List item) → unified drafts. Pure: no I/O, no clock. Reference: cn-marketplaces.md §4.4, §4.5.
 *
 * Money is integer fen everywhere (fromMinor). Discounts are attributed per sku order by Douyin, so
 * they stay on the lines; whatever the parent carries beyond Σ lines goes to orderLevel.
 *
 * Discount funding:
 *   promotion_shop_amount      店铺优惠 → merchantDiscount (the shop pays it)
 *   promotion_platform_amount  平台优惠 → platformDiscount
 *   promotion_talent_amount    达人优惠 → platformDiscount: the 达人 (influencer) funds it, not the merchant,
 *                              and the settlement pays it back to the shop as author_coupon (达人补贴);
 *                              Douyin itself books it on the platform side (platform_cost_amount =
 *                              only_platform_cost_amount + author_cost_amount).
 *   promotion_pay_amount       支付优惠 (payment channel, e.g. 抖音支付立减) → platformDiscount, refunded to the
 *                              shop as zt_pay_promotion. ⚠ We take pay_amount as after this discount.
 *   modify_amount              改价 delta (negative = the merchant lowered the price) → merchantDiscount −= delta.
 *   Red packets are already inside the shop/platform/talent amounts (the SDK doc strings say so).
 *
 * Identity enforced (anything else is an exception order, not a guess):
 *   pay_amount = Σ sku sum_amount − platformDiscount − merchantDiscount + post_amount + packing_amount + tax_amount
 * post_amount is the shipping actually charged (post_origin_amount − post_promotion_amount), and
 * packing_amount (打包费, buyer-paid) is counted as shipping & handling.
 */
import { fromMinor, sum, ZERO, type Decimal } from '../../src/money/index.js'
import {
  mapFailed,
  mapped,
  type MapResult,
  type PlatformOrderStatus,
  type Receiver,
  type RefundDraft,
  type RefundState,
  type RefundStatus,
  type UnifiedLineDraft,
  type UnifiedOrderDraft,
} from '../types.js'
import { fromEpochSeconds } from '../cn/time.js'
import { idString } from '../json.js'

/** order_status (父订单 and sku 订单) → unified. 101 部分发货 stays paid: lines are still to ship. */
export const ORDER_STATUS = {
  '1': 'pending_payment', // 待确认/待支付
  '105': 'paid', // 已支付 (e.g. awaiting risk check / 待处理)
  '2': 'paid', // 备货中 / 待发货
  '101': 'paid', // 部分发货
  '3': 'shipped', // 已发货（全部发货）
  '4': 'cancelled', // 已取消
  '5': 'completed', // 已完成（已收货）
} as const satisfies Record<string, PlatformOrderStatus>

/**
 * main_status (主流程状态). ❓ The SDK documents the field but not its values; these are the values
 * of the doc's main_status enum as commonly reproduced. Used only when order_status is missing or
 * unknown, and to learn that a refund has completed (21/22/39).
 */
export const MAIN_STATUS = {
  '1': { status: 'pending_payment', refund: null }, // 待确认/待支付
  '103': { status: 'pending_payment', refund: null }, // 部分支付 (presale deposit paid)
  '105': { status: 'paid', refund: null }, // 已支付
  '2': { status: 'paid', refund: null }, // 备货中
  '101': { status: 'paid', refund: null }, // 部分发货
  '3': { status: 'shipped', refund: null }, // 已发货
  '4': { status: 'cancelled', refund: null }, // 已取消
  '5': { status: 'completed', refund: null }, // 已完成
  '21': { status: 'cancelled', refund: 'refunded' }, // 发货前退款完结
  '22': { status: 'shipped', refund: 'refunded' }, // 发货后退款完结
  '39': { status: 'completed', refund: 'refunded' }, // 收货后退款完结
} as const satisfies Record<string, { status: PlatformOrderStatus; refund: RefundState | null }>

/** sku_order_list[].after_sale_info.after_sale_status → the line's refund state. */
export const LINE_AFTER_SALE_STATUS = {
  '0': 'none', // 初始化 (no after-sale)
  '6': 'requested', // 申请
  '7': 'requested', // 退货中
  '11': 'requested', // 已发货 (buyer shipped the return)
  '12': 'refunded', // 成功
  '13': 'none', // 换货商家发货 — exchange, no money back
  '14': 'none', // 换货用户收货
  '27': 'none', // 拒绝
  '28': 'none', // 失败
  '29': 'none', // 退货后拒绝退款
  '51': 'none', // 取消成功 (buyer withdrew)
  '53': 'refunded', // 逆向完成
} as const satisfies Record<string, RefundState>

/** after_sale_info.refund_status (money) → refund state; "refunded" wins over the after-sale status. */
export const LINE_REFUND_STATUS = {
  '1': 'requested', // 待退款
  '3': 'refunded', // 退款成功
  '4': 'requested', // 退款失败 — still owed to the buyer
} as const satisfies Record<string, RefundState>

/** afterSale.List aftersale_status → RefundDraft.status. */
export const AFTERSALE_STATUS = {
  '6': 'requested', // 待商家同意
  '7': 'approved', // 待买家退货
  '8': 'approved', // 待商家发货 (exchange / 补寄)
  '11': 'approved', // 待商家二次同意 (goods back, refund pending)
  '12': 'refunded', // 售后成功
  '13': 'approved', // 换货/补寄/维修待买家收货
  '3': 'approved', // 换货待买家收货 (older value of 13)
  '14': 'refunded', // 换货/补寄/维修成功 — closed successfully; amount is refund_amount (0 for exchanges)
  '27': 'rejected', // 商家一次拒绝
  '28': 'cancelled', // 售后失败 (closed / withdrawn)
  '29': 'rejected', // 商家二次拒绝
} as const satisfies Record<string, RefundStatus>

/** afterSale.List refund_status: where the money stands; null = the after-sale status decides. */
export const AFTERSALE_REFUND_STATUS = {
  '1': null, // 待退款
  '2': null, // 退款中
  '3': 'refunded', // 退款成功
  '4': null, // 退款失败 — the after-sale status says what happens next
  '5': 'refunded', // 追缴成功 — refunded by the platform and recovered from the shop
} as const satisfies Record<string, RefundStatus | null>

/** after_sale_type / aftersale_type values where goods travel back (退货退款, 换货). */
const RETURNS_GOODS = new Set(['0', '3'])
const EXCHANGE = '3'

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null)
/** Enum values arrive as numbers or strings. */
const code = (v: unknown): string => (typeof v === 'number' || typeof v === 'string' ? String(v) : '')
class Malformed extends Error {}

/** A fen integer (number or digit string) → yuan; absent = 0 when optional. */
function fen(o: Obj, key: string, optional = false): Decimal {
  const v = o[key]
  if (v === undefined || v === null || v === '') {
    if (optional) return ZERO
    throw new Malformed(`${key} is required (fen)`)
  }
  if (typeof v === 'number' && Number.isSafeInteger(v)) return fromMinor(v)
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return fromMinor(v)
  throw new Malformed(`${key} must be an integer amount in fen (got ${JSON.stringify(v)})`)
}

function positiveInt(o: Obj, key: string): number {
  const v = o[key]
  const n =
    typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number.parseInt(v, 10) : Number.NaN
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new Malformed(`${key} must be a positive integer (got ${JSON.stringify(v)})`)
  return n
}

const epoch = (o: Obj, key: string): Date | null => fromEpochSeconds(o[key])

function required<T>(value: T | null, what: string): T {
  if (value === null) throw new Malformed(what)
  return value
}

function wrap<T>(fn: () => T): MapResult<T> {
  try {
    return mapped(fn())
  } catch (err) {
    if (err instanceof Malformed) return mapFailed('malformed_payload', err.message)
    return mapFailed('mapper_error', (err as Error).message)
  }
}

/** Platform-funded part of one (sku or shop) order: platform + 达人 + payment-channel promotions. */
const platformFunded = (o: Obj): Decimal =>
  fen(o, 'promotion_platform_amount', true)
    .plus(fen(o, 'promotion_talent_amount', true))
    .plus(fen(o, 'promotion_pay_amount', true))
/** Merchant-funded part: shop promotions plus a price cut by 改价 (modify_amount is a signed delta). */
const merchantFunded = (o: Obj): Decimal =>
  fen(o, 'promotion_shop_amount', true).minus(fen(o, 'modify_amount', true))

function lineRefund(l: Obj): { state: RefundState; text: string | null } {
  const info = isObj(l.after_sale_info) ? l.after_sale_info : null
  if (!info) return { state: 'none', text: null }
  const saleStatus = code(info.after_sale_status)
  const refundStatus = code(info.refund_status)
  const text = `after_sale_status=${saleStatus || '-'} after_sale_type=${code(info.after_sale_type) || '-'} refund_status=${refundStatus || '-'}`
  if (code(info.after_sale_type) === EXCHANGE) return { state: 'none', text }
  const byMoney = (LINE_REFUND_STATUS as Record<string, RefundState>)[refundStatus]
  if (byMoney === 'refunded') return { state: 'refunded', text }
  // An after-sale status we do not know is surfaced as "requested" so somebody looks at it.
  const bySale =
    saleStatus === ''
      ? undefined
      : ((LINE_AFTER_SALE_STATUS as Record<string, RefundState>)[saleStatus] ?? 'requested')
  return { state: bySale ?? byMoney ?? 'none', text }
}

function specText(spec: unknown): string | null {
  if (!Array.isArray(spec)) return null
  const parts = spec.filter(isObj).map((s) => `${str(s.name) ?? ''}:${str(s.value) ?? ''}`)
  return parts.length > 0 ? parts.join(';') : null
}

function mapLine(l: unknown, i: number, parentId: string): UnifiedLineDraft {
  if (!isObj(l)) throw new Malformed(`sku_order_list[${i}] must be an object`)
  const id = required(idString(l.order_id), `sku_order_list[${i}].order_id is required`)
  const parent = idString(l.parent_order_id)
  if (parent !== null && parent !== parentId)
    throw new Malformed(`sku_order_list[${i}] belongs to order ${parent}, not ${parentId}`)
  const quantity = positiveInt(l, 'item_num')
  const goodsAmount = fen(l, 'sum_amount')
  const refund = lineRefund(l)
  const refunded = refund.state === 'refunded'
  return {
    externalLineId: id,
    // product_id is int64: the *_str twin is exact even where a client parsed the number.
    platformItemId: idString(l.product_id_str) ?? idString(l.product_id),
    platformSkuId: idString(l.sku_id),
    // `code` is the merchant code typed in the 抖店 back office; out_sku_id is the older external id.
    outerCode: str(l.code) ?? str(l.out_sku_id),
    title: str(l.product_name) ?? `sku order ${id}`,
    skuProperties: specText(l.spec),
    quantity,
    unitPrice: fen(l, 'origin_amount'),
    goodsAmount,
    platformDiscount: platformFunded(l),
    merchantDiscount: merchantFunded(l),
    tax: fen(l, 'tax_amount', true),
    platformStatus:
      code(l.order_status) === ''
        ? refund.text
        : `${code(l.order_status)}${refund.text ? ` ${refund.text}` : ''}`,
    refundState: refund.state,
    refundedQuantity: refunded ? quantity : 0,
    // Full-line refunds only are visible here; the exact amounts come from afterSale.List (mapRefund).
    refundedAmount: refunded ? fen(l, 'pay_amount', true) : ZERO,
  }
}

function orderRefundState(lines: readonly UnifiedLineDraft[], mainStatus: string): RefundState {
  const main = (MAIN_STATUS as Record<string, { refund: RefundState | null }>)[mainStatus]
  if (main?.refund === 'refunded') return 'refunded'
  if (lines.length > 0 && lines.every((l) => l.refundState === 'refunded')) return 'refunded'
  if (lines.some((l) => l.refundState === 'refunded')) return 'partial'
  if (lines.some((l) => l.refundState === 'requested')) return 'requested'
  return 'none'
}

const regionName = (addr: Obj, key: string): string | null => (isObj(addr[key]) ? str(addr[key].name) : null)

/**
 * Douyin's address levels: province · city · `town` = 区/县 (our district) · `street` = 街道/镇 (our town).
 * Names are masked (`mask_*`) for display; ciphertexts (`encrypt_*`, and post_* in encrypted mode) are
 * kept verbatim in privacyRef for order.batchDecrypt. Nothing is decrypted here.
 */
export function mapReceiver(o: Obj): Receiver {
  const addr = isObj(o.post_addr) ? o.post_addr : {}
  const mask = isObj(o.mask_post_addr) ? o.mask_post_addr : {}
  const ref: Record<string, string> = {}
  const keep = (key: string, value: unknown) => {
    const s = str(value)
    if (s !== null) ref[key] = s
  }
  keep('encrypt_post_receiver', o.encrypt_post_receiver)
  keep('encrypt_post_tel', o.encrypt_post_tel)
  keep('encrypt_detail', addr.encrypt_detail)
  keep('post_receiver', o.post_receiver)
  keep('post_tel', o.post_tel)
  keep('post_addr_detail', addr.detail)
  const masked =
    ['encrypt_post_receiver', 'encrypt_post_tel', 'encrypt_detail'].some((k) => k in ref) ||
    str(o.mask_post_receiver) !== null ||
    isObj(o.mask_post_addr)
  return {
    name: str(o.mask_post_receiver) ?? str(o.post_receiver),
    phone: str(o.mask_post_tel) ?? str(o.post_tel),
    country: 'CN',
    province: regionName(addr, 'province') ?? regionName(mask, 'province'),
    city: regionName(addr, 'city') ?? regionName(mask, 'city'),
    district: regionName(addr, 'town') ?? regionName(mask, 'town'),
    town: regionName(addr, 'street') ?? regionName(mask, 'street'),
    address: str(mask.detail) ?? str(addr.detail),
    postcode: null,
    masked,
    privacyRef: Object.keys(ref).length > 0 ? ref : null,
  }
}

function parseOrder(raw: unknown): UnifiedOrderDraft {
  if (!isObj(raw)) throw new Malformed('shop order must be an object')
  const externalId = required(idString(raw.order_id), 'order_id is required')
  const orderStatus = code(raw.order_status)
  const mainStatus = code(raw.main_status)
  const status =
    (ORDER_STATUS as Record<string, PlatformOrderStatus>)[orderStatus] ??
    (MAIN_STATUS as Record<string, { status: PlatformOrderStatus }>)[mainStatus]?.status ??
    null
  if (!status)
    throw new Malformed(
      `unknown order_status ${JSON.stringify(raw.order_status)} (main_status ${JSON.stringify(raw.main_status)})`,
    )
  const updatedAt = required(epoch(raw, 'update_time'), 'update_time (Unix seconds) is required')
  if (!Array.isArray(raw.sku_order_list) || raw.sku_order_list.length === 0)
    throw new Malformed('sku_order_list must be a non-empty array')
  const lines = raw.sku_order_list.map((l, i) => mapLine(l, i, externalId))
  const seen = new Set<string>()
  for (const l of lines) {
    if (seen.has(l.externalLineId)) throw new Malformed(`sku order ${l.externalLineId} appears twice`)
    seen.add(l.externalLineId)
  }

  const goods = sum(lines.map((l) => l.goodsAmount))
  const platformDiscount = platformFunded(raw)
  const merchantDiscount = merchantFunded(raw)
  const orderLevel = {
    platformDiscount: platformDiscount.minus(sum(lines.map((l) => l.platformDiscount))),
    merchantDiscount: merchantDiscount.minus(sum(lines.map((l) => l.merchantDiscount))),
  }
  if (orderLevel.platformDiscount.isNeg() || orderLevel.merchantDiscount.isNeg()) {
    throw new Malformed(
      `sku orders carry more discount than the shop order (platform ${orderLevel.platformDiscount.toFixed(2)}, merchant ${orderLevel.merchantDiscount.toFixed(2)})`,
    )
  }
  const shipping = fen(raw, 'post_amount', true).plus(fen(raw, 'packing_amount', true))
  const tax = fen(raw, 'tax_amount', true)
  const buyerPaid = fen(raw, 'pay_amount')
  const expected = goods.minus(platformDiscount).minus(merchantDiscount).plus(shipping).plus(tax)
  if (!expected.eq(buyerPaid)) {
    throw new Malformed(
      `pay_amount ${buyerPaid.toFixed(2)} ≠ goods ${goods.toFixed(2)} − platform ${platformDiscount.toFixed(2)} − merchant ${merchantDiscount.toFixed(2)} + shipping ${shipping.toFixed(2)} + tax ${tax.toFixed(2)}`,
    )
  }

  return {
    channel: 'douyin',
    externalId,
    status,
    platformStatus: [orderStatus, str(raw.order_status_desc), mainStatus !== '' ? `main ${mainStatus}` : null]
      .filter(Boolean)
      .join(' '),
    refundState: orderRefundState(lines, mainStatus),
    currency: 'CNY',
    placedAt: epoch(raw, 'create_time'),
    paidAt: epoch(raw, 'pay_time'),
    shippedAt: epoch(raw, 'ship_time'),
    platformUpdatedAt: updatedAt,
    buyer: { id: str(raw.doudian_open_id), nick: null, email: null },
    receiver: mapReceiver(raw),
    buyerNote: str(raw.buyer_words),
    sellerNote: str(raw.seller_words),
    totals: { goods, platformDiscount, merchantDiscount, shipping, tax, buyerPaid },
    orderLevel,
    lines,
  }
}

export function mapDouyinOrder(raw: unknown): MapResult<UnifiedOrderDraft> {
  return wrap(() => parseOrder(raw))
}

function parseRefund(raw: unknown): RefundDraft {
  if (!isObj(raw) || !isObj(raw.aftersale_info))
    throw new Malformed('after-sale item must be an object with aftersale_info')
  const info = raw.aftersale_info
  const order = isObj(raw.order_info) ? raw.order_info : {}
  const externalRefundId = required(idString(info.aftersale_id), 'aftersale_info.aftersale_id is required')
  const orderExternalId = required(
    idString(order.shop_order_id) ?? idString(info.related_id),
    'order_info.shop_order_id is required',
  )
  const afterSaleStatus = code(info.aftersale_status)
  const byStatus = (AFTERSALE_STATUS as Record<string, RefundStatus>)[afterSaleStatus]
  if (!byStatus) throw new Malformed(`unknown aftersale_status ${JSON.stringify(info.aftersale_status)}`)
  const refundStatus = code(info.refund_status)
  const status = (AFTERSALE_REFUND_STATUS as Record<string, RefundStatus | null>)[refundStatus] ?? byStatus
  const updatedAt = required(epoch(info, 'update_time'), 'aftersale_info.update_time is required')
  const related = Array.isArray(order.related_order_info) ? order.related_order_info.filter(isObj) : []
  const lines = related.map((r, i) => ({
    externalLineId: required(idString(r.sku_order_id), `related_order_info[${i}].sku_order_id is required`),
    quantity: r.aftersale_item_num === undefined ? 0 : positiveInt(r, 'aftersale_item_num'),
    amount: fen(r, 'aftersale_pay_amount', true),
  }))
  const textPart = isObj(raw.text_part) ? raw.text_part : {}
  // ⚠ refund_amount is the goods part; shipping and tax come back in their own fields.
  const amount = fen(info, 'refund_amount', true)
    .plus(fen(info, 'refund_post_amount', true))
    .plus(fen(info, 'refund_tax_amount', true))
  const type = code(info.aftersale_type)
  return {
    externalRefundId,
    orderExternalId,
    status,
    platformStatus: `aftersale_status=${afterSaleStatus} aftersale_type=${type || '-'} refund_status=${refundStatus || '-'}`,
    currency: 'CNY',
    amount,
    reason: str(textPart.reason_text),
    lines,
    returnGoods: RETURNS_GOODS.has(type),
    createdAt: epoch(info, 'create_time') ?? epoch(info, 'apply_time') ?? updatedAt,
    platformUpdatedAt: updatedAt,
  }
}

export function mapDouyinRefund(raw: unknown): MapResult<RefundDraft> {
  return wrap(() => parseRefund(raw))
}
