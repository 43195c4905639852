/**
 * What a shop is told it has (pure): max(0, floor((Σ available in the shop's warehouses − safety
 * stock) × ratio)) + virtual stock, or a fixed override; a bundle pushes the minimum its components
 * allow. Whatever the rule says, a shop is never told more than is available plus the virtual stock
 * the deployment allows (STOCK_VIRTUAL_MAX): a rule saved before validation, or a bug upstream,
 * cannot make the hub oversell.
 */
import { Decimal } from '../money/index.js'
import type { SyncRule } from './shop-rules.js'

export function pushQuantity(available: number, rule: SyncRule, virtualStockMax: number): number {
  const have = Math.max(0, available)
  const virtual = Math.max(0, Math.min(rule.virtualStock, virtualStockMax))
  const ceiling = have + virtual
  if (rule.fixed !== null) return Math.max(0, Math.min(rule.fixed, ceiling))
  const ratio = Decimal.min(Decimal.max(rule.ratio, 0), 1)
  const base = new Decimal(Math.max(0, have - rule.safetyStock)).mul(ratio).floor().toNumber()
  return Math.min(Math.max(0, base) + virtual, ceiling)
}

/** Units of a bundle the components allow: min over components of floor(available / per-bundle quantity). */
export function bundleAvailable(components: readonly { available: number; quantity: number }[]): number {
  if (components.length === 0) return 0
  return Math.max(0, Math.min(...components.map((c) => Math.floor(Math.max(0, c.available) / c.quantity))))
}
