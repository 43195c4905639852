/**
 * Per-shop inventory rules read from shop settings, with defaults:
 *   warehouseIds   eligible warehouses (default: every active warehouse)
 *   allowSplit     split an order across warehouses (default false)
 *   waitWhenNoStock  an order without stock waits quietly instead of raising an exception (default false)
 *   stockSync      { enabled: true, ratio: "1", safetyStock: 0, virtualStock: 0,
 *                    overrides: { [skuCode]: { ratio?, safetyStock?, virtualStock?, fixed? } } }
 */
import { Decimal, tryMoney } from '../money/index.js'

export interface SyncRule {
  ratio: Decimal
  safetyStock: number
  virtualStock: number
  fixed: number | null
}

export interface ShopRules {
  warehouseIds: string[] | null
  allowSplit: boolean
  waitWhenNoStock: boolean
  sync: { enabled: boolean; base: SyncRule; overrides: Map<string, SyncRule> }
}

const int = (v: unknown, dflt: number) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : dflt)
const obj = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {}

function rule(o: Record<string, unknown>, base?: SyncRule): SyncRule {
  return {
    ratio: tryMoney(o.ratio) ?? base?.ratio ?? new Decimal(1),
    safetyStock: int(o.safetyStock, base?.safetyStock ?? 0),
    virtualStock: int(o.virtualStock, base?.virtualStock ?? 0),
    fixed: typeof o.fixed === 'number' && Number.isInteger(o.fixed) && o.fixed >= 0 ? o.fixed : null,
  }
}

export function shopRules(settings: Readonly<Record<string, unknown>>): ShopRules {
  const sync = obj(settings.stockSync)
  const base = rule(sync)
  const overrides = new Map(
    Object.entries(obj(sync.overrides)).map(([code, o]) => [code, rule(obj(o), base)]),
  )
  return {
    warehouseIds: Array.isArray(settings.warehouseIds)
      ? settings.warehouseIds.filter((x): x is string => typeof x === 'string')
      : null,
    allowSplit: settings.allowSplit === true,
    waitWhenNoStock: settings.waitWhenNoStock === true,
    sync: { enabled: sync.enabled !== false, base, overrides },
  }
}
