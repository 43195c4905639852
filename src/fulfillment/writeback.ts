/**
 * Shipment writeback (发货回传): tell the platform the carrier and tracking number of each parcel.
 * Failures are recorded on the writeback row (visible per order and in the failed list); transient
 * ones retry with BullMQ backoff, permanent ones wait for a person to retry by hand.
 */
import { getConnector } from '../../connectors/index.js'
import { isConnectorError } from '../../connectors/errors.js'
import { enqueueBulk, jobId } from '../../jobs/queues.js'
import type { AppContext } from '../context.js'
import type { Channel } from '../db/schema.js'
import { faultPoint } from '../lib/fault.js'
import { withFreshToken } from '../sync/pull.js'
import type { Parcel } from './tables.js'

export type WritebackOutcome = 'done' | 'already_done' | 'failed_permanently'

export async function runWriteback(
  ctx: Pick<AppContext, 'db' | 'queues' | 'config' | 'clock' | 'log' | 'redis'>,
  merchantId: string,
  writebackId: string,
  finalAttempt: boolean,
): Promise<WritebackOutcome> {
  const wb = await ctx.db
    .selectFrom('shipment_writebacks as w')
    .innerJoin('shipments as s', 's.id', 'w.shipment_id')
    .innerJoin('orders as o', 'o.id', 'w.order_id')
    .select([
      'w.id',
      'w.status',
      'w.parcel_no',
      'w.shop_id',
      'w.order_id',
      's.parcels',
      's.shipped_at',
      'o.external_id',
      'o.channel',
    ])
    .where('w.merchant_id', '=', merchantId)
    .where('w.id', '=', writebackId)
    .executeTakeFirst()
  if (!wb) throw new Error(`writeback ${writebackId} not found`)
  if (wb.status === 'done') return 'already_done'
  const parcel = (wb.parcels as Parcel[])[wb.parcel_no]!
  const wholeOrder = getConnector(wb.channel as Channel).shipmentScope === 'order'
  if (wholeOrder) {
    // One tracking number per order: the order's first parcel (in a fixed order, so concurrent
    // writebacks agree) is sent as the whole order; the others are recorded, not sent.
    const first = await ctx.db
      .selectFrom('shipment_writebacks as w')
      .innerJoin('shipments as s', 's.id', 'w.shipment_id')
      .select('w.id')
      .where('w.merchant_id', '=', merchantId)
      .where('w.order_id', '=', wb.order_id)
      .orderBy('s.shipped_at')
      .orderBy('w.shipment_id')
      .orderBy('w.parcel_no')
      .limit(1)
      .executeTakeFirstOrThrow()
    if (first.id !== wb.id) {
      const note = `not sent: ${wb.channel} takes one tracking number per order, and the order's first parcel carried it`
      await ctx.db
        .updateTable('shipment_writebacks')
        .set({
          status: 'done',
          note,
          last_error: null,
          done_at: ctx.clock.now(),
          updated_at: ctx.clock.now(),
        })
        .where('id', '=', writebackId)
        .execute()
      return 'done'
    }
  }
  try {
    await withFreshToken(ctx, merchantId, wb.shop_id, (sc) =>
      getConnector(sc.channel).pushShipment(sc, {
        orderExternalId: wb.external_id,
        lineExternalIds: wholeOrder ? [] : parcel.lineExternalIds,
        carrier: parcel.carrier,
        carrierName: parcel.carrierName,
        trackingNumber: parcel.trackingNumber,
        // A waybill from this channel's own e-waybill service ships with that account's carrier code.
        companyCode:
          parcel.platformCarrierChannel === wb.channel ? (parcel.platformCarrierCode ?? null) : null,
        shippedAt: wb.shipped_at,
      }),
    )
  } catch (err) {
    const permanent = isConnectorError(err, 'permanent') || finalAttempt
    await ctx.db
      .updateTable('shipment_writebacks')
      .set((eb) => ({
        attempts: eb('attempts', '+', 1),
        last_error: (err instanceof Error ? err.message : String(err)).slice(0, 2000),
        status: permanent ? 'failed' : 'pending',
        updated_at: ctx.clock.now(),
      }))
      .where('id', '=', writebackId)
      .execute()
    if (permanent) return 'failed_permanently'
    throw err
  }
  // Dying here sends the parcel again on the retry: platforms must take a repeated tracking number.
  faultPoint('writeback.sent')
  await ctx.db
    .updateTable('shipment_writebacks')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      status: 'done',
      last_error: null,
      done_at: ctx.clock.now(),
      updated_at: ctx.clock.now(),
    }))
    .where('id', '=', writebackId)
    .execute()
  return 'done'
}

/** Queue writebacks after the transaction that created them committed. */
export async function enqueueWritebacks(
  ctx: Pick<AppContext, 'queues'>,
  merchantId: string,
  writebackIds: readonly string[],
): Promise<void> {
  await enqueueBulk(
    ctx.queues,
    'shipment-writeback',
    writebackIds.map((id) => ({ data: { merchantId, writebackId: id }, id: jobId('wb', id) })),
  )
}

/**
 * Queue again the writebacks left pending longer than `graceMs` (longer than the queue's own
 * retries take): their job was never queued, because the process died after the shipment
 * committed, or it was lost. A writeback whose job is still kept is not queued twice.
 */
export async function sweepWritebacks(
  ctx: Pick<AppContext, 'db' | 'queues' | 'clock'>,
  merchantIds: readonly string[],
  graceMs = 15 * 60_000,
): Promise<number> {
  let swept = 0
  // updated_at is stamped from the application clock, so its age is measured on that clock too.
  const staleBefore = new Date(ctx.clock.now().getTime() - graceMs)
  for (const merchantId of merchantIds) {
    const rows = await ctx.db
      .selectFrom('shipment_writebacks')
      .select('id')
      .where('merchant_id', '=', merchantId)
      .where('status', '=', 'pending')
      .where('updated_at', '<', staleBefore)
      .orderBy('updated_at')
      .limit(1000)
      .execute()
    await enqueueWritebacks(
      ctx,
      merchantId,
      rows.map((r) => r.id),
    )
    swept += rows.length
  }
  return swept
}
