/**
 * Verify and pack (验货打包): a shipment unit (an order, or one group of a split order) is found by
 * a scan of its number, its sorting-wall slot or its tracking number; each item scanned counts one
 * unit against its line, on the server, so a reload or another station carries on. A code that is
 * not in the order, or one more than the order needs, is refused; the unit is packed only when
 * every line is complete. A held, cancelled or refunded order is blocked.
 */
import { sql } from 'kysely'
import type { Db, Executor } from '../db/connect.js'
import { withTx } from '../db/tx.js'
import { groupOut, MAIN } from './groups.js'
import type { Parcel } from './tables.js'
import { parseSlotCode, resolveScan, slotCode, waveCode } from './scan.js'

export type PackRefusal =
  | 'unknown_code'
  | 'wrong_item'
  | 'over_scan'
  | 'incomplete'
  | 'already_packed'
  | 'order_blocked'
  | 'nothing_to_pack'

export class PackError extends Error {
  override name = 'PackError'
  constructor(
    readonly reason: PackRefusal,
    message: string,
  ) {
    super(message)
  }
}

export type PackBlock = 'on_hold' | 'cancelled' | 'refunded' | 'not_allocated' | null

export interface Verification {
  orderId: string
  shipmentGroupId: string | null
  status: 'verifying' | 'packed' | 'shipped'
  blocked: PackBlock
  complete: boolean
  order: {
    externalId: string
    channel: string
    shopName: string
    status: string
    buyerNick: string | null
    buyerNote: string | null
    sellerNote: string | null
    paidAt: string | null
  }
  wave: { id: string; code: string; slot: number; slotCode: string; status: string } | null
  lines: {
    skuId: string
    skuCode: string
    skuName: string
    barcode: string | null
    bin: string | null
    expected: number
    scanned: number
  }[]
  packedAt: string | null
  shipments: { id: string; shippedAt: string; parcels: Parcel[] }[]
}

const blockOf = (status: string, refund: string): PackBlock =>
  status === 'on_hold'
    ? 'on_hold'
    : status === 'cancelled'
      ? 'cancelled'
      : refund === 'requested' || refund === 'refunded'
        ? 'refunded'
        : ['paid', 'pending_payment'].includes(status)
          ? 'not_allocated'
          : null

/** The order (and group) a scan at the pack station names, or null. */
export async function findByCode(
  db: Executor,
  merchantId: string,
  code: string,
): Promise<{ orderId: string; shipmentGroupId: string | null } | null> {
  const value = code.trim()
  const slot = parseSlotCode(value)
  if (slot) {
    const r = await db
      .selectFrom('wave_orders as wo')
      .innerJoin('waves as w', 'w.id', 'wo.wave_id')
      .select(['wo.order_id', 'wo.shipment_group_id'])
      .where('wo.merchant_id', '=', merchantId)
      .where('w.merchant_id', '=', merchantId)
      .where('w.number', '=', slot.wave)
      .where('wo.slot', '=', slot.slot)
      .executeTakeFirst()
    return r ? { orderId: r.order_id, shipmentGroupId: groupOut(r.shipment_group_id) } : null
  }
  if (/^[0-9A-HJKMNP-TV-Z]{26}$/.test(value)) {
    const r = await db
      .selectFrom('orders')
      .select('id')
      .where('merchant_id', '=', merchantId)
      .where('id', '=', value)
      .executeTakeFirst()
    if (r) return { orderId: r.id, shipmentGroupId: null }
  }
  // A platform order number: the newest order not shipped yet wins over older namesakes.
  const byExternal = await db
    .selectFrom('orders')
    .select(['id', 'status'])
    .where('merchant_id', '=', merchantId)
    .where('external_id', '=', value)
    .orderBy('id', 'desc')
    .limit(10)
    .execute()
  const open = byExternal.find((o) => ['allocated', 'picking'].includes(o.status)) ?? byExternal[0]
  if (open) return { orderId: open.id, shipmentGroupId: null }
  const tracked = await db
    .selectFrom('parcel_tracking as t')
    .innerJoin('shipments as s', 's.id', 't.shipment_id')
    .select(['t.order_id', 's.shipment_group_id'])
    .where('t.merchant_id', '=', merchantId)
    .where('t.tracking_number', '=', value)
    .orderBy('t.created_at', 'desc')
    .executeTakeFirst()
  return tracked ? { orderId: tracked.order_id, shipmentGroupId: groupOut(tracked.shipment_group_id) } : null
}

