import type { Job } from 'bullmq'
import type { AppContext } from '../../src/context.js'
import { processDelivery } from '../../src/webhooks/service.js'
import type { JobPayloads } from '../queues.js'

export const webhookProcess = (ctx: AppContext) => async (job: Job<JobPayloads['webhook-process']>) =>
  processDelivery(ctx, job.data.merchantId, job.data.shopId, job.data.deliveryId)
