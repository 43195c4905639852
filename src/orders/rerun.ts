/** Re-run the pipeline for orders (after a mapping fix or a resolved exception): their latest raw version. */
import type { AppContext } from '../context.js'
import { getShop } from '../shops/repo.js'
import { emitOrderEvents } from './events.js'
import { normalizeInboxOrder, type Outcome } from './pipeline.js'

export async function rerunOrder(ctx: Pick<AppContext, 'db' | 'queues'>, merchantId: string, orderId: string): Promise<Outcome | 'not_found'> {
  const order = await ctx.db.selectFrom('orders').select(['shop_id', 'external_id']).where('merchant_id', '=', merchantId).where('id', '=', orderId).executeTakeFirst()
  if (!order) return 'not_found'
  const shop = await getShop(ctx.db, merchantId, order.shop_id)
  const entry = await ctx.db
    .selectFrom('raw_inbox')
    .select(['id', 'payload'])
    .where('merchant_id', '=', merchantId)
    .where('shop_id', '=', order.shop_id)
    .where('kind', '=', 'order')
    .where('external_id', '=', order.external_id)
    .orderBy('platform_updated_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
  if (!shop || !entry) return 'not_found'
  const r = await normalizeInboxOrder(ctx.db, { id: shop.id, merchantId, channel: shop.channel, settings: shop.settings }, entry)
  await emitOrderEvents(ctx, r.events)
  return r.outcome
}

/** Orders of a shop (or all shops) that wait on an open exception of one of these reasons. */
export async function rerunWaiting(ctx: Pick<AppContext, 'db' | 'queues'>, merchantId: string, reasons: readonly string[], shopId?: string): Promise<number> {
  let q = ctx.db.selectFrom('order_exceptions').select('order_id').distinct().where('merchant_id', '=', merchantId).where('status', '=', 'open').where('reason', 'in', reasons as never[]).where('order_id', 'is not', null)
  if (shopId) q = q.where('shop_id', '=', shopId)
  const rows = await q.execute()
  for (const r of rows) await rerunOrder(ctx, merchantId, r.order_id!)
  return rows.length
}
