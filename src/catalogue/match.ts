/**
 * Auto-mapping of a shop's listing SKUs to the merchant's SKUs (catalogue-and-purchasing.md
 * §A.8.2–A.8.3), pure. Matching order: the exact code; the normalised code (unique on both
 * sides); the barcode (GTIN, unique on both sides); the item-level code of a single-SKU item.
 * A listing SKU is linked only when exactly one merchant SKU answers and no other listing SKU of
 * the shop carries the same code; every other case is reported with its class and never links.
 * An existing link is never replaced: where it disagrees with what the code now says, that is
 * reported as `mapping_differs` and the link stays.
 */

export const ISSUES = [
  'missing_code',
  'unknown_code',
  'duplicate_code',
  'ambiguous_code',
  'mapping_differs',
] as const
export type Issue = (typeof ISSUES)[number]
/** Issues the merchant must decide (the others are simply unmapped). */
export const CONFLICTS: readonly Issue[] = ['duplicate_code', 'ambiguous_code', 'mapping_differs']

export const MATCH_METHODS = ['exact', 'normalised', 'barcode', 'item_code', 'manual'] as const
export type MatchMethod = (typeof MATCH_METHODS)[number]

const ZERO_WIDTH = /[\u200B-\u200D\u2060\uFEFF]/g
const DASHES = /[\u2010\u2011\u2012\u2013\u2014\u2212\uFE63\uFF0D]/g

/** NFKC (full-width → ASCII), zero-width characters removed, dash look-alikes → '-', trimmed, upper-case. */
export function normaliseCode(code: string | null | undefined): string | null {
  if (code === null || code === undefined) return null
  const n = code.normalize('NFKC').replace(ZERO_WIDTH, '').replace(DASHES, '-').trim().toUpperCase()
  return n === '' ? null : n
}

/** A GS1 barcode (GTIN-8/12/13/14) as 14 digits, or null when it is not one (wrong length or check digit). */
export function gtin14(barcode: string | null | undefined): string | null {
  if (!barcode) return null
  const digits = barcode.normalize('NFKC').replace(/[\s-]/g, '')
  if (!/^(\d{8}|\d{12,14})$/.test(digits)) return null
  const padded = digits.padStart(14, '0')
  let total = 0
  for (let i = 0; i < 13; i++) total += Number(padded[i]) * (i % 2 === 0 ? 3 : 1)
  return (10 - (total % 10)) % 10 === Number(padded[13]) ? padded : null
}

export interface ListingSkuForMatch {
  id: string
  platformSkuKey: string
  codeRaw: string | null
  barcode: string | null
  /** The item's code, offered only when the item sells exactly one SKU. */
  singleSkuItemCode: string | null
  deleted: boolean
}

export interface MerchantSkuForMatch {
  id: string
  code: string
  barcode: string | null
}

export interface ExistingMapping {
  skuId: string
  source: 'manual' | 'auto' | 'bulk'
  /** The listing's code when the link was made: '' when it had none, null when the link was made without looking. */
  outerCode: string | null
}

export interface MatchOutcome {
  id: string
  platformSkuKey: string
  /** Link this SKU now (it has no link yet). */
  link: { skuId: string; method: MatchMethod; code: string | null } | null
  issue: Issue | null
  /** The merchant SKU the code (or barcode) points to, shown beside a conflict or an existing link. */
  suggestedSkuId: string | null
  method: MatchMethod | null
}

const push = <K, V>(m: Map<K, V[]>, k: K, v: V) => m.set(k, [...(m.get(k) ?? []), v])

export function planMatches(
  listing: readonly ListingSkuForMatch[],
  merchant: readonly MerchantSkuForMatch[],
  existing: ReadonlyMap<string, ExistingMapping>,
): MatchOutcome[] {
  const byCode = new Map(merchant.map((s) => [s.code, s.id]))
  const byNorm = new Map<string, string[]>()
  const byGtin = new Map<string, string[]>()
  for (const s of merchant) {
    const n = normaliseCode(s.code)
    if (n) push(byNorm, n, s.id)
    const g = gtin14(s.barcode)
    if (g) push(byGtin, g, s.id)
  }
  const live = listing.filter((l) => !l.deleted)
  const codeUse = new Map<string, number>()
  const gtinUse = new Map<string, number>()
  for (const l of live) {
    const n = normaliseCode(l.codeRaw)
    if (n) codeUse.set(n, (codeUse.get(n) ?? 0) + 1)
    const g = gtin14(l.barcode)
    if (g) gtinUse.set(g, (gtinUse.get(g) ?? 0) + 1)
  }

  /** What a code says: one SKU (and how), several (ambiguous), or none. */
  const lookUp = (code: string, exact: MatchMethod, loose: MatchMethod) => {
    const hit = byCode.get(code)
    if (hit) return { skuId: hit, method: exact, ambiguous: false }
    const ids = [...new Set(byNorm.get(normaliseCode(code) ?? '') ?? [])]
    if (ids.length === 1) return { skuId: ids[0]!, method: loose, ambiguous: false }
    return { skuId: null, method: null, ambiguous: ids.length > 1 }
  }

  return listing.map((l): MatchOutcome => {
    const base = { id: l.id, platformSkuKey: l.platformSkuKey }
    if (l.deleted) return { ...base, link: null, issue: null, suggestedSkuId: null, method: null }
    let issue: Issue | null = null
    let found: { skuId: string; method: MatchMethod } | null = null
    const norm = normaliseCode(l.codeRaw)
    if (l.codeRaw && norm) {
      const r = lookUp(l.codeRaw, 'exact', 'normalised')
      if (r.skuId) found = { skuId: r.skuId, method: r.method! }
      if ((codeUse.get(norm) ?? 0) > 1) issue = 'duplicate_code'
      else if (r.ambiguous) issue = 'ambiguous_code'
    } else if (l.singleSkuItemCode && normaliseCode(l.singleSkuItemCode)) {
      const r = lookUp(l.singleSkuItemCode, 'item_code', 'item_code')
      if (r.skuId) found = { skuId: r.skuId, method: 'item_code' }
      else if (r.ambiguous) issue = 'ambiguous_code'
    }
    if (!found && !issue) {
      const g = gtin14(l.barcode)
      const ids = g ? [...new Set(byGtin.get(g) ?? [])] : []
      if (g && ids.length === 1 && gtinUse.get(g) === 1) found = { skuId: ids[0]!, method: 'barcode' }
    }
    if (!found && !issue) issue = l.codeRaw || l.singleSkuItemCode ? 'unknown_code' : 'missing_code'

    const current = existing.get(l.platformSkuKey)
    if (current) {
      // A link made by hand stands until the listing's code changes; an automatic one until the code points elsewhere.
      const differs =
        found !== null &&
        found.skuId !== current.skuId &&
        (current.source === 'auto' || (current.outerCode !== null && current.outerCode !== (l.codeRaw ?? '')))
      return {
        ...base,
        link: null,
        issue: differs ? 'mapping_differs' : issue,
        suggestedSkuId: found?.skuId ?? null,
        method: found?.method ?? null,
      }
    }
    const link =
      found && issue === null
        ? { skuId: found.skuId, method: found.method, code: l.codeRaw ?? l.singleSkuItemCode ?? l.barcode }
        : null
    return { ...base, link, issue, suggestedSkuId: found?.skuId ?? null, method: found?.method ?? null }
  })
}
