/**
 * Shopify order → unified draft (pure). Reference: shared/reference/intl-and-settlements.md A.3/A.4.
 *
 * Two shapes arrive: the REST resource JSON that webhooks deliver, and the GraphQL order node the
 * connector pulls. The GraphQL node is first rewritten into the REST shape (`restFromGraphql`), so
 * one mapper serves both and the same order maps identically whichever way it came in.
 *
 * Money is booked in shop money (`*_set.shop_money`), never presentment money. Every Shopify
 * discount is merchant-funded. Refunds ride on the order: the money returned is Σ successful refund
 * transactions; lines carry Σ refund_line_items quantity and subtotal.
 */
import { sum, tryMoney, ZERO, type Decimal } from '../../src/money/index.js'
import {
  mapFailed,
  mapped,
  type MapResult,
  type PlatformOrderStatus,
  type RefundState,
  type UnifiedLineDraft,
  type UnifiedOrderDraft,
} from '../types.js'
import { idString } from '../json.js'

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null)
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : [])
class Malformed extends Error {}

/**
 * financial_status → unified status before fulfilment is considered. `authorized` counts as paid:
 * the payment is guaranteed and captured at fulfilment, so the goods may be allocated and shipped.
 * `voided` is an authorization given back: the order will never be paid.
 */
export const FINANCIAL_STATUS = {
  pending: 'pending_payment',
  authorized: 'paid',
  partially_paid: 'pending_payment',
  paid: 'paid',
  partially_refunded: 'paid',
  refunded: 'paid',
  voided: 'cancelled',
} as const satisfies Record<string, PlatformOrderStatus>

/** fulfillment_status (null = unfulfilled) → whether the goods left: only a complete fulfilment is "shipped". */
export const FULFILLMENT_STATUS = {
  unfulfilled: false,
  partial: false,
  fulfilled: true,
  restocked: false,
} as const satisfies Record<string, boolean>

/** GraphQL displayFinancialStatus / displayFulfillmentStatus enums → the REST words. */
const GQL_FINANCIAL: Record<string, string> = {
  PENDING: 'pending',
  AUTHORIZED: 'authorized',
  PARTIALLY_PAID: 'partially_paid',
  PAID: 'paid',
  PARTIALLY_REFUNDED: 'partially_refunded',
  REFUNDED: 'refunded',
  VOIDED: 'voided',
  EXPIRED: 'voided',
}
const GQL_FULFILLMENT: Record<string, string | null> = {
  UNFULFILLED: null,
  PARTIALLY_FULFILLED: 'partial',
  FULFILLED: 'fulfilled',
  RESTOCKED: 'restocked',
  PENDING_FULFILLMENT: null,
  OPEN: null,
  IN_PROGRESS: 'partial',
  ON_HOLD: null,
  SCHEDULED: null,
  REQUEST_DECLINED: null,
}

/** Unified status from the REST words: cancelled wins, then a complete fulfilment, then payment. */
export function shopifyStatus(order: {
  cancelled_at?: unknown
  financial_status?: unknown
  fulfillment_status?: unknown
  closed_at?: unknown
}): PlatformOrderStatus {
  if (str(order.cancelled_at)) return 'cancelled'
  const financial = FINANCIAL_STATUS[String(order.financial_status) as keyof typeof FINANCIAL_STATUS]
  if (!financial) throw new Malformed(`unknown financial_status ${JSON.stringify(order.financial_status)}`)
  const fulfilment =
    order.fulfillment_status === null || order.fulfillment_status === undefined
      ? 'unfulfilled'
      : typeof order.fulfillment_status === 'string'
        ? order.fulfillment_status
        : JSON.stringify(order.fulfillment_status)
  if (!(fulfilment in FULFILLMENT_STATUS))
    throw new Malformed(`unknown fulfillment_status ${JSON.stringify(order.fulfillment_status)}`)
  if (financial === 'paid' && FULFILLMENT_STATUS[fulfilment as keyof typeof FULFILLMENT_STATUS])
    return str(order.closed_at) ? 'completed' : 'shipped'
  return financial
}

/** An amount from `<key>_set.shop_money.amount`, else the plain `<key>` string. */
function shopMoney(o: Obj, key: string, optional = true): Decimal {
  const set = o[`${key}_set`]
  const fromSet = isObj(set) && isObj(set.shop_money) ? tryMoney(set.shop_money.amount) : null
  if (fromSet) return fromSet
  const v = o[key]
  if ((v === undefined || v === null || v === '') && optional) return ZERO
  const d = typeof v === 'string' ? tryMoney(v) : null
  if (!d) throw new Malformed(`${key} must be a decimal string (got ${JSON.stringify(v)})`)
  return d
}

