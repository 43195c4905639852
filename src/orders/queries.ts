/** Read side of the order pool: lists with filters and keyset pagination, and the order detail. */
import { sql } from 'kysely'
import type { Executor } from '../db/connect.js'
import type { OrderStatus } from './types.js'

export interface OrderFilter {
  status?: OrderStatus
  channel?: string
  shopId?: string
  from?: Date
  to?: Date
  q?: string
  hasExceptions?: boolean
  /** A scoped user's shops: only their orders (null/undefined = every shop). */
  shopIds?: readonly string[] | null
  /** Keyset: the id of the last row of the previous page (ids are time-ordered, newest first). */
  before?: string
  limit: number
}

export async function listOrders(db: Executor, merchantId: string, f: OrderFilter) {
  let q = filtered(db, merchantId, f).select([
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
  const rows = await filtered(db, merchantId, f)
    .select(['o.status', (eb) => eb.fn.countAll<string>().as('n')])
    .groupBy('o.status')
    .execute()
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]))
}

function filtered(db: Executor, merchantId: string, f: Omit<OrderFilter, 'status' | 'before' | 'limit'>) {
  let q = db.selectFrom('orders as o').where('o.merchant_id', '=', merchantId)
  if (f.shopIds) q = q.where('o.shop_id', 'in', f.shopIds.length ? [...f.shopIds] : [''])
  if (f.channel) q = q.where('o.channel', '=', f.channel)
  if (f.shopId) q = q.where('o.shop_id', '=', f.shopId)
  if (f.from) q = q.where('o.placed_at', '>=', f.from)
  if (f.to) q = q.where('o.placed_at', '<', f.to)
  if (f.hasExceptions !== undefined) q = q.where('o.open_exceptions', f.hasExceptions ? '>' : '=', 0)
  if (f.q) {
    const text = f.q
    const like = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
    q = q.where((eb) =>
      eb.or([
        eb('o.external_id', '=', text),
        eb('o.buyer_nick', 'like', like),
        eb('o.buyer_id', '=', text),
        eb.exists(
          eb
            .selectFrom('order_lines as l')
            .select(sql`1`.as('x'))
            .whereRef('l.order_id', '=', 'o.id')
            .where('l.merchant_id', '=', merchantId)
            .where((e) => e.or([e('l.outer_code', '=', text), e('l.platform_sku_id', '=', text)])),
        ),
      ]),
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
  const [lines, lineSkus, versions, exceptions, history, refunds, groups] = await Promise.all([
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
  ])
  const lineGroups = new Map(groups.map((g) => [g.order_line_id, g.shipment_group_id]))
  return { order, lines, lineSkus, versions, exceptions, history, refunds, lineGroups }
}

export async function listExceptions(
  db: Executor,
  merchantId: string,
  f: {
    status?: 'open' | 'resolved'
    reason?: string
    orderId?: string
    shopId?: string
    before?: string
    limit: number
  },
) {
  let q = db.selectFrom('order_exceptions').selectAll().where('merchant_id', '=', merchantId)
  if (f.status) q = q.where('status', '=', f.status)
  if (f.reason) q = q.where('reason', '=', f.reason as never)
  if (f.orderId) q = q.where('order_id', '=', f.orderId)
  if (f.shopId) q = q.where('shop_id', '=', f.shopId)
  if (f.before) q = q.where('id', '<', f.before)
  return q.orderBy('id', 'desc').limit(f.limit).execute()
}
