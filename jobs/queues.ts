/**
 * Queue names, their payload types, default options and job-id builders: one place.
 * Payloads are small and reference ids; amounts travel as decimal strings.
 */
import { Queue, type JobsOptions } from 'bullmq'
import type { Redis } from 'ioredis'
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
] as const satisfies readonly QueueName[]
// A missing or extra name above is a compile error here.
type Missing = Exclude<QueueName, (typeof QUEUE_NAMES)[number]>
const _allQueuesListed: Missing extends never ? true : Missing = true
void _allQueuesListed

export type Queues = { [Q in QueueName]: Queue<JobPayloads[Q], unknown, Q> }

export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 14 * 24 * 3600 },
}

/** Deterministic job ids: BullMQ forbids ':' and all-digit ids, so parts are joined with '.'. */
export function jobId(...parts: ReadonlyArray<string | number>): string {
  const id = parts.map((p) => String(p).replace(/[:\s]/g, '_')).join('.')
  return /^\d+$/.test(id) ? `j.${id}` : id
}

export function createQueues(connection: Redis, prefix: string): Queues {
  const entries = QUEUE_NAMES.map((name) => [
    name,
    new Queue(name, { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS }),
  ])
  return Object.fromEntries(entries) as Queues
}

export async function closeQueues(queues: Queues): Promise<void> {
  await Promise.all(Object.values(queues).map((q: Queue) => q.close()))
}

/** Typed enqueue with a mandatory deterministic id. */
export async function enqueue<Q extends QueueName>(
  queues: Queues,
  queue: Q,
  data: JobPayloads[Q],
  id: string,
  opts: JobsOptions = {},
): Promise<void> {
  const q = queues[queue] as unknown as Queue<JobPayloads[Q]>
  await q.add(queue as never, data as never, { ...opts, jobId: id })
}
