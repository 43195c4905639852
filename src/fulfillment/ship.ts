/**
 * Shipping: one or more parcels per order. In one transaction every open allocation of the order
 * (of every order of its merge group) becomes a shipment movement — on_hand and reserved both go
 * down — at the moving-average cost of that moment (COGS), the order moves to shipped, and one
 * writeback per platform order and parcel is queued. The idempotency key makes a repeated ship
 * request change nothing.
 */
import type { Db, Tx } from '../db/connect.js'
import { withTx } from '../db/tx.js'
import { newId } from '../lib/ids.js'
import { money, sum, toDb, ZERO } from '../money/index.js'
import { recordStatusChange } from '../orders/repo.js'
import { consumeReserved, recordMovement } from '../inventory/stock-repo.js'
import type { OrderEvent } from '../orders/events.js'
import type { Parcel } from './tables.js'

export class ShipError extends Error {
  override name = 'ShipError'
}

export interface ShipResult {
  shipments: { orderId: string; shipmentId: string; cogs: string; currency: string }[]
  writebackIds: string[]
  events: OrderEvent[]
  repeated: boolean
}

async function shipOne(tx: Tx, merchantId: string, orderId: string, parcels: readonly Parcel[], key: string, actor: string | null): Promise<{ shipmentId: string; cogs: string; currency: string; writebackIds: string[]; repeated: boolean }> {
  const existing = await tx.selectFrom('shipments').select(['id', 'cogs_amount', 'cogs_currency']).where('merchant_id', '=', merchantId).where('idempotency_key', '=', key).executeTakeFirst()
  if (existing) return { shipmentId: existing.id, cogs: existing.cogs_amount, currency: existing.cogs_currency, writebackIds: [], repeated: true }
  const order = await tx.selectFrom('orders').select(['id', 'status', 'shop_id', 'currency']).where('merchant_id', '=', merchantId).where('id', '=', orderId).forUpdate().executeTakeFirst()
  if (!order) throw new ShipError(`order ${orderId} not found`)
  if (!['allocated', 'picking'].includes(order.status)) throw new ShipError(`order ${orderId} is ${order.status}; only allocated or picking orders ship`)
  const allocations = await tx.selectFrom('stock_allocations').select(['id', 'warehouse_id', 'sku_id', 'quantity']).where('merchant_id', '=', merchantId).where('order_id', '=', orderId).where('status', '=', 'open').forUpdate().execute()
  if (allocations.length === 0) throw new ShipError(`order ${orderId} has nothing reserved to ship`)
  const costs = new Map(
    (await tx.selectFrom('sku_costs').select(['sku_id', 'avg_cost', 'currency']).where('merchant_id', '=', merchantId).where('sku_id', 'in', allocations.map((a) => a.sku_id)).execute()).map((c) => [c.sku_id, c]),
  )
  const shipmentId = newId()
  const lineCosts = []
  for (const a of allocations) {
    if (!(await consumeReserved(tx, { merchantId, warehouseId: a.warehouse_id, skuId: a.sku_id }, a.quantity))) throw new ShipError(`stock for allocation ${a.id} is not reserved`)
    const cost = costs.get(a.sku_id)
    await recordMovement(tx, { merchantId, warehouseId: a.warehouse_id, skuId: a.sku_id, kind: 'shipment', quantity: -a.quantity, unitCost: cost?.avg_cost ?? null, currency: cost?.currency ?? null, refType: 'order', refId: orderId, actor })
    await tx.updateTable('stock_allocations').set({ status: 'shipped', updated_at: new Date() }).where('id', '=', a.id).execute()
    lineCosts.push(cost ? money(cost.avg_cost).mul(a.quantity) : ZERO)
  }
  const currency = costs.values().next().value?.currency ?? order.currency
  const cogs = toDb(sum(lineCosts))
  const now = new Date()
  await tx.insertInto('shipments').values({ id: shipmentId, merchant_id: merchantId, order_id: orderId, warehouse_id: allocations[0]!.warehouse_id, idempotency_key: key, parcels: JSON.stringify(parcels), cogs_amount: cogs, cogs_currency: currency, shipped_by: actor, shipped_at: now }).execute()
  await tx.updateTable('orders').set({ status: 'shipped', shipped_at: now, updated_at: now }).where('id', '=', orderId).execute()
  await recordStatusChange(tx, merchantId, orderId, order.status, 'shipped', 'fulfillment', parcels.map((p) => `${p.carrier} ${p.trackingNumber}`).join(', '))
  await tx.updateTable('wave_orders').set({ status: 'shipped', open_marker: null }).where('merchant_id', '=', merchantId).where('order_id', '=', orderId).where('open_marker', '=', 1).execute()
  const writebackIds = parcels.map(() => newId())
  await tx.insertInto('shipment_writebacks').values(parcels.map((_, i) => ({ id: writebackIds[i]!, merchant_id: merchantId, shipment_id: shipmentId, order_id: orderId, shop_id: order.shop_id, parcel_no: i, status: 'pending' as const, attempts: 0 }))).execute()
  return { shipmentId, cogs, currency, writebackIds, repeated: false }
}

export async function shipOrder(db: Db, merchantId: string, orderId: string, parcels: readonly Parcel[], idempotencyKey: string, actor: string | null): Promise<ShipResult> {
  if (parcels.length === 0) throw new ShipError('at least one parcel with a carrier and tracking number is needed')
  return withTx(db, async (tx) => {
    const head = await tx.selectFrom('orders').select(['merge_group_id']).where('merchant_id', '=', merchantId).where('id', '=', orderId).executeTakeFirst()
    if (!head) throw new ShipError(`order ${orderId} not found`)
    // A merged shipment (合单) ships every platform order of the group; each keeps its own writeback.
    const group = head.merge_group_id
      ? (await tx.selectFrom('orders').select('id').where('merchant_id', '=', merchantId).where('merge_group_id', '=', head.merge_group_id).orderBy('id').execute()).map((o) => o.id)
      : [orderId]
    const result: ShipResult = { shipments: [], writebackIds: [], events: [], repeated: false }
    for (const id of group) {
      const r = await shipOne(tx, merchantId, id, parcels, `${idempotencyKey}.${id}`, actor)
      result.repeated ||= r.repeated
      result.shipments.push({ orderId: id, shipmentId: r.shipmentId, cogs: r.cogs, currency: r.currency })
      result.writebackIds.push(...r.writebackIds)
      if (!r.repeated) result.events.push({ merchantId, orderId: id, kind: 'shipped', key: `${id}.shipped.${r.shipmentId}`, shipmentId: r.shipmentId })
    }
    return result
  })
}
