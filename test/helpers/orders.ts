/** Orders inserted straight into the pool, for engine tests that do not need a connector. */
import type { Executor } from '../../src/db/connect.js'
import { systemClock } from '../../src/lib/clock.js'
import { newId } from '../../src/lib/ids.js'
import type { OrderStatus } from '../../src/orders/types.js'

export interface SeedLine {
  skuId: string
  quantity: number
  paid?: string
}

export async function seedOrder(
  db: Executor,
  merchantId: string,
  shopId: string,
  lines: readonly SeedLine[],
  opts: {
    status?: OrderStatus
    province?: string
    externalId?: string
    channel?: string
    currency?: string
  } = {},
): Promise<{ orderId: string; lineSkuIds: string[] }> {
  const orderId = newId()
  // The application's now (moved by ENTREPOT_CLOCK_OFFSET like everything else), not the wall clock.
  const now = systemClock.now()
  const total = lines.reduce((s, l) => s + Number(l.paid ?? '10'), 0).toFixed(4)
  await db
    .insertInto('orders')
    .values({
      id: orderId,
      merchant_id: merchantId,
      shop_id: shopId,
      channel: opts.channel ?? 'selfstore',
      external_id: opts.externalId ?? orderId,
      status: opts.status ?? 'paid',
      platform_status: 'paid',
      refund_state: 'none',
      currency: opts.currency ?? 'CNY',
      placed_at: now,
      paid_at: now,
      shipped_at: null,
      platform_updated_at: now,
      buyer_id: 'b1',
      buyer_nick: 'buyer',
      buyer_email: null,
      receiver: JSON.stringify({ province: opts.province ?? '浙江省' }),
      receiver_province: opts.province ?? '浙江省',
      receiver_key: null,
      buyer_note: null,
      seller_note: null,
      goods_amount: total,
      platform_discount: '0',
      merchant_discount: '0',
      shipping_amount: '0',
      tax_amount: '0',
      buyer_paid: total,
      merge_group_id: null,
      open_exceptions: 0,
      raw_inbox_id: null,
    })
    .execute()
  const lineSkuIds: string[] = []
  for (const [i, l] of lines.entries()) {
    const lineId = newId()
    const paid = l.paid ?? '10'
    await db
      .insertInto('order_lines')
      .values({
        id: lineId,
        merchant_id: merchantId,
        order_id: orderId,
        line_no: i + 1,
        external_line_id: `L${i + 1}`,
        platform_item_id: null,
        platform_sku_id: null,
        outer_code: null,
        title: 'item',
        sku_properties: null,
        quantity: l.quantity,
        unit_price: paid,
        goods_amount: paid,
        platform_discount: '0',
        merchant_discount: '0',
        shipping_share: '0',
        tax_amount: '0',
        paid_amount: paid,
        sku_id: l.skuId,
        is_bundle: 0,
        platform_status: null,
        refund_state: 'none',
        refunded_quantity: 0,
        refunded_amount: '0',
      })
      .execute()
    const lsId = newId()
    lineSkuIds.push(lsId)
    await db
      .insertInto('order_line_skus')
      .values({
        id: lsId,
        merchant_id: merchantId,
        order_id: orderId,
        order_line_id: lineId,
        sku_id: l.skuId,
        quantity: l.quantity,
        revenue_share: paid,
      })
      .execute()
  }
  return { orderId, lineSkuIds }
}
