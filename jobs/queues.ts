/**
 * Queue names, their payload types, default options and job-id builders: one place.
 * Payloads are small and reference ids; amounts travel as decimal strings.
 */
import { Queue, type JobsOptions } from 'bullmq'
import type { Redis } from 'ioredis'
import type { PullSource } from '../src/ledger/rate-pull.js'
import type { OrderEvent } from '../src/orders/events.js'

export interface JobPayloads {
  /** Fan-out tick from the scheduler: enqueue the pulls that are due for every active shop. */
  'sync-tick': { slot: string; kind?: 'pull' | 'stock-resync' | 'messages' }
  /** Pull one stream of one shop from its cursor to now. */
  'shop-pull': { merchantId: string; shopId: string; stream: SyncStream }
  /** Order events consumed by the inventory engine (allocate, release). */
  'inventory-order-event': OrderEvent
  /** Order events consumed by the ledger (sale, refund, COGS postings). */
  'ledger-order-event': OrderEvent
  /** Push a shop's stock levels; debounced per shop, `full` on the scheduled resync. */
  'stock-push': { merchantId: string; shopId: string; full: boolean }
  /** Process one stored webhook delivery. */
  'webhook-process': { merchantId: string; shopId: string; deliveryId: string }
  /** Tell the platform about one parcel of a shipment (发货回传). */
  'shipment-writeback': { merchantId: string; writebackId: string }
  /** Pull a shop's catalogue (listings and SKUs) and auto-map it by seller code. */
  'catalogue-pull': { merchantId: string; shopId: string; reason: 'link' | 'manual' | 'schedule' }
  /** Fan-out tick from the scheduler: enqueue an alert scan for every merchant. */
  'alert-tick': { slot: string }
  /** Check one merchant's alert rules: open new alerts, clear the ones whose condition went away. */
  'alert-scan': { merchantId: string; slot: string }
  /** Send one alert to the merchant's webhook (WeCom / DingTalk robot or JSON). */
  'alert-deliver': { merchantId: string; alertId: string }
  /** Daily tick from the scheduler, once the provider has published: one pull per merchant that pulls it. */
  'rate-pull-tick': { source: PullSource; day: string }
  /** Pull one provider's rates for one merchant and post the entries that waited for them. */
  'rate-pull': { merchantId: string; source: PullSource; day: string }
}

export type SyncStream = 'orders' | 'refunds' | 'settlements' | 'messages'

export type QueueName = keyof JobPayloads
export const QUEUE_NAMES = [
  'sync-tick',
  'shop-pull',
  'inventory-order-event',
  'ledger-order-event',
  'stock-push',
  'webhook-process',
  'shipment-writeback',
  'catalogue-pull',
  'alert-tick',
  'alert-scan',
  'alert-deliver',
  'rate-pull-tick',
  'rate-pull',
] as const satisfies readonly QueueName[]
// A missing or extra name above is a compile error here.
type Missing = Exclude<QueueName, (typeof QUEUE_NAMES)[number]>
const _allQueuesListed: Missing extends never ? true : Missing = true
void _allQueuesListed

/**
 * What the rest of the code may do with a queue: read it, never add to it — adding goes through
 * enqueue/enqueueBulk below, so every job gets its queue's policy and a deterministic id.
 */
export type Queues = {
  [Q in QueueName]: Omit<Queue<JobPayloads[Q], unknown, Q>, 'add' | 'addBulk' | 'upsertJobScheduler'>
}

const KEEP = { removeOnComplete: { age: 24 * 3600, count: 10_000 }, removeOnFail: { age: 14 * 24 * 3600 } }

/**
 * Each queue's retry policy, in one place. Handlers are idempotent, so a retry is always safe; the
 * attempts and backoff say how long a failure is worth retrying before a person has to look.
 */
