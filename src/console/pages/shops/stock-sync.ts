/**
 * A shop's stock-sync rules as the rules screen edits them: read from the shop's settings with the
 * defaults the API applies, and the PATCH that turns the saved rules into the edited ones (objects
 * merge and null removes, so a removed SKU rule or field is sent as null).
 */
import type { StockSync } from '../../api/shops'

const DEFAULTS: StockSync = { enabled: true, ratio: '1', safetyStock: 0, virtualStock: 0, overrides: {} }

export const readSync = (settings: Record<string, unknown> | undefined): StockSync => {
  const s = (settings?.stockSync ?? {}) as Partial<StockSync>
  return { ...DEFAULTS, ...s, ratio: String(s.ratio ?? DEFAULTS.ratio), overrides: s.overrides ?? {} }
}

/** The settings.stockSync patch that turns `saved` into `draft` (null removes, as PATCH merges). */
export function syncPatch(saved: StockSync, draft: StockSync): Record<string, unknown> {
  const overrides: Record<string, unknown> = {}
  for (const code of new Set([...Object.keys(saved.overrides), ...Object.keys(draft.overrides)])) {
    const before = saved.overrides[code]
    const after = draft.overrides[code]
    if (!after) overrides[code] = null
    else
      overrides[code] = {
        ...Object.fromEntries(Object.keys(before ?? {}).map((k) => [k, null])),
        ...after,
      }
  }
  return {
    enabled: draft.enabled,
    ratio: String(draft.ratio),
    safetyStock: draft.safetyStock,
    virtualStock: draft.virtualStock,
    ...(Object.keys(overrides).length ? { overrides } : {}),
  }
}
