import type { Job } from 'bullmq'
import type { AppContext } from '../../src/context.js'
import { handleLedgerEvent } from '../../src/ledger/events.js'
import type { JobPayloads } from '../queues.js'

export const ledgerOrderEvent = (ctx: AppContext) => async (job: Job<JobPayloads['ledger-order-event']>) =>
  handleLedgerEvent(ctx.db, job.data)