const date = (v: unknown): Date | null => {
  if (typeof v !== 'string' || v === '') return null
  const d = new Date(v)
  return Number.isNaN(d.getTime()) ? null : d
}

/** Numeric tail of a GraphQL global id (gid://shopify/Order/123 → "123"); other ids as strings. */
export function gidTail(v: unknown): string | null {
  const s = idString(v)
  if (!s) return null
  const m = /^gid:\/\/shopify\/[A-Za-z]+\/(\d+)/.exec(s)
  return m ? m[1]! : s
}

export function mapShopifyOrder(raw: unknown): MapResult<UnifiedOrderDraft> {
  try {
    return mapped(mapRest(isObj(raw) && isObj(raw.lineItems) ? restFromGraphql(raw) : raw))
  } catch (err) {
    if (err instanceof Malformed) return mapFailed('malformed_payload', err.message)
    throw err
  }
}

function mapRest(raw: unknown): UnifiedOrderDraft {
  if (!isObj(raw)) throw new Malformed('order must be an object')
  const externalId = idString(raw.id)
  if (!externalId) throw new Malformed('id is required')
  const updatedAt = date(raw.updated_at)
  if (!updatedAt) throw new Malformed('updated_at is required')
  const currency = str(raw.currency) ?? ''
  if (!/^[A-Z]{3}$/.test(currency)) throw new Malformed('currency must be an ISO 4217 code')
  if (!Array.isArray(raw.line_items)) throw new Malformed('line_items must be an array')
  const status = shopifyStatus(raw)
  const taxesIncluded = raw.taxes_included === true

  // Refunded quantity and amount per line, and the money actually returned.
  const refunds = arr(raw.refunds)
  const refundedByLine = new Map<string, { quantity: number; amount: Decimal }>()
  for (const r of refunds) {
    for (const rl of arr(r.refund_line_items)) {
      const lineId = idString(rl.line_item_id) ?? (isObj(rl.line_item) ? idString(rl.line_item.id) : null)
      if (!lineId) throw new Malformed('refund_line_items[].line_item_id is required')
      const prev = refundedByLine.get(lineId) ?? { quantity: 0, amount: ZERO }
      refundedByLine.set(lineId, {
        quantity: prev.quantity + (typeof rl.quantity === 'number' ? rl.quantity : 0),
        amount: prev.amount.plus(shopMoney(rl, 'subtotal')),
      })
    }
  }
  const refundedMoney = sum(
    refunds.flatMap((r) =>
      arr(r.transactions)
        .filter((t) => t.kind === 'refund' && t.status === 'success')
        .map((t) => shopMoney(t, 'amount')),
    ),
  )

  const lines: UnifiedLineDraft[] = raw.line_items.map((l, i) => {
    if (!isObj(l)) throw new Malformed(`line_items[${i}] must be an object`)
    const quantity = typeof l.quantity === 'number' ? l.quantity : Number.NaN
    if (!Number.isInteger(quantity) || quantity <= 0)
      throw new Malformed(`line_items[${i}].quantity must be a positive integer`)
    const lineId = idString(l.id)
    if (!lineId) throw new Malformed(`line_items[${i}].id is required`)
    const unitPrice = shopMoney(l, 'price', false)
    const discount = sum(arr(l.discount_allocations).map((a) => shopMoney(a, 'amount')))
    const refunded = refundedByLine.get(lineId) ?? { quantity: 0, amount: ZERO }
    const lineRefund: RefundState =
      refunded.quantity >= quantity
        ? 'refunded'
        : refunded.quantity > 0 || refunded.amount.gt(0)
          ? 'partial'
          : 'none'
    return {
      externalLineId: lineId,
      platformItemId: idString(l.product_id),
      platformSkuId: idString(l.variant_id),
      outerCode: str(l.sku),
      title: str(l.title) ?? str(l.name) ?? `line ${i + 1}`,
      skuProperties: str(l.variant_title),
      quantity,
      unitPrice,
      goodsAmount: unitPrice.mul(quantity),
      platformDiscount: ZERO,
      merchantDiscount: discount,
      tax: sum(arr(l.tax_lines).map((t) => shopMoney(t, 'price'))),
      platformStatus: str(l.fulfillment_status),
      refundState: lineRefund,
      refundedQuantity: refunded.quantity,
      refundedAmount: refunded.amount,
    }
  })

  const goods = sum(lines.map((l) => l.goodsAmount))
  const merchantDiscount = sum(lines.map((l) => l.merchantDiscount))
  // Shipping after its own discounts (free-shipping codes are allocated to the shipping line).
  const shipping = sum(
    arr(raw.shipping_lines).map((s) =>
      shopMoney(s, 'price').minus(sum(arr(s.discount_allocations).map((a) => shopMoney(a, 'amount')))),
    ),
  )
  const tax = shopMoney(raw, 'total_tax')
  // What the buyer paid, from the parts (tips and duties are not goods revenue and are left out):
  // goods − discounts + shipping, plus tax when prices exclude it.
  const buyerPaid = goods
    .minus(merchantDiscount)
    .plus(shipping)
    .plus(taxesIncluded ? ZERO : tax)
  const refundState: RefundState =
    refundedMoney.gt(0) || refundedByLine.size > 0
      ? refundedMoney.gte(buyerPaid) || raw.financial_status === 'refunded'
        ? 'refunded'
        : 'partial'
      : 'none'

  const ship = isObj(raw.shipping_address) ? raw.shipping_address : {}
  const customer = isObj(raw.customer) ? raw.customer : {}
  const fulfillments = arr(raw.fulfillments)
  const name =
    str(ship.name) ?? ([str(ship.first_name), str(ship.last_name)].filter(Boolean).join(' ') || null)
  return {
    channel: 'shopify',
    externalId,
    status,
    platformStatus: [
      str(raw.financial_status) ?? 'unknown',
      str(raw.fulfillment_status) ?? 'unfulfilled',
      str(raw.cancelled_at) ? 'cancelled' : null,
      raw.test === true ? 'test' : null,
    ]
      .filter(Boolean)
      .join('/'),
    refundState,
    currency,
    placedAt: date(raw.created_at),
    paidAt:
      FINANCIAL_STATUS[String(raw.financial_status) as keyof typeof FINANCIAL_STATUS] === 'paid'
        ? date(raw.processed_at)
        : null,
    shippedAt:
      status === 'shipped' || status === 'completed'
        ? (fulfillments.map((f) => date(f.created_at)).find((d): d is Date => d !== null) ?? null)
        : null,
    platformUpdatedAt: updatedAt,
    buyer: {
      id: idString(customer.id),
      nick: [str(customer.first_name), str(customer.last_name)].filter(Boolean).join(' ') || null,
      email: str(raw.email) ?? str(customer.email),
    },
    receiver: {
      name,
      phone: str(ship.phone) ?? str(raw.phone),
      country: str(ship.country_code) ?? str(ship.country),
      province: str(ship.province_code) ?? str(ship.province),
      city: str(ship.city),
      district: null,
      town: null,
      address: [str(ship.address1), str(ship.address2)].filter(Boolean).join(', ') || null,
      postcode: str(ship.zip),
      masked: false,
      privacyRef: null,
    },
    buyerNote: str(raw.note),
    sellerNote: null,
    totals: { goods, platformDiscount: ZERO, merchantDiscount, shipping, tax, buyerPaid },
    orderLevel: { platformDiscount: ZERO, merchantDiscount: ZERO },
    lines,
  }
}

