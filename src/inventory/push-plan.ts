/**
 * What each mapped platform SKU of a shop would be told it has, under given rules (pure): the same
 * function decides a real push and the preview a merchant sees before saving a rule, so the preview
 * is what the push will send.
 */
import { bundleAvailable, pushQuantity } from './push-quantity.js'
import type { ShopRules } from './shop-rules.js'

export interface PushMapping {
  platformSkuKey: string
  platformSkuId: string | null
  platformItemId: string | null
  skuId: string
  code: string
  name: string
}

export interface PushInputs {
  mappings: readonly PushMapping[]
  /** bundle SKU id → its components. */
  bundles: ReadonlyMap<string, readonly { componentSkuId: string; quantity: number }[]>
  /** `${location}|${skuId}` → on hand − reserved over the shop's warehouses at that location. */
  available: ReadonlyMap<string, number>
  /** Per-location channels: the platform's location ids; every other channel: [''] (one total). */
  locations: readonly string[]
}

export interface PlannedLevel extends PushMapping {
  location: string
  available: number
  /** Which rule decided: the shop's, or the SKU's own override. */
  rule: 'shop' | 'sku'
  quantity: number
}

export function planLevels(
  inputs: PushInputs,
  sync: ShopRules['sync'],
  virtualStockMax: number,
): PlannedLevel[] {
  const levels: PlannedLevel[] = []
  for (const m of inputs.mappings) {
    const parts = inputs.bundles.get(m.skuId)
    const override = sync.overrides.get(m.code)
    const rule = override ?? sync.base
    for (const location of inputs.locations) {
      const available = parts
        ? bundleAvailable(
            parts.map((p) => ({
              available: inputs.available.get(`${location}|${p.componentSkuId}`) ?? 0,
              quantity: p.quantity,
            })),
          )
        : (inputs.available.get(`${location}|${m.skuId}`) ?? 0)
      levels.push({
        ...m,
        location,
        available,
        rule: override ? 'sku' : 'shop',
        quantity: pushQuantity(available, rule, virtualStockMax),
      })
    }
  }
  return levels
}