/** What the unit needs, per SKU: its lines' SKU quantities (a bundle's components), less refunds. */
async function expectedLines(
  db: Executor,
  merchantId: string,
  orderId: string,
  group: string,
): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('order_line_skus as ls')
    .leftJoin('order_line_groups as g', (j) =>
      j.onRef('g.merchant_id', '=', 'ls.merchant_id').onRef('g.order_line_id', '=', 'ls.order_line_id'),
    )
    .select(['ls.sku_id', 'ls.quantity'])
    .where('ls.merchant_id', '=', merchantId)
    .where('ls.order_id', '=', orderId)
    .where(sql<string>`COALESCE(g.shipment_group_id, '')`, '=', group)
    .execute()
  const out = new Map<string, number>()
  for (const r of rows) out.set(r.sku_id, (out.get(r.sku_id) ?? 0) + Number(r.quantity))
  return out
}

/** Create the unit's check and its lines on the first scan (idempotent). */
async function ensureCheck(tx: Executor, merchantId: string, orderId: string, group: string): Promise<void> {
  const expected = await expectedLines(tx, merchantId, orderId, group)
  if (expected.size === 0) throw new PackError('nothing_to_pack', `order ${orderId} has no items to pack`)
  await tx
    .insertInto('pack_checks')
    .ignore()
    .values({ merchant_id: merchantId, order_id: orderId, shipment_group_id: group, status: 'verifying' })
    .execute()
  await tx
    .insertInto('pack_check_lines')
    .ignore()
    .values(
      [...expected].map(([skuId, n]) => ({
        merchant_id: merchantId,
        order_id: orderId,
        shipment_group_id: group,
        sku_id: skuId,
        expected: n,
        scanned: 0,
      })),
    )
    .execute()
}

