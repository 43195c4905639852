import { DelayedError, type Job } from 'bullmq'
import type { AppContext } from '../../src/context.js'
import { faultPoint } from '../../src/lib/fault.js'
import { endPushTurn, takePushTurn } from '../../src/inventory/push-gate.js'
import { pushShopStock } from '../../src/inventory/push.js'
import type { JobPayloads } from '../queues.js'

export class PushIncomplete extends Error {
  override name = 'PushIncomplete'
}

/**
 * How long an automatic push turn goes on sending what changes once what was due at its start is
 * out (src/inventory/push.ts): a busy shop under a call budget is sent to continuously, its items in
 * turn, rather than in whole-catalogue rounds; well under the turn's lock (PUSH_LOCK_MS).
 */
export const PUSH_TURN_MS = 30_000

/**
 * One push of a shop at a time, spaced by the interval: a job that may not start yet waits delayed
 * (not counted as an attempt). SKUs that failed for a transient reason make the job fail, so the
 * queue retries it with backoff; the retry sends only what is not yet on the platform.
 */
export const stockPush = (ctx: AppContext) => async (job: Job<JobPayloads['stock-push']>, token?: string) => {
  const { merchantId, shopId, full } = job.data
  const owner = job.id ?? `${shopId}.anonymous`
  const wait = await takePushTurn(ctx, shopId, owner)
  if (wait > 0) {
    // Queue delays run on wall time (BullMQ's own clock), not on the domain clock.
    await job.moveToDelayed(Date.now() + wait, token)
    throw new DelayedError()
  }
  try {
    faultPoint('stock-push.turn-taken')
    const report = await pushShopStock(ctx, merchantId, shopId, full, {
      continueMs: PUSH_TURN_MS,
      turn: owner,
    })
    if (report.retryable > 0)
      throw new PushIncomplete(
        `${report.retryable} of ${report.sent + report.failed} SKU levels not pushed for a transient reason`,
      )
    return report
  } finally {
    await endPushTurn(ctx, shopId, owner)
  }
}
