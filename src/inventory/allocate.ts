/**
 * Allocation of paid orders and release of their reservations. All lines of an order reserve in one
 * transaction of conditional UPDATEs: a line that cannot be reserved rolls the whole order back, so
 * an order never ends half reserved, and no two processes can oversell between them. Orders
 * allocated at the same time in one process (the inventory worker runs several jobs at once) share
 * a transaction (allocate-batch.ts): one read of their orders and stock, one reservation statement
 * and one commit for all of them, so a hot stock row is locked once per batch, not once per order.
 */
import type { AppContext } from '../context.js'
import type { Executor } from '../db/connect.js'
import { withTx } from '../db/tx.js'
import { faultPoint } from '../lib/fault.js'
import { newId } from '../lib/ids.js'
import { BLOCKING } from '../orders/normalize.js'
import { raiseException, resolveExceptions } from '../orders/exceptions.js'
import { setOrderStatus } from '../orders/repo.js'
import { listWarehouses } from '../warehouses/repo.js'
import { planAllocation, stockKey, type Need, type PlannedReservation } from './plan.js'
import { shopRules } from './shop-rules.js'
import { claimEventKey, reserveAll, unreserve, type StockRowQuantity } from './stock-repo.js'
import { hubSettings } from '../../connectors/settings.js'
import { allocateBatched } from './allocate-batch.js'

export type AllocationOutcome = 'allocated' | 'no_stock' | 'waiting' | 'not_allocatable' | 'already_done'

class Contended extends Error {}

/** The order with its shop's settings, and its open exceptions only when it has some. */
async function loadOrder(db: Executor, merchantId: string, orderId: string) {
  const order = await db
    .selectFrom('orders as o')
    .innerJoin('shops as s', (j) =>
      j.onRef('s.id', '=', 'o.shop_id').onRef('s.merchant_id', '=', 'o.merchant_id'),
    )
    .select(['o.id', 'o.shop_id', 'o.status', 'o.receiver_province', 'o.open_exceptions', 's.settings'])
    .where('o.merchant_id', '=', merchantId)
    .where('o.id', '=', orderId)
    .executeTakeFirst()
  if (!order) return undefined
  if (order.open_exceptions === 0) return { ...order, exceptions: [] as string[] }
  const open = await db
    .selectFrom('order_exceptions')
    .select('reason')
    .where('merchant_id', '=', merchantId)
    .where('order_id', '=', orderId)
    .where('status', '=', 'open')
    .execute()
  return { ...order, exceptions: open.map((e) => e.reason as string) }
}

async function loadNeeds(db: Executor, merchantId: string, orderId: string): Promise<Need[]> {
  const rows = await db
    .selectFrom('order_line_skus')
    .select(['id', 'sku_id', 'quantity'])
    .where('merchant_id', '=', merchantId)
    .where('order_id', '=', orderId)
    .orderBy('id')
    .execute()
  return rows.map((r) => ({ lineSkuId: r.id, skuId: r.sku_id, quantity: r.quantity }))
}

/** Available units of the needed SKUs per warehouse and SKU. */
export async function loadAvailable(db: Executor, merchantId: string, needs: readonly Need[]) {
  const stock = await db
    .selectFrom('stock')
    .select(['warehouse_id', 'sku_id', 'on_hand', 'reserved'])
    .where('merchant_id', '=', merchantId)
    .where('sku_id', 'in', [...new Set(needs.map((n) => n.skuId))])
    .execute()
  return new Map(stock.map((s) => [stockKey(s.warehouse_id, s.sku_id), s.on_hand - s.reserved]))
}

/** The plan's quantities summed per stock row, in (warehouse, SKU) order. */
export function perStockRow(plan: readonly PlannedReservation[]): StockRowQuantity[] {
  const rows = new Map<string, StockRowQuantity>()
  for (const p of plan) {
    const k = stockKey(p.warehouseId, p.skuId)
    const r = rows.get(k) ?? { warehouseId: p.warehouseId, skuId: p.skuId, quantity: 0 }
    r.quantity += p.quantity
    rows.set(k, r)
  }
  return [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, r]) => r)
}

/**
 * Allocate a paid order (once per event key when one is given). Calls made while others are in
 * flight in this process are allocated together (allocate-batch.ts); the outcome is the order's own.
 */
export function allocateOrder(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  merchantId: string,
  orderId: string,
  eventKey?: string,
): Promise<AllocationOutcome> {
  return allocateBatched(ctx, { merchantId, orderId, eventKey })
}

