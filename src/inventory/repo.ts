/**
 * Read side of inventory for the API: stock levels, push states and low stock, each a keyset page
 * in a stable order. Writes stay in stock-repo.ts and operations.ts.
 */
import { sql } from 'kysely'
import type { Executor } from '../db/connect.js'

export async function listStock(
  db: Executor,
  merchantId: string,
  f: {
    skuId?: string
    warehouseId?: string
    /** The warehouses a scoped caller may see (null = all). */
    warehouseIds?: readonly string[] | null
    /** SKU code or barcode (prefix), or part of the name. */
    q?: string
    /** Only SKUs at or under their low-stock threshold (available over every warehouse). */
    lowOnly?: boolean
    after?: readonly [skuCode: string, warehouseCode: string]
    limit: number
  },
) {
  let q = db
    .selectFrom('stock as s')
    .innerJoin('skus as k', 'k.id', 's.sku_id')
    .innerJoin('warehouses as w', 'w.id', 's.warehouse_id')
    .leftJoin('bin_locations as b', (j) =>
      j
        .onRef('b.merchant_id', '=', 's.merchant_id')
        .onRef('b.warehouse_id', '=', 's.warehouse_id')
        .onRef('b.sku_id', '=', 's.sku_id'),
    )
    .leftJoin('sku_costs as c', (j) =>
      j.onRef('c.merchant_id', '=', 's.merchant_id').onRef('c.sku_id', '=', 's.sku_id'),
    )
    .leftJoin('stock_thresholds as t', (j) =>
      j.onRef('t.merchant_id', '=', 's.merchant_id').onRef('t.sku_id', '=', 's.sku_id'),
    )
    .select([
      's.warehouse_id',
      'w.code as warehouse_code',
      's.sku_id',
      'k.code as sku_code',
      'k.name as sku_name',
      's.on_hand',
      's.reserved',
      sql<number>`s.on_hand - s.reserved`.as('available'),
      'b.bin',
      'c.avg_cost',
      'c.currency',
      't.threshold',
      'w.name as warehouse_name',
      's.updated_at',
    ])
    .where('s.merchant_id', '=', merchantId)
  if (f.skuId) q = q.where('s.sku_id', '=', f.skuId)
  if (f.warehouseId) q = q.where('s.warehouse_id', '=', f.warehouseId)
  if (f.warehouseIds) q = q.where('s.warehouse_id', 'in', [...f.warehouseIds, ''])
  if (f.q) {
    const like = f.q.replace(/[\\%_]/g, (c) => `\\${c}`)
    q = q.where((eb) =>
      eb.or([
        eb('k.code', 'like', `${like}%`),
        eb('k.name', 'like', `%${like}%`),
        eb.exists(
          eb
            .selectFrom('sku_barcodes as bc')
            .select('bc.code')
            .whereRef('bc.merchant_id', '=', 's.merchant_id')
            .whereRef('bc.sku_id', '=', 's.sku_id')
            .where('bc.code', 'like', `${like}%`),
        ),
      ]),
    )
  }
  if (f.lowOnly)
    q = q.where(
      sql<boolean>`t.threshold IS NOT NULL AND (SELECT COALESCE(SUM(s2.on_hand - s2.reserved), 0) FROM stock s2 WHERE s2.merchant_id = s.merchant_id AND s2.sku_id = s.sku_id) <= t.threshold`,
    )
  const after = f.after
  if (after)
    q = q.where((eb) =>
      eb.or([
        eb('k.code', '>', after[0]),
        eb.and([eb('k.code', '=', after[0]), eb('w.code', '>', after[1])]),
      ]),
    )
  return q.orderBy('k.code').orderBy('w.code').limit(f.limit).execute()
}

export async function listPushStates(
  db: Executor,
  merchantId: string,
  f: {
    shopId?: string
    after?: readonly [shopId: string, platformSkuKey: string, locationId: string]
    limit: number
  },
) {
  let q = db.selectFrom('stock_push_state').selectAll().where('merchant_id', '=', merchantId)
  if (f.shopId) q = q.where('shop_id', '=', f.shopId)
  const after = f.after
  if (after)
    q = q.where((eb) =>
      eb.or([
        eb('shop_id', '>', after[0]),
        eb.and([eb('shop_id', '=', after[0]), eb('platform_sku_key', '>', after[1])]),
        eb.and([
          eb('shop_id', '=', after[0]),
          eb('platform_sku_key', '=', after[1]),
          eb('location_id', '>', after[2]),
        ]),
      ]),
    )
  return q.orderBy('shop_id').orderBy('platform_sku_key').orderBy('location_id').limit(f.limit).execute()
}

export interface LowStockRow {
  sku_id: string
  code: string
  available: string
  threshold: number
  shipped_30d: string
}

/** Active SKUs at or under their threshold, by code, with what shipped since `since`. */
export async function listLowStock(
  db: Executor,
  merchantId: string,
  f: { after?: string; limit: number },
): Promise<LowStockRow[]> {
  // Movements are stamped by the database's clock: the 30 days of shipments are counted on it too.
  const after = f.after === undefined ? sql`` : sql`AND k.code > ${f.after}`
  const rows = await sql<LowStockRow>`
    SELECT k.id AS sku_id, k.code, COALESCE(SUM(s.on_hand - s.reserved), 0) AS available, t.threshold AS threshold,
      (SELECT COALESCE(-SUM(mv.quantity), 0) FROM stock_movements mv WHERE mv.merchant_id = k.merchant_id AND mv.sku_id = k.id AND mv.kind = 'shipment' AND mv.created_at >= NOW(3) - INTERVAL 30 DAY) AS shipped_30d
    FROM skus k
    LEFT JOIN stock s ON s.merchant_id = k.merchant_id AND s.sku_id = k.id
    JOIN stock_thresholds t ON t.merchant_id = k.merchant_id AND t.sku_id = k.id
    WHERE k.merchant_id = ${merchantId} AND k.active = 1 ${after}
    GROUP BY k.id, k.code, t.threshold, k.merchant_id
    HAVING available <= t.threshold
    ORDER BY k.code LIMIT ${f.limit}`.execute(db)
  return rows.rows
}

/** Per SKU: available over every warehouse, and units shipped in the last 30 days (DB clock). */
export async function skuPace(
  db: Executor,
  merchantId: string,
  skuIds: readonly string[],
): Promise<Map<string, { available: number; shipped30d: number }>> {
  const out = new Map<string, { available: number; shipped30d: number }>()
  if (skuIds.length === 0) return out
  const ids = [...new Set(skuIds)]
  const [avail, shipped] = await Promise.all([
    db
      .selectFrom('stock')
      .select(['sku_id', sql<string>`SUM(on_hand - reserved)`.as('n')])
      .where('merchant_id', '=', merchantId)
      .where('sku_id', 'in', ids)
      .groupBy('sku_id')
      .execute(),
    db
      .selectFrom('stock_movements')
      .select(['sku_id', sql<string>`-SUM(quantity)`.as('n')])
      .where('merchant_id', '=', merchantId)
      .where('sku_id', 'in', ids)
      .where('kind', '=', 'shipment')
      .where(sql<boolean>`created_at >= NOW(3) - INTERVAL 30 DAY`)
      .groupBy('sku_id')
      .execute(),
  ])
  const s = new Map(shipped.map((r) => [r.sku_id, Number(r.n)]))
  for (const id of ids) out.set(id, { available: 0, shipped30d: s.get(id) ?? 0 })
  for (const r of avail) out.get(r.sku_id)!.available = Number(r.n)
  return out
}