export const QUEUE_OPTIONS = {
  // A tick missed is taken by the next one (every 2 minutes).
  'sync-tick': { attempts: 2, backoff: { type: 'exponential', delay: 1000 }, ...KEEP },
  'shop-pull': { attempts: 3, backoff: { type: 'exponential', delay: 1000 }, ...KEEP },
  'inventory-order-event': { attempts: 8, backoff: { type: 'exponential', delay: 1000 }, ...KEEP },
  'ledger-order-event': { attempts: 8, backoff: { type: 'exponential', delay: 1000 }, ...KEEP },
  // A push that failed for a transient reason is retried for about four minutes; the nightly
  // resync and the next stock change send it again after that.
  'stock-push': {
    attempts: 6,
    backoff: { type: 'exponential', delay: 2000 },
    removeOnComplete: { age: 3600, count: 1000 },
    removeOnFail: KEEP.removeOnFail,
  },
  'webhook-process': { attempts: 8, backoff: { type: 'exponential', delay: 1000 }, ...KEEP },
  // Platforms are often briefly unavailable; after the last attempt the writeback waits in the
  // failed list for a person (POST /writebacks/:id/retry).
  'shipment-writeback': { attempts: 6, backoff: { type: 'exponential', delay: 5000 }, ...KEEP },
  // A catalogue page that failed is pulled again; the daily schedule and the button retry after that.
  'catalogue-pull': { attempts: 3, backoff: { type: 'exponential', delay: 5000 }, ...KEEP },
  // A missed scan is taken by the next one (every 5 minutes).
  'alert-tick': { attempts: 2, backoff: { type: 'exponential', delay: 1000 }, ...KEEP },
  'alert-scan': { attempts: 2, backoff: { type: 'exponential', delay: 2000 }, ...KEEP },
  // A robot briefly unavailable is retried for about ten minutes; then the alert shows 发送失败.
  'alert-deliver': { attempts: 6, backoff: { type: 'exponential', delay: 10_000 }, ...KEEP },
  // Once a day: a tick that failed (the database briefly away) is worth a few tries.
  'rate-pull-tick': { attempts: 4, backoff: { type: 'exponential', delay: 10_000 }, ...KEEP },
  // A provider late or briefly unreachable is tried again for about an hour (1, 2, 4, 8, 16, 32
  // minutes); then the pull is recorded failed and the merchant alerted (rate_pull_failed).
  'rate-pull': { attempts: 7, backoff: { type: 'exponential', delay: 60_000 }, ...KEEP },
} as const satisfies { [Q in QueueName]: JobsOptions }

/**
 * Options that depend on the job itself, still decided here. Message pulls are not retried: the
 * next one comes in seconds. An incremental stock push is coalesced per shop: at most one waits
 * while one runs (the push worker spaces them, src/inventory/push-gate.ts).
 */
const PER_JOB: { [Q in QueueName]?: (data: JobPayloads[Q]) => JobsOptions } = {
  'shop-pull': (d) => (d.stream === 'messages' ? { attempts: 1 } : {}),
  'stock-push': (d) =>
    d.full ? {} : { deduplication: { id: jobId('push', d.shopId), keepLastIfActive: true } },
}

/**
 * Jobs a worker takes at once, as a multiple of WORKER_CONCURRENCY, for queues whose handler joins
 * the jobs in hand into one batch (webhook deliveries per shop, src/webhooks/batch.ts; allocations,
 * src/inventory/allocate-batch.ts; postings, src/ledger/events.ts — up to 32 a batch): a job
 * waiting for its batch holds no database connection, and a bigger batch costs fewer statements
 * per job.
 */
export const JOINED_CONCURRENCY: { [Q in QueueName]?: number } = {
  'webhook-process': 8,
  'inventory-order-event': 4,
  'ledger-order-event': 4,
}

/** Deterministic job ids: BullMQ forbids ':' and all-digit ids, so parts are joined with '.'. */
export function jobId(...parts: ReadonlyArray<string | number>): string {
  const id = parts.map((p) => String(p).replace(/[:\s]/g, '_')).join('.')
  return /^\d+$/.test(id) ? `j.${id}` : id
}

export function createQueues(connection: Redis, prefix: string): Queues {
  const entries = QUEUE_NAMES.map((name) => [
    name,
    new Queue(name, { connection, prefix, defaultJobOptions: QUEUE_OPTIONS[name] }),
  ])
  return Object.fromEntries(entries) as Queues
}

export async function closeQueues(queues: Queues): Promise<void> {
  await Promise.all(Object.values(queues).map((q: Pick<Queue, 'close'>) => q.close()))
}

export interface JobRequest<Q extends QueueName> {
  data: JobPayloads[Q]
  /** Deterministic (see jobId): a replayed request adds nothing while the job is kept. */
  id: string
}

function toAdd<Q extends QueueName>(queue: Q, r: JobRequest<Q>) {
  const perJob = PER_JOB[queue] as ((data: JobPayloads[Q]) => JobsOptions) | undefined
  return { name: queue, data: r.data, opts: { ...perJob?.(r.data), jobId: r.id } }
}

const raw = <Q extends QueueName>(queues: Queues, queue: Q) =>
  queues[queue] as unknown as Queue<JobPayloads[Q], unknown, Q>

/** The one way to add a job: typed payload, mandatory deterministic id, the queue's own policy. */
export async function enqueue<Q extends QueueName>(
  queues: Queues,
  queue: Q,
  data: JobPayloads[Q],
  id: string,
): Promise<void> {
  const job = toAdd(queue, { data, id })
  await raw(queues, queue).add(job.name as never, job.data as never, job.opts)
}

/** Many jobs of one queue in one round trip. */
export async function enqueueBulk<Q extends QueueName>(
  queues: Queues,
  queue: Q,
  jobs: readonly JobRequest<Q>[],
): Promise<void> {
  if (jobs.length === 0) return
  await raw(queues, queue).addBulk(jobs.map((j) => toAdd(queue, j)) as never)
}
