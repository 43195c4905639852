/**
 * Correcting a parcel's tracking number after it shipped (a mistyped or reissued waybill): the
 * parcel takes the new number, its writeback is sent again, and the audit log keeps both numbers
 * and the reason. Shipping the parcel again is refused instead (ship.ts).
 */
import type { Db } from '../db/connect.js'
import { withTx } from '../db/tx.js'
import { audit } from '../audit/repo.js'
import type { CarrierCode } from '../../connectors/types.js'
import type { Parcel } from './tables.js'

export class TrackingError extends Error {
  override name = 'TrackingError'
}

export async function correctTracking(
  db: Db,
  merchantId: string,
  shipmentId: string,
  change: { parcelNo: number; trackingNumber: string; carrier?: CarrierCode | undefined; reason: string },
  actor: { actorType: 'api_key' | 'user'; actorId: string },
  at: Date,
): Promise<{ writebackIds: string[]; changed: boolean }> {
  return withTx(db, async (tx) => {
    const s = await tx
      .selectFrom('shipments')
      .select(['id', 'order_id', 'parcels'])
      .where('merchant_id', '=', merchantId)
      .where('id', '=', shipmentId)
      .forUpdate()
      .executeTakeFirstOrThrow()
    const parcels = (typeof s.parcels === 'string' ? JSON.parse(s.parcels) : s.parcels) as Parcel[]
    const old = parcels[change.parcelNo]
    if (!old) throw new TrackingError(`shipment ${shipmentId} has no parcel ${change.parcelNo}`)
    const carrier = change.carrier ?? old.carrier
    if (old.trackingNumber === change.trackingNumber && old.carrier === carrier)
      return { writebackIds: [], changed: false }
    parcels[change.parcelNo] = { ...old, carrier, trackingNumber: change.trackingNumber }
    await tx
      .updateTable('shipments')
      .set({ parcels: JSON.stringify(parcels) })
      .where('id', '=', shipmentId)
      .execute()
    await tx
      .deleteFrom('parcel_tracking')
      .where('merchant_id', '=', merchantId)
      .where('shipment_id', '=', shipmentId)
      .where('parcel_no', '=', change.parcelNo)
      .execute()
    await tx
      .insertInto('parcel_tracking')
      .ignore()
      .values({
        merchant_id: merchantId,
        tracking_number: change.trackingNumber,
        order_id: s.order_id,
        shipment_id: shipmentId,
        parcel_no: change.parcelNo,
      })
      .execute()
    const wbs = await tx
      .selectFrom('shipment_writebacks')
      .select('id')
      .where('merchant_id', '=', merchantId)
      .where('shipment_id', '=', shipmentId)
      .where('parcel_no', '=', change.parcelNo)
      .execute()
    if (wbs.length > 0)
      await tx
        .updateTable('shipment_writebacks')
        .set({ status: 'pending', last_error: null, note: null, done_at: null, updated_at: at })
        .where(
          'id',
          'in',
          wbs.map((w) => w.id),
        )
        .execute()
    await audit(tx, merchantId, {
      ...actor,
      action: 'shipment.tracking_correct',
      entityType: 'order',
      entityId: s.order_id,
      detail: {
        shipmentId,
        parcelNo: change.parcelNo,
        from: `${old.carrier} ${old.trackingNumber}`,
        to: `${carrier} ${change.trackingNumber}`,
        reason: change.reason,
      },
    })
    return { writebackIds: wbs.map((w) => w.id), changed: true }
  })
}
