import { UnrecoverableError, type Job } from 'bullmq'
import type { AppContext } from '../../src/context.js'
import { runWriteback } from '../../src/fulfillment/writeback.js'
import type { JobPayloads } from '../queues.js'

export const shipmentWriteback = (ctx: AppContext) => async (job: Job<JobPayloads['shipment-writeback']>) => {
  const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1)
  const outcome = await runWriteback(ctx, job.data.merchantId, job.data.writebackId, final)
  if (outcome === 'failed_permanently')
    throw new UnrecoverableError('writeback failed; retry it by hand from the failed list')
  return outcome
}