export async function verification(
  db: Executor,
  merchantId: string,
  orderId: string,
  groupIn: string | null,
): Promise<Verification | null> {
  const group = groupIn ?? MAIN
  const order = await db
    .selectFrom('orders as o')
    .innerJoin('shops as s', 's.id', 'o.shop_id')
    .select([
      'o.id',
      'o.external_id',
      'o.channel',
      'o.status',
      'o.refund_state',
      'o.buyer_nick',
      'o.buyer_note',
      'o.seller_note',
      'o.paid_at',
      's.name as shop_name',
    ])
    .where('o.merchant_id', '=', merchantId)
    .where('o.id', '=', orderId)
    .executeTakeFirst()
  if (!order) return null
  const [expected, check, scanned, waveRow, shipments] = await Promise.all([
    expectedLines(db, merchantId, orderId, group),
    db
      .selectFrom('pack_checks')
      .select(['status', 'packed_at'])
      .where('merchant_id', '=', merchantId)
      .where('order_id', '=', orderId)
      .where('shipment_group_id', '=', group)
      .executeTakeFirst(),
    db
      .selectFrom('pack_check_lines')
      .select(['sku_id', 'scanned'])
      .where('merchant_id', '=', merchantId)
      .where('order_id', '=', orderId)
      .where('shipment_group_id', '=', group)
      .execute(),
    db
      .selectFrom('wave_orders as wo')
      .innerJoin('waves as w', 'w.id', 'wo.wave_id')
      .select(['w.id', 'w.number', 'w.status', 'wo.slot', 'wo.status as wave_status'])
      .where('wo.merchant_id', '=', merchantId)
      .where('wo.order_id', '=', orderId)
      .where('wo.shipment_group_id', '=', group)
      .where('wo.status', '<>', 'removed')
      .orderBy('wo.added_at', 'desc')
      .executeTakeFirst(),
    db
      .selectFrom('shipments')
      .select(['id', 'shipped_at', 'parcels'])
      .where('merchant_id', '=', merchantId)
      .where('order_id', '=', orderId)
      .where('shipment_group_id', '=', group)
      .orderBy('shipped_at')
      .execute(),
  ])
  const skuIds = [...expected.keys()]
  const skus =
    skuIds.length === 0
      ? []
      : await db
          .selectFrom('skus as k')
          .leftJoin('stock_allocations as a', (j) =>
            j
              .onRef('a.sku_id', '=', 'k.id')
              .onRef('a.merchant_id', '=', 'k.merchant_id')
              .on('a.order_id', '=', orderId),
          )
          .leftJoin('bin_locations as b', (j) =>
            j
              .onRef('b.merchant_id', '=', 'k.merchant_id')
              .onRef('b.sku_id', '=', 'k.id')
              .onRef('b.warehouse_id', '=', 'a.warehouse_id'),
          )
          .select(['k.id', 'k.code', 'k.name', 'k.barcode', 'b.bin'])
          .where('k.merchant_id', '=', merchantId)
          .where('k.id', 'in', skuIds)
          .execute()
  const done = new Map(scanned.map((s) => [s.sku_id, Number(s.scanned)]))
  const lines = skuIds
    .map((id) => {
      const k = skus.find((s) => s.id === id)
      return {
        skuId: id,
        skuCode: k?.code ?? id,
        skuName: k?.name ?? '',
        barcode: k?.barcode ?? null,
        bin: k?.bin ?? null,
        expected: expected.get(id)!,
        scanned: done.get(id) ?? 0,
      }
    })
    .sort((a, b) => (a.skuCode < b.skuCode ? -1 : 1))
  const parsed = shipments.map((s) => ({
    id: s.id,
    shippedAt: s.shipped_at.toISOString(),
    parcels: (typeof s.parcels === 'string' ? JSON.parse(s.parcels) : s.parcels) as Parcel[],
  }))
  return {
    orderId,
    shipmentGroupId: groupOut(group),
    status: parsed.length > 0 ? 'shipped' : (check?.status ?? 'verifying'),
    blocked: parsed.length > 0 ? null : blockOf(order.status, order.refund_state),
    complete: lines.length > 0 && lines.every((l) => l.scanned >= l.expected),
    order: {
      externalId: order.external_id,
      channel: order.channel,
      shopName: order.shop_name,
      status: order.status,
      buyerNick: order.buyer_nick,
      buyerNote: order.buyer_note,
      sellerNote: order.seller_note,
      paidAt: order.paid_at ? order.paid_at.toISOString() : null,
    },
    wave: waveRow
      ? {
          id: waveRow.id,
          code: waveCode(waveRow.number, waveRow.id),
          slot: waveRow.slot,
          slotCode: slotCode(waveRow.number, waveRow.id, waveRow.slot),
          status: waveRow.wave_status,
        }
      : null,
    lines,
    packedAt: check?.packed_at ? check.packed_at.toISOString() : null,
    shipments: parsed,
  }
}

async function guard(tx: Executor, merchantId: string, orderId: string, group: string): Promise<void> {
  const o = await tx
    .selectFrom('orders')
    .select(['status', 'refund_state'])
    .where('merchant_id', '=', merchantId)
    .where('id', '=', orderId)
    .forUpdate()
    .executeTakeFirstOrThrow()
  const blocked = blockOf(o.status, o.refund_state)
  if (blocked) throw new PackError('order_blocked', `order ${orderId} is ${blocked}: do not pack it`)
  if (o.status === 'shipped' || o.status === 'completed')
    throw new PackError('already_packed', `order ${orderId} is shipped`)
  const check = await tx
    .selectFrom('pack_checks')
    .select('status')
    .where('merchant_id', '=', merchantId)
    .where('order_id', '=', orderId)
    .where('shipment_group_id', '=', group)
    .executeTakeFirst()
  if (check?.status === 'packed') throw new PackError('already_packed', `order ${orderId} is packed already`)
}

