/**
 * SQL for the order pool: the order row, its lines and their stock view are written together.
 * Line and line-SKU rows keep their ids across updates (allocations refer to them).
 */
import { sql } from 'kysely'
import type { Executor } from '../db/connect.js'
import { newId } from '../lib/ids.js'
import { money } from '../money/index.js'
import type { Normalized } from './normalize.js'
import { lineSkuValues, lineValues, orderValues, poolHash } from './rows.js'
import { canChangeStatus, type StatusSource } from './state.js'
import type { OrderStatus, Receiver, UnifiedOrderDraft } from './types.js'

export interface ShopRef {
  id: string
  merchantId: string
  channel: string
}

export interface StoredOrderHead {
  id: string
  status: OrderStatus
  refund_state: string
  platform_updated_at: Date
  open_exceptions: number
  raw_inbox_id: string | null
  /** Hash of the pool's last write for this order (order_pool_state). */
  pool_hash: string | null
  /** A receiver fixed by hand (order_pool_state), which re-runs keep. */
  receiver_override: Receiver | null
  /** Content hash of the raw version the order was last written from. */
  version_hash: string | null
  /** Refunds are recorded for the order on their own (order_refunds). */
  has_refunds: boolean
}

/**
 * The current order row, locked for update inside the caller's transaction, with what the pool
 * keeps beside it — in one round trip, since this runs for every update of every order.
 */
export async function lockOrder(
  db: Executor,
  shop: ShopRef,
  externalId: string,
): Promise<StoredOrderHead | undefined> {
  const row = await db
    .selectFrom('orders as o')
    .leftJoin('order_pool_state as ps', (j) =>
      j.onRef('ps.merchant_id', '=', 'o.merchant_id').onRef('ps.order_id', '=', 'o.id'),
    )
    .leftJoin('raw_inbox as ri', (j) =>
      j.onRef('ri.merchant_id', '=', 'o.merchant_id').onRef('ri.id', '=', 'o.raw_inbox_id'),
    )
    .select([
      'o.id',
      'o.status',
      'o.refund_state',
      'o.platform_updated_at',
      'o.open_exceptions',
      'o.raw_inbox_id',
      'ps.pool_hash',
      'ps.receiver_override',
      'ri.content_hash',
    ])
    .select((eb) =>
      eb
        .exists(
          eb
            .selectFrom('order_refunds as r')
            .select('r.id')
            .whereRef('r.merchant_id', '=', 'o.merchant_id')
            .whereRef('r.order_id', '=', 'o.id'),
        )
        .as('has_refunds'),
    )
    .where('o.merchant_id', '=', shop.merchantId)
    .where('o.channel', '=', shop.channel)
    .where('o.shop_id', '=', shop.id)
    .where('o.external_id', '=', externalId)
    .forUpdate()
    .executeTakeFirst()
  if (!row) return undefined
  const { content_hash, receiver_override, has_refunds, ...head } = row
  return {
    ...head,
    receiver_override:
      typeof receiver_override === 'string'
        ? (JSON.parse(receiver_override) as Receiver)
        : (receiver_override ?? null),
    version_hash: content_hash,
    has_refunds: Boolean(Number(has_refunds)),
  }
}

/**
 * Writes a platform version of an order: a new order with its first status, or the stored one
 * (locked by the caller) with its status moved through setOrderStatus when the transition changes
 * it; either way the status is recorded in the order's history.
 */
export async function writeOrder(
  db: Executor,
  shop: ShopRef,
  draft: UnifiedOrderDraft,
  n: Normalized,
  status: OrderStatus,
  existing: { id: string; status: OrderStatus } | undefined,
  rawInboxId: string,
): Promise<{ id: string; poolHash: string }> {
  const id = existing?.id ?? newId()
  const values = orderValues(draft, n, status, rawInboxId)
  const hash = poolHash(values, n)
  if (existing) {
    const { status: _status, ...rest } = values
    await db
      .updateTable('orders')
      .set({ ...rest, updated_at: new Date() })
      .where('merchant_id', '=', shop.merchantId)
      .where('id', '=', id)
      .execute()
    if (
      existing.status !== status &&
      !(await setOrderStatus(db, shop.merchantId, id, {
        from: existing.status,
        to: status,
        source: 'platform',
        note: draft.platformStatus,
        // The platform's own times: its ship time when it reports one, else its modified time.
        at: (status === 'shipped' ? draft.shippedAt : null) ?? draft.platformUpdatedAt,
      }))
    )
      throw new Error(`order ${id} left ${existing.status} while it was locked`)
  } else {
    await db
      .insertInto('orders')
      .values({
        id,
        merchant_id: shop.merchantId,
        shop_id: shop.id,
        channel: shop.channel,
        external_id: draft.externalId,
        open_exceptions: 0,
        ...values,
      })
      .execute()
  }
  await writeLines(db, shop.merchantId, id, n)
  await savePoolHash(db, shop.merchantId, id, hash)
  if (!existing)
    await recordStatusChange(db, shop.merchantId, id, null, status, 'platform', draft.platformStatus)
  return { id, poolHash: hash }
}

