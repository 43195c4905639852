import type { Job } from 'bullmq'
import type { AppContext } from '../../src/context.js'
import { merchantsPulling, pullRates, RatePullError } from '../../src/ledger/rate-pull.js'
import { enqueue, enqueueBulk, jobId, type JobPayloads } from '../queues.js'

/** One pull per merchant, provider and day: a replayed tick enqueues nothing twice. */
export const ratePullTick = (ctx: AppContext) => async (job: Job<JobPayloads['rate-pull-tick']>) => {
  const { source, day } = job.data
  const ids = await merchantsPulling(ctx.db, source)
  await enqueueBulk(
    ctx.queues,
    'rate-pull',
    ids.map((merchantId) => ({
      data: { merchantId, source, day },
      id: jobId('rate-pull', merchantId, source, day),
    })),
  )
  return { merchants: ids.length }
}

/**
 * Every attempt that fails is recorded (retrying, then failed on the last); the last one also asks
 * for an alert scan of the merchant at once, so the failure shows without waiting for the next scan.
 */
export const ratePull = (ctx: AppContext) => async (job: Job<JobPayloads['rate-pull']>) => {
  const { merchantId, source, day } = job.data
  const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1)
  try {
    const r = await pullRates(ctx.db, merchantId, source, day, {
      now: ctx.clock.now(),
      actor: { actorType: 'system', actorId: 'rate-pull' },
      recordFailure: { final },
    })
    return { rateDate: r.rateDate, rates: r.rates, released: r.released, stillHeld: r.stillHeld }
  } catch (err) {
    if (final && err instanceof RatePullError)
      await enqueue(
        ctx.queues,
        'alert-scan',
        { merchantId, slot: `rates.${source}.${day}` },
        jobId('alert-scan', merchantId, 'rates', source, day),
      )
    throw err
  }
}
