/**
 * Commission plans (pure). Platforms do not publish their fee rates reliably, so the merchant sets
 * what they expect per shop, and the settlement data is the truth the expectation is checked
 * against. A plan holds, all optional:
 *   rate           commission rate on each line's sale value, e.g. "0.05"
 *   byCategory     { [skuCategory]: rate }   overrides rate
 *   bySku          { [skuCode]: rate }       overrides category and rate
 *   fixedPerOrder  a fixed fee per order, e.g. "0.50"
 *   paymentRate    payment-processing rate on what the buyer paid, e.g. "0.006"
 *   refundRule     what the platform gives back of the commission when an order is refunded:
 *                  "proportional" (fee × refunded / paid, e.g. PDD since 2024-09), "full" (all of
 *                  it on any refund) or "none" (the default)
 *   paymentRefundRule  the same for the payment fee (Shopify keeps it: "none")
 * The expected fees are posted as accruals when the sale is recognised (accruals.ts).
 * The sale value of a line is goods − merchant-funded discount: platforms charge commission on the
 * price the merchant sold at, platform-funded discounts included (they are paid back to the merchant).
 */
import { money, round, sum, tryMoney, type Decimal } from '../money/index.js'

export interface CommissionRules {
  rate?: string
  byCategory?: Record<string, string>
  bySku?: Record<string, string>
  fixedPerOrder?: string
  paymentRate?: string
  refundRule?: RefundRule
  paymentRefundRule?: RefundRule
}

export const REFUND_RULES = ['none', 'proportional', 'full'] as const
export type RefundRule = (typeof REFUND_RULES)[number]

/**
 * The fee left after refunds under a refund rule: proportional keeps fee × (1 − refunded / paid),
 * rounded half up to the cent; full gives it all back on any refund; none keeps it.
 */
export function feeAfterRefunds(fee: Decimal, rule: RefundRule, refunded: Decimal, paid: Decimal): Decimal {
  if (refunded.lte(0) || rule === 'none') return fee
  if (rule === 'full' || paid.lte(0) || refunded.gte(paid)) return money(0)
  return round(fee.mul(paid.minus(refunded)).div(paid))
}

export interface PlanLine {
  skuCode: string | null
  category: string | null
  goods: Decimal
  merchantDiscount: Decimal
}

export interface ExpectedFees {
  commission: Decimal
  paymentFee: Decimal
  fixed: Decimal
  /** Per line, in input order. */
  lines: Decimal[]
}

/** Problems with a plan's rules (empty = valid): rates in [0, 1), amounts ≥ 0, exact decimals. */
export function validateRules(rules: CommissionRules): string[] {
  const problems: string[] = []
  const rate = (path: string, v: unknown) => {
    const d = tryMoney(v)
    if (!d || d.lt(0) || d.gte(1))
      problems.push(`${path} must be a decimal rate from 0 to below 1, e.g. "0.05"`)
  }
  if (rules.rate !== undefined) rate('rate', rules.rate)
  if (rules.paymentRate !== undefined) rate('paymentRate', rules.paymentRate)
  for (const [k, v] of Object.entries(rules.byCategory ?? {})) rate(`byCategory.${k}`, v)
  for (const [k, v] of Object.entries(rules.bySku ?? {})) rate(`bySku.${k}`, v)
  for (const key of ['refundRule', 'paymentRefundRule'] as const)
    if (rules[key] !== undefined && !REFUND_RULES.includes(rules[key]))
      problems.push(`${key} must be one of ${REFUND_RULES.join(', ')}`)
  if (rules.fixedPerOrder !== undefined) {
    const d = tryMoney(rules.fixedPerOrder)
    if (!d || d.lt(0)) problems.push('fixedPerOrder must be a non-negative decimal amount')
  }
  return problems
}

export function lineRate(rules: CommissionRules, line: Pick<PlanLine, 'skuCode' | 'category'>): Decimal {
  const bySku = line.skuCode ? rules.bySku?.[line.skuCode] : undefined
  const byCategory = line.category ? rules.byCategory?.[line.category] : undefined
  return money(bySku ?? byCategory ?? rules.rate ?? '0')
}

/** Expected fees of one order under a plan, each rounded to the cent (half up, src/money) per line. */
export function expectedFees(
  rules: CommissionRules,
  lines: readonly PlanLine[],
  buyerPaid: Decimal,
): ExpectedFees {
  const perLine = lines.map((l) => round(l.goods.minus(l.merchantDiscount).mul(lineRate(rules, l))))
  const fixed = money(rules.fixedPerOrder ?? '0')
  return {
    commission: sum(perLine).plus(fixed),
    paymentFee: round(buyerPaid.mul(money(rules.paymentRate ?? '0'))),
    fixed,
    lines: perLine,
  }
}

/** The plan in force on a date (YYYY-MM-DD): the latest effective_from ≤ date whose effective_to (inclusive) has not passed. */
export function planOn<T extends { effectiveFrom: string; effectiveTo: string | null }>(
  plans: readonly T[],
  date: string,
): T | null {
  return (
    [...plans]
      .filter((p) => p.effectiveFrom <= date && (p.effectiveTo === null || date <= p.effectiveTo))
      .sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? 1 : -1))[0] ?? null
  )
}
