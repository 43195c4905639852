/**
 * Re-run the pipeline over the raw inbox (after a mapping fix): every order version of a shop
 * received since a time, oldest first. Normalizing is idempotent, so a second run changes nothing.
 */
import type { AppContext } from '../context.js'
import { getShop } from '../shops/repo.js'
import { emitOrderEvents } from './events.js'
import { normalizeInboxOrder, type Outcome } from './pipeline.js'
import { normalizeInboxRefund } from './refunds.js'

export async function reprocess(
  ctx: Pick<AppContext, 'db' | 'queues' | 'clock'>,
  merchantId: string,
  shopId: string,
  since: Date,
): Promise<Record<Outcome | 'refunds', number>> {
  const shop = await getShop(ctx.db, merchantId, shopId)
  if (!shop) throw new Error(`shop ${shopId} not found for this merchant`)
  const s = { id: shop.id, merchantId, channel: shop.channel, settings: shop.parsed.hub }
  const counts: Record<Outcome | 'refunds', number> = {
    applied: 0,
    unchanged: 0,
    stale: 0,
    failed: 0,
    invalid_transition: 0,
    refunds: 0,
  }
  let after = ''
  for (;;) {
    const batch = await ctx.db
      .selectFrom('raw_inbox')
      .select(['id', 'kind', 'payload'])
      .where('merchant_id', '=', merchantId)
      .where('shop_id', '=', shopId)
      .where('received_at', '>=', since)
      .where('id', '>', after)
      .orderBy('id')
      .limit(500)
      .execute()
    if (batch.length === 0) break
    for (const entry of batch) {
      if (entry.kind === 'order') {
        const r = await normalizeInboxOrder(ctx, s, entry)
        counts[r.outcome]++
        await emitOrderEvents(ctx, r.events)
      } else {
        const r = await normalizeInboxRefund(ctx.db, s, entry)
        counts.refunds++
        await emitOrderEvents(ctx, r.events)
      }
    }
    after = batch.at(-1)!.id
  }
  return counts
}
