import type { Job } from 'bullmq'
import type { AppContext } from '../../src/context.js'
import { handleInventoryEvent } from '../../src/inventory/events.js'
import { schedulePush } from '../../src/inventory/schedule-push.js'
import type { JobPayloads } from '../queues.js'

export const inventoryOrderEvent =
  (ctx: AppContext) => async (job: Job<JobPayloads['inventory-order-event']>) => {
    const outcome = await handleInventoryEvent(ctx.db, job.data)
    if (outcome === 'allocated' || outcome === 'released') await schedulePush(ctx, job.data.merchantId)
    return outcome
  }
