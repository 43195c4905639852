/**
 * Shipment groups of an order in fulfillment. A split (拆单, order_line_groups) moves lines of an
 * order into other groups; each group is its own pick slot, parcel and shipment. MAIN ('') is the
 * order's own lines — every line when the order is not split, so an unsplit order is one unit, as
 * before splits existed.
 */
import type { Executor } from '../db/connect.js'

export const MAIN = ''

export interface ShipmentUnit {
  group: string
  lineIds: string[]
  lineExternalIds: string[]
}

export interface OrderUnits {
  split: boolean
  units: Map<string, ShipmentUnit>
}

/** The shipment units of an order, from its lines and their groups. */
export async function orderUnits(db: Executor, merchantId: string, orderId: string): Promise<OrderUnits> {
  const rows = await db
    .selectFrom('order_lines as l')
    .leftJoin('order_line_groups as g', (j) =>
      j.onRef('g.merchant_id', '=', 'l.merchant_id').onRef('g.order_line_id', '=', 'l.id'),
    )
    .select(['l.id', 'l.external_line_id', 'g.shipment_group_id'])
    .where('l.merchant_id', '=', merchantId)
    .where('l.order_id', '=', orderId)
    .orderBy('l.line_no')
    .execute()
  const units = new Map<string, ShipmentUnit>()
  for (const r of rows) {
    const group = r.shipment_group_id ?? MAIN
    let u = units.get(group)
    if (!u) units.set(group, (u = { group, lineIds: [], lineExternalIds: [] }))
    u.lineIds.push(r.id)
    u.lineExternalIds.push(r.external_line_id)
  }
  return { split: rows.some((r) => r.shipment_group_id !== null), units }
}

/** Groups of the order that already have a shipment. */
export async function shippedGroups(db: Executor, merchantId: string, orderId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('shipments')
    .select('shipment_group_id')
    .where('merchant_id', '=', merchantId)
    .where('order_id', '=', orderId)
    .execute()
  return new Set(rows.map((r) => r.shipment_group_id))
}

/** '' in SQL, null in the API: the order's own lines. */
export const groupOut = (group: string): string | null => (group === MAIN ? null : group)
