/**
 * Waves (波次): a warehouse worker takes allocated orders of one warehouse, filtered, as one batch.
 * An order is in at most one open wave (a unique key on an "open" marker); joining a wave moves it
 * to picking. Orders put on hold later stay listed, flagged, so nobody picks them.
 */
import { sql } from 'kysely'
import type { Db, Executor } from '../db/connect.js'
import { withTx } from '../db/tx.js'
import { newId } from '../lib/ids.js'
import { setOrderStatus } from '../orders/repo.js'
import { groupOut, MAIN } from './groups.js'
import { audit } from '../audit/repo.js'
import { buildPickList, type PickList } from './picklist.js'
import { slotCode, waveCode } from './scan.js'

export interface WaveFilter {
  warehouseId: string
  channel?: string | undefined
  shopId?: string | undefined
  carrier?: string | undefined
  singleItemOnly?: boolean | undefined
  /** Cut-off: only orders paid before this time. */
  paidBefore?: Date | undefined
  maxOrders?: number | undefined
}

/** The shipment group of the current line row: '' for the order's own lines. */
const GROUP = sql<string>`COALESCE(g.shipment_group_id, '')`

interface Candidate {
  id: string
  paid_at: Date | null
  grp: string
}

/** The shipment units a wave with these filters would take, oldest paid first. */
async function waveCandidates(db: Executor, merchantId: string, f: WaveFilter): Promise<Candidate[]> {
  // Candidates are shipment units: an unsplit order is one (as before splits existed); a split
  // order gives one per group, each joining a wave on its own (its stock may sit in another
  // warehouse, or another group may already be in a wave or shipped).
  let q = db
    .selectFrom('orders as o')
    .innerJoin('shops as s', 's.id', 'o.shop_id')
    .leftJoin('order_carriers as oc', (j) =>
      j.onRef('oc.order_id', '=', 'o.id').onRef('oc.merchant_id', '=', 'o.merchant_id'),
    )
    .innerJoin('order_lines as l', (j) =>
      j.onRef('l.merchant_id', '=', 'o.merchant_id').onRef('l.order_id', '=', 'o.id'),
    )
    .leftJoin('order_line_groups as g', (j) =>
      j.onRef('g.merchant_id', '=', 'l.merchant_id').onRef('g.order_line_id', '=', 'l.id'),
    )
    .select(['o.id', 'o.paid_at', GROUP.as('grp')])
    .distinct()
    .where('o.merchant_id', '=', merchantId)
    .where((eb) =>
      eb.or([
        eb('o.status', '=', 'allocated'),
        // A split order stays in picking while its other groups are picked or shipped.
        eb.and([
          eb('o.status', '=', 'picking'),
          eb.exists(
            eb
              .selectFrom('order_line_groups as x')
              .select('x.order_id')
              .whereRef('x.merchant_id', '=', 'o.merchant_id')
              .whereRef('x.order_id', '=', 'o.id'),
          ),
        ]),
      ]),
    )
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('stock_allocations as a')
          .innerJoin('order_line_skus as als', 'als.id', 'a.order_line_sku_id')
          .select('a.id')
          .whereRef('a.order_id', '=', 'o.id')
          .whereRef('als.order_line_id', '=', 'l.id')
          .where('a.warehouse_id', '=', f.warehouseId)
          .where('a.status', '=', 'open'),
      ),
    )
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('wave_orders as wo')
            .select('wo.order_id')
            .whereRef('wo.order_id', '=', 'o.id')
            .where('wo.shipment_group_id', '=', GROUP)
            .where('wo.open_marker', '=', 1),
        ),
      ),
    )
  if (f.channel) q = q.where('o.channel', '=', f.channel)
  if (f.shopId) q = q.where('o.shop_id', '=', f.shopId)
  if (f.paidBefore) q = q.where('o.paid_at', '<', f.paidBefore)
  if (f.carrier)
    q = q.where(
      sql`COALESCE(oc.carrier, JSON_UNQUOTE(JSON_EXTRACT(s.settings, '$.defaultCarrier')))`,
      '=',
      f.carrier,
    )
  if (f.singleItemOnly) {
    q = q.where(
      sql`(SELECT SUM(ls.quantity) FROM order_line_skus ls LEFT JOIN order_line_groups ug ON ug.merchant_id = ls.merchant_id AND ug.order_line_id = ls.order_line_id
           WHERE ls.merchant_id = o.merchant_id AND ls.order_id = o.id AND COALESCE(ug.shipment_group_id, '') = ${GROUP})`,
      '=',
      1,
    )
  }
  return q
    .orderBy('o.paid_at')
    .orderBy('o.id')
    .orderBy('grp')
    .limit(Math.min(f.maxOrders ?? 200, 1000))
    .execute()
}

/** How many orders and units a wave with these filters would take now (nothing is written). */
export async function previewWave(
  db: Executor,
  merchantId: string,
  f: WaveFilter,
): Promise<{ orders: number; units: number }> {
  const candidates = await waveCandidates(db, merchantId, f)
  return { orders: candidates.length, units: await unitsOf(db, merchantId, f.warehouseId, candidates) }
}

