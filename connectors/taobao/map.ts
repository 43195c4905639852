/**
 * TOP trade (taobao.trade.fullinfo.get) → unified order draft, and TOP refund → RefundDraft. Pure.
 * Reference: shared/reference/cn-marketplaces.md §1.4 (Trade/Order/PromotionDetail fields), §1.5
 * (statuses), §1.6 (OAID), §1.9 (refunds), §8 (amount identities).
 *
 * Money is yuan text ("200.07"); ids are 19-digit and kept as strings (`tid_str`/`oid_str` win when
 * present). Lists may come flat (simplify=true) or wrapped (`orders.order`), see top.ts.
 *
 * Discounts — the rule we apply, because PromotionDetail carries no "who pays" field (§1.4 ❓):
 *  - merchant-funded, attributed to the line by the platform:
 *      order.discount_fee (line promotions: 限时打折, 单品券 …) − order.adjust_fee (seller's manual
 *      price change; negative = a reduction, so it adds to the discount) + order.part_mjz_discount
 *      (the platform's own allocation of order-level promotions such as 满减 / 店铺券 to the line).
 *      These are the seller's own shop tools; promotion_details lists them by name only.
 *  - platform-funded, order level: trade.platform_subsidy_fee (平台补贴), which the platform pays
 *    the seller on top of what the buyer paid. The platform does not attribute it to lines, so it
 *    goes to orderLevel.platformDiscount for the pool to apportion.
 *  - coupon_fee / tmall_coupon_fee (红包) and point_fee (积分) are payment instruments, not price
 *    reductions: the buyer pays with them and the seller is credited, so they are part of `payment`
 *    and are not discounts here.
 * Identity (exact): payment = goods − platformDiscount − merchantDiscount + post_fee, where
 * goods = Σ price × num. Order-level merchant discount not allocated to lines (old trades without
 * part_mjz_discount) is the remainder goods + post_fee − payment − line discounts − platform subsidy.
 */
import { sum, tryMoney, ZERO, type Decimal } from '../../src/money/index.js'
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
import { fromShanghai } from '../cn/time.js'
import { idString } from '../json.js'
import { isObj, listOf } from './top.js'

/** Trade `status` (§1.5) → unified. Every documented value, including the query-only aggregates. */
export const TRADE_STATUS = {
  TRADE_NO_CREATE_PAY: 'pending_payment', // no Alipay trade yet
  WAIT_BUYER_PAY: 'pending_payment',
  PAY_PENDING: 'pending_payment', // international card payment still being confirmed: not money yet
  WAIT_PRE_AUTH_CONFIRM: 'pending_payment', // 0-yuan contract purchase awaiting pre-authorisation
  // Paid but the platform forbids shipping (group buy still forming …). Unified has no platform
  // "on hold": keeping it before `paid` stops the hub from allocating and shipping; the trade moves
  // to WAIT_SELLER_SEND_GOODS (→ paid) once shipping is allowed.
  PAID_FORBID_CONSIGN: 'pending_payment',
  WAIT_SELLER_SEND_GOODS: 'paid',
  // Some sub-orders shipped, others still to ship: the order stays open for the warehouse.
  SELLER_CONSIGNED_PART: 'paid',
  WAIT_BUYER_CONFIRM_GOODS: 'shipped',
  // COD: the buyer signed and paid the courier; the trade only finishes when the money settles.
  TRADE_BUYER_SIGNED: 'shipped',
  TRADE_FINISHED: 'completed',
  TRADE_CLOSED: 'cancelled', // closed after payment because everything was refunded
  TRADE_CLOSED_BY_TAOBAO: 'cancelled', // closed before payment
  // Query-only aggregates (the `status` filter); a trade never carries them, mapped for totality.
  ALL_WAIT_PAY: 'pending_payment',
  ALL_CLOSED: 'cancelled',
} as const satisfies Record<string, PlatformOrderStatus>
export type TradeStatus = keyof typeof TRADE_STATUS

/**
 * Sub-order (Order) `status` → what the line means for the warehouse. Same enum as the trade,
 * without the trade-only SELLER_CONSIGNED_PART and the query aggregates. `closed` lines are never
 * shipped (§1.4: never ship a TRADE_CLOSED_BY_TAOBAO line).
 */
