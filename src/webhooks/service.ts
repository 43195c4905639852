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
import pLimit from 'p-limit'
import { faultPoint } from '../lib/fault.js'
import { newId } from '../lib/ids.js'
import type { IngestOptions } from '../orders/inbox.js'
import { ingestRawOrders, ingestRawRefunds } from '../orders/ingest.js'
import { getShopWithCredentials } from '../shops/repo.js'
import { contextOf } from '../sync/shop-context.js'
import { enqueueBulk, jobId } from '../../jobs/queues.js'

export type Receipt =
  { status: 401 | 404 | 409; reason: string } | { status: 200; stored: boolean; ping: boolean }

type Ctx = Pick<AppContext, 'db' | 'queues' | 'config' | 'clock' | 'log'>

/**
 * Receive one delivery. Deliveries of one shop that arrive in the same turn of the event loop (a
 * burst: a platform delivers many at once) are received together — one read of the shop, one
 * multi-row INSERT, one enqueue — and each request still gets its own answer once its row is
 * stored.
 */
export function receiveWebhook(
  ctx: Ctx,
  channel: Channel,
  shopId: string,
  req: RawWebhook,
): Promise<Receipt> {
  let byShop = arriving.get(ctx.db)
  if (!byShop) {
    byShop = new Map()
    arriving.set(ctx.db, byShop)
  }
  const key = `${channel}/${shopId}`
  let batch = byShop.get(key)
  if (!batch || batch.reqs.length >= DELIVERIES_PER_BATCH) {
    const reqs: RawWebhook[] = []
    const shops = byShop
    const answers = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      if (shops.get(key)?.reqs === reqs) shops.delete(key)
      return receiveDeliveries(ctx, channel, shopId, reqs)
    })
    batch = { reqs, answers }
    byShop.set(key, batch)
  }
  const index = batch.reqs.push(req) - 1
  return batch.answers.then((answers) => answers[index]!)
}

interface Arriving {
  reqs: RawWebhook[]
  answers: Promise<Receipt[]>
}

/** Deliveries of this process not yet received, per shop: a request joins the batch of its turn. */
const arriving = new WeakMap<object, Map<string, Arriving>>()

/**
 * Receive deliveries of one shop: each verified against its raw body before anything is parsed or
 * stored, stored verbatim once (by the platform's delivery id, or the body's hash when it sends
 * none), and queued for processing. A body that cannot be read is kept (status `failed`, with the
 * reason) and answered 200: the platform sending it again would not make it readable.
 */
export async function receiveDeliveries(
  ctx: Ctx,
  channel: Channel,
  shopId: string,
  reqs: readonly RawWebhook[],
): Promise<Receipt[]> {
  // One read: the shop, its settings and its credentials (the URL names only the shop).
  const found = await getShopWithCredentials(ctx.db, ctx.config.secretKey, { merchantId: null, shopId })
  const all = (r: Receipt) => reqs.map(() => r)
  if (!found || found.shop.channel !== channel || found.shop.status !== 'active')
    return all({ status: 404, reason: 'no such active shop for this channel' })
  const merchantId = found.shop.merchantId
  const connector = getConnector(channel)
  if (!connector.verifyWebhook || !connector.parseWebhook)
    return all({ status: 404, reason: `${channel} delivers no webhooks here` })
  let sc: ShopContext
  try {
    sc = contextOf(ctx, found.shop, found.credentials)
  } catch (err) {
    // Settings that cannot work: refuse (the platform delivers again once they are fixed).
    if (isConnectorError(err, 'permanent')) return all({ status: 409, reason: err.message })
    throw err
  }
  const answers: Receipt[] = []
  const rows: (WebhookDeliveryRow & { at: number })[] = []
  reqs.forEach((req, at) => {
    if (!connector.verifyWebhook!(req, sc)) {
      answers[at] = { status: 401, reason: 'signature does not match' }
      return
    }
    let deliveryId: string | null = null
    let topic: string | null = null
    let parseError: string | null = null
    try {
      const event = connector.parseWebhook!(req)
      if (event.ping === true) {
        answers[at] = { status: 200, stored: false, ping: true }
        return
      }
      ;({ deliveryId, topic } = event)
    } catch (err) {
      parseError = err instanceof Error ? err.message : String(err)
    }
    rows.push({
      at,
      id: newId(),
      merchant_id: merchantId,
      shop_id: shopId,
      delivery_key: deliveryId
        ? `id:${deliveryId}`.slice(0, 128)
        : `sha256:${createHash('sha256').update(req.rawBody).digest('hex')}`,
      topic,
      headers: JSON.stringify(
        Object.fromEntries(Object.entries(req.headers).filter(([k]) => !/authorization|cookie/i.test(k))),
      ),
      body: req.rawBody,
      status: parseError ? 'failed' : 'received',
      error: parseError,
    })
  })
  const stored = await storeDeliveries(
    ctx,
    rows.map(({ at: _at, ...row }) => row),
  )
  await enqueueBulk(
    ctx.queues,
    'webhook-process',
    rows
      .filter((r) => stored.has(r.id) && r.status === 'received')
      .map((r) => ({ data: { merchantId, shopId, deliveryId: r.id }, id: jobId('wh', r.id) })),
  )
  for (const r of rows) {
    answers[r.at] = { status: 200, stored: stored.has(r.id), ping: false }
    if (r.error)
      ctx.log.warn({ shopId, channel, err: r.error }, 'webhook body could not be read; kept for inspection')
  }
  return answers
}

