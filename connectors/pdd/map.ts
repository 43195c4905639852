/**
 * Pinduoduo order and after-sales payloads → unified drafts (pure: no I/O, no clock).
 * Wire shapes: shared/reference/cn-marketplaces.md §3.4 (order_sn_increment_get_response.order_sn_list[]
 * = order_info_get_response.order_info) and §3.5 (refund_increment_get_response.refund_list[]).
 *
 * Money: PDD sends yuan as JSON numbers (19.9). connectors/json.ts keeps every fractional number as
 * its source text, so normally an amount arrives here as the exact string "19.9"; integers (20, 0)
 * arrive as JS numbers. A payload that went through plain JSON.parse somewhere (a replayed raw
 * inbox row) may still carry a float — see `pddYuan` for why that is still exact.
 *
 * Totals (§8): goods_amount = Σ goods_price × goods_count − order_change_amount;
 * discount_amount = platform_discount + seller_discount + capital_free_discount;
 * pay_amount = goods_amount − discount_amount + postage + Σ service_fee_detail[].service_fee.
 * Unified: goods = Σ price × qty (before 改价), platformDiscount = platform_discount,
 * merchantDiscount = seller_discount + capital_free_discount + order_change_amount,
 * shipping = postage + service fees (the buyer pays them for delivery upgrades such as 顺丰加价),
 * so buyerPaid = goods − platformDiscount − merchantDiscount + shipping = pay_amount exactly.
 * The mapper checks all three platform identities and refuses an order that breaks one.
 */
import { money, sum, ZERO, type Decimal } from '../../src/money/index.js'
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

/** order_status (发货状态) → unified status. PDD lists only paid orders; unpaid ones never reach the API. */
export const ORDER_STATUS = {
  1: { label: '待发货', status: 'paid' },
  2: { label: '已发货待签收', status: 'shipped' },
  3: { label: '已签收', status: 'completed' },
} as const satisfies Record<number, { label: string; status: PlatformOrderStatus }>

/**
 * refund_status (order level) → unified refund state. PDD does not say whether 退款成功 covered the
 * whole order; the RefundDraft amounts from pullRefunds carry the figure, so 4 reads as refunded.
 */
export const REFUND_STATUS = {
  1: { label: '无售后或售后关闭', refundState: 'none' },
  2: { label: '售后处理中', refundState: 'requested' },
  3: { label: '退款中', refundState: 'requested' },
  4: { label: '退款成功', refundState: 'refunded' },
} as const satisfies Record<number, { label: string; refundState: RefundState }>

/**
 * after_sales_status → RefundStatus, every value the PDD doc lists (reference §3.4 lists 0–18; the
 * SDK generated from the doc adds 21–33). Exchange/repair/resend flows (14–18, 21–27, 32) move no
 * money: while open they read as requested/approved, and their success stays `approved` because
 * `refunded` would tell the ledger money went back. 6 (驳回, the buyer may appeal) reads as rejected.
 */
export const AFTER_SALES_STATUS = {
  0: { label: '无售后', status: 'cancelled' },
  2: { label: '买家申请退款，待商家处理', status: 'requested' },
  3: { label: '退货退款，待商家处理', status: 'requested' },
  4: { label: '商家同意退款，退款中', status: 'approved' },
  5: { label: '平台同意退款，退款中', status: 'approved' },
  6: { label: '驳回退款，待买家处理', status: 'rejected' },
  7: { label: '已同意退货退款，待用户发货', status: 'approved' },
  8: { label: '平台处理中', status: 'requested' },
  9: { label: '平台拒绝退款，退款关闭', status: 'rejected' },
  10: { label: '退款成功', status: 'refunded' },
  11: { label: '买家撤销', status: 'cancelled' },
  12: { label: '买家逾期未处理，退款失败', status: 'cancelled' },
  13: { label: '买家逾期，超过有效期', status: 'cancelled' },
  14: { label: '换货补寄待商家处理', status: 'requested' },
  15: { label: '换货补寄待用户处理', status: 'approved' },
  16: { label: '换货补寄成功', status: 'approved' },
  17: { label: '换货补寄失败', status: 'cancelled' },
  18: { label: '换货补寄待用户确认完成', status: 'approved' },
  21: { label: '待商家同意维修', status: 'requested' },
  22: { label: '待用户确认发货', status: 'approved' },
  24: { label: '维修关闭', status: 'cancelled' },
  25: { label: '维修成功', status: 'approved' },
  27: { label: '待用户确认收货', status: 'approved' },
  31: { label: '已同意拒收退款，待用户拒收', status: 'approved' },
  32: { label: '补寄待商家发货', status: 'approved' },
  33: { label: '待商家召回', status: 'approved' },
} as const satisfies Record<number, { label: string; status: RefundStatus }>

