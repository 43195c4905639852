/**
 * The waves list (波次) with each wave's progress: orders in it, held, shipped, units to pick and
 * picked. One query for the page of waves and one for the progress of all of them (no N+1).
 */
import { sql } from 'kysely'
import type { Executor } from '../db/connect.js'
import { waveCode } from './scan.js'

export const WAVE_STAGES = ['to_pick', 'picking', 'picked', 'shipped', 'cancelled'] as const
export type WaveStage = (typeof WAVE_STAGES)[number]

export interface WaveRow {
  id: string
  number: number | null
  code: string
  warehouseId: string
  warehouseCode: string
  warehouseName: string
  status: 'open' | 'closed' | 'cancelled'
  stage: WaveStage
  createdAt: string
  createdBy: string | null
  closedAt: string | null
  orders: number
  heldOrders: number
  shippedOrders: number
  units: number
  pickedUnits: number
  filters: Record<string, unknown>
}

export interface WaveListQuery {
  status?: 'open' | 'closed' | 'cancelled' | undefined
  warehouseId?: string | undefined
  /** The caller's warehouses (null = all). */
  warehouseIds: readonly string[] | null
  before?: string | undefined
  limit: number
}

export async function listWaves(db: Executor, merchantId: string, q: WaveListQuery): Promise<WaveRow[]> {
  if (q.warehouseIds && q.warehouseIds.length === 0) return []
  let w = db
    .selectFrom('waves as w')
    .innerJoin('warehouses as h', 'h.id', 'w.warehouse_id')
    .select([
      'w.id',
      'w.number',
      'w.warehouse_id',
      'w.status',
      'w.filters',
      'w.created_by',
      'w.created_at',
      'w.closed_at',
      'h.code',
      'h.name',
    ])
    .where('w.merchant_id', '=', merchantId)
  if (q.status) w = w.where('w.status', '=', q.status)
  if (q.warehouseId) w = w.where('w.warehouse_id', '=', q.warehouseId)
  if (q.warehouseIds) w = w.where('w.warehouse_id', 'in', q.warehouseIds)
  if (q.before) w = w.where('w.id', '<', q.before)
  const waves = await w
    .orderBy('w.id', 'desc')
    .limit(q.limit + 1)
    .execute()
  const progress = await waveProgress(
    db,
    merchantId,
    waves.map((x) => x.id),
  )
  return waves.map((x) => {
    const p = progress.get(x.id) ?? { orders: 0, held: 0, shipped: 0, units: 0, picked: 0 }
    return {
      id: x.id,
      number: x.number,
      code: waveCode(x.number, x.id),
      warehouseId: x.warehouse_id,
      warehouseCode: x.code,
      warehouseName: x.name,
      status: x.status,
      stage: stageOf(x.status, p),
      createdAt: x.created_at.toISOString(),
      createdBy: x.created_by,
      closedAt: x.closed_at ? x.closed_at.toISOString() : null,
      orders: p.orders,
      heldOrders: p.held,
      shippedOrders: p.shipped,
      units: p.units,
      pickedUnits: p.picked,
      filters: (typeof x.filters === 'string' ? JSON.parse(x.filters) : x.filters) as Record<string, unknown>,
    }
  })
}

interface Progress {
  orders: number
  held: number
  shipped: number
  units: number
  picked: number
}

function stageOf(status: string, p: Progress): WaveStage {
  if (status === 'cancelled') return 'cancelled'
  if (p.orders > 0 && p.shipped === p.orders) return 'shipped'
  if (status === 'closed') return 'shipped'
  if (p.units > 0 && p.picked >= p.units) return 'picked'
  return p.picked > 0 ? 'picking' : 'to_pick'
}

async function waveProgress(
  db: Executor,
  merchantId: string,
  waveIds: readonly string[],
): Promise<Map<string, Progress>> {
  const out = new Map<string, Progress>()
  if (waveIds.length === 0) return out
  const counts = await db
    .selectFrom('wave_orders')
    .select([
      'wave_id',
      sql<number>`SUM(CASE WHEN status <> 'removed' THEN 1 ELSE 0 END)`.as('orders'),
      sql<number>`SUM(CASE WHEN status = 'removed' THEN 1 ELSE 0 END)`.as('held'),
      sql<number>`SUM(CASE WHEN status = 'shipped' THEN 1 ELSE 0 END)`.as('shipped'),
    ])
    .where('merchant_id', '=', merchantId)
    .where('wave_id', 'in', waveIds)
    .groupBy('wave_id')
    .execute()
  for (const c of counts)
    out.set(c.wave_id, {
      orders: Number(c.orders),
      held: Number(c.held),
      shipped: Number(c.shipped),
      units: 0,
      picked: 0,
    })
  // Units of the orders still in the wave (their own shipment group's lines, in the wave's warehouse).
  const units = await sql<{ wave_id: string; units: string | number; picked: string | number }>`
    SELECT wo.wave_id, SUM(a.quantity) AS units, SUM(COALESCE(pc.picked, 0)) AS picked
    FROM wave_orders wo
    JOIN waves w ON w.id = wo.wave_id AND w.merchant_id = wo.merchant_id
    JOIN stock_allocations a ON a.merchant_id = wo.merchant_id AND a.order_id = wo.order_id
      AND a.warehouse_id = w.warehouse_id AND a.status IN ('open', 'shipped')
    JOIN order_line_skus ls ON ls.id = a.order_line_sku_id
    LEFT JOIN order_line_groups g ON g.merchant_id = ls.merchant_id AND g.order_line_id = ls.order_line_id
    LEFT JOIN pick_confirmations pc ON pc.merchant_id = wo.merchant_id AND pc.wave_id = wo.wave_id AND pc.allocation_id = a.id
    WHERE wo.merchant_id = ${merchantId} AND wo.wave_id IN (${sql.join(waveIds)})
      AND wo.status <> 'removed' AND COALESCE(g.shipment_group_id, '') = wo.shipment_group_id
    GROUP BY wo.wave_id`.execute(db)
  for (const u of units.rows) {
    const p = out.get(u.wave_id)
    if (!p) continue
    p.units = Number(u.units)
    // A shipped order counts as picked: it left the building.
    p.picked = Number(u.picked)
  }
  return out
}
