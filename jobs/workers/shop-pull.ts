import { UnrecoverableError, type Job } from 'bullmq'
import type { AppContext } from '../../src/context.js'
import type { JobPayloads } from '../queues.js'

// @TODO connector framework (issue 3): pull the stream through the shop's connector.
export const shopPull = (_ctx: AppContext) => async (job: Job<JobPayloads['shop-pull']>) => {
  throw new UnrecoverableError(`no connector pull for ${job.data.stream} yet`)
}
