/**
 * Pick confirmation per allocation. A shortage found at the shelf is never a silent partial
 * shipment: the order's reservations are released, the missing units are written off as an
 * adjustment, the order leaves the wave with a pick_shortage exception and goes back to paid, and
 * the caller attempts a re-allocation (perhaps from another warehouse).
 */
import { sql } from 'kysely'
import type { Db } from '../db/connect.js'
import { withTx } from '../db/tx.js'
import { releaseOrder } from '../inventory/allocate.js'
import { changeOnHand, recordMovement } from '../inventory/stock-repo.js'
import { raiseException } from '../orders/exceptions.js'
import { setOrderStatus } from '../orders/repo.js'
import { removeFromOpenWave } from './waves.js'

export class PickError extends Error {
  override name = 'PickError'
}

export async function confirmPick(
  db: Db,
  merchantId: string,
  waveId: string,
  allocationId: string,
  picked: number,
  actor: string | null,
  /**
   * When it was picked, by the application's clock (ctx.clock): the confirmation's time, and that of
   * a shortage's movement and status change.
   */
  at: Date,
): Promise<{ shortage: number; orderId: string }> {
  const a = await db
    .selectFrom('stock_allocations as a')
    .innerJoin('order_line_skus as ls', 'ls.id', 'a.order_line_sku_id')
    .leftJoin('order_line_groups as g', (j) =>
      j.onRef('g.merchant_id', '=', 'ls.merchant_id').onRef('g.order_line_id', '=', 'ls.order_line_id'),
    )
    // The wave row of the allocation's own unit: a split order has one per shipment group.
    .innerJoin('wave_orders as wo', (j) =>
      j
        .onRef('wo.order_id', '=', 'a.order_id')
        .on('wo.wave_id', '=', waveId)
        .on(sql<boolean>`wo.shipment_group_id = COALESCE(g.shipment_group_id, '')`),
    )
    .select([
      'a.id',
      'a.order_id',
      'a.warehouse_id',
      'a.sku_id',
      'a.quantity',
      'a.status',
      'wo.status as wave_status',
    ])
    .where('a.merchant_id', '=', merchantId)
    .where('a.id', '=', allocationId)
    .executeTakeFirst()
  if (!a) throw new PickError(`allocation ${allocationId} is not in wave ${waveId}`)
  if (a.status !== 'open' || a.wave_status !== 'in_wave')
    throw new PickError(`allocation ${allocationId} is ${a.status} / ${a.wave_status}: nothing to pick`)
  if (picked > a.quantity) throw new PickError(`picked ${picked} but only ${a.quantity} are to be picked`)
  const shortage = a.quantity - picked
  await db
    .insertInto('pick_confirmations')
    .values({
      merchant_id: merchantId,
      wave_id: waveId,
      allocation_id: allocationId,
      picked,
      short: shortage,
      confirmed_by: actor,
      confirmed_at: at,
    })
    .onDuplicateKeyUpdate({ picked, short: shortage, confirmed_by: actor, confirmed_at: at })
    .execute()
  if (shortage === 0) return { shortage, orderId: a.order_id }
  await releaseOrder(db, merchantId, a.order_id)
  await withTx(db, async (tx) => {
    if (await changeOnHand(tx, { merchantId, warehouseId: a.warehouse_id, skuId: a.sku_id }, -shortage)) {
      await recordMovement(tx, {
        merchantId,
        warehouseId: a.warehouse_id,
        skuId: a.sku_id,
        kind: 'adjustment',
        quantity: -shortage,
        reason: 'short at pick',
        refType: 'wave',
        refId: waveId,
        actor,
        at,
      })
    }
    await removeFromOpenWave(tx, merchantId, a.order_id)
    // A split order with a group already shipped cannot be allocated again as a whole (its shipped
    // lines would be reserved twice): it waits on hold for a person instead.
    const partlyShipped =
      (await tx
        .selectFrom('shipments')
        .select('id')
        .where('merchant_id', '=', merchantId)
        .where('order_id', '=', a.order_id)
        .limit(1)
        .executeTakeFirst()) !== undefined
    const to = partlyShipped ? 'on_hold' : 'paid'
    await setOrderStatus(tx, merchantId, a.order_id, {
      from: ['picking', 'allocated'],
      to,
      source: 'fulfillment',
      note: `short ${shortage} at pick`,
      at,
    })
    await raiseException(tx, merchantId, {
      orderId: a.order_id,
      reason: 'pick_shortage',
      detail: { waveId, skuId: a.sku_id, warehouseId: a.warehouse_id, short: shortage },
    })
  })
  return { shortage, orderId: a.order_id }
}