type WebhookDeliveryRow = {
  id: string
  merchant_id: string
  shop_id: string
  delivery_key: string
  topic: string | null
  headers: string
  body: Buffer
  status: 'received' | 'failed'
  error: string | null
}

/**
 * INSERT IGNORE the rows (one statement, one commit); the ids of those that went in — a delivery
 * seen before, or twice in the batch, keeps the first row.
 */
async function storeDeliveries(ctx: Ctx, rows: WebhookDeliveryRow[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set()
  const res = await ctx.db.insertInto('webhook_deliveries').ignore().values(rows).executeTakeFirst()
  if (Number(res.numInsertedOrUpdatedRows ?? 0n) === rows.length) return new Set(rows.map((r) => r.id))
  const kept = await ctx.db
    .selectFrom('webhook_deliveries')
    .select('id')
    .where('merchant_id', '=', rows[0]!.merchant_id)
    .where('shop_id', '=', rows[0]!.shop_id)
    .where(
      'delivery_key',
      'in',
      rows.map((r) => r.delivery_key),
    )
    .execute()
  const ours = new Set(rows.map((r) => r.id))
  return new Set(kept.map((k) => k.id).filter((id) => ours.has(id)))
}

/** Deliveries of one shop processed together at most: one ingest of all their orders. */
export const DELIVERIES_PER_BATCH = 200

/**
 * Process stored deliveries of one shop together: one read of the deliveries and of the shop, the
 * orders they carry (or name, fetched from the platform) ingested in one call — the pool writes a
 * page of new orders in a few statements, where one delivery at a time took a dozen per order —
 * then every delivery marked processed. Each delivery has its own outcome: one whose order
 * cannot be fetched (the platform briefly away) fails alone and is retried by its job; the others
 * are done. Idempotent: a delivery already processed is skipped, and ingesting an order again
 * stores nothing new, so a batch that dies before its marker runs again harmlessly; `resume` (a
 * job's retry) also normalizes what the dead run stored and did not get to.
 */
export async function processDeliveries(
  ctx: Ctx,
  merchantId: string,
  shopId: string,
  deliveryIds: readonly string[],
  opts: IngestOptions = {},
): Promise<Map<string, Error | null>> {
  const outcome = new Map<string, Error | null>(deliveryIds.map((id) => [id, null]))
  const rows = await ctx.db
    .selectFrom('webhook_deliveries')
    .select(['id', 'body', 'headers', 'status'])
    .where('merchant_id', '=', merchantId)
    .where('shop_id', '=', shopId)
    .where('id', 'in', deliveryIds)
    .orderBy('id') // arrival order: versions of one order are applied oldest first
    .execute()
  const todo = rows.filter((d) => d.status !== 'processed')
  if (todo.length === 0) return outcome
  const found = await getShopWithCredentials(ctx.db, ctx.config.secretKey, { merchantId, shopId })
  if (!found) throw new Error(`shop ${shopId} not found`)
  const sc = contextOf(ctx, found.shop, found.credentials)
  const connector = getConnector(sc.channel)
  const fetchLimit = pLimit(FETCHES_AT_ONCE)
  const read = await Promise.all(
    todo.map(async (d) => {
      try {
        const event = connector.parseWebhook!({ headers: d.headers, rawBody: d.body, query: {} })
        const fetched = await Promise.all(
          event.orderIdsToFetch.map((id) => fetchLimit(() => connector.fetchOrder(sc, id))),
        )
        return { id: d.id, orders: [...event.orders, ...fetched], refunds: event.refunds }
      } catch (err) {
        outcome.set(d.id, err instanceof Error ? err : new Error(String(err)))
        return null
      }
    }),
  )
  const ready = read.filter((r) => r !== null)
  if (ready.length === 0) return outcome
  const shop = { id: shopId, merchantId, channel: sc.channel, hubSettings: found.shop.parsed.hub }
  await ingestRawOrders(
    ctx,
    shop,
    ready.flatMap((r) => r.orders),
    'webhook',
    opts,
  )
  await ingestRawRefunds(
    ctx,
    shop,
    ready.flatMap((r) => r.refunds),
    'webhook',
    opts,
  )
  faultPoint('webhook.deliveries.ingested')
  await ctx.db
    .updateTable('webhook_deliveries')
    .set({ status: 'processed', processed_at: ctx.clock.now() })
    .where('merchant_id', '=', merchantId)
    .where(
      'id',
      'in',
      ready.map((r) => r.id),
    )
    .execute()
  return outcome
}

/** Orders a batch fetches from the platform at once (webhooks that name an order instead of carrying it). */
const FETCHES_AT_ONCE = 4

/** One stored delivery, processed on its own (the CLI, tests). */
export async function processDelivery(
  ctx: Ctx,
  merchantId: string,
  shopId: string,
  deliveryId: string,
  opts: IngestOptions = {},
): Promise<void> {
  const failed = (await processDeliveries(ctx, merchantId, shopId, [deliveryId], opts)).get(deliveryId)
  if (failed) throw failed
}