/** after_sales_type → whether goods come back to the merchant (1 全部 is a query value only; 9 from the doc's request model). */
export const AFTER_SALES_TYPE = {
  2: { label: '仅退款', returnGoods: false },
  3: { label: '退货退款', returnGoods: true },
  4: { label: '换货', returnGoods: true },
  5: { label: '缺货补寄', returnGoods: false },
  6: { label: '维修', returnGoods: false },
  9: { label: '拦截退货', returnGoods: true },
} as const satisfies Record<number, { label: string; returnGoods: boolean }>

/** step_order_info.step_trade_status of a 定金 (deposit) order: only 2 (尾款已付) is fully paid. */
export const STEP_TRADE_STATUS = {
  0: { label: '定金未付尾款未付', paid: false },
  1: { label: '定金已付尾款未付', paid: false },
  2: { label: '定金已付尾款已付', paid: true },
} as const satisfies Record<number, { label: string; paid: boolean }>

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null)
class Malformed extends Error {}

/** Look an enum value (JSON number or digit string) up in a status table. */
export function lookup<T>(table: Readonly<Record<number, T>>, v: unknown): T | undefined {
  const key = typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v)) ? String(v) : null
  return key === null ? undefined : (table as Readonly<Record<string, T>>)[key]
}

const YUAN_RE = /^-?\d+(\.\d{1,2})?$/

/**
 * A PDD yuan amount → Decimal, or null when it is not an exact amount of at most 2 decimals.
 * Strings are the JSON source text (json.ts). A JS number is turned into its shortest round-trip
 * decimal string: a double holds 15.95 significant decimal digits, so every decimal of at most 15
 * significant digits maps to the double nearest to it and String() of that double gives back
 * exactly that decimal (e.g. String(19.9) === '19.9', String(0.1 + 0.2) === '0.30000000000000004'
 * which has more than 2 decimals and is refused). Yuan with 2 decimals up to 10^13 fit in 15 digits.
 */
export function pddYuan(v: unknown, signed = false): Decimal | null {
  let text: string
  if (typeof v === 'string') text = v.trim()
  else if (typeof v === 'number' && Number.isFinite(v)) text = String(v)
  else return null
  if (!YUAN_RE.test(text) || (!signed && text.startsWith('-'))) return null
  return money(text)
}

function amount(o: Obj, key: string, opts: { optional?: boolean; signed?: boolean } = {}): Decimal {
  const v = o[key]
  if ((v === undefined || v === null) && opts.optional) return ZERO
  const d = pddYuan(v, opts.signed)
  if (!d)
    throw new Malformed(`${key} must be a yuan amount with at most 2 decimals (got ${JSON.stringify(v)})`)
  return d
}

/** A count from a JSON number or a digit string (refund goods_number is a string in the doc). */
function count(v: unknown): number | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : null
  if (typeof v === 'string' && /^\d{1,9}$/.test(v.trim())) return parseInt(v.trim(), 10)
  return null
}

function time(o: Obj, key: string, required: boolean): Date | null {
  const v = o[key]
  if (v === undefined || v === null || v === '') {
    if (required) throw new Malformed(`${key} is required`)
    return null
  }
  const d = fromShanghai(v)
  if (!d) throw new Malformed(`${key} must be 'yyyy-MM-dd HH:mm:ss' Beijing time (got ${JSON.stringify(v)})`)
  return d
}

