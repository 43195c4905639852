import type { Job } from 'bullmq'
import type { AppContext } from '../../src/context.js'
import { handleInventoryEvent } from '../../src/inventory/events.js'
import { schedulePush } from '../../src/inventory/schedule-push.js'
import { faultPoint } from '../../src/lib/fault.js'
import type { JobPayloads } from '../queues.js'

/**
 * The push after a stock change is asked for after the commit; a run that died in between left
 * the event handled, so a replay (`already_done`) asks again. Asking twice costs one coalesced job.
 */
export const inventoryOrderEvent =
  (ctx: AppContext) => async (job: Job<JobPayloads['inventory-order-event']>) => {
    const outcome = await handleInventoryEvent(ctx, job.data)
    faultPoint('inventory.event.handled')
    if (outcome === 'allocated' || outcome === 'released' || outcome === 'already_done')
      await schedulePush(ctx, job.data.merchantId)
    return outcome
  }