/**
 * One order on its own. Reads first (order with its shop rules, warehouses, needs, stock: four
 * queries when the order has no open exception), then one transaction: event key, order status (conditional on the state
 * read), allocation rows, history, and the reservations last in one conditional statement, so a
 * hot stock row stays locked only from that statement to the commit. A condition that no longer
 * holds rolls everything back, and the order is planned again from fresh stock.
 */
export async function allocateOne(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  merchantId: string,
  orderId: string,
  eventKey?: string,
): Promise<AllocationOutcome> {
  const { db, clock } = ctx
  const order = await loadOrder(db, merchantId, orderId)
  if (!order || order.status !== 'paid')
    return order?.status === 'allocated' ? 'already_done' : 'not_allocatable'
  if (order.exceptions.some((r) => BLOCKING.includes(r))) return 'not_allocatable'
  const rules = shopRules(hubSettings(order.settings ?? {}))
  const warehouses = (await listWarehouses(db, merchantId)).filter(
    (w) => !rules.warehouseIds || rules.warehouseIds.includes(w.id),
  )
  const needs = await loadNeeds(db, merchantId, orderId)
  if (needs.length === 0) return 'not_allocatable'
  for (let attempt = 0; attempt < 4; attempt++) {
    const available = await loadAvailable(db, merchantId, needs)
    const plan = planAllocation(needs, warehouses, available, order.receiver_province, rules.allowSplit)
    if (!plan) break
    try {
      const done = await withTx(db, async (tx) => {
        const at = clock.now()
        if (eventKey && !(await claimEventKey(tx, merchantId, eventKey))) return false
        // Conditional on the exceptions read too: one raised meanwhile sends the order round again.
        const moved = await setOrderStatus(tx, merchantId, orderId, {
          from: 'paid',
          to: 'allocated',
          source: 'inventory',
          note: [...new Set(plan.map((p) => p.warehouseId))].join(','),
          openExceptions: order.open_exceptions,
          at,
        })
        if (!moved) throw new Contended() // the order changed meanwhile: undo everything
        await tx
          .insertInto('stock_allocations')
          .values(
            plan.map((p) => ({
              id: newId(),
              merchant_id: merchantId,
              order_id: orderId,
              order_line_sku_id: p.lineSkuId,
              warehouse_id: p.warehouseId,
              sku_id: p.skuId,
              quantity: p.quantity,
              status: 'open' as const,
            })),
          )
          .execute()
        if (order.exceptions.includes('no_stock'))
          await resolveExceptions(
            tx,
            merchantId,
            { orderId, reasons: ['no_stock'] },
            'inventory',
            'allocated',
            at,
          )
        if (!(await reserveAll(tx, merchantId, perStockRow(plan)))) throw new Contended()
        faultPoint('inventory.allocate.reserved')
        return true
      })
      return done ? 'allocated' : 'already_done'
    } catch (err) {
      if (!(err instanceof Contended)) throw err
      const now = await loadOrder(db, merchantId, orderId)
      if (now?.status !== 'paid') return now?.status === 'allocated' ? 'already_done' : 'not_allocatable'
      if (now.exceptions.some((r) => BLOCKING.includes(r))) return 'not_allocatable'
      order.open_exceptions = now.open_exceptions
      order.exceptions = now.exceptions
    }
  }
  if (rules.waitWhenNoStock) return 'waiting'
  await withTx(db, (tx) =>
    raiseException(tx, merchantId, {
      shopId: order.shop_id,
      orderId,
      reason: 'no_stock',
      detail: { needs: needs.map((n) => ({ skuId: n.skuId, quantity: n.quantity })) },
    }),
  )
  return 'no_stock'
}

/**
 * Release every open reservation of an order (cancel, refund before shipment), once: the
 * allocation row's status flips conditionally, so a second release of the same row does nothing.
 */
export async function releaseOrder(db: Executor, merchantId: string, orderId: string): Promise<number> {
  return withTx(db, async (tx) => {
    const open = await tx
      .selectFrom('stock_allocations')
      .select(['id', 'warehouse_id', 'sku_id', 'quantity'])
      .where('merchant_id', '=', merchantId)
      .where('order_id', '=', orderId)
      .where('status', '=', 'open')
      .forUpdate()
      .execute()
    let released = 0
    for (const a of open) {
      const flipped = await tx
        .updateTable('stock_allocations')
        .set({ status: 'released', updated_at: new Date() })
        .where('id', '=', a.id)
        .where('status', '=', 'open')
        .executeTakeFirst()
      if (flipped.numUpdatedRows !== 1n) continue
      if (!(await unreserve(tx, { merchantId, warehouseId: a.warehouse_id, skuId: a.sku_id }, a.quantity)))
        throw new Error(`reservation of allocation ${a.id} is missing from stock`)
      released += a.quantity
    }
    return released
  })
}