/* ------------------------------------------------------------------------------------------------
 * GraphQL node → REST shape. Only the fields the mapper reads are carried over.
 */

const gqlMoney = (bag: unknown): { amount: string; currency_code: string | null } | null => {
  if (!isObj(bag) || !isObj(bag.shopMoney)) return null
  return { amount: String(bag.shopMoney.amount), currency_code: str(bag.shopMoney.currencyCode) }
}
const moneySet = (key: string, bag: unknown): Obj => {
  const m = gqlMoney(bag)
  return m ? { [key]: m.amount, [`${key}_set`]: { shop_money: m } } : {}
}
const nodes = (conn: unknown): Obj[] => (isObj(conn) ? arr(conn.nodes) : Array.isArray(conn) ? arr(conn) : [])
const lower = (v: unknown): string | null => (typeof v === 'string' ? v.toLowerCase() : null)

/**
 * Units of each line in successful fulfillments (Fulfillment.fulfillmentLineItems); null when the
 * node carries no fulfillment line items at all (an older stored payload, a hand-made selection).
 */
function fulfilledByLine(o: Obj): Map<string, number> | null {
  const fulfillments = arr(o.fulfillments)
  if (fulfillments.length > 0 && !fulfillments.some((f) => f.fulfillmentLineItems !== undefined)) return null
  const done = new Map<string, number>()
  for (const f of fulfillments) {
    if (lower(f.status) !== 'success') continue // cancelled, failed or still pending: nothing left the shop
    for (const fl of nodes(f.fulfillmentLineItems)) {
      const lineId = isObj(fl.lineItem) ? gidTail(fl.lineItem.id) : null
      if (lineId && typeof fl.quantity === 'number') done.set(lineId, (done.get(lineId) ?? 0) + fl.quantity)
    }
  }
  return done
}

/**
 * A line's REST fulfillment_status from the GraphQL node: null while nothing of it was fulfilled,
 * `fulfilled` once nothing is left to fulfil (unfulfilledQuantity 0), `partial` in between — what
 * the REST resource (and so the webhook body) says of the same line.
 */
