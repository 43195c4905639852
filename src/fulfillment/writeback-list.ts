/** Shipment writebacks as people read them: the platform order number, the shop, the parcel. */
import type { Executor } from '../db/connect.js'
import type { Parcel } from './tables.js'

export interface WritebackRow {
  id: string
  shipmentId: string
  orderId: string
  shopId: string
  parcelNo: number
  status: 'pending' | 'done' | 'failed'
  attempts: number
  lastError: string | null
  note: string | null
  updatedAt: string
  doneAt: string | null
  orderExternalId: string
  channel: string
  shopName: string
  carrier: string | null
  trackingNumber: string | null
  shippedAt: string | null
}

export async function listWritebacks(
  db: Executor,
  merchantId: string,
  q: {
    status?: 'pending' | 'done' | 'failed' | undefined
    orderId?: string | undefined
    shopIds: readonly string[] | null
    before?: string | undefined
    limit: number
  },
): Promise<WritebackRow[]> {
  if (q.shopIds && q.shopIds.length === 0) return []
  let w = db
    .selectFrom('shipment_writebacks as w')
    .innerJoin('orders as o', 'o.id', 'w.order_id')
    .innerJoin('shops as s', 's.id', 'w.shop_id')
    .leftJoin('shipments as sh', 'sh.id', 'w.shipment_id')
    .select([
      'w.id',
      'w.shipment_id',
      'w.order_id',
      'w.shop_id',
      'w.parcel_no',
      'w.status',
      'w.attempts',
      'w.last_error',
      'w.note',
      'w.updated_at',
      'w.done_at',
      'o.external_id',
      'o.channel',
      's.name as shop_name',
      'sh.parcels',
      'sh.shipped_at',
    ])
    .where('w.merchant_id', '=', merchantId)
  if (q.status) w = w.where('w.status', '=', q.status)
  if (q.orderId) w = w.where('w.order_id', '=', q.orderId)
  if (q.shopIds) w = w.where('w.shop_id', 'in', q.shopIds)
  if (q.before !== undefined) w = w.where('w.id', '<', q.before)
  const rows = await w
    .orderBy('w.id', 'desc')
    .limit(q.limit + 1)
    .execute()
  return rows.map((r) => {
    const parcels = (typeof r.parcels === 'string' ? JSON.parse(r.parcels) : (r.parcels ?? [])) as Parcel[]
    const parcel = parcels[r.parcel_no]
    return {
      id: r.id,
      shipmentId: r.shipment_id,
      orderId: r.order_id,
      shopId: r.shop_id,
      parcelNo: r.parcel_no,
      status: r.status,
      attempts: r.attempts,
      lastError: r.last_error,
      note: r.note,
      updatedAt: r.updated_at.toISOString(),
      doneAt: r.done_at ? r.done_at.toISOString() : null,
      orderExternalId: r.external_id,
      channel: r.channel,
      shopName: r.shop_name,
      carrier: parcel?.carrier ?? null,
      trackingNumber: parcel?.trackingNumber ?? null,
      shippedAt: r.shipped_at ? r.shipped_at.toISOString() : null,
    }
  })
}
