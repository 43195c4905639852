/**
 * Coalesced stock pushes: every stock change asks for a push of each active shop of the merchant;
 * BullMQ's debounce keeps one delayed job per shop, replaced and pushed back by each new request,
 * so a burst of changes ends in one push per shop per interval. The push reads the stock as it
 * is when it runs, so nothing is lost by dropping the intermediate requests.
 */
import type { AppContext } from '../context.js'
import { listShops } from '../shops/repo.js'

export async function schedulePush(
  ctx: Pick<AppContext, 'db' | 'queues' | 'config'>,
  merchantId: string,
): Promise<void> {
  const ttl = ctx.config.sync.stockPushDebounceMs
  for (const shop of await listShops(ctx.db, merchantId, { status: 'active' })) {
    await ctx.queues['stock-push'].add(
      'stock-push',
      { merchantId, shopId: shop.id, full: false },
      {
        delay: ttl,
        deduplication: { id: `push.${shop.id}`, ttl: Math.max(ttl, 1), extend: true, replace: true },
        removeOnComplete: { count: 1000 },
      },
    )
  }
}