export async function savePoolHash(
  db: Executor,
  merchantId: string,
  orderId: string,
  hash: string,
): Promise<void> {
  await db
    .insertInto('order_pool_state')
    .values({ merchant_id: merchantId, order_id: orderId, pool_hash: hash })
    .onDuplicateKeyUpdate({ pool_hash: hash, updated_at: new Date() })
    .execute()
}

/** Lines keep their ids; a line or stock-view row is written only when it differs from what is stored. */
async function writeLines(db: Executor, merchantId: string, orderId: string, n: Normalized): Promise<void> {
  // One round trip: every line with its stock-view rows (one result row per line × SKU).
  const rows = await db
    .selectFrom('order_lines as l')
    .leftJoin('order_line_skus as s', (j) =>
      j.onRef('s.merchant_id', '=', 'l.merchant_id').onRef('s.order_line_id', '=', 'l.id'),
    )
    .selectAll('l')
    .select(['s.sku_id as s_sku_id', 's.quantity as s_quantity', 's.revenue_share as s_revenue_share'])
    .where('l.merchant_id', '=', merchantId)
    .where('l.order_id', '=', orderId)
    .orderBy('s.sku_id')
    .execute()
  const byExternal = new Map(
    rows.map(({ s_sku_id: _a, s_quantity: _b, s_revenue_share: _c, ...l }) => [l.external_line_id, l]),
  )
  const storedSkus = rows.flatMap((r) =>
    r.s_sku_id === null
      ? []
      : [
          {
            order_line_id: r.id,
            sku_id: r.s_sku_id,
            quantity: r.s_quantity!,
            revenue_share: r.s_revenue_share!,
          },
        ],
  )
  for (const line of n.lines) {
    const old = byExternal.get(line.externalLineId)
    const lineId = old?.id ?? newId()
    const row = lineValues(line)
    if (!old) {
      await db
        .insertInto('order_lines')
        .values({
          id: lineId,
          merchant_id: merchantId,
          order_id: orderId,
          external_line_id: line.externalLineId,
          ...row,
        })
        .execute()
    } else if (Object.entries(row).some(([k, v]) => !sameValue(old[k as keyof typeof old], v))) {
      await db
        .updateTable('order_lines')
        .set(row)
        .where('merchant_id', '=', merchantId)
        .where('id', '=', lineId)
        .execute()
    }
    const skus = lineSkuValues(line)
    const had = storedSkus
      .filter((s) => s.order_line_id === lineId)
      .map(({ sku_id, quantity, revenue_share }) => ({ sku_id, quantity, revenue_share }))
    const want = [...skus].sort((a, b) => (a.sku_id < b.sku_id ? -1 : a.sku_id > b.sku_id ? 1 : 0))
    if (
      old &&
      had.length === want.length &&
      had.every(
        (h, i) =>
          h.sku_id === want[i]!.sku_id &&
          h.quantity === want[i]!.quantity &&
          sameValue(h.revenue_share, want[i]!.revenue_share),
      )
    )
      continue
    await writeLineSkus(db, merchantId, orderId, lineId, skus, !old)
  }
}

/** Stored DECIMAL strings carry 4 places ('12.5000'), ours as many as needed ('12.5'). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (
    typeof a === 'string' &&
    typeof b === 'string' &&
    /^-?\d+(\.\d+)?$/.test(a) &&
    /^-?\d+(\.\d+)?$/.test(b)
  )
    return money(a).eq(money(b))
  return false
}

async function writeLineSkus(
  db: Executor,
  merchantId: string,
  orderId: string,
  lineId: string,
  skus: readonly { sku_id: string; quantity: number; revenue_share: string }[],
  freshLine: boolean,
): Promise<void> {
  if (skus.length > 0) {
    await db
      .insertInto('order_line_skus')
      .values(
        skus.map((s) => ({
          id: newId(),
          merchant_id: merchantId,
          order_id: orderId,
          order_line_id: lineId,
          ...s,
        })),
      )
      .onDuplicateKeyUpdate({ quantity: sql`VALUES(quantity)`, revenue_share: sql`VALUES(revenue_share)` })
      .execute()
  }
  if (freshLine) return
  let del = db
    .deleteFrom('order_line_skus')
    .where('merchant_id', '=', merchantId)
    .where('order_line_id', '=', lineId)
  if (skus.length > 0)
    del = del.where(
      'sku_id',
      'not in',
      skus.map((s) => s.sku_id),
    )
  await del.execute()
}

export async function recordStatusChange(
  db: Executor,
  merchantId: string,
  orderId: string,
  from: OrderStatus | null,
  to: OrderStatus,
  source: string,
  note: string | null = null,
): Promise<void> {
  await db
    .insertInto('order_status_history')
    .values({
      id: newId(),
      merchant_id: merchantId,
      order_id: orderId,
      from_status: from,
      to_status: to,
      source,
      note,
    })
    .execute()
}

/** A status change the rules (state.ts) do not allow: a bug in the caller, refused before any write. */
export class StatusChangeRefused extends Error {
  override name = 'StatusChangeRefused'
}

