/**
 * Self-run store order (CONTRACT.md) → unified order draft. Pure. All discounts of a self-run
 * store are merchant-funded; amounts are decimal strings.
 */
import type { Decimal } from '../../src/money/index.js'
import { sum, tryMoney, ZERO } from '../../src/money/index.js'
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

export const STATUS: Record<string, PlatformOrderStatus> = {
  pending: 'pending_payment',
  paid: 'paid',
  shipped: 'shipped',
  completed: 'completed',
  cancelled: 'cancelled',
}

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null)
const date = (v: unknown): Date | null => {
  if (typeof v !== 'string') return null
  const d = new Date(v)
  return Number.isNaN(d.getTime()) ? null : d
}

class Malformed extends Error {}
const amount = (o: Obj, key: string, optional = false): Decimal => {
  const v = o[key]
  if ((v === undefined || v === null) && optional) return ZERO
  const d = tryMoney(v)
  if (!d) throw new Malformed(`${key} must be a decimal string (got ${JSON.stringify(v)})`)
  return d
}

export function mapSelfstoreOrder(raw: unknown): MapResult<UnifiedOrderDraft> {
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
  const updatedAt = date(raw.updated_at)
  if (!updatedAt) throw new Malformed('updated_at must be an ISO 8601 time')
  const currency = str(raw.currency)
  if (!currency || !/^[A-Z]{3}$/.test(currency)) throw new Malformed('currency must be an ISO 4217 code')
  if (!Array.isArray(raw.lines) || raw.lines.length === 0)
    throw new Malformed('lines must be a non-empty array')
  const refunds = Array.isArray(raw.refunds) ? raw.refunds.filter(isObj) : []
  const refundedByLine = new Map<string, { quantity: number; amount: Decimal }>()
  for (const r of refunds.filter((r) => r.status === 'refunded')) {
    for (const l of Array.isArray(r.lines) ? r.lines.filter(isObj) : []) {
      const id = idString(l.line_id) ?? ''
      const cur = refundedByLine.get(id) ?? { quantity: 0, amount: ZERO }
      refundedByLine.set(id, {
        quantity: cur.quantity + (typeof l.quantity === 'number' ? l.quantity : 0),
        amount: cur.amount.plus(amount(l, 'amount')),
      })
    }
  }
  const lines: UnifiedLineDraft[] = raw.lines.map((l, i) => {
    if (!isObj(l)) throw new Malformed(`lines[${i}] must be an object`)
    const quantity = l.quantity
    if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity <= 0)
      throw new Malformed(`lines[${i}].quantity must be a positive integer`)
    const unitPrice = amount(l, 'unit_price')
    const lineId = idString(l.id) ?? String(i + 1)
    const refunded = refundedByLine.get(lineId)
    const lineRefund: RefundState = !refunded
      ? 'none'
      : refunded.quantity >= quantity
        ? 'refunded'
        : 'partial'
    return {
      externalLineId: lineId,
      platformItemId: null,
      platformSkuId: str(l.sku),
      outerCode: str(l.sku),
      title: str(l.title) ?? str(l.sku) ?? `line ${i + 1}`,
      skuProperties: str(l.variant),
      quantity,
      unitPrice,
      goodsAmount: unitPrice.mul(quantity),
      platformDiscount: ZERO,
      merchantDiscount: amount(l, 'discount', true),
      tax: amount(l, 'tax', true),
      platformStatus: null,
      refundState: lineRefund,
      refundedQuantity: refunded?.quantity ?? 0,
      refundedAmount: refunded?.amount ?? ZERO,
    }
  })
  const goods = sum(lines.map((l) => l.goodsAmount))
  const orderDiscount = amount(raw, 'order_discount', true)
  const merchantDiscount = sum(lines.map((l) => l.merchantDiscount)).plus(orderDiscount)
  const shipping = amount(raw, 'shipping_fee', true)
  const tax = amount(raw, 'tax', true)
  const total = amount(raw, 'total')
  const refundedTotal = sum(refunds.filter((r) => r.status === 'refunded').map((r) => amount(r, 'amount')))
  const refundState: RefundState = refundedTotal.gt(0)
    ? refundedTotal.gte(total)
      ? 'refunded'
      : 'partial'
    : refunds.some((r) => r.status === 'requested')
      ? 'requested'
      : 'none'
  const customer = isObj(raw.customer) ? raw.customer : {}
  const addr = isObj(raw.shipping_address) ? raw.shipping_address : {}
  return {
    channel: 'selfstore',
    externalId,
    status,
    platformStatus: String(raw.status),
    refundState,
    currency,
    placedAt: date(raw.created_at),
    paidAt: date(raw.paid_at),
    shippedAt: date(raw.shipped_at),
    platformUpdatedAt: updatedAt,
    buyer: { id: idString(customer.id), nick: str(customer.name), email: str(customer.email) },
    receiver: {
      name: str(addr.name),
      phone: str(addr.phone),
      country: str(addr.country),
      province: str(addr.province),
      city: str(addr.city),
      district: str(addr.district),
      town: null,
      address: str(addr.address),
      postcode: str(addr.postcode),
      masked: false,
      privacyRef: null,
    },
    buyerNote: str(raw.note),
    sellerNote: null,
    totals: { goods, platformDiscount: ZERO, merchantDiscount, shipping, tax, buyerPaid: total },
    orderLevel: { platformDiscount: ZERO, merchantDiscount: orderDiscount },
    lines,
  }
}