/** One item scanned into the unit: counted, or refused (wrong item, one too many). */
export async function scanPackItem(
  db: Db,
  merchantId: string,
  orderId: string,
  groupIn: string | null,
  code: string,
): Promise<{ skuId: string; skuCode: string; scanned: number; expected: number }> {
  const group = groupIn ?? MAIN
  const skus = await resolveScan(db, merchantId, code)
  if (skus.length === 0) throw new PackError('unknown_code', `no SKU has the code or barcode ${code}`)
  return withTx(db, async (tx) => {
    await guard(tx, merchantId, orderId, group)
    await ensureCheck(tx, merchantId, orderId, group)
    const lines = await tx
      .selectFrom('pack_check_lines')
      .select(['sku_id', 'expected', 'scanned'])
      .where('merchant_id', '=', merchantId)
      .where('order_id', '=', orderId)
      .where('shipment_group_id', '=', group)
      .where(
        'sku_id',
        'in',
        skus.map((s) => s.id),
      )
      .forUpdate()
      .execute()
    if (lines.length === 0)
      throw new PackError('wrong_item', `${code} (${skus[0]!.code}) is not in order ${orderId}`)
    const line = lines.find((l) => l.scanned < l.expected)
    if (!line)
      throw new PackError(
        'over_scan',
        `order ${orderId} needs ${lines[0]!.expected} of ${skus.find((s) => s.id === lines[0]!.sku_id)!.code}, all scanned already`,
      )
    await tx
      .updateTable('pack_check_lines')
      .set({ scanned: line.scanned + 1, updated_at: new Date() })
      .where('merchant_id', '=', merchantId)
      .where('order_id', '=', orderId)
      .where('shipment_group_id', '=', group)
      .where('sku_id', '=', line.sku_id)
      .execute()
    return {
      skuId: line.sku_id,
      skuCode: skus.find((s) => s.id === line.sku_id)!.code,
      scanned: line.scanned + 1,
      expected: line.expected,
    }
  })
}

/** Start the unit's check again (items taken out of the box). */
export async function resetCheck(db: Db, merchantId: string, orderId: string, groupIn: string | null) {
  const group = groupIn ?? MAIN
  await withTx(db, async (tx) => {
    await guard(tx, merchantId, orderId, group)
    await tx
      .updateTable('pack_check_lines')
      .set({ scanned: 0, updated_at: new Date() })
      .where('merchant_id', '=', merchantId)
      .where('order_id', '=', orderId)
      .where('shipment_group_id', '=', group)
      .execute()
  })
}

/** Pack the unit: only when every line is scanned complete. */
export async function packUnit(
  tx: Executor,
  merchantId: string,
  orderId: string,
  groupIn: string | null,
  actor: string | null,
  at: Date,
): Promise<void> {
  const group = groupIn ?? MAIN
  await guard(tx, merchantId, orderId, group)
  await ensureCheck(tx, merchantId, orderId, group)
  const missing = await tx
    .selectFrom('pack_check_lines')
    .select(['sku_id', 'expected', 'scanned'])
    .where('merchant_id', '=', merchantId)
    .where('order_id', '=', orderId)
    .where('shipment_group_id', '=', group)
    .whereRef('scanned', '<', 'expected')
    .execute()
  if (missing.length > 0)
    throw new PackError('incomplete', `order ${orderId} has ${missing.length} line(s) not scanned complete`)
  await tx
    .updateTable('pack_checks')
    .set({ status: 'packed', packed_by: actor, packed_at: at, updated_at: at })
    .where('merchant_id', '=', merchantId)
    .where('order_id', '=', orderId)
    .where('shipment_group_id', '=', group)
    .execute()
}

/** Whether a unit has a check started and not complete (ship refuses it: verify first). */
export async function checkIncomplete(
  db: Executor,
  merchantId: string,
  orderId: string,
  group: string,
): Promise<boolean> {
  const r = await db
    .selectFrom('pack_checks as c')
    .innerJoin('pack_check_lines as l', (j) =>
      j
        .onRef('l.merchant_id', '=', 'c.merchant_id')
        .onRef('l.order_id', '=', 'c.order_id')
        .onRef('l.shipment_group_id', '=', 'c.shipment_group_id'),
    )
    .select('l.sku_id')
    .where('c.merchant_id', '=', merchantId)
    .where('c.order_id', '=', orderId)
    .where('c.shipment_group_id', '=', group)
    .where('c.status', '=', 'verifying')
    .whereRef('l.scanned', '<', 'l.expected')
    .limit(1)
    .executeTakeFirst()
  return r !== undefined
}