export interface StatusChange {
  /** The status the order must be in (or one of them); the change is conditional on it. */
  from: OrderStatus | readonly OrderStatus[]
  to: OrderStatus
  source: StatusSource
  /** Kept in the order's status history (a platform status, a wave, a tracking number). */
  note?: string | null
  /**
   * When it happened: the order's updated_at (and shipped_at for a shipment). The event's business
   * time where there is one (the warehouse's ship time, the platform's modified time), otherwise
   * the caller's clock (ctx.clock.now()).
   */
  at: Date
  /** Only if the order's open exception count is still this (allocation read it). */
  openExceptions?: number
}

/**
 * The one way an existing order's status changes. Refuses a change the rules do not allow (every
 * `from` → `to` is checked, throws StatusChangeRefused); otherwise moves the merchant's order if it
 * is still in `from`, records the change in its history, and returns the status it left — or null
 * when the order was not in `from` (it moved meanwhile, or it is not this merchant's). With several
 * `from` states the order row is locked and read first, so the history names the right one.
 */
export async function setOrderStatus(
  db: Executor,
  merchantId: string,
  orderId: string,
  change: StatusChange,
): Promise<OrderStatus | null> {
  const froms: readonly OrderStatus[] = typeof change.from === 'string' ? [change.from] : change.from
  const refused = froms.filter((f) => !canChangeStatus(f, change.to, change.source))
  if (refused.length > 0 || froms.length === 0)
    throw new StatusChangeRefused(
      `${change.source} may not move an order from ${refused.join('/') || 'nowhere'} to ${change.to}`,
    )
  let from = froms[0]!
  if (froms.length > 1) {
    const row = await db
      .selectFrom('orders')
      .select('status')
      .where('merchant_id', '=', merchantId)
      .where('id', '=', orderId)
      .forUpdate()
      .executeTakeFirst()
    if (!row || !froms.includes(row.status)) return null
    from = row.status
  }
  const { at } = change
  let q = db
    .updateTable('orders')
    .set({ status: change.to, updated_at: at, ...(change.to === 'shipped' ? { shipped_at: at } : {}) })
    .where('merchant_id', '=', merchantId)
    .where('id', '=', orderId)
    .where('status', '=', from)
  if (change.openExceptions !== undefined) q = q.where('open_exceptions', '=', change.openExceptions)
  const moved = await q.executeTakeFirst()
  if (moved.numUpdatedRows !== 1n) return null
  await recordStatusChange(db, merchantId, orderId, from, change.to, change.source, change.note ?? null)
  return from
}

/**
 * setOrderStatus for several orders of a merchant at once, each from the one status `change.from`
 * (with `openExceptions`, each still with that many open exceptions), each with its own history
 * note: one UPDATE and one multi-row history INSERT. All or nothing: returns false when any order
 * was no longer in `from` — then some may have moved and no history is written, so the caller must
 * be in a transaction and roll it back (allocation of a batch does: allocate-batch.ts).
 */
export async function setOrdersStatus(
  db: Executor,
  merchantId: string,
  orders: readonly { orderId: string; note: string | null }[],
  change: Omit<StatusChange, 'from' | 'note'> & { from: OrderStatus },
): Promise<boolean> {
  if (!canChangeStatus(change.from, change.to, change.source))
    throw new StatusChangeRefused(
      `${change.source} may not move an order from ${change.from} to ${change.to}`,
    )
  if (orders.length === 0) return true
  const { at } = change
  let q = db
    .updateTable('orders')
    .set({ status: change.to, updated_at: at, ...(change.to === 'shipped' ? { shipped_at: at } : {}) })
    .where('merchant_id', '=', merchantId)
    .where(
      'id',
      'in',
      orders.map((o) => o.orderId),
    )
    .where('status', '=', change.from)
  if (change.openExceptions !== undefined) q = q.where('open_exceptions', '=', change.openExceptions)
  const moved = await q.executeTakeFirst()
  if (moved.numUpdatedRows !== BigInt(new Set(orders.map((o) => o.orderId)).size)) return false
  await db
    .insertInto('order_status_history')
    .values(
      orders.map((o) => ({
        id: newId(),
        merchant_id: merchantId,
        order_id: o.orderId,
        from_status: change.from,
        to_status: change.to,
        source: change.source,
        note: o.note,
      })),
    )
    .execute()
  return true
}
