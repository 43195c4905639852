import type { Job } from 'bullmq'
import type { AppContext } from '../../src/context.js'
import { CONNECTORS } from '../../connectors/index.js'
import { sweepWritebacks } from '../../src/fulfillment/writeback.js'
import { enqueueCataloguePull } from '../../src/catalogue/enqueue.js'
import { sweepStockChanges } from '../../src/inventory/stock-outbox.js'
import { sweepOutbox } from '../../src/orders/outbox.js'
import { listActiveShops } from '../../src/shops/repo.js'
import { enqueue, jobId, type JobPayloads, type SyncStream } from '../queues.js'

const STREAMS: readonly SyncStream[] = ['orders', 'refunds']
/** Settlements change a few times a day: pulled on the first tick of each hour only. */
const isHourSlot = (slot: string) => /T\d\d\.00(\.00)?$/.test(slot)

/**
 * One tick per time slot (the scheduler's job id makes it unique); it enqueues one pull per shop and
 * stream with an id derived from the slot, so a replayed tick enqueues nothing twice.
 */
export const syncTick = (ctx: AppContext) => async (job: Job<JobPayloads['sync-tick']>) => {
  const shops = await listActiveShops(ctx.db)
  if (job.data.kind === 'stock-resync') {
    for (const shop of shops) {
      await enqueue(
        ctx.queues,
        'stock-push',
        { merchantId: shop.merchantId, shopId: shop.id, full: true },
        jobId('resync', shop.id, job.data.slot),
      )
      // The catalogue is pulled again daily with the resync: new listings map, changed codes show.
      if (shop.hasCredentials || shop.channel === 'selfstore')
        await enqueueCataloguePull(ctx, shop, 'schedule', job.data.slot)
    }
    return { shops: shops.length }
  }
  if (job.data.kind === 'messages') {
    // Only channels with a message queue (Taobao TMC); their pulls are cheap when the queue is empty.
    for (const shop of shops.filter(
      (s) => s.hasCredentials && CONNECTORS[s.channel].pullMessages !== undefined,
    )) {
      await enqueue(
        ctx.queues,
        'shop-pull',
        { merchantId: shop.merchantId, shopId: shop.id, stream: 'messages' },
        jobId('msgs', shop.id, job.data.slot),
      )
    }
    return { shops: shops.length }
  }
  // Events the pool committed but never enqueued (a crash between commit and enqueue) go out now.
  const swept = await sweepOutbox(ctx)
  if (swept > 0) ctx.log.warn({ swept }, 'order events left in the outbox were enqueued by the sweep')
  const stockChanges = await sweepStockChanges(ctx)
  if (stockChanges > 0)
    ctx.log.warn({ stockChanges }, 'stock document changes left in the outbox were sent by the sweep')
  const writebacks = await sweepWritebacks(ctx, [...new Set(shops.map((s) => s.merchantId))])
  if (writebacks > 0) ctx.log.warn({ writebacks }, 'pending writebacks were queued again by the sweep')
  for (const shop of shops) {
    if (!shop.hasCredentials && shop.channel !== 'selfstore') continue
    for (const stream of isHourSlot(job.data.slot) ? [...STREAMS, 'settlements' as const] : STREAMS) {
      await enqueue(
        ctx.queues,
        'shop-pull',
        { merchantId: shop.merchantId, shopId: shop.id, stream },
        jobId('pull', shop.id, stream, job.data.slot),
      )
    }
  }
  return { shops: shops.length }
}
