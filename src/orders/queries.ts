/** Read side of the order pool: lists with filters and keyset pagination, and the order detail. */
import { sql } from 'kysely'
import type { Executor } from '../db/connect.js'
import type { ExceptionReason } from './tables.js'
import type { OrderStatus } from './types.js'

export interface OrderFilter {
  status?: OrderStatus
  channel?: string
  shopId?: string
  from?: Date
  to?: Date
  q?: string
  hasExceptions?: boolean
  /** Only orders with an open exception of this reason. */
  exceptionReason?: ExceptionReason
  /** A scoped user's shops: only their orders (null/undefined = every shop). */
  shopIds?: readonly string[] | null
  /** Keyset: the id of the last row of the previous page (ids are time-ordered, newest first). */
  before?: string
  limit: number
}

export async function listOrders(db: Executor, merchantId: string, f: OrderFilter) {
  const ids = f.q ? await searchOrderIds(db, merchantId, f.q, f.before) : undefined
  let q = filtered(db, merchantId, f, ids).select([
    'o.id',
    'o.shop_id',
    'o.channel',
    'o.external_id',
    'o.status',
    'o.platform_status',
    'o.refund_state',
    'o.currency',
    'o.buyer_nick',
    'o.receiver_province',
    'o.buyer_paid',
    'o.paid_at',
    'o.placed_at',
    'o.platform_updated_at',
    'o.open_exceptions',
    'o.merge_group_id',
  ])
  if (f.status) q = q.where('o.status', '=', f.status)
  if (f.before) q = q.where('o.id', '<', f.before)
  return q.orderBy('o.id', 'desc').limit(f.limit).execute()
}

/** How many orders match the filter in each status (the status tabs' counts). */
export async function countOrdersByStatus(
  db: Executor,
  merchantId: string,
  f: Omit<OrderFilter, 'status' | 'before' | 'limit'>,
): Promise<Partial<Record<OrderStatus, number>>> {
  const ids = f.q ? await searchOrderIds(db, merchantId, f.q) : undefined
  const rows = await filtered(db, merchantId, f, ids)
    .select(['o.status', (eb) => eb.fn.countAll<string>().as('n')])
    .groupBy('o.status')
    .execute()
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]))
}

/** Per search branch, the newest matches considered (a search is for finding an order, not a report). */
export const SEARCH_BRANCH_MAX = 1000

/**
 * The orders a search text finds, newest first: a prefix of the platform order number, of the
 * buyer's nick or of a line's seller code or merchant SKU code, or the last four digits of the
 * receiver's phone. Each branch is one range on its own index with merchant_id first (migration
 * 0095); an OR across them in one statement would defeat every index, so they run apart.
 */
