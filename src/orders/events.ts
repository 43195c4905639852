/**
 * Events from the order pool (and from fulfillment) to the rest of the system. Each event has an
 * idempotency key; it is delivered to the inventory engine and to the ledger through their own
 * queues with job ids derived from the key, and each consumer also records the key in its own
 * table, so a replayed event changes nothing twice.
 */
import { sql } from 'kysely'
import type { AppContext } from '../context.js'
import type { Executor } from '../db/connect.js'
import { chunk } from '../lib/collections.js'
import { enqueueBulk, jobId } from '../../jobs/queues.js'

export const ORDER_EVENT_KINDS = [
  'paid',
  'changed',
  'cancelled',
  'refund_requested',
  'refunded',
  'shipped',
] as const
export type OrderEventKind = (typeof ORDER_EVENT_KINDS)[number]

export interface OrderEvent {
  merchantId: string
  orderId: string
  kind: OrderEventKind
  /** Deterministic, e.g. `${orderId}.paid` or `${orderId}.refunded.${refundId}.${version}`. */
  key: string
  refundId?: string
  shipmentId?: string
  /**
   * When it happened in the business (ISO 8601): the platform's modified time of the version that
   * caused it, a refund's time, the warehouse's ship time. The ledger dates its postings by it, so
   * a replay, a late worker and a reprocess book the same day. Absent on events written before it
   * existed: the ledger then takes the order's own times, never its clock.
   */
  at?: string
}

/**
 * Enqueue events for both consumers. Call after the transaction that produced them has committed.
 * One bulk add per queue (a page of new orders is one round trip, not two per order); each job
 * keeps its deterministic id, so a replayed event is not queued twice.
 */
export async function emitOrderEvents(
  ctx: Pick<AppContext, 'queues' | 'db'>,
  events: readonly OrderEvent[],
): Promise<void> {
  if (events.length === 0) return
  await Promise.all([
    enqueueBulk(
      ctx.queues,
      'inventory-order-event',
      events.map((e) => ({ data: e, id: jobId('inv', e.key) })),
    ),
    enqueueBulk(
      ctx.queues,
      'ledger-order-event',
      events.map((e) => ({ data: e, id: jobId('led', e.key) })),
    ),
  ])
  await markSent(ctx.db, events)
}

/** The outbox rows of these events are sent (src/orders/outbox.ts). */
async function markSent(db: Executor, events: readonly OrderEvent[]): Promise<void> {
  const byMerchant = new Map<string, string[]>()
  for (const e of events)
    byMerchant.set(e.merchantId, [...(byMerchant.get(e.merchantId) ?? []), e.key.slice(0, 190)])
  for (const [merchantId, keys] of byMerchant) await markOutboxSent(db, merchantId, keys)
}

/** These outbox rows of a merchant are sent (any sender of the outbox: order events, stock changes). */
export async function markOutboxSent(
  db: Executor,
  merchantId: string,
  keys: readonly string[],
): Promise<void> {
  for (const part of chunk(keys, 500)) {
    await db
      .updateTable('event_outbox')
      .set({ sent_at: sql<Date>`NOW(3)` })
      .where('merchant_id', '=', merchantId)
      .where('event_key', 'in', part)
      .where('sent_at', 'is', null)
      .execute()
  }
}
