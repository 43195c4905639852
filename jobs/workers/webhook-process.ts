import type { Job } from 'bullmq'
import type { AppContext } from '../../src/context.js'
import { processDeliveryJoined } from '../../src/webhooks/batch.js'
import type { JobPayloads } from '../queues.js'

/**
 * Each job processes its delivery; jobs of one shop in hand at once are processed as one batch. A
 * retry resumes what its dead attempt stored and did not normalize.
 */
export const webhookProcess = (ctx: AppContext) => async (job: Job<JobPayloads['webhook-process']>) =>
  processDeliveryJoined(ctx, job.data.merchantId, job.data.shopId, job.data.deliveryId, {
    resume: job.attemptsMade > 0,
  })