export async function searchOrderIds(
  db: Executor,
  merchantId: string,
  text: string,
  before?: string,
): Promise<string[]> {
  const prefix = `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
  const orders = () => {
    let q = db.selectFrom('orders').select('id as orderId').where('merchant_id', '=', merchantId)
    if (before) q = q.where('id', '<', before)
    return q
  }
  const lines = () => {
    let q = db.selectFrom('order_lines').select('order_id as orderId').where('merchant_id', '=', merchantId)
    if (before) q = q.where('order_id', '<', before)
    return q
  }
  const skuIds = (
    await db
      .selectFrom('skus')
      .select('id')
      .where('merchant_id', '=', merchantId)
      .where('code', 'like', prefix)
      .limit(100)
      .execute()
  ).map((r) => r.id)
  const max = SEARCH_BRANCH_MAX
  const found: Promise<{ orderId: string }[]>[] = [
    orders().where('external_id', 'like', prefix).orderBy('id', 'desc').limit(max).execute(),
    orders().where('buyer_nick', 'like', prefix).orderBy('id', 'desc').limit(max).execute(),
    lines().where('outer_code', 'like', prefix).orderBy('order_id', 'desc').limit(max).execute(),
  ]
  if (/^[0-9]{4}$/.test(text))
    found.push(orders().where('receiver_phone_tail', '=', text).orderBy('id', 'desc').limit(max).execute())
  if (skuIds.length) {
    let q = db
      .selectFrom('order_line_skus')
      .select('order_id as orderId')
      .where('merchant_id', '=', merchantId)
      .where('sku_id', 'in', skuIds)
    if (before) q = q.where('order_id', '<', before)
    found.push(q.orderBy('order_id', 'desc').limit(max).execute())
  }
  return [...new Set((await Promise.all(found)).flat().map((r) => r.orderId))]
}

function filtered(
  db: Executor,
  merchantId: string,
  f: Omit<OrderFilter, 'status' | 'before' | 'limit'>,
  searchIds: readonly string[] | undefined,
) {
  let q = db.selectFrom('orders as o').where('o.merchant_id', '=', merchantId)
  if (searchIds) q = q.where('o.id', 'in', searchIds.length ? [...searchIds] : [''])
  if (f.shopIds) q = q.where('o.shop_id', 'in', f.shopIds.length ? [...f.shopIds] : [''])
  if (f.channel) q = q.where('o.channel', '=', f.channel)
  if (f.shopId) q = q.where('o.shop_id', '=', f.shopId)
  if (f.from) q = q.where('o.placed_at', '>=', f.from)
  if (f.to) q = q.where('o.placed_at', '<', f.to)
  if (f.hasExceptions !== undefined) q = q.where('o.open_exceptions', f.hasExceptions ? '>' : '=', 0)
  if (f.exceptionReason) {
    const reason = f.exceptionReason
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('order_exceptions as e')
          .select(sql`1`.as('x'))
          .where('e.merchant_id', '=', merchantId)
          .whereRef('e.order_id', '=', 'o.id')
          .where('e.status', '=', 'open')
          .where('e.reason', '=', reason),
      ),
    )
  }
  return q
}

export async function orderDetail(db: Executor, merchantId: string, id: string) {
  const order = await db
    .selectFrom('orders')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .executeTakeFirst()
  if (!order) return undefined
  const [lines, lineSkus, versions, exceptions, history, refunds, groups, allocations, shipments] =
    await Promise.all([
      db
        .selectFrom('order_lines')
        .selectAll()
        .where('merchant_id', '=', merchantId)
        .where('order_id', '=', id)
        .orderBy('line_no')
        .execute(),
      db
        .selectFrom('order_line_skus as ls')
        .innerJoin('skus as s', 's.id', 'ls.sku_id')
        .select(['ls.order_line_id', 'ls.sku_id', 's.code', 'ls.quantity', 'ls.revenue_share'])
        .where('ls.merchant_id', '=', merchantId)
        .where('ls.order_id', '=', id)
        .execute(),
      db
        .selectFrom('raw_inbox')
        .select([
          'id',
          'source',
          'platform_updated_at',
          'received_at',
          'content_hash',
          'outcome',
          'error',
          'payload',
        ])
        .where('merchant_id', '=', merchantId)
        .where('shop_id', '=', order.shop_id)
        .where('kind', '=', 'order')
        .where('external_id', '=', order.external_id)
        .orderBy('id')
        .execute(),
      db
        .selectFrom('order_exceptions')
        .selectAll()
        .where('merchant_id', '=', merchantId)
        .where('order_id', '=', id)
        .orderBy('id')
        .execute(),
      db
        .selectFrom('order_status_history')
        .selectAll()
        .where('merchant_id', '=', merchantId)
        .where('order_id', '=', id)
        .orderBy('id')
        .execute(),
      db
        .selectFrom('order_refunds')
        .selectAll()
        .where('merchant_id', '=', merchantId)
        .where('order_id', '=', id)
        .orderBy('id')
        .execute(),
      db
        .selectFrom('order_line_groups')
        .select(['order_line_id', 'shipment_group_id'])
        .where('merchant_id', '=', merchantId)
        .where('order_id', '=', id)
        .execute(),
      db
        .selectFrom('stock_allocations as a')
        .innerJoin('warehouses as w', (j) =>
          j.onRef('w.merchant_id', '=', 'a.merchant_id').onRef('w.id', '=', 'a.warehouse_id'),
        )
        .innerJoin('skus as s', (j) =>
          j.onRef('s.merchant_id', '=', 'a.merchant_id').onRef('s.id', '=', 'a.sku_id'),
        )
        .select([
          'a.id',
          'a.warehouse_id',
          'w.code as warehouse_code',
          'w.name as warehouse_name',
          'a.sku_id',
          's.code as sku_code',
          's.name as sku_name',
          'a.quantity',
          'a.status',
          'a.created_at',
        ])
        .where('a.merchant_id', '=', merchantId)
        .where('a.order_id', '=', id)
        .orderBy('a.id')
        .execute(),
      db
        .selectFrom('shipments as sh')
        .innerJoin('warehouses as w', (j) =>
          j.onRef('w.merchant_id', '=', 'sh.merchant_id').onRef('w.id', '=', 'sh.warehouse_id'),
        )
        .select([
          'sh.id',
          'sh.shipment_group_id',
          'sh.warehouse_id',
          'w.name as warehouse_name',
          'sh.parcels',
          'sh.shipped_at',
        ])
        .select((eb) =>
          eb
            .selectFrom('shipment_writebacks as wb')
            .select((e) => e.fn.max('wb.status').as('s'))
            .whereRef('wb.merchant_id', '=', 'sh.merchant_id')
            .whereRef('wb.shipment_id', '=', 'sh.id')
            .as('writeback_status'),
        )
        .where('sh.merchant_id', '=', merchantId)
        .where('sh.order_id', '=', id)
        .orderBy('sh.shipped_at')
        .execute(),
    ])
  const lineGroups = new Map(groups.map((g) => [g.order_line_id, g.shipment_group_id]))
  return {
    order,
    lines,
    lineSkus,
    versions,
    exceptions,
    history,
    refunds,
    lineGroups,
    allocations,
    shipments,
  }
}
