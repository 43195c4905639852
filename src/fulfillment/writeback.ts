/**
 * Shipment writeback (发货回传): tell the platform the carrier and tracking number of each parcel.
 * Failures are recorded on the writeback row (visible per order and in the failed list); transient
 * ones retry with BullMQ backoff, permanent ones wait for a person to retry by hand.
 */
import { getConnector } from '../../connectors/index.js'
import { isConnectorError } from '../../connectors/errors.js'
import type { AppContext } from '../context.js'
import { withFreshToken } from '../sync/pull.js'
import type { Parcel } from './tables.js'

export type WritebackOutcome = 'done' | 'already_done' | 'failed_permanently'

export async function runWriteback(ctx: Pick<AppContext, 'db' | 'queues' | 'config' | 'clock' | 'log'>, merchantId: string, writebackId: string, finalAttempt: boolean): Promise<WritebackOutcome> {
  const wb = await ctx.db
    .selectFrom('shipment_writebacks as w')
    .innerJoin('shipments as s', 's.id', 'w.shipment_id')
    .innerJoin('orders as o', 'o.id', 'w.order_id')
    .select(['w.id', 'w.status', 'w.parcel_no', 'w.shop_id', 's.parcels', 's.shipped_at', 'o.external_id', 'o.channel'])
    .where('w.merchant_id', '=', merchantId)
    .where('w.id', '=', writebackId)
    .executeTakeFirst()
  if (!wb) throw new Error(`writeback ${writebackId} not found`)
  if (wb.status === 'done') return 'already_done'
  const parcel = (wb.parcels as Parcel[])[wb.parcel_no]!
  try {
    await withFreshToken(ctx, merchantId, wb.shop_id, (sc) =>
      getConnector(sc.channel).pushShipment(sc, {
        orderExternalId: wb.external_id,
        lineExternalIds: parcel.lineExternalIds,
        carrier: parcel.carrier,
        carrierName: parcel.carrierName,
        trackingNumber: parcel.trackingNumber,
        shippedAt: wb.shipped_at,
      }),
    )
  } catch (err) {
    const permanent = isConnectorError(err, 'permanent') || finalAttempt
    await ctx.db
      .updateTable('shipment_writebacks')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: (err instanceof Error ? err.message : String(err)).slice(0, 2000), status: permanent ? 'failed' : 'pending', updated_at: ctx.clock.now() }))
      .where('id', '=', writebackId)
      .execute()
    if (permanent) return 'failed_permanently'
    throw err
  }
  await ctx.db.updateTable('shipment_writebacks').set((eb) => ({ attempts: eb('attempts', '+', 1), status: 'done', last_error: null, done_at: ctx.clock.now(), updated_at: ctx.clock.now() })).where('id', '=', writebackId).execute()
  return 'done'
}
