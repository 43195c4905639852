/**
 * Queueing a shop's catalogue pull. The job id carries the shop, the reason and the minute (or the
 * scheduler's slot), so a repeated click, a replayed link or N schedulers queue one pull.
 */
import { getConnector } from '../../connectors/index.js'
import { enqueue, jobId } from '../../jobs/queues.js'
import type { AppContext } from '../context.js'
import type { Channel } from '../db/schema.js'
import { isLinked } from '../sync/pull.js'
import type { PullReason } from './pull.js'

export const minuteSlot = (at: Date): string => at.toISOString().slice(0, 16)

export async function enqueueCataloguePull(
  ctx: Pick<AppContext, 'queues' | 'clock'>,
  shop: { merchantId: string; id: string; channel: Channel },
  reason: PullReason,
  slot: string = minuteSlot(ctx.clock.now()),
): Promise<string | null> {
  if (!getConnector(shop.channel).pullCatalogue) return null
  const id = jobId('catalogue', shop.id, reason, slot)
  await enqueue(ctx.queues, 'catalogue-pull', { merchantId: shop.merchantId, shopId: shop.id, reason }, id)
  return id
}

/** After a shop is linked (keys saved, or the OAuth callback stored its token): pull its catalogue now. */
export async function pullCatalogueOnLink(
  ctx: Pick<AppContext, 'queues' | 'clock' | 'log'>,
  shop: { merchantId: string; id: string; channel: Channel },
  credentials: Readonly<Record<string, unknown>> | undefined,
): Promise<string | null> {
  if (!credentials || !isLinked(getConnector(shop.channel), credentials)) return null
  try {
    return await enqueueCataloguePull(ctx, shop, 'link')
  } catch (err) {
    // The shop is saved; the daily schedule or POST /shops/:id/catalogue/pull still pulls it.
    ctx.log.error({ err, shopId: shop.id }, 'could not queue the catalogue pull of a linked shop')
    return null
  }
}
