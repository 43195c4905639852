/**
 * SQL for the order pool: the order row, its lines and their stock view are written together.
 * Line and line-SKU rows keep their ids across updates (allocations refer to them).
 */
import { sql } from 'kysely'
import type { Executor } from '../db/connect.js'
import { newId } from '../lib/ids.js'
import { toDb } from '../money/index.js'
import type { Normalized } from './normalize.js'
import type { OrderStatus, UnifiedOrderDraft } from './types.js'

export interface ShopRef {
  id: string
  merchantId: string
  channel: string
}

export interface StoredOrderHead {
  id: string
  status: OrderStatus
  refund_state: string
  platform_updated_at: Date
  open_exceptions: number
}

/** The current order row, locked for update inside the caller's transaction. */
export async function lockOrder(db: Executor, shop: ShopRef, externalId: string): Promise<StoredOrderHead | undefined> {
  return db
    .selectFrom('orders')
    .select(['id', 'status', 'refund_state', 'platform_updated_at', 'open_exceptions'])
    .where('merchant_id', '=', shop.merchantId)
    .where('channel', '=', shop.channel)
    .where('shop_id', '=', shop.id)
    .where('external_id', '=', externalId)
    .forUpdate()
    .executeTakeFirst()
}

export async function writeOrder(
  db: Executor,
  shop: ShopRef,
  draft: UnifiedOrderDraft,
  n: Normalized,
  status: OrderStatus,
  existingId: string | undefined,
  rawInboxId: string,
): Promise<string> {
  const id = existingId ?? newId()
  const values = {
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
    updated_at: new Date(),
  }
  if (existingId) {
    await db.updateTable('orders').set(values).where('merchant_id', '=', shop.merchantId).where('id', '=', id).execute()
  } else {
    await db
      .insertInto('orders')
      .values({ id, merchant_id: shop.merchantId, shop_id: shop.id, channel: shop.channel, external_id: draft.externalId, open_exceptions: 0, ...values })
      .execute()
  }
  await writeLines(db, shop.merchantId, id, n)
  return id
}

async function writeLines(db: Executor, merchantId: string, orderId: string, n: Normalized): Promise<void> {
  const existing = await db
    .selectFrom('order_lines')
    .select(['id', 'external_line_id'])
    .where('merchant_id', '=', merchantId)
    .where('order_id', '=', orderId)
    .execute()
  const idByExternal = new Map(existing.map((l) => [l.external_line_id, l.id]))
  const lineIds: string[] = []
  for (const line of n.lines) {
    const d = line.draft
    const lineId = idByExternal.get(line.externalLineId) ?? newId()
    lineIds.push(lineId)
    const row = {
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
      paid_amount: toDb(line.paid.isNegative() ? line.paid.mul(0) : line.paid),
      sku_id: line.isBundle ? null : line.skuId,
      is_bundle: line.isBundle ? 1 : 0,
      platform_status: d.platformStatus,
      refund_state: d.refundState,
      refunded_quantity: d.refundedQuantity,
      refunded_amount: toDb(d.refundedAmount),
    }
    if (idByExternal.has(line.externalLineId)) {
      await db.updateTable('order_lines').set(row).where('merchant_id', '=', merchantId).where('id', '=', lineId).execute()
    } else {
      await db.insertInto('order_lines').values({ id: lineId, merchant_id: merchantId, order_id: orderId, external_line_id: line.externalLineId, ...row }).execute()
    }
    await writeLineSkus(db, merchantId, orderId, lineId, line.skus.map((s) => ({ ...s, revenueShare: toDb(s.revenueShare) })), !idByExternal.has(line.externalLineId))
  }
}

async function writeLineSkus(
  db: Executor,
  merchantId: string,
  orderId: string,
  lineId: string,
  skus: readonly { skuId: string; quantity: number; revenueShare: string }[],
  freshLine: boolean,
): Promise<void> {
  if (skus.length > 0) {
    await db
      .insertInto('order_line_skus')
      .values(skus.map((s) => ({ id: newId(), merchant_id: merchantId, order_id: orderId, order_line_id: lineId, sku_id: s.skuId, quantity: s.quantity, revenue_share: s.revenueShare })))
      .onDuplicateKeyUpdate({ quantity: sql`VALUES(quantity)`, revenue_share: sql`VALUES(revenue_share)` })
      .execute()
  }
  if (freshLine) return
  let del = db.deleteFrom('order_line_skus').where('merchant_id', '=', merchantId).where('order_line_id', '=', lineId)
  if (skus.length > 0) del = del.where('sku_id', 'not in', skus.map((s) => s.skuId))
  await del.execute()
}

export async function recordStatusChange(
  db: Executor,
  merchantId: string,
  orderId: string,
  from: OrderStatus | null,
  to: OrderStatus,
  source: string,
  note: string | null = null,
): Promise<void> {
  await db.insertInto('order_status_history').values({ id: newId(), merchant_id: merchantId, order_id: orderId, from_status: from, to_status: to, source, note }).execute()
}
