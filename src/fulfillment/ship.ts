/**
 * Shipping: one or more parcels per shipment unit — an order, or one shipment group of a split
 * order (拆单, groups.ts). In one transaction every open allocation of the unit (and of the merge
 * group's orders, 合单) becomes a shipment movement — on_hand and reserved both go down — at the
 * moving-average cost of that moment (COGS), and one writeback per platform order and parcel is
 * queued. An order moves to shipped when its last unit ships; until then a split order stays in
 * its hub state (picking) with the shipped groups recorded on their shipments. The idempotency
 * key makes a repeated ship request change nothing.
 */
import type { Db, Tx } from '../db/connect.js'
import { faultPoint } from '../lib/fault.js'
import { newId } from '../lib/ids.js'
import { money, sum, toDb, ZERO } from '../money/index.js'
import { setOrderStatus } from '../orders/repo.js'
import { consumeReserved, recordMovement } from '../inventory/stock-repo.js'
import type { OrderEvent } from '../orders/events.js'
import { unsentEvents, withEvents } from '../orders/outbox.js'
import { groupOut, MAIN, orderUnits, shippedGroups, type OrderUnits } from './groups.js'
import type { Parcel } from './tables.js'
import { audit } from '../audit/repo.js'
import { checkIncomplete } from './pack.js'

export type ShipRefusal = 'not_in_wave' | 'not_verified' | 'tracking_differs' | 'already_shipped'

export class ShipError extends Error {
  override name = 'ShipError'
  constructor(
    message: string,
    readonly reason?: ShipRefusal,
  ) {
    super(message)
  }
}

export interface ShipOptions {
  /** Who ships, for the audit log (in the shipment's transaction). */
  actor?: { actorType: 'api_key' | 'user'; actorId: string }
  /** Ship a unit that was not picked through a wave: the reason a person gave. */
  withoutWaveReason?: string
  /** Refuse a unit that is in no wave unless withoutWaveReason is given (the API does; engine callers may not). */
  requireWave?: boolean
}

const trackingOf = (parcels: readonly Parcel[]) =>
  parcels.map((p) => `${p.carrier}:${p.trackingNumber}`).join(',')

export interface ShipResult {
  shipments: {
    orderId: string
    shipmentId: string
    shipmentGroupId: string | null
    cogs: string
    currency: string
    orderShipped: boolean
  }[]
  writebackIds: string[]
  events: OrderEvent[]
  repeated: boolean
}

/**
 * The parcels of one unit as the platform must hear them: a split order's parcel names the lines
 * of its group (empty would mean "the whole order" to the platform), and may name no other line.
 */
function unitParcels(units: OrderUnits, group: string, parcels: readonly Parcel[]): Parcel[] {
  if (!units.split) return [...parcels]
  const lines = units.units.get(group)!.lineExternalIds
  return parcels.map((p) => {
    const foreign = p.lineExternalIds.filter((id) => !lines.includes(id))
    if (foreign.length > 0) throw new ShipError(`lines ${foreign.join(', ')} are not in this shipment group`)
    return { ...p, lineExternalIds: p.lineExternalIds.length > 0 ? [...p.lineExternalIds] : [...lines] }
  })
}

interface Shipped {
  shipmentId: string
  cogs: string
  currency: string
  writebackIds: string[]
  repeated: boolean
  orderShipped: boolean
}

