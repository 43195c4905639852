/**
 * Which SKU an amount of an order belongs to (pure), so a by-SKU statement puts every sale and
 * refund on the row of the goods behind it. A plain line is its SKU; a bundle line (组合装) is
 * split over its component SKUs by their revenue shares, the split the pool made when it expanded
 * the bundle; an unmapped line belongs to no SKU. Splits are exact: the parts add up to the whole
 * (src/money apportion).
 */
import { apportion, sum, ZERO, type Decimal } from '../money/index.js'

export interface AttributionLine {
  externalLineId: string
  /** The line's own SKU (null for a bundle line and for an unmapped one). */
  skuId: string | null
  /** What the buyer paid for the line after discounts. */
  paid: Decimal
  /** The SKUs the line consumes (order_line_skus), with the revenue each carries. */
  skus: readonly { skuId: string; revenueShare: Decimal }[]
}

export interface SkuAmount {
  skuId: string | null
  amount: Decimal
}

/**
 * `amount` over items by weight, exactly; the remainder cent goes to the last item that has a
 * weight (an item weighing nothing — a free gift, an unpaid line — takes nothing while another does).
 */
function split(amount: Decimal, weights: readonly Decimal[]): Decimal[] {
  const last = weights.findLastIndex((w) => w.gt(0))
  if (last < 0) return apportion(amount, weights)
  const shares = apportion(amount, weights.slice(0, last + 1))
  return weights.map((_, i) => shares[i] ?? ZERO)
}

/** An amount of one line, over the SKUs of the line. */
export function lineBySku(line: AttributionLine, amount: Decimal): SkuAmount[] {
  if (line.skus.length <= 1 || line.skuId !== null)
    return [{ skuId: line.skuId ?? line.skus[0]?.skuId ?? null, amount }]
  const parts = [...line.skus].sort((a, b) => (a.skuId < b.skuId ? -1 : a.skuId > b.skuId ? 1 : 0))
  const shares = split(
    amount,
    parts.map((p) => p.revenueShare),
  )
  return parts.map((p, i) => ({ skuId: p.skuId, amount: shares[i]! }))
}

/** A line's sale amounts over its SKUs, each amount split the same way (a bundle by its components). */
export function saleBySku(
  line: AttributionLine & { goods: Decimal; merchantDiscount: Decimal; platformDiscount: Decimal },
): { skuId: string | null; goods: Decimal; merchantDiscount: Decimal; platformDiscount: Decimal }[] {
  const goods = lineBySku(line, line.goods)
  const md = lineBySku(line, line.merchantDiscount)
  const pd = lineBySku(line, line.platformDiscount)
  return goods.map((g, i) => ({
    skuId: g.skuId,
    goods: g.amount,
    merchantDiscount: md[i]!.amount,
    platformDiscount: pd[i]!.amount,
  }))
}

/**
 * A refund over the lines it covers: the refund's own line amounts when they add up to it;
 * otherwise the refund apportioned over the lines it names (by their refund amounts, or by what was
 * paid for them when it states none), and over every line of the order when it names none.
 */
export function refundByLine<L extends AttributionLine>(
  amount: Decimal,
  refundLines: readonly { externalLineId: string; amount: Decimal }[],
  lines: readonly L[],
): { line: L; amount: Decimal }[] {
  if (lines.length === 0) return []
  const named = new Map<string, Decimal>()
  for (const r of refundLines) {
    if (!lines.some((l) => l.externalLineId === r.externalLineId)) continue
    named.set(r.externalLineId, (named.get(r.externalLineId) ?? ZERO).plus(r.amount))
  }
  const covered = named.size > 0 ? lines.filter((l) => named.has(l.externalLineId)) : lines
  const stated = covered.map((l) => named.get(l.externalLineId) ?? ZERO)
  if (named.size > 0 && sum(stated).eq(amount))
    return covered.map((line, i) => ({ line, amount: stated[i]! }))
  const shares = split(amount, stated.some((s) => s.gt(0)) ? stated : covered.map((l) => l.paid))
  return covered.map((line, i) => ({ line, amount: shares[i]! }))
}

/** Amounts of the same SKU added together, in first-seen order; zero amounts dropped. */
export function mergeBySku(parts: readonly SkuAmount[]): SkuAmount[] {
  const out = new Map<string | null, Decimal>()
  for (const p of parts) out.set(p.skuId, (out.get(p.skuId) ?? ZERO).plus(p.amount))
  return [...out].filter(([, amount]) => !amount.isZero()).map(([skuId, amount]) => ({ skuId, amount }))
}

/** A refund over SKUs: by line, then each line over its SKUs. */
export function refundBySku(
  amount: Decimal,
  refundLines: readonly { externalLineId: string; amount: Decimal }[],
  lines: readonly AttributionLine[],
): SkuAmount[] {
  if (lines.length === 0) return [{ skuId: null, amount }]
  return mergeBySku(refundByLine(amount, refundLines, lines).flatMap((p) => lineBySku(p.line, p.amount)))
}
