/**
 * Ask for a stock push of every active shop of the merchant after a stock change. The requests
 * coalesce per shop in the queue (jobs/queues.ts: one waiting while one runs, so a change during a
 * running push gets one more push after it), and the push worker spaces the pushes of a shop
 * (push-gate.ts). A push reads the stock as it is when it starts, so the requests it absorbs are
 * covered by it.
 */
import { enqueueBulk, jobId } from '../../jobs/queues.js'
import type { AppContext } from '../context.js'
import { newId } from '../lib/ids.js'
import { listShops } from '../shops/repo.js'

/** Requests of this process not sent yet, per merchant: a caller joins one instead of sending its own. */
const unsent = new WeakMap<object, Map<string, Promise<void>>>()

/**
 * Every call is made after the caller's change committed. Calls made in the same turn of the event
 * loop (the inventory worker settles a batch of orders at once) join one request, which reads the
 * shops and enqueues after all of them: it covers every one of their changes. A call made once the
 * request has started sends a new one.
 */
export function schedulePush(ctx: Pick<AppContext, 'db' | 'queues'>, merchantId: string): Promise<void> {
  let byMerchant = unsent.get(ctx.queues)
  if (!byMerchant) {
    byMerchant = new Map()
    unsent.set(ctx.queues, byMerchant)
  }
  const joined = byMerchant.get(merchantId)
  if (joined) return joined
  const mine = byMerchant
  const request = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
    mine.delete(merchantId)
    return requestPushes(ctx, merchantId)
  })
  mine.set(merchantId, request)
  return request
}

async function requestPushes(ctx: Pick<AppContext, 'db' | 'queues'>, merchantId: string): Promise<void> {
  const shops = await listShops(ctx.db, merchantId, { status: 'active' })
  // Ids are unique per request: the per-shop deduplication key does the coalescing, and a unique id
  // never collides with a kept, completed push.
  await enqueueBulk(
    ctx.queues,
    'stock-push',
    shops.map((shop) => ({
      data: { merchantId, shopId: shop.id, full: false },
      id: jobId('push', shop.id, newId()),
    })),
  )
}

/** A push of one shop's stock (after its SKU mappings changed), coalesced like the others. */
export async function scheduleShopPush(
  ctx: Pick<AppContext, 'queues'>,
  merchantId: string,
  shopId: string,
): Promise<void> {
  await enqueueBulk(ctx.queues, 'stock-push', [
    { data: { merchantId, shopId, full: false }, id: jobId('push', shopId, newId()) },
  ])
}
