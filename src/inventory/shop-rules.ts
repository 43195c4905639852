/**
 * Per-shop inventory rules, from the shop's parsed hub settings (connectors/settings.ts: validated,
 * defaults applied):
 *   warehouseIds   eligible warehouses (absent: every active warehouse)
 *   allowSplit     split an order across warehouses
 *   waitWhenNoStock  an order without stock waits quietly instead of raising an exception
 *   stockSync      { enabled, ratio (0 < ratio ≤ 1), safetyStock, virtualStock,
 *                    overrides: { [skuCode]: { ratio?, safetyStock?, virtualStock?, fixed? } } }
 */
import type { HubSettings, SyncOverrideSettings } from '../../connectors/settings.js'
import { money, type Decimal } from '../money/index.js'

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

// A ratio arrives as a decimal string ("0.8") or a JSON number (0.8, at least 0.000001 by the schema).
const ratioOf = (v: number | string): Decimal => money(typeof v === 'number' ? String(v) : v)

function rule(o: SyncOverrideSettings, base?: SyncRule): SyncRule {
  return {
    ratio: o.ratio !== undefined ? ratioOf(o.ratio) : (base?.ratio ?? money(1)),
    safetyStock: o.safetyStock ?? base?.safetyStock ?? 0,
    virtualStock: o.virtualStock ?? base?.virtualStock ?? 0,
    fixed: o.fixed ?? null,
  }
}

export function shopRules(settings: HubSettings): ShopRules {
  const sync = settings.stockSync
  const base = rule({ ratio: sync.ratio, safetyStock: sync.safetyStock, virtualStock: sync.virtualStock })
  const overrides = new Map(Object.entries(sync.overrides).map(([code, o]) => [code, rule(o, base)]))
  return {
    warehouseIds: settings.warehouseIds ?? null,
    allowSplit: settings.allowSplit,
    waitWhenNoStock: settings.waitWhenNoStock,
    sync: { enabled: sync.enabled, base, overrides },
  }
}