/** Guard the pure mappers: a Malformed becomes a MapResult, anything else is a bug and propagates. */
function guarded<T>(fn: () => T): MapResult<T> {
  try {
    return mapped(fn())
  } catch (err) {
    if (err instanceof Malformed) return mapFailed('malformed_payload', err.message)
    throw err
  }
}

export const mapPddOrder = (raw: unknown): MapResult<UnifiedOrderDraft> => guarded(() => mapOrder(raw))
export const mapPddRefund = (raw: unknown): MapResult<RefundDraft> => guarded(() => mapRefund(raw))

/** Unique line ids: PDD has no sub-order id, so a line is its sku_id (suffixed when one sku repeats). */
function uniqueIds(ids: string[]): string[] {
  const seen = new Map<string, number>()
  return ids.map((id) => {
    const n = (seen.get(id) ?? 0) + 1
    seen.set(id, n)
    return n === 1 ? id : `${id}#${n}`
  })
}

function line(
  l: unknown,
  where: string,
  gift: boolean,
): Omit<UnifiedLineDraft, 'externalLineId'> & { key: string } {
  if (!isObj(l)) throw new Malformed(`${where} must be an object`)
  const quantity = count(l.goods_count)
  if (quantity === null || quantity <= 0)
    throw new Malformed(`${where}.goods_count must be a positive integer`)
  const goodsId = idString(l.goods_id)
  const skuId = idString(l.sku_id)
  if (!goodsId && !skuId) throw new Malformed(`${where} has neither goods_id nor sku_id`)
  // A gift (赠品) costs the buyer nothing; goods_price is only its list price, so it is not revenue.
  const unitPrice = gift ? ZERO : amount(l, 'goods_price')
  if (gift) amount(l, 'goods_price', { optional: true }) // still validated: a broken amount is a broken payload
  return {
    key: `${gift ? 'gift:' : ''}${skuId ?? `goods:${goodsId}`}`,
    platformItemId: goodsId,
    platformSkuId: skuId,
    outerCode: str(l.outer_id) ?? str(l.outer_goods_id),
    title: str(l.goods_name) ?? `${where}`,
    skuProperties: str(l.goods_spec),
    quantity,
    unitPrice,
    goodsAmount: unitPrice.mul(quantity),
    platformDiscount: ZERO,
    merchantDiscount: ZERO,
    tax: ZERO,
    platformStatus: gift ? 'gift' : null,
    refundState: 'none',
    refundedQuantity: 0,
    refundedAmount: ZERO,
  }
}

/** The unified status: order_status, overridden by what closes or holds an order before it ships. */
function unifiedStatus(raw: Obj): PlatformOrderStatus {
  const base = lookup(ORDER_STATUS, raw.order_status)
  if (!base) throw new Malformed(`unknown order_status ${JSON.stringify(raw.order_status)}`)
  // confirm_status 2 已取消 and group_status 2 团失败 are orders PDD closed (and refunded) itself.
  if (String(raw.confirm_status) === '2' || String(raw.group_status) === '2') return 'cancelled'
  // Refunded in full before it shipped: PDD closes the order, nothing is to be sent.
  if (base.status === 'paid' && lookup(REFUND_STATUS, raw.refund_status)?.refundState === 'refunded')
    return 'cancelled'
  // A 定金 order whose balance is unpaid must not be allocated or shipped yet.
  if (String(raw.trade_type) === '1' && isObj(raw.step_order_info)) {
    const step = lookup(STEP_TRADE_STATUS, raw.step_order_info.step_trade_status)
    if (!step)
      throw new Malformed(
        `unknown step_trade_status ${JSON.stringify(raw.step_order_info.step_trade_status)}`,
      )
    if (!step.paid) return 'pending_payment'
  }
  return base.status
}

