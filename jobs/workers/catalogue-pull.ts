import { UnrecoverableError, type Job } from 'bullmq'
import { isConnectorError } from '../../connectors/errors.js'
import { pullCatalogue } from '../../src/catalogue/pull.js'
import type { AppContext } from '../../src/context.js'
import type { JobPayloads } from '../queues.js'

/** A permanent failure is recorded on the pull (catalogue_pulls) and not retried; everything else backs off. */
export const cataloguePull = (ctx: AppContext) => async (job: Job<JobPayloads['catalogue-pull']>) => {
  try {
    const r = await pullCatalogue(ctx, job.data.merchantId, job.data.shopId, job.data.reason)
    return { status: r.status, listings: r.listings, skus: r.skus, linked: r.linked }
  } catch (err) {
    if (isConnectorError(err, 'permanent')) throw new UnrecoverableError(err.message)
    throw err
  }
}
