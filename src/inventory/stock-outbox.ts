/**
 * The follow-ups of a stock document step (a receipt posted, a count approved, a transfer shipped
 * or received) go through the event outbox (migration 0060, src/orders/outbox.ts): the step writes
 * a `stock_changed` row in the transaction that moves the stock, the route sends it after the
 * commit (orders waiting on the stock are retried, every active shop gets a push), and marks it
 * sent. A row a dead process left unsent is sent by the next step on the same document, or by the
 * scheduler's sweep. Sending twice costs one more coalesced push and a retry that finds nothing.
 */
import { sql } from 'kysely'
import type { AppContext } from '../context.js'
import type { Executor } from '../db/connect.js'
import { faultPoint } from '../lib/fault.js'
import { newId } from '../lib/ids.js'
import { markOutboxSent } from '../orders/events.js'
import { retryWaitingOrders } from './events.js'
import { schedulePush } from './schedule-push.js'

/** Outbox keys of stock changes start with this; order event keys start with an order id. */
export const STOCK_CHANGE_PREFIX = 'stock.'

export interface StockChange {
  type: 'stock_changed'
  merchantId: string
  /** `stock.<document id>.<unique>`: every change of a document shares the prefix. */
  key: string
  skuIds: string[]
}

const docPrefix = (documentId: string) => `${STOCK_CHANGE_PREFIX}${documentId}.`

/** Write the change in the caller's transaction (the one that moved the stock). */
export async function recordStockChange(
  tx: Executor,
  merchantId: string,
  documentId: string,
  skuIds: readonly string[],
): Promise<void> {
  if (skuIds.length === 0) return
  const change: StockChange = {
    type: 'stock_changed',
    merchantId,
    key: `${docPrefix(documentId)}${newId()}`,
    skuIds: [...new Set(skuIds)],
  }
  await tx
    .insertInto('event_outbox')
    .values({ merchant_id: merchantId, event_key: change.key, payload: JSON.stringify(change) })
    .execute()
}

const parse = (payload: unknown) =>
  (typeof payload === 'string' ? JSON.parse(payload) : payload) as StockChange

/** Retry the orders waiting on the SKUs, ask for the pushes, then mark the changes sent. */
export async function sendStockChanges(
  ctx: Pick<AppContext, 'db' | 'queues' | 'clock'>,
  changes: readonly StockChange[],
): Promise<void> {
  if (changes.length === 0) return
  const byMerchant = new Map<string, StockChange[]>()
  for (const c of changes) byMerchant.set(c.merchantId, [...(byMerchant.get(c.merchantId) ?? []), c])
  for (const [merchantId, list] of byMerchant) {
    await retryWaitingOrders(ctx, merchantId, [...new Set(list.flatMap((c) => c.skuIds))])
    await schedulePush(ctx, merchantId)
    faultPoint('stock-change.asked')
    await markOutboxSent(
      ctx.db,
      merchantId,
      list.map((c) => c.key),
    )
  }
}

/** Send what a document's steps left unsent (normally only the step just committed). */
export async function flushDocumentChanges(
  ctx: Pick<AppContext, 'db' | 'queues' | 'clock'>,
  merchantId: string,
  documentId: string,
): Promise<void> {
  const rows = await ctx.db
    .selectFrom('event_outbox')
    .select('payload')
    .where('merchant_id', '=', merchantId)
    .where('event_key', 'like', `${docPrefix(documentId)}%`)
    .where('sent_at', 'is', null)
    .execute()
  await sendStockChanges(
    ctx,
    rows.map((r) => parse(r.payload)),
  )
}

/**
 * Send the stock changes left unsent for longer than `graceMs` (a process died between a commit
 * and its send). Returns how many it sent. The outbox's own sweep forgets them once sent.
 */
export async function sweepStockChanges(
  ctx: Pick<AppContext, 'db' | 'queues' | 'clock'>,
  graceMs = 60_000,
): Promise<number> {
  // Ages are measured on the database's clock, the one that stamped created_at.
  const rows = await ctx.db
    .selectFrom('event_outbox')
    .select('payload')
    .where('event_key', 'like', `${STOCK_CHANGE_PREFIX}%`)
    .where('sent_at', 'is', null)
    .where('created_at', '<', sql<Date>`NOW(3) - INTERVAL ${graceMs * 1000} MICROSECOND`)
    .orderBy('created_at')
    .limit(1000)
    .execute()
  const changes = rows.map((r) => parse(r.payload))
  await sendStockChanges(ctx, changes)
  return changes.length
}
