/**
 * What the inventory engine does with order events: allocate on paid; release on cancel or on a
 * refund before shipment (the order goes on hold for a person to look at). Each event key is
 * processed once.
 */
import type { Db } from '../db/connect.js'
import { withTx } from '../db/tx.js'
import type { OrderEvent } from '../orders/events.js'
import { removeFromOpenWave } from '../fulfillment/waves.js'
import { recordStatusChange } from '../orders/repo.js'
import { allocateOrder, releaseOrder, type AllocationOutcome } from './allocate.js'
import { claimEventKey } from './stock-repo.js'

export async function handleInventoryEvent(
  db: Db,
  e: OrderEvent,
): Promise<AllocationOutcome | 'released' | 'ignored'> {
  switch (e.kind) {
    case 'paid':
      return allocateOrder(db, e.merchantId, e.orderId, e.key)
    case 'cancelled':
    case 'refund_requested':
    case 'refunded': {
      const first = await withTx(db, (tx) => claimEventKey(tx, e.merchantId, e.key))
      if (!first) return 'ignored'
      const released = await releaseOrder(db, e.merchantId, e.orderId)
      await removeFromOpenWave(db, e.merchantId, e.orderId)
      if (e.kind !== 'cancelled') await holdIfInWarehouse(db, e.merchantId, e.orderId, e.kind)
      return released > 0 ? 'released' : 'ignored'
    }
    case 'changed':
    case 'shipped':
      return 'ignored'
  }
}

/** A refund that arrives before shipment stops the order in the warehouse. */
async function holdIfInWarehouse(db: Db, merchantId: string, orderId: string, why: string): Promise<void> {
  await withTx(db, async (tx) => {
    const order = await tx
      .selectFrom('orders')
      .select('status')
      .where('merchant_id', '=', merchantId)
      .where('id', '=', orderId)
      .forUpdate()
      .executeTakeFirst()
    if (!order || !['paid', 'allocated', 'picking'].includes(order.status)) return
    await tx
      .updateTable('orders')
      .set({ status: 'on_hold', updated_at: new Date() })
      .where('id', '=', orderId)
      .execute()
    await recordStatusChange(tx, merchantId, orderId, order.status, 'on_hold', 'inventory', why)
  })
}

/** After stock arrives: retry orders waiting on it (open no_stock exceptions), oldest paid first. */
export async function retryWaitingOrders(
  db: Db,
  merchantId: string,
  skuIds: readonly string[],
): Promise<number> {
  if (skuIds.length === 0) return 0
  const rows = await db
    .selectFrom('orders as o')
    .innerJoin('order_exceptions as e', (j) =>
      j.onRef('e.order_id', '=', 'o.id').on('e.status', '=', 'open').on('e.reason', '=', 'no_stock'),
    )
    .select(['o.id'])
    .distinct()
    .where('o.merchant_id', '=', merchantId)
    .where('o.status', '=', 'paid')
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('order_line_skus as ls')
          .select('ls.id')
          .whereRef('ls.order_id', '=', 'o.id')
          .where('ls.sku_id', 'in', skuIds),
      ),
    )
    .orderBy('o.id')
    .limit(500)
    .execute()
  let allocated = 0
  for (const r of rows) if ((await allocateOrder(db, merchantId, r.id)) === 'allocated') allocated++
  return allocated
}