type ReceiverSecretField = 'receiver_name' | 'receiver_phone' | 'receiver_address' | 'address'
/** PDD ciphertext is wrapped in `~…~` (shape not confirmed, reference §9.3); the *_mask twin is the real signal. */
const looksEncrypted = (v: string) => /^~.+~$/s.test(v)

/**
 * Receiver: masks are what people see; ciphertexts and *_index search handles go to privacyRef
 * verbatim (decryption is pdd.open.decrypt.batch, never done here). Plain values are used only when
 * the payload has neither a mask twin nor a ciphertext (older payloads).
 */
function receiver(raw: Obj): Receiver {
  const privacyRef: Record<string, string> = {}
  let masked = false
  const shown = (field: ReceiverSecretField): string | null => {
    const value = str(raw[field])
    const mask = str(raw[`${field}_mask`])
    const hasTwin = `${field}_mask` in raw
    if (hasTwin || (value && looksEncrypted(value))) {
      masked = true
      if (value) privacyRef[field] = value
      return mask
    }
    return value
  }
  const name = shown('receiver_name')
  const phone = shown('receiver_phone')
  const street = shown('receiver_address')
  const full = shown('address')
  for (const [k, v] of Object.entries(raw)) {
    if (k.endsWith('_index') && typeof v === 'string' && v !== '') {
      privacyRef[k] = v
      masked = true
    }
  }
  const country = str(raw.country)
  return {
    name,
    phone,
    country: country === null || country === '中国' ? 'CN' : country,
    province: str(raw.province),
    city: str(raw.city),
    district: str(raw.town), // PDD `town` is the 区/县 (district)
    town: null,
    address: street ?? full,
    postcode: null,
    masked,
    privacyRef: Object.keys(privacyRef).length > 0 ? privacyRef : null,
  }
}

function mapOrder(raw: unknown): UnifiedOrderDraft {
  if (!isObj(raw)) throw new Malformed('order must be an object')
  const externalId = idString(raw.order_sn)
  if (!externalId) throw new Malformed('order_sn is required')
  const orderStatus = lookup(ORDER_STATUS, raw.order_status)
  if (!orderStatus) throw new Malformed(`unknown order_status ${JSON.stringify(raw.order_status)}`)
  const refundStatus = lookup(REFUND_STATUS, raw.refund_status)
  if (!refundStatus) throw new Malformed(`unknown refund_status ${JSON.stringify(raw.refund_status)}`)
  const updatedAt = time(raw, 'updated_at', true)!
  if (!Array.isArray(raw.item_list) || raw.item_list.length === 0)
    throw new Malformed('item_list must be a non-empty array')
  const gifts = raw.gift_list === undefined || raw.gift_list === null ? [] : raw.gift_list
  if (!Array.isArray(gifts)) throw new Malformed('gift_list must be an array')

  const drafts = [
    ...raw.item_list.map((l, i) => line(l, `item_list[${i}]`, false)),
    ...gifts.map((l, i) => line(l, `gift_list[${i}]`, true)),
  ]
  const ids = uniqueIds(drafts.map((d) => d.key))
  const lines: UnifiedLineDraft[] = drafts.map(({ key: _key, ...d }, i) => ({
    externalLineId: ids[i]!,
    ...d,
  }))

  const goodsAmount = amount(raw, 'goods_amount')
  const discount = amount(raw, 'discount_amount', { optional: true })
  const platformDiscount = amount(raw, 'platform_discount', { optional: true })
  const sellerDiscount = amount(raw, 'seller_discount', { optional: true })
  // 团长免单 is a promotion the merchant sets up and pays for (❓ not confirmed in the reference).
  const capitalFree = amount(raw, 'capital_free_discount', { optional: true })
  // 改价 (a price change by the seller before payment) is merchant-funded; PDD may report it signed.
  const change = amount(raw, 'order_change_amount', { optional: true, signed: true })
  const postage = amount(raw, 'postage', { optional: true })
  const payAmount = amount(raw, 'pay_amount')
  const fees =
    raw.service_fee_detail === undefined || raw.service_fee_detail === null ? [] : raw.service_fee_detail
  if (!Array.isArray(fees)) throw new Malformed('service_fee_detail must be an array')
  const serviceFees = sum(
    fees.map((f, i) => {
      if (!isObj(f)) throw new Malformed(`service_fee_detail[${i}] must be an object`)
      return amount(f, 'service_fee')
    }),
  )

  const goods = sum(lines.map((l) => l.goodsAmount))
  const identity = (what: string, left: Decimal, right: Decimal) => {
    if (!left.eq(right)) throw new Malformed(`${what}: ${left.toFixed(2)} ≠ ${right.toFixed(2)}`)
  }
  identity(
    'goods_amount ≠ Σ goods_price × goods_count − order_change_amount',
    goodsAmount,
    goods.minus(change),
  )
  identity(
    'discount_amount ≠ platform_discount + seller_discount + capital_free_discount',
    discount,
    platformDiscount.plus(sellerDiscount).plus(capitalFree),
  )
  identity(
    'pay_amount ≠ goods_amount − discount_amount + postage + service fees',
    payAmount,
    goodsAmount.minus(discount).plus(postage).plus(serviceFees),
  )

  const merchantDiscount = sellerDiscount.plus(capitalFree).plus(change)
  return {
    channel: 'pdd',
    externalId,
    status: unifiedStatus(raw),
    platformStatus: `${String(raw.order_status)}:${orderStatus.label}/${String(raw.refund_status)}:${refundStatus.label}`,
    refundState: refundStatus.refundState,
    currency: 'CNY',
    placedAt: time(raw, 'created_time', false),
    paidAt: time(raw, 'pay_time', false),
    shippedAt: time(raw, 'shipping_time', false),
    platformUpdatedAt: updatedAt,
    // PDD gives ISVs no buyer identity at all.
    buyer: { id: null, nick: null, email: null },
    receiver: receiver(raw),
    buyerNote: str(raw.buyer_memo),
    sellerNote: str(raw.remark),
    totals: {
      goods,
      platformDiscount,
      merchantDiscount,
      shipping: postage.plus(serviceFees),
      tax: ZERO,
      buyerPaid: payAmount,
    },
    // PDD reports every discount per order, never per item: the pool apportions them over the lines.
    orderLevel: { platformDiscount, merchantDiscount },
    lines,
  }
}

