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
    ])
    .where('s.merchant_id', '=', merchantId)
  if (f.skuId) q = q.where('s.sku_id', '=', f.skuId)
  if (f.warehouseId) q = q.where('s.warehouse_id', '=', f.warehouseId)
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
