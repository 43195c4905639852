/**
 * What a shop is told it has (pure): max(0, floor((Σ available in the shop's warehouses − safety
 * stock) × ratio)) + virtual stock, or a fixed override; a bundle pushes the minimum its components
 * allow.
 */
import { Decimal } from '../money/index.js'
import type { SyncRule } from './shop-rules.js'

export function pushQuantity(available: number, rule: SyncRule): number {
  if (rule.fixed !== null) return rule.fixed
  const base = new Decimal(Math.max(0, available - rule.safetyStock)).mul(rule.ratio).floor().toNumber()
  return Math.max(0, base) + rule.virtualStock
}

/** Units of a bundle the components allow: min over components of floor(available / per-bundle quantity). */
export function bundleAvailable(components: readonly { available: number; quantity: number }[]): number {
  if (components.length === 0) return 0
  return Math.max(0, Math.min(...components.map((c) => Math.floor(Math.max(0, c.available) / c.quantity))))
}