async function shipOne(
  tx: Tx,
  merchantId: string,
  orderId: string,
  group: string,
  parcels: readonly Parcel[],
  key: string,
  actor: string | null,
  shippedAt: Date,
): Promise<Shipped> {
  const existing = await tx
    .selectFrom('shipments')
    .select(['id', 'cogs_amount', 'cogs_currency', 'parcels'])
    .where('merchant_id', '=', merchantId)
    .where('idempotency_key', '=', key)
    .executeTakeFirst()
  if (existing) {
    // The same request again is a repeat; the same parcel with another tracking number is not: a
    // number is corrected through its own action (correctTracking), never by shipping twice.
    const before = (
      typeof existing.parcels === 'string' ? JSON.parse(existing.parcels) : existing.parcels
    ) as Parcel[]
    const again = parcels.map((p) => `${p.carrier}:${p.trackingNumber}`).join(',')
    if (trackingOf(before) !== again)
      throw new ShipError(
        `order ${orderId} was shipped as ${trackingOf(before)}; correct the tracking number instead of shipping again`,
        'tracking_differs',
      )
    // A repeat (perhaps after the first request died between its commit and the enqueue) queues
    // the writebacks still pending again; their job ids make that a no-op when they are queued.
    const pending = await tx
      .selectFrom('shipment_writebacks')
      .select('id')
      .where('merchant_id', '=', merchantId)
      .where('shipment_id', '=', existing.id)
      .where('status', '=', 'pending')
      .orderBy('parcel_no')
      .execute()
    return {
      shipmentId: existing.id,
      cogs: existing.cogs_amount,
      currency: existing.cogs_currency,
      writebackIds: pending.map((w) => w.id),
      repeated: true,
      orderShipped: false,
    }
  }
  const order = await tx
    .selectFrom('orders')
    .select(['id', 'status', 'shop_id', 'currency'])
    .where('merchant_id', '=', merchantId)
    .where('id', '=', orderId)
    .forUpdate()
    .executeTakeFirst()
  if (!order) throw new ShipError(`order ${orderId} not found`)
  const units = await orderUnits(tx, merchantId, orderId)
  if (!['allocated', 'picking'].includes(order.status))
    throw new ShipError(
      `order ${orderId} is ${order.status}; only allocated or picking orders ship`,
      ['shipped', 'completed'].includes(order.status) ? 'already_shipped' : undefined,
    )
  if (await checkIncomplete(tx, merchantId, orderId, units.split ? group : MAIN))
    throw new ShipError(`order ${orderId} is being verified and not every item is scanned`, 'not_verified')
  const unit = units.units.get(group)
  if (!unit) throw new ShipError(`order ${orderId} has no shipment group ${group}`)
  let q = tx
    .selectFrom('stock_allocations as a')
    .innerJoin('order_line_skus as ls', 'ls.id', 'a.order_line_sku_id')
    .select(['a.id', 'a.warehouse_id', 'a.sku_id', 'a.quantity'])
    .where('a.merchant_id', '=', merchantId)
    .where('a.order_id', '=', orderId)
    .where('a.status', '=', 'open')
  if (units.split) q = q.where('ls.order_line_id', 'in', unit.lineIds)
  const allocations = await q.orderBy('a.id').forUpdate().execute()
  if (allocations.length === 0)
    throw new ShipError(
      `order ${orderId}${units.split ? ` (group ${groupOut(group) ?? 'main'})` : ''} has nothing reserved to ship`,
    )
  const out = unitParcels(units, group, parcels)
  const costs = new Map(
    (
      await tx
        .selectFrom('sku_costs')
        .select(['sku_id', 'avg_cost', 'currency'])
        .where('merchant_id', '=', merchantId)
        .where(
          'sku_id',
          'in',
          allocations.map((a) => a.sku_id),
        )
        .execute()
    ).map((c) => [c.sku_id, c]),
  )
  const shipmentId = newId()
  const lineCosts = []
  for (const a of allocations) {
    if (
      !(await consumeReserved(tx, { merchantId, warehouseId: a.warehouse_id, skuId: a.sku_id }, a.quantity))
    )
      throw new ShipError(`stock for allocation ${a.id} is not reserved`)
    const cost = costs.get(a.sku_id)
    await recordMovement(tx, {
      merchantId,
      warehouseId: a.warehouse_id,
      skuId: a.sku_id,
      kind: 'shipment',
      quantity: -a.quantity,
      unitCost: cost?.avg_cost ?? null,
      currency: cost?.currency ?? null,
      refType: 'order',
      refId: orderId,
      actor,
      at: shippedAt,
    })
    await tx
      .updateTable('stock_allocations')
      .set({ status: 'shipped', updated_at: shippedAt })
      .where('id', '=', a.id)
      .execute()
    lineCosts.push(cost ? money(cost.avg_cost).mul(a.quantity) : ZERO)
    faultPoint('ship.allocation.shipped')
  }
  const currency = costs.values().next().value?.currency ?? order.currency
  const cogs = toDb(sum(lineCosts))
  const now = shippedAt
  const tracking = out.map((p) => `${p.carrier} ${p.trackingNumber}`).join(', ')
  await tx
    .insertInto('shipments')
    .values({
      id: shipmentId,
      merchant_id: merchantId,
      order_id: orderId,
      shipment_group_id: units.split ? group : MAIN,
      warehouse_id: allocations[0]!.warehouse_id,
      idempotency_key: key,
      parcels: JSON.stringify(out),
      cogs_amount: cogs,
      cogs_currency: currency,
      shipped_by: actor,
      shipped_at: now,
    })
    .execute()
  const waybillIds = out.flatMap((p) => (p.waybillId ? [p.waybillId] : []))
  if (waybillIds.length > 0)
    await tx
      .updateTable('waybills')
      .set({ status: 'shipped', shipment_id: shipmentId, updated_at: now })
      .where('merchant_id', '=', merchantId)
      .where('id', 'in', waybillIds)
      .where('status', 'in', ['issued', 'printed'])
      .execute()
  faultPoint('ship.shipment.recorded')
  // The order is shipped once every unit has its shipment (this one included).
  const shipped = units.split ? await shippedGroups(tx, merchantId, orderId) : new Set([MAIN])
  const orderShipped = [...units.units.keys()].every((g) => shipped.has(g))
  if (orderShipped) {
    const moved = await setOrderStatus(tx, merchantId, orderId, {
      from: order.status,
      to: 'shipped',
      source: 'fulfillment',
      note: tracking,
      at: now,
    })
    if (!moved) throw new ShipError(`order ${orderId} changed while it was shipped`) // locked above: not expected
  } else {
    await tx
      .updateTable('orders')
      .set({ updated_at: now })
      .where('merchant_id', '=', merchantId)
      .where('id', '=', orderId)
      .execute()
  }
  let done = tx
    .updateTable('wave_orders')
    .set({ status: 'shipped', open_marker: null })
    .where('merchant_id', '=', merchantId)
    .where('order_id', '=', orderId)
    .where('open_marker', '=', 1)
  if (units.split) done = done.where('shipment_group_id', '=', group)
  await done.execute()
  await closeFinishedWaves(tx, merchantId, orderId, now)
  await tx
    .insertInto('parcel_tracking')
    .ignore()
    .values(
      out.map((p, i) => ({
        merchant_id: merchantId,
        tracking_number: p.trackingNumber,
        order_id: orderId,
        shipment_id: shipmentId,
        parcel_no: i,
      })),
    )
    .execute()
  const writebackIds = out.map(() => newId())
  await tx
    .insertInto('shipment_writebacks')
    .values(
      out.map((_, i) => ({
        id: writebackIds[i]!,
        merchant_id: merchantId,
        shipment_id: shipmentId,
        order_id: orderId,
        shop_id: order.shop_id,
        parcel_no: i,
        status: 'pending' as const,
        attempts: 0,
      })),
    )
    .execute()
  return { shipmentId, cogs, currency, writebackIds, repeated: false, orderShipped }
}