export const SUB_ORDER_STATUS = {
  TRADE_NO_CREATE_PAY: 'unpaid',
  WAIT_BUYER_PAY: 'unpaid',
  PAY_PENDING: 'unpaid',
  WAIT_PRE_AUTH_CONFIRM: 'unpaid',
  PAID_FORBID_CONSIGN: 'hold',
  WAIT_SELLER_SEND_GOODS: 'to_ship',
  WAIT_BUYER_CONFIRM_GOODS: 'shipped',
  TRADE_BUYER_SIGNED: 'shipped',
  TRADE_FINISHED: 'completed',
  TRADE_CLOSED: 'closed',
  TRADE_CLOSED_BY_TAOBAO: 'closed',
} as const satisfies Record<string, 'unpaid' | 'hold' | 'to_ship' | 'shipped' | 'completed' | 'closed'>

/** Order `refund_status` (the latest refund on a sub-order) → the line's refund state. */
export const ORDER_REFUND_STATUS = {
  NO_REFUND: 'none', // ❓ in the reference; seen on orders that never had a refund
  WAIT_SELLER_AGREE: 'requested',
  WAIT_BUYER_RETURN_GOODS: 'requested',
  WAIT_SELLER_CONFIRM_GOODS: 'requested',
  SELLER_REFUSE_BUYER: 'none', // refused: nothing goes back unless the buyer escalates (a new status)
  CLOSED: 'none', // the buyer withdrew the request
  SUCCESS: 'refunded',
} as const satisfies Record<string, RefundState>

/** Refund `status` (taobao.refunds.receive.get) → RefundDraft status. */
export const REFUND_STATUS = {
  WAIT_SELLER_AGREE: 'requested',
  WAIT_BUYER_RETURN_GOODS: 'approved', // the seller agreed; the goods are on their way back
  WAIT_SELLER_CONFIRM_GOODS: 'approved', // returned goods await the seller's check
  SELLER_REFUSE_BUYER: 'rejected',
  CLOSED: 'cancelled',
  SUCCESS: 'refunded',
} as const satisfies Record<string, RefundStatus>

type Obj = Record<string, unknown>
class Malformed extends Error {}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null)
const has = <T extends object>(table: T, key: unknown): key is keyof T =>
  typeof key === 'string' && Object.hasOwn(table, key)

/** A yuan amount; absent/empty → zero when optional. JSON numbers are refused unless integral. */
function yuan(o: Obj, key: string, optional = false): Decimal {
  const v = o[key]
  if ((v === undefined || v === null || v === '') && optional) return ZERO
  const d = tryMoney(v)
  if (!d) throw new Malformed(`${key} must be a yuan amount (got ${JSON.stringify(v)})`)
  return d
}

function time(o: Obj, key: string): Date | null {
  const v = o[key]
  if (v === undefined || v === null || v === '') return null
  const d = fromShanghai(v)
  if (!d) throw new Malformed(`${key} must be 'yyyy-MM-dd HH:mm:ss' (got ${JSON.stringify(v)})`)
  return d
}

function count(o: Obj, key: string, where: string): number {
  const v = o[key]
  const n =
    typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number.parseInt(v, 10) : NaN
  if (!Number.isSafeInteger(n) || n < 0) throw new Malformed(`${where}.${key} must be a non-negative integer`)
  return n
}

/** `tid_str` / `oid_str` exist because the number form exceeds 2^53; prefer them. */
const idOf = (o: Obj, key: string): string | null => idString(o[`${key}_str`]) ?? idString(o[key])

const guard = <T>(f: () => T): MapResult<T> => {
  try {
    return mapped(f())
  } catch (err) {
    if (err instanceof Malformed) return mapFailed('malformed_payload', err.message)
    return mapFailed('mapper_error', err instanceof Error ? err.message : String(err))
  }
}

export const mapTaobaoTrade = (raw: unknown): MapResult<UnifiedOrderDraft> => guard(() => mapTrade(raw))
export const mapTaobaoRefund = (raw: unknown): MapResult<RefundDraft> => guard(() => mapRefund(raw))

