/**
 * Exception orders (异常单): one open row per subject and reason (a replay raises nothing twice).
 * orders.open_exceptions is kept in step so lists and allocation can filter cheaply.
 */
import { sql } from 'kysely'
import type { Executor } from '../db/connect.js'
import { newId } from '../lib/ids.js'
import type { ExceptionReason } from './tables.js'

export interface RaiseInput {
  shopId?: string | null
  orderId?: string | null
  rawInboxId?: string | null
  reason: ExceptionReason
  detail?: Record<string, unknown>
}

/** Raise an exception unless the same one is already open; returns true when a new one was raised. */
export async function raiseException(db: Executor, merchantId: string, input: RaiseInput): Promise<boolean> {
  const subject = input.orderId ?? `inbox:${input.rawInboxId ?? 'none'}`
  const res = await db
    .insertInto('order_exceptions')
    .ignore()
    .values({
      id: newId(),
      merchant_id: merchantId,
      shop_id: input.shopId ?? null,
      order_id: input.orderId ?? null,
      raw_inbox_id: input.rawInboxId ?? null,
      subject,
      reason: input.reason,
      detail: JSON.stringify(input.detail ?? {}),
      status: 'open',
      open_marker: 1,
    })
    .executeTakeFirst()
  const raised = Number(res.numInsertedOrUpdatedRows ?? 0n) > 0
  if (raised && input.orderId) await syncOpenCount(db, merchantId, input.orderId)
  return raised
}

export async function resolveExceptions(
  db: Executor,
  merchantId: string,
  where: { orderId?: string; id?: string; reasons?: readonly ExceptionReason[] },
  by: string,
  resolution: string,
  /** The resolved_at shown with it: the caller's clock (ctx.clock.now()). */
  at: Date,
): Promise<number> {
  let q = db
    .updateTable('order_exceptions')
    .set({ status: 'resolved', open_marker: null, resolved_at: at, resolved_by: by, resolution })
    .where('merchant_id', '=', merchantId)
    .where('status', '=', 'open')
  if (where.id) q = q.where('id', '=', where.id)
  if (where.orderId) q = q.where('order_id', '=', where.orderId)
  if (where.reasons && where.reasons.length > 0) q = q.where('reason', 'in', where.reasons)
  const res = await q.executeTakeFirst()
  if (where.orderId) await syncOpenCount(db, merchantId, where.orderId)
  return Number(res.numUpdatedRows)
}

export async function syncOpenCount(db: Executor, merchantId: string, orderId: string): Promise<void> {
  await db
    .updateTable('orders')
    .set({
      open_exceptions: sql<number>`(SELECT COUNT(*) FROM order_exceptions e WHERE e.merchant_id = ${merchantId} AND e.order_id = ${orderId} AND e.status = 'open')`,
    })
    .where('merchant_id', '=', merchantId)
    .where('id', '=', orderId)
    .execute()
}

export async function openReasons(
  db: Executor,
  merchantId: string,
  orderId: string,
): Promise<ExceptionReason[]> {
  const rows = await db
    .selectFrom('order_exceptions')
    .select('reason')
    .where('merchant_id', '=', merchantId)
    .where('order_id', '=', orderId)
    .where('status', '=', 'open')
    .execute()
  return rows.map((r) => r.reason)
}
