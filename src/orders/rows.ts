/**
 * Pure: the rows the pool writes for one normalized order, and the hash of them. The per-order
 * path (repo.ts) and the batched path for new orders (batch.ts) build rows here, so both write
 * exactly the same thing; the hash lets a re-run that yields the same rows write nothing.
 */
import { createHash } from 'node:crypto'
import { toDb } from '../money/index.js'
import type { Normalized, NormalizedLine } from './normalize.js'
import type { OrderStatus, UnifiedOrderDraft } from './types.js'

export function orderValues(
  draft: UnifiedOrderDraft,
  n: Normalized,
  status: OrderStatus,
  rawInboxId: string,
) {
  return {
    status,
    platform_status: draft.platformStatus.slice(0, 64),
    refund_state: draft.refundState,
    currency: draft.currency,
    placed_at: draft.placedAt,
    paid_at: draft.paidAt,
    shipped_at: draft.shippedAt,
    platform_updated_at: draft.platformUpdatedAt,
    buyer_id: draft.buyer.id,
    buyer_nick: draft.buyer.nick,
    buyer_email: draft.buyer.email,
    receiver: JSON.stringify(draft.receiver),
    receiver_province: draft.receiver.province,
    receiver_phone_tail: phoneTail(draft.receiver.phone),
    receiver_key: n.receiverKey,
    buyer_note: draft.buyerNote,
    seller_note: draft.sellerNote,
    goods_amount: toDb(draft.totals.goods),
    platform_discount: toDb(draft.totals.platformDiscount),
    merchant_discount: toDb(draft.totals.merchantDiscount),
    shipping_amount: toDb(draft.totals.shipping),
    tax_amount: toDb(draft.totals.tax),
    buyer_paid: toDb(draft.totals.buyerPaid),
    raw_inbox_id: rawInboxId,
  }
}

/** The last four digits of a phone, masked or not (138****0000 → 0000); null when they are not digits. */
export function phoneTail(phone: string | null | undefined): string | null {
  const tail = phone?.trim().slice(-4) ?? ''
  return /^[0-9]{4}$/.test(tail) ? tail : null
}

export type OrderValues = ReturnType<typeof orderValues>

export function lineValues(line: NormalizedLine) {
  const d = line.draft
  return {
    line_no: line.lineNo,
    platform_item_id: d.platformItemId,
    platform_sku_id: d.platformSkuId,
    outer_code: d.outerCode,
    title: d.title.slice(0, 500),
    sku_properties: d.skuProperties?.slice(0, 500) ?? null,
    quantity: d.quantity,
    unit_price: toDb(d.unitPrice),
    goods_amount: toDb(d.goodsAmount),
    platform_discount: toDb(line.platformDiscount),
    merchant_discount: toDb(line.merchantDiscount),
    shipping_share: toDb(line.shippingShare),
    tax_amount: toDb(d.tax),
    // A line whose discounts exceed its goods is raised as an exception and stored at zero.
    paid_amount: toDb(line.paid.isNegative() ? line.paid.mul(0) : line.paid),
    sku_id: line.isBundle ? null : line.skuId,
    is_bundle: line.isBundle ? 1 : 0,
    platform_status: d.platformStatus,
    refund_state: d.refundState,
    refunded_quantity: d.refundedQuantity,
    refunded_amount: toDb(d.refundedAmount),
  }
}

export const lineSkuValues = (line: NormalizedLine) =>
  line.skus.map((s) => ({ sku_id: s.skuId, quantity: s.quantity, revenue_share: toDb(s.revenueShare) }))

/** SHA-256 over everything the pool would write for this order (ids and write times excluded). */
export function poolHash(values: OrderValues, n: Normalized): string {
  const lines = n.lines.map((l) => [l.externalLineId, lineValues(l), lineSkuValues(l)])
  return createHash('sha256')
    .update(JSON.stringify({ o: values, l: lines }))
    .digest('hex')
}

export const contentHash = (payload: string): string => createHash('sha256').update(payload).digest('hex')
