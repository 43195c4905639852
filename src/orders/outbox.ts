/**
 * The transactional outbox of order events. Events are written in the transaction that changed
 * the pool (withEvents), enqueued after it commits (emitOrderEvents marks them sent), and any left
 * unsent — the process died between commit and enqueue, or Redis was down — are enqueued by the
 * scheduler's sweep. Queue job ids come from the event keys, so sending twice changes nothing.
 */
import { sql } from 'kysely'
import type { Db, Executor, Tx } from '../db/connect.js'
import { withTx, type TxOptions } from '../db/tx.js'
import type { AppContext } from '../context.js'
import { chunk } from '../lib/collections.js'
import { emitOrderEvents, type OrderEvent } from './events.js'

export async function recordEvents(db: Executor, events: readonly OrderEvent[]): Promise<void> {
  for (const part of chunk(events, 500)) {
    await db
      .insertInto('event_outbox')
      .ignore()
      .values(
        part.map((e) => ({
          merchant_id: e.merchantId,
          event_key: e.key.slice(0, 190),
          payload: JSON.stringify(e),
        })),
      )
      .execute()
  }
}

/** withTx whose result carries events: they are written to the outbox before the commit. */
export function withEvents<T extends { events: readonly OrderEvent[] }>(
  db: Db,
  fn: (tx: Tx) => Promise<T>,
  opts?: TxOptions,
): Promise<T> {
  return withTx(
    db,
    async (tx) => {
      const r = await fn(tx)
      await recordEvents(tx, r.events)
      return r
    },
    opts,
  )
}

/**
 * Events of these orders that were committed but are not sent yet: a request repeated after it
 * died between its commit and the enqueue sends them at once, rather than after the sweep's grace.
 */
export async function unsentEvents(
  db: Executor,
  merchantId: string,
  orderIds: readonly string[],
): Promise<OrderEvent[]> {
  if (orderIds.length === 0) return []
  const rows = await db
    .selectFrom('event_outbox')
    .select('payload')
    .where('merchant_id', '=', merchantId)
    .where('sent_at', 'is', null)
    .where((eb) => eb.or(orderIds.map((id) => eb('event_key', 'like', `${id}.%`))))
    .execute()
  return rows
    .map((r) => (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as OrderEvent)
    .filter((e) => orderIds.includes(e.orderId))
}

/**
 * Enqueue what the outbox holds unsent for longer than `graceMs` (emitters normally send within
 * milliseconds), and forget sent events after `keepDays`. Returns how many it sent.
 */
export async function sweepOutbox(
  ctx: Pick<AppContext, 'db' | 'queues'>,
  graceMs = 60_000,
  keepDays = 7,
): Promise<number> {
  // Ages are measured on the database's clock, the one that stamped created_at.
  const rows = await ctx.db
    .selectFrom('event_outbox')
    .select(['payload'])
    .where('sent_at', 'is', null)
    // The stock documents' changes share the table and have their own sender (inventory/stock-outbox.ts).
    .where('event_key', 'not like', 'stock.%')
    .where('created_at', '<', sql<Date>`NOW(3) - INTERVAL ${graceMs * 1000} MICROSECOND`)
    .orderBy('created_at')
    .limit(1000)
    .execute()
  const events = rows.map(
    (r) => (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as OrderEvent,
  )
  if (events.length > 0) {
    await emitOrderEvents(ctx, events)
  }
  await ctx.db
    .deleteFrom('event_outbox')
    .where('sent_at', '<', sql<Date>`NOW(3) - INTERVAL ${keepDays} DAY`)
    .execute()
  return events.length
}