/**
 * Ship an order. `group` picks the shipment group of a split order: a group id, null for the
 * order's own lines, or undefined when the order is not split or has one unshipped group left.
 * The order's own lines ship together with the merge group (合单); a split-off group ships alone.
 */
export async function shipOrder(
  db: Db,
  merchantId: string,
  orderId: string,
  parcels: readonly Parcel[],
  idempotencyKey: string,
  actor: string | null,
  group: string | null | undefined,
  /** The warehouse's ship time: the order's shipped_at, and the date its sale and COGS are posted at. */
  shippedAt: Date,
  opts: ShipOptions = {},
): Promise<ShipResult> {
  if (parcels.length === 0)
    throw new ShipError('at least one parcel with a carrier and tracking number is needed')
  return withEvents(db, async (tx) => {
    const head = await tx
      .selectFrom('orders')
      .select(['merge_group_id'])
      .where('merchant_id', '=', merchantId)
      .where('id', '=', orderId)
      .executeTakeFirst()
    if (!head) throw new ShipError(`order ${orderId} not found`)
    const target = await targetGroup(tx, merchantId, orderId, group, idempotencyKey)
    // A merged shipment (合单) ships every platform order of the group; each keeps its own writeback.
    const members =
      target === MAIN && head.merge_group_id
        ? (
            await tx
              .selectFrom('orders')
              .select('id')
              .where('merchant_id', '=', merchantId)
              .where('merge_group_id', '=', head.merge_group_id)
              .orderBy('id')
              .execute()
          ).map((o) => o.id)
        : [orderId]
    if (opts.requireWave && !opts.withoutWaveReason && !(await inWave(tx, merchantId, orderId, target)))
      throw new ShipError(
        `order ${orderId} was not picked through a wave: ship it without a wave, with a reason`,
        'not_in_wave',
      )
    const result: ShipResult = { shipments: [], writebackIds: [], events: [], repeated: false }
    for (const id of members) {
      const r = await shipOne(
        tx,
        merchantId,
        id,
        target,
        parcels,
        target === MAIN ? `${idempotencyKey}.${id}` : `${idempotencyKey}.${id}.${target}`,
        actor,
        shippedAt,
      )
      result.repeated ||= r.repeated
      result.shipments.push({
        orderId: id,
        shipmentId: r.shipmentId,
        shipmentGroupId: groupOut(target),
        cogs: r.cogs,
        currency: r.currency,
        orderShipped: r.orderShipped,
      })
      result.writebackIds.push(...r.writebackIds)
      // One `shipped` per order, when its last group ships: the ledger recognises the sale and posts the COGS of every shipment movement of the order then.
      if (r.orderShipped)
        result.events.push({
          merchantId,
          orderId: id,
          kind: 'shipped',
          key: `${id}.shipped.${r.shipmentId}`,
          shipmentId: r.shipmentId,
          at: shippedAt.toISOString(),
        })
    }
    if (result.repeated) result.events.push(...(await unsentEvents(tx, merchantId, members)))
    if (opts.actor && !result.repeated)
      await audit(tx, merchantId, {
        ...opts.actor,
        action: opts.withoutWaveReason ? 'order.ship_without_wave' : 'order.ship',
        entityType: 'order',
        entityId: orderId,
        detail: {
          shipmentGroupId: groupOut(target),
          orders: members,
          parcels: parcels.map((p) => ({ carrier: p.carrier, trackingNumber: p.trackingNumber })),
          ...(opts.withoutWaveReason ? { reason: opts.withoutWaveReason } : {}),
        },
      })
    return result
  })
}

