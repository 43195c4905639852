import { UnrecoverableError, type Job } from 'bullmq'
import type { AppContext } from '../../src/context.js'
import type { JobPayloads } from '../queues.js'

// @TODO inventory engine (issue 6): allocate on paid, release on cancel/refund before shipment.
export const inventoryOrderEvent = (_ctx: AppContext) => async (job: Job<JobPayloads['inventory-order-event']>) => {
  throw new UnrecoverableError(`inventory engine not wired yet for ${job.data.kind}`)
}