function lineFulfillment(l: Obj, done: Map<string, number> | null): string | null {
  if (!done) return null
  const fulfilled = done.get(gidTail(l.id) ?? '') ?? 0
  if (fulfilled <= 0) return null
  const left =
    typeof l.unfulfilledQuantity === 'number'
      ? l.unfulfilledQuantity
      : (typeof l.quantity === 'number' ? l.quantity : 0) - fulfilled
  return left <= 0 ? 'fulfilled' : 'partial'
}

export function restFromGraphql(o: Obj): Obj {
  const address = isObj(o.shippingAddress) ? o.shippingAddress : null
  const customer = isObj(o.customer) ? o.customer : null
  const done = fulfilledByLine(o)
  return {
    id: gidTail(o.legacyResourceId ?? o.id),
    admin_graphql_api_id: o.id,
    name: o.name,
    created_at: o.createdAt,
    updated_at: o.updatedAt,
    processed_at: o.processedAt,
    cancelled_at: o.cancelledAt ?? null,
    closed_at: o.closedAt ?? null,
    cancel_reason: lower(o.cancelReason),
    financial_status: GQL_FINANCIAL[String(o.displayFinancialStatus)] ?? lower(o.displayFinancialStatus),
    fulfillment_status:
      typeof o.displayFulfillmentStatus === 'string'
        ? (GQL_FULFILLMENT[o.displayFulfillmentStatus] ?? lower(o.displayFulfillmentStatus))
        : null,
    currency: o.currencyCode,
    presentment_currency: o.presentmentCurrencyCode,
    taxes_included: o.taxesIncluded === true,
    test: o.test === true,
    email: o.email ?? null,
    phone: o.phone ?? null,
    note: o.note ?? null,
    ...moneySet('total_tax', o.totalTaxSet),
    ...moneySet('total_price', o.totalPriceSet),
    customer: customer
      ? {
          id: gidTail(customer.id),
          first_name: customer.firstName ?? null,
          last_name: customer.lastName ?? null,
          email: customer.email ?? null,
        }
      : null,
    shipping_address: address
      ? {
          name: address.name ?? null,
          first_name: address.firstName ?? null,
          last_name: address.lastName ?? null,
          address1: address.address1 ?? null,
          address2: address.address2 ?? null,
          city: address.city ?? null,
          province: address.province ?? null,
          province_code: address.provinceCode ?? null,
          country: address.country ?? null,
          country_code: address.countryCodeV2 ?? null,
          zip: address.zip ?? null,
          phone: address.phone ?? null,
        }
      : null,
    line_items: nodes(o.lineItems).map((l) => ({
      id: gidTail(l.id),
      product_id: isObj(l.product) ? gidTail(l.product.id) : null,
      variant_id: isObj(l.variant) ? gidTail(l.variant.id) : null,
      sku: l.sku ?? null,
      title: l.title ?? l.name ?? null,
      variant_title: l.variantTitle ?? null,
      quantity: l.quantity,
      ...moneySet('price', l.originalUnitPriceSet),
      discount_allocations: arr(l.discountAllocations).map((a) => moneySet('amount', a.allocatedAmountSet)),
      tax_lines: arr(l.taxLines).map((t) => ({
        rate: t.rate ?? null,
        title: t.title ?? null,
        ...moneySet('price', t.priceSet),
      })),
      fulfillment_status: lineFulfillment(l, done),
    })),
    shipping_lines: nodes(o.shippingLines).map((s) => ({
      id: gidTail(s.id),
      title: s.title ?? null,
      code: s.code ?? null,
      ...moneySet('price', s.originalPriceSet),
      discount_allocations: arr(s.discountAllocations).map((a) => moneySet('amount', a.allocatedAmountSet)),
    })),
    refunds: nodes(o.refunds).map((r) => ({
      id: gidTail(r.id),
      created_at: r.createdAt ?? null,
      note: r.note ?? null,
      refund_line_items: nodes(r.refundLineItems).map((rl) => ({
        line_item_id: isObj(rl.lineItem) ? gidTail(rl.lineItem.id) : null,
        quantity: rl.quantity,
        restock_type: lower(rl.restockType),
        ...moneySet('subtotal', rl.subtotalSet),
      })),
      transactions: nodes(r.transactions).map((t) => ({
        id: gidTail(t.id),
        kind: lower(t.kind),
        status: lower(t.status),
        gateway: t.gateway ?? null,
        processed_at: t.processedAt ?? null,
        ...moneySet('amount', t.amountSet),
      })),
    })),
    fulfillments: arr(o.fulfillments).map((f) => ({
      id: gidTail(f.id),
      created_at: f.createdAt ?? null,
      status: lower(f.status),
    })),
  }
}