/** Whether the unit was picked through a wave (it is in one, or was when it shipped). */
async function inWave(tx: Tx, merchantId: string, orderId: string, group: string): Promise<boolean> {
  const r = await tx
    .selectFrom('wave_orders')
    .select('wave_id')
    .where('merchant_id', '=', merchantId)
    .where('order_id', '=', orderId)
    .where('shipment_group_id', '=', group)
    .where('status', 'in', ['in_wave', 'shipped'])
    .limit(1)
    .executeTakeFirst()
  return r !== undefined
}

/** A wave whose every order has shipped or left it is closed. */
async function closeFinishedWaves(tx: Tx, merchantId: string, orderId: string, at: Date): Promise<void> {
  const waves = await tx
    .selectFrom('wave_orders')
    .select('wave_id')
    .where('merchant_id', '=', merchantId)
    .where('order_id', '=', orderId)
    .execute()
  for (const { wave_id } of waves) {
    const open = await tx
      .selectFrom('wave_orders')
      .select('order_id')
      .where('merchant_id', '=', merchantId)
      .where('wave_id', '=', wave_id)
      .where('status', '=', 'in_wave')
      .limit(1)
      .executeTakeFirst()
    if (!open)
      await tx
        .updateTable('waves')
        .set({ status: 'closed', closed_at: at })
        .where('merchant_id', '=', merchantId)
        .where('id', '=', wave_id)
        .where('status', '=', 'open')
        .execute()
  }
}

async function targetGroup(
  tx: Tx,
  merchantId: string,
  orderId: string,
  group: string | null | undefined,
  idempotencyKey: string,
): Promise<string> {
  if (group === null) return MAIN
  const units = await orderUnits(tx, merchantId, orderId)
  if (!units.split) {
    if (group !== undefined)
      throw new ShipError(`order ${orderId} is not split: it has no shipment group ${group}`)
    return MAIN
  }
  if (group !== undefined) {
    if (!units.units.has(group)) throw new ShipError(`order ${orderId} has no shipment group ${group}`)
    return group
  }
  const shipped = await shippedGroups(tx, merchantId, orderId)
  const left = [...units.units.keys()].filter((g) => !shipped.has(g))
  if (left.length === 0) {
    // A repeat of the request that shipped the last group: answer it as a repeat.
    const keys = [...units.units.keys()].map((g) =>
      g === MAIN ? `${idempotencyKey}.${orderId}` : `${idempotencyKey}.${orderId}.${g}`,
    )
    const again = await tx
      .selectFrom('shipments')
      .select('shipment_group_id')
      .where('merchant_id', '=', merchantId)
      .where('idempotency_key', 'in', keys)
      .executeTakeFirst()
    if (again) return again.shipment_group_id
  }
  if (left.length !== 1)
    throw new ShipError(
      `order ${orderId} is split into ${units.units.size} shipment groups and ${left.length} are unshipped: say which one ships (shipmentGroupId)`,
    )
  return left[0]!
}