/** A line's refund fields from its sub-order status and latest refund status. */
function lineRefund(
  status: string,
  refundStatus: string | null,
  quantity: number,
  paid: Decimal,
): Pick<UnifiedLineDraft, 'refundState' | 'refundedQuantity' | 'refundedAmount'> {
  if (refundStatus !== null && !has(ORDER_REFUND_STATUS, refundStatus))
    throw new Malformed(`unknown refund_status ${JSON.stringify(refundStatus)}`)
  const state: RefundState = refundStatus === null ? 'none' : ORDER_REFUND_STATUS[refundStatus]
  if (state !== 'refunded') return { refundState: state, refundedQuantity: 0, refundedAmount: ZERO }
  // A successful refund closes the sub-order only when all of it went back (TRADE_CLOSED). On an
  // open line the amount is not in the trade: 'partial' until the refund record (pullRefunds →
  // src/orders/refunds.ts rollUpRefunds) sets the exact figures.
  if (status === 'TRADE_CLOSED')
    return { refundState: 'refunded', refundedQuantity: quantity, refundedAmount: paid }
  return { refundState: 'partial', refundedQuantity: 0, refundedAmount: ZERO }
}

function mapLine(o: unknown, i: number): UnifiedLineDraft & { paid: Decimal } {
  const where = `orders[${i}]`
  if (!isObj(o)) throw new Malformed(`${where} must be an object`)
  const oid = idOf(o, 'oid')
  if (!oid) throw new Malformed(`${where}.oid is required`)
  const status = str(o.status)
  if (!status || !has(SUB_ORDER_STATUS, status))
    throw new Malformed(`${where}.status ${JSON.stringify(o.status)} is not a sub-order status`)
  const quantity = count(o, 'num', where)
  if (quantity === 0) throw new Malformed(`${where}.num must be positive`)
  const unitPrice = yuan(o, 'price')
  const goodsAmount = unitPrice.mul(quantity)
  const discount = yuan(o, 'discount_fee', true)
  const adjust = yuan(o, 'adjust_fee', true)
  const allocated = yuan(o, 'part_mjz_discount', true)
  // §8: order.total_fee = price × num + adjust_fee − discount_fee. A payload breaking it is corrupt.
  const totalFee = o.total_fee === undefined ? null : yuan(o, 'total_fee')
  if (totalFee && !totalFee.eq(goodsAmount.plus(adjust).minus(discount))) {
    throw new Malformed(
      `${where}: total_fee ${totalFee.toFixed(2)} ≠ price × num + adjust_fee − discount_fee (${goodsAmount.plus(adjust).minus(discount).toFixed(2)})`,
    )
  }
  const merchantDiscount = discount.minus(adjust).plus(allocated)
  const paid = goodsAmount.minus(merchantDiscount)
  // divide_order_fee is the platform's own "paid after allocation": when given it must agree.
  const divided = o.divide_order_fee === undefined ? null : yuan(o, 'divide_order_fee')
  if (divided && !divided.eq(paid))
    throw new Malformed(
      `${where}: divide_order_fee ${divided.toFixed(2)} ≠ total_fee − part_mjz_discount (${paid.toFixed(2)})`,
    )
  const refundStatus = str(o.refund_status)
  return {
    externalLineId: oid,
    platformItemId: idString(o.num_iid),
    platformSkuId: idString(o.sku_id),
    outerCode: str(o.outer_sku_id) ?? str(o.outer_iid),
    title: str(o.title) ?? `sub-order ${oid}`,
    skuProperties: str(o.sku_properties_name),
    quantity,
    unitPrice,
    goodsAmount,
    platformDiscount: ZERO,
    merchantDiscount,
    tax: ZERO,
    platformStatus: status,
    ...lineRefund(status, refundStatus, quantity, paid),
    paid,
  }
}

/** Order refund state from its lines: all refunded → refunded; any money back → partial; open request → requested. */
function orderRefundState(lines: readonly Pick<UnifiedLineDraft, 'refundState'>[]): RefundState {
  if (lines.length > 0 && lines.every((l) => l.refundState === 'refunded')) return 'refunded'
  if (lines.some((l) => l.refundState === 'refunded' || l.refundState === 'partial')) return 'partial'
  return lines.some((l) => l.refundState === 'requested') ? 'requested' : 'none'
}