async function unitsOf(
  db: Executor,
  merchantId: string,
  warehouseId: string,
  units: readonly Candidate[],
): Promise<number> {
  if (units.length === 0) return 0
  const wanted = new Set(units.map((u) => `${u.id}\u0000${u.grp}`))
  const rows = await db
    .selectFrom('stock_allocations as a')
    .innerJoin('order_line_skus as ls', 'ls.id', 'a.order_line_sku_id')
    .leftJoin('order_line_groups as g', (j) =>
      j.onRef('g.merchant_id', '=', 'ls.merchant_id').onRef('g.order_line_id', '=', 'ls.order_line_id'),
    )
    .select(['a.order_id', 'a.quantity', GROUP.as('grp')])
    .where('a.merchant_id', '=', merchantId)
    .where('a.warehouse_id', '=', warehouseId)
    .where('a.status', '=', 'open')
    .where('a.order_id', 'in', [...new Set(units.map((u) => u.id))])
    .execute()
  return rows
    .filter((r) => wanted.has(`${r.order_id}\u0000${r.grp}`))
    .reduce((n, r) => n + Number(r.quantity), 0)
}

export async function createWave(
  db: Db,
  merchantId: string,
  f: WaveFilter,
  actor: { actorType: 'api_key' | 'user'; actorId: string } | null,
  /** By the caller's clock: the wave's created_at, and when its orders went to picking. */
  at: Date,
): Promise<{ waveId: string; number: number; code: string; orders: number } | null> {
  const candidates = await waveCandidates(db, merchantId, f)
  if (candidates.length === 0) return null
  return withTx(db, async (tx) => {
    const waveId = newId()
    const { warehouseId: _w, ...filters } = f
    // The merchant's next wave number; the unique key turns a race into a retried deadlock-free dup.
    const last = await tx
      .selectFrom('waves')
      .select((eb) => eb.fn.max('number').as('n'))
      .where('merchant_id', '=', merchantId)
      .executeTakeFirst()
    const number = Number(last?.n ?? 0) + 1
    await tx
      .insertInto('waves')
      .values({
        id: waveId,
        merchant_id: merchantId,
        warehouse_id: f.warehouseId,
        status: 'open',
        filters: JSON.stringify(filters),
        created_by: actor?.actorId ?? null,
        number,
        created_at: at,
      })
      .execute()
    let slot = 0
    for (const c of candidates) {
      // Recorded in the history at once; a wave that cannot be completed rolls back whole.
      const moved = await setOrderStatus(tx, merchantId, c.id, {
        from: 'allocated',
        to: 'picking',
        source: 'wave',
        note: waveId,
        at,
      })
      if (!moved) {
        // Only a split order already in picking (another of its groups went first) may still join.
        const still =
          c.grp === MAIN && !(await isSplit(tx, merchantId, c.id))
            ? undefined
            : await tx
                .selectFrom('orders')
                .select('status')
                .where('merchant_id', '=', merchantId)
                .where('id', '=', c.id)
                .forUpdate()
                .executeTakeFirst()
        if (still?.status !== 'picking') continue
      }
      const joined = await tx
        .insertInto('wave_orders')
        .ignore()
        .values({
          merchant_id: merchantId,
          wave_id: waveId,
          order_id: c.id,
          shipment_group_id: c.grp,
          slot: slot + 1,
          status: 'in_wave',
          open_marker: 1,
        })
        .executeTakeFirst()
      if (Number(joined.numInsertedOrUpdatedRows ?? 0n) === 0)
        throw new Error('order joined another wave meanwhile') // retried whole by the caller
      slot++
    }
    if (actor)
      await audit(tx, merchantId, {
        ...actor,
        action: 'wave.create',
        entityType: 'wave',
        entityId: waveId,
        detail: { number, orders: slot, filters },
      })
    return { waveId, number, code: waveCode(number, waveId), orders: slot }
  })
}

async function isSplit(db: Executor, merchantId: string, orderId: string): Promise<boolean> {
  return (
    (await db
      .selectFrom('order_line_groups')
      .select('order_id')
      .where('merchant_id', '=', merchantId)
      .where('order_id', '=', orderId)
      .limit(1)
      .executeTakeFirst()) !== undefined
  )
}

/** Take an order out of its open wave (hold, cancel, shortage); it stays listed as held. */
export async function removeFromOpenWave(db: Executor, merchantId: string, orderId: string): Promise<void> {
  await db
    .updateTable('wave_orders')
    .set({ status: 'removed', open_marker: null })
    .where('merchant_id', '=', merchantId)
    .where('order_id', '=', orderId)
    .where('open_marker', '=', 1)
    .execute()
}

/** One slot of the sorting wall: which order (and buyer) it holds, for the printed legend. */
export interface LegendRow {
  slot: number
  slotCode: string
  orderId: string
  shipmentGroupId: string | null
  externalId: string
  channel: string
  shopName: string
  buyerNick: string | null
  onHold: boolean
}

