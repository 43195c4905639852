/**
 * Webhook deliveries: verified against the raw body before anything is parsed or stored, stored
 * verbatim once (by the platform's delivery id, or the body's hash when it sends none), processed
 * by a worker. A replayed delivery changes nothing.
 */
import { createHash } from 'node:crypto'
import { getConnector } from '../../connectors/index.js'
import { isConnectorError } from '../../connectors/errors.js'
import type { RawWebhook, ShopContext } from '../../connectors/types.js'
import type { AppContext } from '../context.js'
import type { Channel } from '../db/schema.js'
import { newId } from '../lib/ids.js'
import { ingestRawOrders, ingestRawRefunds } from '../orders/ingest.js'
import { shopContext } from '../sync/shop-context.js'
import { enqueue, jobId } from '../../jobs/queues.js'

export type Receipt =
  { status: 401 | 404 | 409; reason: string } | { status: 200; stored: boolean; ping: boolean }

type Ctx = Pick<AppContext, 'db' | 'queues' | 'config' | 'clock' | 'log'>

export async function receiveWebhook(
  ctx: Ctx,
  channel: Channel,
  shopId: string,
  req: RawWebhook,
): Promise<Receipt> {
  const shop = await ctx.db
    .selectFrom('shops')
    .select(['merchant_id', 'channel', 'status'])
    .where('id', '=', shopId)
    .executeTakeFirst()
  if (!shop || shop.channel !== channel || shop.status !== 'active')
    return { status: 404, reason: 'no such active shop for this channel' }
  const connector = getConnector(channel)
  if (!connector.verifyWebhook || !connector.parseWebhook)
    return { status: 404, reason: `${channel} delivers no webhooks here` }
  let sc: ShopContext
  try {
    sc = await shopContext(ctx, shop.merchant_id, shopId)
  } catch (err) {
    // Settings that cannot work: refuse (the platform delivers again once they are fixed).
    if (isConnectorError(err, 'permanent')) return { status: 409, reason: err.message }
    throw err
  }
  if (!connector.verifyWebhook(req, sc)) return { status: 401, reason: 'signature does not match' }
  let deliveryId: string | null = null
  let topic: string | null = null
  let ping = false
  let parseError: string | null = null
  try {
    const event = connector.parseWebhook(req)
    ;({ deliveryId, topic } = event)
    ping = event.ping === true
  } catch (err) {
    parseError = err instanceof Error ? err.message : String(err)
  }
  if (ping) return { status: 200, stored: false, ping: true }
  const key = deliveryId
    ? `id:${deliveryId}`.slice(0, 128)
    : `sha256:${createHash('sha256').update(req.rawBody).digest('hex')}`
  const id = newId()
  const res = await ctx.db
    .insertInto('webhook_deliveries')
    .ignore()
    .values({
      id,
      merchant_id: shop.merchant_id,
      shop_id: shopId,
      delivery_key: key,
      topic,
      headers: JSON.stringify(
        Object.fromEntries(Object.entries(req.headers).filter(([k]) => !/authorization|cookie/i.test(k))),
      ),
      body: req.rawBody,
      status: parseError ? 'failed' : 'received',
      error: parseError,
    })
    .executeTakeFirst()
  const stored = Number(res.numInsertedOrUpdatedRows ?? 0n) > 0
  if (stored && !parseError)
    await enqueue(
      ctx.queues,
      'webhook-process',
      { merchantId: shop.merchant_id, shopId, deliveryId: id },
      jobId('wh', id),
    )
  if (parseError)
    ctx.log.warn({ shopId, channel, err: parseError }, 'webhook body could not be read; kept for inspection')
  return { status: 200, stored, ping: false }
}

export async function processDelivery(
  ctx: Ctx,
  merchantId: string,
  shopId: string,
  deliveryId: string,
): Promise<{ orders: number; refunds: number }> {
  const d = await ctx.db
    .selectFrom('webhook_deliveries')
    .select(['body', 'headers', 'status'])
    .where('merchant_id', '=', merchantId)
    .where('id', '=', deliveryId)
    .executeTakeFirst()
  if (!d || d.status === 'processed') return { orders: 0, refunds: 0 }
  const sc = await shopContext(ctx, merchantId, shopId)
  const connector = getConnector(sc.channel)
  const event = connector.parseWebhook!({ headers: d.headers, rawBody: d.body, query: {} })
  const shop = { id: shopId, merchantId, channel: sc.channel }
  const fetched = []
  for (const id of event.orderIdsToFetch) fetched.push(await connector.fetchOrder(sc, id))
  const orders = await ingestRawOrders(ctx, shop, [...event.orders, ...fetched], 'webhook')
  const refunds = await ingestRawRefunds(ctx, shop, event.refunds, 'webhook')
  await ctx.db
    .updateTable('webhook_deliveries')
    .set({ status: 'processed', processed_at: ctx.clock.now() })
    .where('id', '=', deliveryId)
    .execute()
  return { orders: orders.stored, refunds: refunds.stored }
}
