/**
 * Allocation of paid orders and release of their reservations. All lines of an order reserve in one
 * transaction of conditional UPDATEs: a line that cannot be reserved rolls the whole order back, so
 * an order never ends half reserved, and no two processes can oversell between them.
 */
import type { Db, Executor } from '../db/connect.js'
import { withTx } from '../db/tx.js'
import { faultPoint } from '../lib/fault.js'
import { newId } from '../lib/ids.js'
import { BLOCKING } from '../orders/normalize.js'
import { raiseException, resolveExceptions } from '../orders/exceptions.js'
import { recordStatusChange } from '../orders/repo.js'
import { getShop } from '../shops/repo.js'
import { listWarehouses } from '../warehouses/repo.js'
import { planAllocation, stockKey, type Need } from './plan.js'
import { shopRules } from './shop-rules.js'
import { claimEventKey, reserve, unreserve } from './stock-repo.js'
import { hubSettings } from '../../connectors/settings.js'

export type AllocationOutcome = 'allocated' | 'no_stock' | 'waiting' | 'not_allocatable' | 'already_done'

class Contended extends Error {}

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

export async function allocateOrder(
  db: Db,
  merchantId: string,
  orderId: string,
  eventKey?: string,
): Promise<AllocationOutcome> {
  const order = await db
    .selectFrom('orders')
    .select(['id', 'shop_id', 'status', 'receiver_province'])
    .where('merchant_id', '=', merchantId)
    .where('id', '=', orderId)
    .executeTakeFirst()
  if (!order || order.status !== 'paid')
    return order?.status === 'allocated' ? 'already_done' : 'not_allocatable'
  const blocking = await db
    .selectFrom('order_exceptions')
    .select('reason')
    .where('merchant_id', '=', merchantId)
    .where('order_id', '=', orderId)
    .where('status', '=', 'open')
    .execute()
  if (blocking.some((b) => BLOCKING.includes(b.reason))) return 'not_allocatable'
  const shop = await getShop(db, merchantId, order.shop_id)
  const rules = shopRules(shop?.parsed.hub ?? hubSettings({}))
  const warehouses = (await listWarehouses(db, merchantId)).filter(
    (w) => !rules.warehouseIds || rules.warehouseIds.includes(w.id),
  )
  const needs = await loadNeeds(db, merchantId, orderId)
  if (needs.length === 0) return 'not_allocatable'
  for (let attempt = 0; attempt < 4; attempt++) {
    const stock = await db
      .selectFrom('stock')
      .select(['warehouse_id', 'sku_id', 'on_hand', 'reserved'])
      .where('merchant_id', '=', merchantId)
      .where('sku_id', 'in', [...new Set(needs.map((n) => n.skuId))])
      .execute()
    const available = new Map(stock.map((s) => [stockKey(s.warehouse_id, s.sku_id), s.on_hand - s.reserved]))
    const plan = planAllocation(needs, warehouses, available, order.receiver_province, rules.allowSplit)
    if (!plan) break
    try {
      const done = await withTx(db, async (tx) => {
        if (eventKey && !(await claimEventKey(tx, merchantId, eventKey))) return false
        for (const p of plan) {
          if (!(await reserve(tx, { merchantId, warehouseId: p.warehouseId, skuId: p.skuId }, p.quantity)))
            throw new Contended()
        }
        faultPoint('inventory.allocate.reserved')
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
        const moved = await tx
          .updateTable('orders')
          .set({ status: 'allocated', updated_at: new Date() })
          .where('merchant_id', '=', merchantId)
          .where('id', '=', orderId)
          .where('status', '=', 'paid')
          .executeTakeFirst()
        if (moved.numUpdatedRows !== 1n) throw new Contended() // the order changed meanwhile: undo everything
        await recordStatusChange(
          tx,
          merchantId,
          orderId,
          'paid',
          'allocated',
          'inventory',
          [...new Set(plan.map((p) => p.warehouseId))].join(','),
        )
        await resolveExceptions(tx, merchantId, { orderId, reasons: ['no_stock'] }, 'inventory', 'allocated')
        return true
      })
      return done ? 'allocated' : 'already_done'
    } catch (err) {
      if (!(err instanceof Contended)) throw err
      const now = await db.selectFrom('orders').select('status').where('id', '=', orderId).executeTakeFirst()
      if (now?.status !== 'paid') return now?.status === 'allocated' ? 'already_done' : 'not_allocatable'
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