/** Receiver as given: masked text stays verbatim, the OAID goes to privacyRef (never decrypted). */
function receiverOf(t: Obj): Receiver {
  const oaid = str(t.oaid)
  const fields = {
    name: str(t.receiver_name),
    phone: str(t.receiver_mobile) ?? str(t.receiver_phone),
    // County-level cities (河南济源 …) come with the district and no city (§1.4).
    city: str(t.receiver_city) ?? str(t.receiver_district),
    address: str(t.receiver_address),
  }
  const looksMasked = Object.values(fields).some((v) => v !== null && v.includes('*'))
  return {
    ...fields,
    // TOP trades are domestic unless the receiver says otherwise.
    country: str(t.receiver_country) ?? 'CN',
    province: str(t.receiver_state),
    district: str(t.receiver_district),
    town: str(t.receiver_town),
    postcode: str(t.receiver_zip),
    masked: oaid !== null || looksMasked,
    privacyRef: oaid ? { oaid } : null,
  }
}

function mapTrade(raw: unknown): UnifiedOrderDraft {
  if (!isObj(raw)) throw new Malformed('trade must be an object')
  const externalId = idOf(raw, 'tid')
  if (!externalId) throw new Malformed('tid is required')
  const status = str(raw.status)
  if (!status || !has(TRADE_STATUS, status))
    throw new Malformed(`unknown trade status ${JSON.stringify(raw.status)}`)
  const modified = time(raw, 'modified')
  if (!modified) throw new Malformed('modified is required')
  const orders = listOf(raw.orders, 'order')
  if (orders.length === 0)
    throw new Malformed('orders must list at least one sub-order (fields must include orders)')
  const parsed = orders.map(mapLine)
  const lines: UnifiedLineDraft[] = parsed.map(({ paid: _paid, ...line }) => line)
  const goods = sum(lines.map((l) => l.goodsAmount))
  const lineMerchant = sum(lines.map((l) => l.merchantDiscount))
  const shipping = yuan(raw, 'post_fee', true)
  const buyerPaid = yuan(raw, 'payment')
  const platformSubsidy = yuan(raw, 'platform_subsidy_fee', true)
  const orderLevelMerchant = goods.plus(shipping).minus(buyerPaid).minus(lineMerchant).minus(platformSubsidy)
  return {
    channel: 'taobao',
    externalId,
    status: TRADE_STATUS[status],
    platformStatus: status,
    refundState: orderRefundState(lines),
    currency: 'CNY',
    placedAt: time(raw, 'created'),
    paidAt: time(raw, 'pay_time'),
    shippedAt: time(raw, 'consign_time'),
    platformUpdatedAt: modified,
    buyer: { id: str(raw.buyer_open_uid) ?? str(raw.ouid), nick: str(raw.buyer_nick), email: null },
    receiver: receiverOf(raw),
    buyerNote: str(raw.buyer_message),
    sellerNote: str(raw.seller_memo),
    totals: {
      goods,
      platformDiscount: platformSubsidy,
      merchantDiscount: lineMerchant.plus(orderLevelMerchant),
      shipping,
      tax: ZERO,
      buyerPaid,
    },
    orderLevel: { platformDiscount: platformSubsidy, merchantDiscount: orderLevelMerchant },
    lines,
  }
}

const truthy = (v: unknown): boolean => v === true || v === 'true' || v === 1

function mapRefund(raw: unknown): RefundDraft {
  if (!isObj(raw)) throw new Malformed('refund must be an object')
  const refundId = idOf(raw, 'refund_id')
  const tid = idOf(raw, 'tid')
  if (!refundId || !tid) throw new Malformed('refund_id and tid are required')
  const status = str(raw.status)
  if (!status || !has(REFUND_STATUS, status))
    throw new Malformed(`unknown refund status ${JSON.stringify(raw.status)}`)
  const modified = time(raw, 'modified')
  const created = time(raw, 'created')
  if (!modified || !created) throw new Malformed('created and modified are required')
  const amount = yuan(raw, 'refund_fee')
  const returnGoods = truthy(raw.has_good_return)
  const oid = idOf(raw, 'oid')
  // A money-only refund (仅退款) returns no units: quantity 0, the amount tells how much went back.
  const quantity = returnGoods && raw.num !== undefined ? count(raw, 'num', 'refund') : 0
  const reason = [str(raw.reason), str(raw.desc)].filter((s): s is string => s !== null).join(' — ')
  return {
    externalRefundId: refundId,
    orderExternalId: tid,
    status: REFUND_STATUS[status],
    platformStatus: status,
    currency: 'CNY',
    amount,
    reason: reason === '' ? null : reason,
    lines: oid ? [{ externalLineId: oid, quantity, amount }] : [],
    returnGoods,
    createdAt: created,
    platformUpdatedAt: modified,
  }
}
