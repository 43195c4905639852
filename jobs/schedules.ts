/**
 * node-cron schedules only enqueue. The job id carries the time slot, so any number of processes
 * running the same schedule enqueue each slot once.
 */
import cron, { type ScheduledTask } from 'node-cron'
import type { AppContext } from '../src/context.js'
import { providerDay, PUBLICATION, PULL_SOURCES, type PullSource } from '../src/ledger/rate-pull.js'
import { enqueue, jobId } from './queues.js'

/**
 * The slot a moment falls in, in UTC: to the minute (2026-11-24T10.05), or to the second
 * (2026-11-24T10.05.10) for schedules whose cron pattern has a seconds field.
 */
export function slotOf(at: Date, perSecond = false): string {
  return perSecond
    ? at.toISOString().slice(0, 19).replace(/:/g, '.')
    : at.toISOString().slice(0, 16).replace(':', '.')
}

const hasSeconds = (pattern: string) => pattern.trim().split(/\s+/).length === 6

export async function enqueueSyncTick(
  ctx: AppContext,
  at: Date = ctx.clock.now(),
  kind: 'pull' | 'stock-resync' | 'messages' = 'pull',
): Promise<string> {
  const pattern =
    kind === 'pull'
      ? ctx.config.sync.pullIntervalCron
      : kind === 'messages'
        ? ctx.config.sync.messagesCron
        : ctx.config.sync.stockResyncCron
  const slot = slotOf(at, hasSeconds(pattern))
  const id = jobId(
    kind === 'pull' ? 'sync-tick' : kind === 'messages' ? 'messages-tick' : 'resync-tick',
    slot,
  )
  await enqueue(ctx.queues, 'sync-tick', { slot, kind }, id)
  return id
}

/** Alerts are checked every five minutes: a stalled shop or a low SKU shows within that. */
export const ALERT_SCAN_CRON = '*/5 * * * *'

export async function enqueueAlertTick(ctx: AppContext, at: Date = ctx.clock.now()): Promise<string> {
  const slot = slotOf(at)
  const id = jobId('alert-tick', slot)
  await enqueue(ctx.queues, 'alert-tick', { slot }, id)
  return id
}

/**
 * Each rate provider's daily pull, a little after it publishes (in its own zone: PUBLICATION). The
 * slot is the provider's day, so every process running the schedule enqueues one tick per day.
 */
export async function enqueueRatePullTick(
  ctx: AppContext,
  source: PullSource,
  at: Date = ctx.clock.now(),
): Promise<string> {
  const day = providerDay(source, at)
  const id = jobId('rate-pull-tick', source, day)
  await enqueue(ctx.queues, 'rate-pull-tick', { source, day }, id)
  return id
}

export interface Scheduler {
  stop(): Promise<void>
}

export function startScheduler(ctx: AppContext): Scheduler {
  const log = ctx.log.child({ subsystem: 'jobs' })
  const tasks: ScheduledTask[] = [
    cron.schedule(ctx.config.sync.pullIntervalCron, () =>
      enqueueSyncTick(ctx).catch((err: unknown) => log.error({ err }, 'could not enqueue sync tick')),
    ),
    cron.schedule(ctx.config.sync.messagesCron, () =>
      enqueueSyncTick(ctx, ctx.clock.now(), 'messages').catch((err: unknown) =>
        log.error({ err }, 'could not enqueue message tick'),
      ),
    ),
    cron.schedule(ctx.config.sync.stockResyncCron, () =>
      enqueueSyncTick(ctx, ctx.clock.now(), 'stock-resync').catch((err: unknown) =>
        log.error({ err }, 'could not enqueue stock resync'),
      ),
    ),
    cron.schedule(ALERT_SCAN_CRON, () =>
      enqueueAlertTick(ctx).catch((err: unknown) => log.error({ err }, 'could not enqueue alert tick')),
    ),
    ...PULL_SOURCES.map((source) =>
      cron.schedule(
        PUBLICATION[source].cron,
        () =>
          enqueueRatePullTick(ctx, source).catch((err: unknown) =>
            log.error({ err, source }, 'could not enqueue the rate pull'),
          ),
        { timezone: PUBLICATION[source].timezone },
      ),
    ),
  ]
  return {
    async stop() {
      for (const t of tasks) await t.stop()
    },
  }
}
