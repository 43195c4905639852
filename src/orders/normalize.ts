/**
 * Pure step of the pipeline: a mapped draft plus the merchant's SKU mappings and bundle
 * definitions → the rows of the order, its lines, their stock view, and the exceptions found.
 */
import { createHash } from 'node:crypto'
import type { Decimal } from '../money/index.js'
import { apportion, toDb } from '../money/index.js'
import { apportionOrder } from './apportion.js'
import type { ExceptionReason } from './tables.js'
import type { UnifiedLineDraft, UnifiedOrderDraft } from './types.js'

export interface BundleComponent {
  componentSkuId: string
  quantity: number
  unitValue: Decimal
}

export interface Catalogue {
  /** platform SKU key → merchant SKU id */
  mappings: ReadonlyMap<string, string>
  /** bundle SKU id → components */
  bundles: ReadonlyMap<string, readonly BundleComponent[]>
}

export interface NormalizedLine {
  externalLineId: string
  lineNo: number
  draft: UnifiedLineDraft
  skuId: string | null
  isBundle: boolean
  platformDiscount: Decimal
  merchantDiscount: Decimal
  shippingShare: Decimal
  paid: Decimal
  skus: { skuId: string; quantity: number; revenueShare: Decimal }[]
}

export interface FoundException {
  reason: ExceptionReason
  detail: Record<string, unknown>
}

export interface Normalized {
  lines: NormalizedLine[]
  receiverKey: string | null
  exceptions: FoundException[]
}

/** The key a platform SKU is mapped by: SKU id, else `item:<item id>`, else `code:<outer code>`. */
export function platformSkuKey(
  line: Pick<UnifiedLineDraft, 'platformSkuId' | 'platformItemId' | 'outerCode'>,
): string | null {
  if (line.platformSkuId) return line.platformSkuId
  if (line.platformItemId) return `item:${line.platformItemId}`
  if (line.outerCode) return `code:${line.outerCode}`
  return null
}

export function receiverKey(draft: UnifiedOrderDraft): string | null {
  const r = draft.receiver
  const parts = [
    draft.buyer.id ?? draft.buyer.nick,
    r.name,
    r.phone,
    r.province,
    r.city,
    r.district,
    r.address,
  ]
  if (parts.every((p) => !p)) return null
  const ref = r.privacyRef
    ? Object.entries(r.privacyRef)
        .sort()
        .map(([k, v]) => `${k}=${v}`)
        .join('&')
    : ''
  return createHash('sha256')
    .update(parts.map((p) => (p ?? '').trim()).join('\u0001') + ref)
    .digest('hex')
}

export function normalize(
  draft: UnifiedOrderDraft,
  catalogue: Catalogue,
  opts: { reviewBuyerNotes?: boolean } = {},
): Normalized {
  const exceptions: FoundException[] = []
  const amounts = apportionOrder(
    draft.lines.map((l) => ({
      goods: l.goodsAmount,
      platformDiscount: l.platformDiscount,
      merchantDiscount: l.merchantDiscount,
    })),
    draft.orderLevel,
    draft.totals.shipping,
  )
  const unmapped: { externalLineId: string; key: string | null; outerCode: string | null; title: string }[] =
    []
  const lines = draft.lines.map((line, i): NormalizedLine => {
    const a = amounts[i]!
    const key = platformSkuKey(line)
    const skuId = (key && catalogue.mappings.get(key)) ?? null
    if (!skuId)
      unmapped.push({
        externalLineId: line.externalLineId,
        key,
        outerCode: line.outerCode,
        title: line.title,
      })
    const components = skuId ? catalogue.bundles.get(skuId) : undefined
    let skus: NormalizedLine['skus'] = []
    if (skuId && components && components.length > 0) {
      const weights = components.map((c) => c.unitValue.mul(c.quantity))
      const shares = apportion(a.paid, weights)
      skus = components.map((c, j) => ({
        skuId: c.componentSkuId,
        quantity: c.quantity * line.quantity,
        revenueShare: shares[j]!,
      }))
    } else if (skuId) {
      skus = [{ skuId, quantity: line.quantity, revenueShare: a.paid }]
    }
    return {
      externalLineId: line.externalLineId,
      lineNo: i + 1,
      draft: line,
      skuId,
      isBundle: Boolean(components && components.length > 0),
      platformDiscount: a.platformDiscount,
      merchantDiscount: a.merchantDiscount,
      shippingShare: a.shippingShare,
      paid: a.paid,
      skus,
    }
  })
  if (unmapped.length > 0) exceptions.push({ reason: 'sku_unmapped', detail: { lines: unmapped } })
  const negative = lines.filter((l) => l.paid.isNegative())
  if (negative.length > 0) {
    exceptions.push({
      reason: 'conflicting_update',
      detail: {
        message: 'discounts exceed the goods value',
        lines: negative.map((l) => ({ externalLineId: l.externalLineId, paid: toDb(l.paid) })),
      },
    })
  }
  const r = draft.receiver
  const needsAddress = draft.status === 'paid' || draft.status === 'pending_payment'
  if (needsAddress && !r.masked && (!r.address || !(r.province || r.city || r.country))) {
    exceptions.push({
      reason: 'address_unusable',
      detail: { province: r.province, city: r.city, address: r.address },
    })
  }
  if (opts.reviewBuyerNotes && draft.buyerNote && draft.buyerNote.trim() !== '') {
    exceptions.push({ reason: 'buyer_note', detail: { note: draft.buyerNote } })
  }
  return { lines, receiverKey: receiverKey(draft), exceptions }
}

/** Exceptions that stop the order from moving on to allocation until resolved. */
export const BLOCKING: readonly string[] = [
  'sku_unmapped',
  'address_unusable',
  'buyer_note',
  'conflicting_update',
  'invalid_transition',
  'mapping_failed',
]