export interface WavePickList extends PickList {
  number: number | null
  code: string
  status: string
  warehouseId: string
  warehouseName: string
  legend: LegendRow[]
}

export async function pickList(
  db: Executor,
  merchantId: string,
  waveId: string,
): Promise<WavePickList | null> {
  const wave = await db
    .selectFrom('waves as w')
    .innerJoin('warehouses as h', 'h.id', 'w.warehouse_id')
    .select(['w.id', 'w.warehouse_id', 'w.created_at', 'w.number', 'w.status', 'h.code', 'h.name'])
    .where('w.merchant_id', '=', merchantId)
    .where('w.id', '=', waveId)
    .executeTakeFirst()
  if (!wave) return null
  // A split order's slot shows only the lines of its own shipment group.
  const rows = await sql<{
    order_id: string
    shipment_group_id: string
    slot: number
    wave_status: string
    order_status: string
    channel: string
    external_id: string
    allocation_id: string | null
    sku_id: string
    code: string
    name: string
    barcode: string | null
    bin: string | null
    quantity: number
    picked: number | null
  }>`
    SELECT wo.order_id, wo.shipment_group_id, wo.slot, wo.status AS wave_status, o.status AS order_status, o.channel, o.external_id,
           a.id AS allocation_id, ls.sku_id, k.code, k.name, k.barcode, b.bin,
           COALESCE(a.quantity, ls.quantity) AS quantity, pc.picked
    FROM wave_orders wo
    JOIN orders o ON o.id = wo.order_id AND o.merchant_id = wo.merchant_id
    JOIN order_line_skus ls ON ls.order_id = o.id AND ls.merchant_id = o.merchant_id
    LEFT JOIN order_line_groups g ON g.merchant_id = ls.merchant_id AND g.order_line_id = ls.order_line_id
    JOIN skus k ON k.id = ls.sku_id
    LEFT JOIN stock_allocations a ON a.order_line_sku_id = ls.id AND a.merchant_id = ls.merchant_id AND a.warehouse_id = ${wave.warehouse_id} AND a.status IN ('open','shipped')
    LEFT JOIN bin_locations b ON b.merchant_id = wo.merchant_id AND b.warehouse_id = ${wave.warehouse_id} AND b.sku_id = ls.sku_id
    LEFT JOIN pick_confirmations pc ON pc.merchant_id = wo.merchant_id AND pc.wave_id = wo.wave_id AND pc.allocation_id = a.id
    WHERE wo.merchant_id = ${merchantId} AND wo.wave_id = ${waveId}
      AND COALESCE(g.shipment_group_id, '') = wo.shipment_group_id
      AND (a.id IS NOT NULL OR wo.status = 'removed')`.execute(db)
  const legend = await db
    .selectFrom('wave_orders as wo')
    .innerJoin('orders as o', (j) =>
      j.onRef('o.id', '=', 'wo.order_id').onRef('o.merchant_id', '=', 'wo.merchant_id'),
    )
    .innerJoin('shops as s', 's.id', 'o.shop_id')
    .select([
      'wo.slot',
      'wo.order_id',
      'wo.shipment_group_id',
      'wo.status as wave_status',
      'o.status',
      'o.external_id',
      'o.channel',
      'o.buyer_nick',
      's.name as shop_name',
    ])
    .where('wo.merchant_id', '=', merchantId)
    .where('wo.wave_id', '=', waveId)
    .orderBy('wo.slot')
    .execute()
  const list = buildPickList(
    { waveId, warehouseCode: wave.code, createdAt: wave.created_at },
    rows.rows.map((r) => ({
      orderId: r.order_id,
      shipmentGroupId: groupOut(r.shipment_group_id),
      allocationId: r.allocation_id,
      slot: r.slot,
      // A split order's groups are separate parcels: the label says which group the slot holds.
      orderLabel:
        r.shipment_group_id === MAIN
          ? `${r.channel}:${r.external_id}`
          : `${r.channel}:${r.external_id} / ${r.shipment_group_id.slice(-6)}`,
      channel: r.channel,
      onHold: r.wave_status === 'removed' || ['on_hold', 'cancelled'].includes(r.order_status),
      skuId: r.sku_id,
      skuCode: r.code,
      skuName: r.name,
      barcode: r.barcode,
      bin: r.bin,
      quantity: Number(r.quantity),
      picked: Number(r.picked ?? 0),
    })),
  )
  return {
    ...list,
    number: wave.number,
    code: waveCode(wave.number, wave.id),
    status: wave.status,
    warehouseId: wave.warehouse_id,
    warehouseName: wave.name,
    legend: legend.map((l) => ({
      slot: l.slot,
      slotCode: slotCode(wave.number, wave.id, l.slot),
      orderId: l.order_id,
      shipmentGroupId: groupOut(l.shipment_group_id),
      externalId: l.external_id,
      channel: l.channel,
      shopName: l.shop_name,
      buyerNick: l.buyer_nick,
      onHold: l.wave_status === 'removed' || ['on_hold', 'cancelled'].includes(l.status),
    })),
  }
}
