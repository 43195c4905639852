/** Re-run the pipeline for orders (after a mapping fix or a resolved exception). */
import type { AppContext } from '../context.js'
import { getShop } from '../shops/repo.js'
import { emitOrderEvents } from './events.js'
import { normalizeInboxOrder, type Outcome } from './pipeline.js'
import { normalizeInboxRefund } from './refunds.js'

/** Re-run the version the order was last written from (a newer one was refused or is pending), else its newest. */
export async function rerunOrder(
  ctx: Pick<AppContext, 'db' | 'queues' | 'clock'>,
  merchantId: string,
  orderId: string,
): Promise<Outcome | 'not_found'> {
  const order = await ctx.db
    .selectFrom('orders')
    .select(['shop_id', 'external_id', 'raw_inbox_id'])
    .where('merchant_id', '=', merchantId)
    .where('id', '=', orderId)
    .executeTakeFirst()
  if (!order) return 'not_found'
  const shop = await getShop(ctx.db, merchantId, order.shop_id)
  let q = ctx.db
    .selectFrom('raw_inbox')
    .select(['id', 'payload'])
    .where('merchant_id', '=', merchantId)
    .where('shop_id', '=', order.shop_id)
    .where('kind', '=', 'order')
  q = order.raw_inbox_id
    ? q.where('id', '=', order.raw_inbox_id)
    : q
        .where('external_id', '=', order.external_id)
        .orderBy('platform_updated_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
  const entry = await q.executeTakeFirst()
  if (!shop || !entry) return 'not_found'
  const r = await normalizeInboxOrder(
    ctx,
    { id: shop.id, merchantId, channel: shop.channel, settings: shop.parsed.hub },
    entry,
  )
  await emitOrderEvents(ctx, r.events)
  return r.outcome
}

/** Orders of a shop (or all shops) that wait on an open exception of one of these reasons. */
export async function rerunWaiting(
  ctx: Pick<AppContext, 'db' | 'queues' | 'clock'>,
  merchantId: string,
  reasons: readonly string[],
  shopId?: string,
): Promise<number> {
  let q = ctx.db
    .selectFrom('order_exceptions')
    .select('order_id')
    .distinct()
    .where('merchant_id', '=', merchantId)
    .where('status', '=', 'open')
    .where('reason', 'in', reasons as never[])
    .where('order_id', 'is not', null)
  if (shopId) q = q.where('shop_id', '=', shopId)
  const rows = await q.execute()
  for (const r of rows) await rerunOrder(ctx, merchantId, r.order_id!)
  return rows.length
}

/** Re-run one raw inbox entry (an order or a refund version), e.g. after resolving its mapping failure. */
export async function rerunEntry(
  ctx: Pick<AppContext, 'db' | 'queues' | 'clock'>,
  merchantId: string,
  rawInboxId: string,
): Promise<string> {
  const entry = await ctx.db
    .selectFrom('raw_inbox')
    .select(['id', 'shop_id', 'kind', 'payload'])
    .where('merchant_id', '=', merchantId)
    .where('id', '=', rawInboxId)
    .executeTakeFirst()
  const shop = entry ? await getShop(ctx.db, merchantId, entry.shop_id) : undefined
  if (!entry || !shop) return 'not_found'
  const s = { id: shop.id, merchantId, channel: shop.channel, settings: shop.parsed.hub }
  if (entry.kind === 'refund') {
    await emitOrderEvents(ctx, (await normalizeInboxRefund(ctx.db, s, entry)).events)
    return 'applied'
  }
  const r = await normalizeInboxOrder(ctx, s, entry)
  await emitOrderEvents(ctx, r.events)
  return r.outcome
}
