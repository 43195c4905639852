import { UnrecoverableError, type Job } from 'bullmq'
import type { AppContext } from '../../src/context.js'
import type { JobPayloads } from '../queues.js'

// @TODO ledger (issue 8): post sale / refund / COGS entries for the event.
export const ledgerOrderEvent = (_ctx: AppContext) => async (job: Job<JobPayloads['ledger-order-event']>) => {
  throw new UnrecoverableError(`ledger not wired yet for ${job.data.kind}`)
}