function mapRefund(raw: unknown): RefundDraft {
  if (!isObj(raw)) throw new Malformed('after-sales record must be an object')
  const externalRefundId = idString(raw.id)
  if (!externalRefundId) throw new Malformed('id is required')
  const orderExternalId = idString(raw.order_sn)
  if (!orderExternalId) throw new Malformed('order_sn is required')
  const status = lookup(AFTER_SALES_STATUS, raw.after_sales_status)
  if (!status) throw new Malformed(`unknown after_sales_status ${JSON.stringify(raw.after_sales_status)}`)
  const type = lookup(AFTER_SALES_TYPE, raw.after_sales_type)
  if (!type) throw new Malformed(`unknown after_sales_type ${JSON.stringify(raw.after_sales_type)}`)
  const refundAmount = amount(raw, 'refund_amount')
  const skuId = idString(raw.sku_id)
  const quantity =
    raw.goods_number === undefined || raw.goods_number === null ? null : count(raw.goods_number)
  if (raw.goods_number !== undefined && raw.goods_number !== null && quantity === null)
    throw new Malformed('goods_number must be an integer')
  return {
    externalRefundId,
    orderExternalId,
    status: status.status,
    platformStatus: `${String(raw.after_sales_status)}:${status.label}`,
    currency: 'CNY',
    amount: refundAmount,
    reason: str(raw.after_sale_reason) ?? str(raw.after_sales_reason),
    // One after-sales record is one sku of the order; the order line id is that sku_id (see mapOrder).
    lines: skuId && quantity !== null ? [{ externalLineId: skuId, quantity, amount: refundAmount }] : [],
    returnGoods: type.returnGoods,
    createdAt: time(raw, 'created_time', true)!,
    platformUpdatedAt: time(raw, 'updated_time', true)!,
  }
}
