import type { Job } from 'bullmq'
import type { AppContext } from '../../src/context.js'
import { pushShopStock } from '../../src/inventory/push.js'
import type { JobPayloads } from '../queues.js'

export const stockPush = (ctx: AppContext) => async (job: Job<JobPayloads['stock-push']>) =>
  pushShopStock(ctx, job.data.merchantId, job.data.shopId, job.data.full)
