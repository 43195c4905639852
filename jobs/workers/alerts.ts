import type { Job } from 'bullmq'
import { deliverAlert } from '../../src/alerts/deliver.js'
import { merchantIds } from '../../src/alerts/repo.js'
import { scanMerchant } from '../../src/alerts/scan.js'
import type { AppContext } from '../../src/context.js'
import { enqueueBulk, jobId, type JobPayloads } from '../queues.js'

/** One scan per merchant and slot: a replayed tick enqueues nothing twice. */
export const alertTick = (ctx: AppContext) => async (job: Job<JobPayloads['alert-tick']>) => {
  const ids = await merchantIds(ctx.db)
  await enqueueBulk(
    ctx.queues,
    'alert-scan',
    ids.map((merchantId) => ({
      data: { merchantId, slot: job.data.slot },
      id: jobId('alert-scan', merchantId, job.data.slot),
    })),
  )
  return { merchants: ids.length }
}

export const alertScan = (ctx: AppContext) => async (job: Job<JobPayloads['alert-scan']>) => {
  const r = await scanMerchant(ctx, job.data.merchantId)
  return { opened: r.opened.length, cleared: r.cleared.length, open: r.open }
}

export const alertDeliver = (ctx: AppContext) => async (job: Job<JobPayloads['alert-deliver']>) => {
  const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1)
  return deliverAlert(ctx, job.data.merchantId, job.data.alertId, final)
}
