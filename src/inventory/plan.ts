/**
 * Allocation planning (pure): which warehouse serves which line. Eligible warehouses are ranked —
 * those whose regions include the receiver's province first, then by priority, then by how much of
 * the order they hold — and one warehouse that fills the whole order is preferred; splitting
 * across warehouses happens only when the shop allows it.
 */
export interface Need {
  lineSkuId: string
  skuId: string
  quantity: number
}

export interface WarehouseOption {
  id: string
  priority: number
  regions: readonly string[]
}

export interface PlannedReservation {
  lineSkuId: string
  skuId: string
  warehouseId: string
  quantity: number
}

/** available.get(`${warehouseId}:${skuId}`) = on_hand − reserved */
export type Availability = ReadonlyMap<string, number>
export const stockKey = (warehouseId: string, skuId: string) => `${warehouseId}:${skuId}`

export function rankWarehouses(
  options: readonly WarehouseOption[],
  province: string | null,
  needs: readonly Need[],
  available: Availability,
): WarehouseOption[] {
  const coverage = (w: WarehouseOption) =>
    needs.reduce((n, x) => n + Math.min(x.quantity, available.get(stockKey(w.id, x.skuId)) ?? 0), 0)
  const serves = (w: WarehouseOption) =>
    province && w.regions.some((r) => r === province || province.startsWith(r) || r.startsWith(province))
      ? 0
      : 1
  return [...options].sort(
    (a, b) =>
      serves(a) - serves(b) || a.priority - b.priority || coverage(b) - coverage(a) || (a.id < b.id ? -1 : 1),
  )
}

export function planAllocation(
  needs: readonly Need[],
  options: readonly WarehouseOption[],
  available: Availability,
  province: string | null,
  allowSplit: boolean,
): PlannedReservation[] | null {
  if (needs.length === 0) return []
  const ranked = rankWarehouses(options, province, needs, available)
  const total = new Map<string, number>()
  for (const n of needs) total.set(n.skuId, (total.get(n.skuId) ?? 0) + n.quantity)
  const whole = ranked.find((w) =>
    [...total].every(([sku, q]) => (available.get(stockKey(w.id, sku)) ?? 0) >= q),
  )
  if (whole)
    return needs.map((n) => ({
      lineSkuId: n.lineSkuId,
      skuId: n.skuId,
      warehouseId: whole.id,
      quantity: n.quantity,
    }))
  if (!allowSplit) return null
  const left = new Map(available)
  const plan: PlannedReservation[] = []
  for (const n of needs) {
    let missing = n.quantity
    for (const w of ranked) {
      if (missing === 0) break
      const k = stockKey(w.id, n.skuId)
      const take = Math.min(missing, left.get(k) ?? 0)
      if (take <= 0) continue
      plan.push({ lineSkuId: n.lineSkuId, skuId: n.skuId, warehouseId: w.id, quantity: take })
      left.set(k, (left.get(k) ?? 0) - take)
      missing -= take
    }
    if (missing > 0) return null
  }
  return plan
}
