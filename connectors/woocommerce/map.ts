/**
 * WooCommerce REST v3 order → unified draft (pure). Reference: shared/reference/intl-and-settlements.md B.2.
 * Coupons are merchant-funded (WooCommerce has no platform subsidy); line `subtotal` is before
 * discounts and `total` after, both line amounts; `refunds[].total` is a negative string.
 */
import { Decimal, round, sum, tryMoney, ZERO } from '../../src/money/index.js'
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

/** Every WooCommerce status → unified. on-hold reduces stock in WooCommerce, so it counts as paid. */
export const STATUS: Record<string, PlatformOrderStatus> = {
  pending: 'pending_payment',
  'checkout-draft': 'pending_payment',
  processing: 'paid',
  'on-hold': 'paid',
  completed: 'completed',
  cancelled: 'cancelled',
  refunded: 'cancelled',
  failed: 'cancelled',
  trash: 'cancelled',
}

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null)
class Malformed extends Error {}
const amount = (o: Obj, key: string, optional = false): Decimal => {
  const v = o[key]
  if ((v === undefined || v === null || v === '') && optional) return ZERO
  const d = tryMoney(v)
  if (!d) throw new Malformed(`${key} must be a decimal amount (got ${JSON.stringify(v)})`)
  return d
}
/** WooCommerce *_gmt times carry no offset. */
export const gmt = (v: unknown): Date | null => {
  if (typeof v !== 'string' || v === '') return null
  const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`)
  return Number.isNaN(d.getTime()) ? null : d
}

export const skuKey = (productId: string | null, variationId: string | null): string | null =>
  productId ? (variationId && variationId !== '0' ? `${productId}:${variationId}` : productId) : null

export function mapWooOrder(raw: unknown): MapResult<UnifiedOrderDraft> {
  try {
    return mapped(mapOrder(raw))
  } catch (err) {
    if (err instanceof Malformed) return mapFailed('malformed_payload', err.message)
    throw err
  }
}

function mapOrder(raw: unknown): UnifiedOrderDraft {
  if (!isObj(raw)) throw new Malformed('order must be an object')
  const externalId = idString(raw.id)
  if (!externalId) throw new Malformed('id is required')
  const status = STATUS[String(raw.status)]
  if (!status) throw new Malformed(`unknown status ${JSON.stringify(raw.status)}`)
  const modified = gmt(raw.date_modified_gmt)
  if (!modified) throw new Malformed('date_modified_gmt is required')
  if (!Array.isArray(raw.line_items)) throw new Malformed('line_items must be an array')
  const currency = str(raw.currency) ?? ''
  if (!/^[A-Z]{3}$/.test(currency)) throw new Malformed('currency must be an ISO 4217 code')
  const lines: UnifiedLineDraft[] = raw.line_items.map((l, i) => {
    if (!isObj(l)) throw new Malformed(`line_items[${i}] must be an object`)
    const quantity = typeof l.quantity === 'number' ? l.quantity : Number.NaN
    if (!Number.isInteger(quantity) || quantity <= 0)
      throw new Malformed(`line_items[${i}].quantity must be a positive integer`)
    const subtotal = amount(l, 'subtotal')
    const total = amount(l, 'total')
    const productId = idString(l.product_id)
    const variationId = idString(l.variation_id)
    return {
      externalLineId: idString(l.id) ?? String(i + 1),
      platformItemId: productId,
      platformSkuId: skuKey(productId, variationId),
      outerCode: str(l.sku),
      title: str(l.name) ?? `line ${i + 1}`,
      skuProperties: null,
      quantity,
      unitPrice: round(subtotal.div(quantity), 4),
      goodsAmount: subtotal,
      platformDiscount: ZERO,
      merchantDiscount: Decimal.max(subtotal.minus(total), ZERO),
      tax: amount(l, 'total_tax', true),
      platformStatus: null,
      refundState: 'none',
      refundedQuantity: 0,
      refundedAmount: ZERO,
    }
  })
  const total = amount(raw, 'total')
  const refunded = sum(
    (Array.isArray(raw.refunds) ? raw.refunds.filter(isObj) : []).map((r) => amount(r, 'total').abs()),
  )
  const refundState: RefundState = refunded.gt(0)
    ? refunded.gte(total)
      ? 'refunded'
      : 'partial'
    : raw.status === 'refunded'
      ? 'refunded'
      : 'none'
  const ship = isObj(raw.shipping) ? raw.shipping : {}
  const bill = isObj(raw.billing) ? raw.billing : {}
  const name = [str(ship.first_name), str(ship.last_name)].filter(Boolean).join(' ') || null
  const goods = sum(lines.map((l) => l.goodsAmount))
  return {
    channel: 'woocommerce',
    externalId,
    status,
    platformStatus: String(raw.status),
    refundState,
    currency,
    placedAt: gmt(raw.date_created_gmt),
    paidAt: gmt(raw.date_paid_gmt),
    shippedAt: gmt(raw.date_completed_gmt),
    platformUpdatedAt: modified,
    buyer: {
      id: idString(raw.customer_id) === '0' ? null : idString(raw.customer_id),
      nick: [str(bill.first_name), str(bill.last_name)].filter(Boolean).join(' ') || null,
      email: str(bill.email),
    },
    receiver: {
      name,
      phone: str(ship.phone) ?? str(bill.phone),
      country: str(ship.country),
      province: str(ship.state),
      city: str(ship.city),
      district: null,
      town: null,
      address: [str(ship.address_1), str(ship.address_2)].filter(Boolean).join(', ') || null,
      postcode: str(ship.postcode),
      masked: false,
      privacyRef: null,
    },
    buyerNote: str(raw.customer_note),
    sellerNote: null,
    totals: {
      goods,
      platformDiscount: ZERO,
      merchantDiscount: sum(lines.map((l) => l.merchantDiscount)),
      shipping: amount(raw, 'shipping_total', true),
      tax: amount(raw, 'total_tax', true),
      buyerPaid: total,
    },
    orderLevel: { platformDiscount: ZERO, merchantDiscount: ZERO },
    lines,
  }
}
