/** The inventory invariants, checked in SQL: what `entrepot check inventory` reports. */
import { sql } from 'kysely'
import type { Executor } from '../db/connect.js'

export interface Violation {
  kind:
    | 'on_hand_vs_movements'
    | 'reserved_vs_allocations'
    | 'negative_or_over_reserved'
    | 'reserved_for_cancelled_order'
  warehouseId: string
  skuId: string
  detail: string
}

export async function checkInventory(db: Executor, merchantId?: string): Promise<Violation[]> {
  const m = (alias: string) =>
    merchantId ? sql`AND ${sql.ref(`${alias}.merchant_id`)} = ${merchantId}` : sql``
  // Movements and open allocations summed per stock row once, then joined: a correlated subquery
  // per stock row lets the optimiser probe by merchant alone and scan every allocation per row.
  const rows = await sql<{
    warehouse_id: string
    sku_id: string
    on_hand: number
    reserved: number
    moved: string | number | null
    allocated: string | number | null
  }>`
    SELECT s.warehouse_id, s.sku_id, s.on_hand, s.reserved, COALESCE(mv.moved, 0) AS moved, COALESCE(a.allocated, 0) AS allocated
    FROM stock s
    LEFT JOIN (
      SELECT merchant_id, warehouse_id, sku_id, SUM(quantity) AS moved FROM stock_movements mv
      WHERE 1 = 1 ${m('mv')} GROUP BY merchant_id, warehouse_id, sku_id
    ) mv ON mv.merchant_id = s.merchant_id AND mv.warehouse_id = s.warehouse_id AND mv.sku_id = s.sku_id
    LEFT JOIN (
      SELECT merchant_id, warehouse_id, sku_id, SUM(quantity) AS allocated FROM stock_allocations a
      WHERE a.status = 'open' ${m('a')} GROUP BY merchant_id, warehouse_id, sku_id
    ) a ON a.merchant_id = s.merchant_id AND a.warehouse_id = s.warehouse_id AND a.sku_id = s.sku_id
    WHERE 1 = 1 ${m('s')}`.execute(db)
  const out: Violation[] = []
  for (const r of rows.rows) {
    const key = { warehouseId: r.warehouse_id, skuId: r.sku_id }
    if (Number(r.moved) !== r.on_hand)
      out.push({
        ...key,
        kind: 'on_hand_vs_movements',
        detail: `on_hand ${r.on_hand} ≠ Σ movements ${r.moved}`,
      })
    if (Number(r.allocated) !== r.reserved)
      out.push({
        ...key,
        kind: 'reserved_vs_allocations',
        detail: `reserved ${r.reserved} ≠ Σ open allocations ${r.allocated}`,
      })
    if (r.reserved < 0 || r.on_hand < 0 || r.reserved > r.on_hand)
      out.push({
        ...key,
        kind: 'negative_or_over_reserved',
        detail: `on_hand ${r.on_hand}, reserved ${r.reserved}`,
      })
  }
  // Stock held for an order that will never ship: a release that was lost.
  const held = await sql<{ warehouse_id: string; sku_id: string; order_id: string; quantity: number }>`
    SELECT a.warehouse_id, a.sku_id, a.order_id, a.quantity
    FROM stock_allocations a JOIN orders o ON o.merchant_id = a.merchant_id AND o.id = a.order_id
    WHERE a.status = 'open' AND o.status = 'cancelled' ${merchantId ? sql`AND a.merchant_id = ${merchantId}` : sql``}`.execute(
    db,
  )
  for (const r of held.rows)
    out.push({
      warehouseId: r.warehouse_id,
      skuId: r.sku_id,
      kind: 'reserved_for_cancelled_order',
      detail: `${r.quantity} reserved for cancelled order ${r.order_id}`,
    })
  return out
}
