/**
 * Events from the order pool (and from fulfillment) to the rest of the system. Each event has an
 * idempotency key; it is delivered to the inventory engine and to the ledger through their own
 * queues with job ids derived from the key, and each consumer also records the key in its own
 * table, so a replayed event changes nothing twice.
 */
import type { AppContext } from '../context.js'
import { jobId } from '../../jobs/queues.js'

export const ORDER_EVENT_KINDS = ['paid', 'changed', 'cancelled', 'refund_requested', 'refunded', 'shipped'] as const
export type OrderEventKind = (typeof ORDER_EVENT_KINDS)[number]

export interface OrderEvent {
  merchantId: string
  orderId: string
  kind: OrderEventKind
  /** Deterministic, e.g. `${orderId}.paid` or `${orderId}.refunded.${refundId}.${version}`. */
  key: string
  refundId?: string
  shipmentId?: string
}

/**
 * Enqueue events for both consumers. Call after the transaction that produced them has committed.
 * One bulk add per queue (a page of new orders is one round trip, not two per order); each job
 * keeps its deterministic id, so a replayed event is not queued twice.
 */
export async function emitOrderEvents(ctx: Pick<AppContext, 'queues'>, events: readonly OrderEvent[]): Promise<void> {
  if (events.length === 0) return
  await Promise.all([
    ctx.queues['inventory-order-event'].addBulk(events.map((e) => ({ name: 'inventory-order-event', data: e, opts: { jobId: jobId('inv', e.key) } }))),
    ctx.queues['ledger-order-event'].addBulk(events.map((e) => ({ name: 'ledger-order-event', data: e, opts: { jobId: jobId('led', e.key) } }))),
  ])
}
