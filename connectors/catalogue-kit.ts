/**
 * Small pure readers shared by the channels' catalogue mappers: platform JSON gives counts as
 * numbers or digit strings, codes as strings or numbers, prices as yuan strings or fen integers.
 */
import { fromMinor, tryMoney, type Decimal } from '../src/money/index.js'
import type { ListingSkuDraft } from './types.js'

export type Obj = Record<string, unknown>
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

/** A count as a safe integer, or null when absent or unreadable. */
export function count(v: unknown): number | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : null
  if (typeof v === 'string' && /^-?\d{1,15}$/.test(v.trim())) return Number.parseInt(v, 10)
  return null
}

/** Text trimmed; null when absent or empty. Numbers (a code typed as digits) become their text. */
export function textOf(v: unknown): string | null {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v)
  if (typeof v !== 'string') return null
  const t = v.trim()
  return t === '' ? null : t
}

/** The seller code as the platform holds it: kept exactly (not trimmed); empty → null. */
export function codeOf(v: unknown): string | null {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v)
  if (typeof v !== 'string' || v.trim() === '') return null
  return v
}

/** A price in major units (yuan / dollars) from a decimal string; null when unreadable. */
export const major = (v: unknown): Decimal | null => tryMoney(typeof v === 'string' ? v.trim() : v)

/** A price in fen (PDD, Douyin) → yuan, exactly; null when unreadable. */
export function minor(v: unknown): Decimal | null {
  const n = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? v.trim() : typeof v === 'number' ? v : null
  return n !== null && (typeof n === 'string' || Number.isSafeInteger(n)) ? fromMinor(n) : null
}

/** A SKU draft with every optional field empty; the mapper fills in what its platform has. */
export function skuDraft(
  over: Partial<ListingSkuDraft> & Pick<ListingSkuDraft, 'platformSkuKey' | 'status'>,
): ListingSkuDraft {
  return {
    platformSkuId: null,
    inventoryItemId: null,
    code: null,
    barcode: null,
    specText: null,
    price: null,
    quantity: null,
    heldQuantity: null,
    platformStatus: null,
    stockMode: 'normal',
    platformUpdatedAt: null,
    ...over,
  }
}
