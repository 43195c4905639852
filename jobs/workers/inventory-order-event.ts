import type { Job } from 'bullmq'
import type { AppContext } from '../../src/context.js'
import { handleInventoryEvent } from '../../src/inventory/events.js'
import type { JobPayloads } from '../queues.js'

export const inventoryOrderEvent = (ctx: AppContext) => async (job: Job<JobPayloads['inventory-order-event']>) =>
  handleInventoryEvent(ctx.db, job.data)
