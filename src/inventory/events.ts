/**
 * What the inventory engine does with order events: allocate on paid; release on cancel or on a
 * refund before shipment (the order goes on hold for a person to look at). Each event key is
 * processed once: the key is claimed in the transaction that does the work, so a worker that dies
 * half way leaves nothing done and nothing claimed, and the retry does it all.
 */
import type { AppContext } from '../context.js'
import type { Tx } from '../db/connect.js'
import { withTx } from '../db/tx.js'
import { faultPoint } from '../lib/fault.js'
import type { OrderEvent } from '../orders/events.js'
import { removeFromOpenWave } from '../fulfillment/waves.js'
import { setOrderStatus } from '../orders/repo.js'
import { allocateOrder, releaseOrder, type AllocationOutcome } from './allocate.js'
import { claimEventKey } from './stock-repo.js'

/**
 * `already_done`: the event was handled before (a replay, or the retry of a run that died after
 * its commit); whatever it changed is committed, and the caller's follow-ups (a stock push) are
 * due again.
 */
export async function handleInventoryEvent(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  e: OrderEvent,
): Promise<AllocationOutcome | 'released' | 'ignored'> {
  switch (e.kind) {
    case 'paid':
      return allocateOrder(ctx, e.merchantId, e.orderId, e.key)
    case 'cancelled':
    case 'refund_requested':
    case 'refunded':
      // The hold is dated by the refund (the event's business time), else by the clock.
      return withTx(ctx.db, (tx) => releaseForEvent(tx, e, e.at ? new Date(e.at) : ctx.clock.now()))
    case 'changed':
    case 'shipped':
      return 'ignored'
  }
}

async function releaseForEvent(
  tx: Tx,
  e: OrderEvent,
  at: Date,
): Promise<'released' | 'ignored' | 'already_done'> {
  // The order row first, as shipping takes it: a release and a shipment of one order queue up
  // behind each other instead of deadlocking on the allocations.
  const order = await tx
    .selectFrom('orders')
    .select('status')
    .where('merchant_id', '=', e.merchantId)
    .where('id', '=', e.orderId)
    .forUpdate()
    .executeTakeFirst()
  if (!(await claimEventKey(tx, e.merchantId, e.key))) return 'already_done'
  faultPoint('inventory.release.claimed')
  const released = await releaseOrder(tx, e.merchantId, e.orderId)
  faultPoint('inventory.release.released')
  await removeFromOpenWave(tx, e.merchantId, e.orderId)
  // A refund that arrives before shipment stops the order in the warehouse.
  if (e.kind !== 'cancelled' && order && ['paid', 'allocated', 'picking'].includes(order.status)) {
    faultPoint('inventory.release.unwaved')
    await setOrderStatus(tx, e.merchantId, e.orderId, {
      from: order.status,
      to: 'on_hold',
      source: 'inventory',
      note: e.kind,
      at,
    })
  }
  return released > 0 ? 'released' : 'ignored'
}

/** After stock arrives: retry orders waiting on it (open no_stock exceptions), oldest paid first. */
export async function retryWaitingOrders(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  merchantId: string,
  skuIds: readonly string[],
): Promise<number> {
  if (skuIds.length === 0) return 0
  const rows = await ctx.db
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
  for (const r of rows) if ((await allocateOrder(ctx, merchantId, r.id)) === 'allocated') allocated++
  return allocated
}
