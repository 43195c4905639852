/**
 * The unified order: what every connector's pure mapOrder produces and the order pool stores.
 * Amounts are Decimal in the order's currency (decimal strings in JSON and SQL).
 */
import type { Decimal } from '../money/index.js'
import type { Channel } from '../db/schema.js'

export const ORDER_STATUSES = [
  'pending_payment',
  'paid',
  'allocated',
  'picking',
  'shipped',
  'completed',
  'on_hold',
  'cancelled',
] as const
export type OrderStatus = (typeof ORDER_STATUSES)[number]

export const REFUND_STATES = ['none', 'requested', 'partial', 'refunded'] as const
export type RefundState = (typeof REFUND_STATES)[number]

/**
 * What the platform says about an order's state, reduced to what the platform can know: the hub's
 * own warehouse states (allocated, picking, on_hold) never come from a platform.
 */
export type PlatformOrderStatus = 'pending_payment' | 'paid' | 'shipped' | 'completed' | 'cancelled'

export interface Receiver {
  name: string | null
  phone: string | null
  country: string | null
  province: string | null
  city: string | null
  district: string | null
  town: string | null
  address: string | null
  postcode: string | null
  /** True when the platform gave masked or encrypted values (OAID, ciphertext); shown to people as given. */
  masked: boolean
  /** Platform handles for decrypting or for matching the same receiver (Taobao OAID, PDD/Douyin ciphertext index). */
  privacyRef: Record<string, string> | null
}

export interface UnifiedLineDraft {
  /** The platform's sub-order id (Taobao oid, JD sku row, Shopify line_item id) — unique within the order. */
  externalLineId: string
  platformItemId: string | null
  platformSkuId: string | null
  /** The merchant code the seller typed on the platform (outer_sku_id / outer_iid / SKU field). */
  outerCode: string | null
  title: string
  skuProperties: string | null
  quantity: number
  unitPrice: Decimal
  /** unitPrice × quantity before any discount. */
  goodsAmount: Decimal
  /** Discounts the platform already attributes to this line. */
  platformDiscount: Decimal
  merchantDiscount: Decimal
  tax: Decimal
  /** Platform line status (refund/cancel of one line), when the platform reports it. */
  platformStatus: string | null
  refundState: RefundState
  refundedQuantity: number
  refundedAmount: Decimal
}

export interface UnifiedOrderDraft {
  channel: Channel
  externalId: string
  status: PlatformOrderStatus
  /** The platform's own status text, kept for people and for audits. */
  platformStatus: string
  refundState: RefundState
  currency: string
  placedAt: Date | null
  paidAt: Date | null
  shippedAt: Date | null
  /** The platform's modified time; an update older than the stored one never overwrites. */
  platformUpdatedAt: Date
  buyer: { id: string | null; nick: string | null; email: string | null }
  receiver: Receiver
  buyerNote: string | null
  sellerNote: string | null
  totals: {
    /** Σ line goodsAmount. */
    goods: Decimal
    /** All platform-funded discounts: line-level plus order-level. */
    platformDiscount: Decimal
    /** All merchant-funded discounts: line-level plus order-level. */
    merchantDiscount: Decimal
    shipping: Decimal
    tax: Decimal
    /** What the buyer paid. */
    buyerPaid: Decimal
  }
  /** Order-level discounts not yet attributed to lines; the order pool apportions them. */
  orderLevel: { platformDiscount: Decimal; merchantDiscount: Decimal }
  lines: UnifiedLineDraft[]
}

export type MapFailureReason = 'malformed_payload' | 'unsupported' | 'mapper_error'
export type MapResult<T> = { ok: true; value: T } | { ok: false; reason: MapFailureReason; detail: string }

export const mapped = <T>(value: T): MapResult<T> => ({ ok: true, value })
export const mapFailed = (reason: MapFailureReason, detail: string): MapResult<never> => ({
  ok: false,
  reason,
  detail,
})
