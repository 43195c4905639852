/**
 * The exception inbox (异常单): lists with the order's business keys, open counts per reason (the
 * inbox's groups, with the oldest age), assignment to a user, and the rows a bulk resolve acts on.
 */
import { sql } from 'kysely'
import type { Executor } from '../db/connect.js'
import type { ExceptionReason } from './tables.js'

export interface ExceptionFilter {
  id?: string
  status?: 'open' | 'resolved'
  reason?: ExceptionReason
  orderId?: string
  shopId?: string
  /** A user id, or 'none' for the unassigned. */
  assigneeId?: string
  /** A scoped user's shops (null/undefined = every shop). */
  shopIds?: readonly string[] | null
  before?: string
  limit: number
}

function scoped(db: Executor, merchantId: string, shopIds: readonly string[] | null | undefined) {
  let q = db.selectFrom('order_exceptions as e').where('e.merchant_id', '=', merchantId)
  if (shopIds) q = q.where('e.shop_id', 'in', shopIds.length ? [...shopIds] : [''])
  return q
}

export async function listExceptions(db: Executor, merchantId: string, f: ExceptionFilter) {
  let q = scoped(db, merchantId, f.shopIds)
    .leftJoin('orders as o', (j) =>
      j.onRef('o.merchant_id', '=', 'e.merchant_id').onRef('o.id', '=', 'e.order_id'),
    )
    .selectAll('e')
    .select(['o.external_id as order_external_id', 'o.status as order_status'])
  if (f.id) q = q.where('e.id', '=', f.id)
  if (f.status) q = q.where('e.status', '=', f.status)
  if (f.reason) q = q.where('e.reason', '=', f.reason)
  if (f.orderId) q = q.where('e.order_id', '=', f.orderId)
  if (f.shopId) q = q.where('e.shop_id', '=', f.shopId)
  if (f.assigneeId)
    q = q.where(
      'e.assignee_id',
      f.assigneeId === 'none' ? 'is' : '=',
      f.assigneeId === 'none' ? null : f.assigneeId,
    )
  if (f.before) q = q.where('e.id', '<', f.before)
  return q.orderBy('e.id', 'desc').limit(f.limit).execute()
}

/** Open exceptions per reason, with the oldest one's time (the inbox's groups). */
export async function openByReason(
  db: Executor,
  merchantId: string,
  f: { shopIds?: readonly string[] | null; assigneeId?: string },
): Promise<{ reason: ExceptionReason; open: number; oldestAt: Date }[]> {
  let q = scoped(db, merchantId, f.shopIds).where('e.status', '=', 'open')
  if (f.assigneeId)
    q = q.where(
      'e.assignee_id',
      f.assigneeId === 'none' ? 'is' : '=',
      f.assigneeId === 'none' ? null : f.assigneeId,
    )
  const rows = await q
    .select([
      'e.reason',
      (eb) => eb.fn.countAll<string>().as('n'),
      (eb) => eb.fn.min('e.created_at').as('oldest'),
    ])
    .groupBy('e.reason')
    .execute()
  return rows.map((r) => ({ reason: r.reason, open: Number(r.n), oldestAt: new Date(r.oldest as Date) }))
}

/** The merchant's exceptions among `ids` (a bulk action acts on these, others are not found). */
export async function exceptionsByIds(
  db: Executor,
  merchantId: string,
  ids: readonly string[],
  shopIds?: readonly string[] | null,
) {
  if (ids.length === 0) return []
  return scoped(db, merchantId, shopIds)
    .select(['e.id', 'e.order_id', 'e.raw_inbox_id', 'e.status', 'e.shop_id'])
    .where('e.id', 'in', [...ids])
    .execute()
}

/** Assign (or, with null, unassign) exceptions; returns how many rows it changed. */
export async function assignExceptions(
  db: Executor,
  merchantId: string,
  ids: readonly string[],
  assigneeId: string | null,
): Promise<number> {
  if (ids.length === 0) return 0
  const res = await db
    .updateTable('order_exceptions')
    .set({ assignee_id: assigneeId })
    .where('merchant_id', '=', merchantId)
    .where('id', 'in', [...ids])
    .where(sql<boolean>`NOT (assignee_id <=> ${assigneeId})`)
    .executeTakeFirst()
  return Number(res.numUpdatedRows)
}
