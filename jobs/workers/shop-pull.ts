import { UnrecoverableError, type Job } from 'bullmq'
import { isConnectorError } from '../../connectors/errors.js'
import type { AppContext } from '../../src/context.js'
import { pullStream } from '../../src/sync/pull.js'
import type { JobPayloads } from '../queues.js'

/** A permanent failure is recorded (sync_errors) and not retried; everything else backs off. */
export const shopPull = (ctx: AppContext) => async (job: Job<JobPayloads['shop-pull']>) => {
  try {
    const r = await pullStream(ctx, job.data.merchantId, job.data.shopId, job.data.stream)
    return { pages: r.pages, stored: r.stored, duplicates: r.duplicates }
  } catch (err) {
    if (isConnectorError(err, 'permanent')) throw new UnrecoverableError(err.message)
    throw err
  }
}
