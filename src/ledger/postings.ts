/**
 * Posting rules (pure): every business event becomes lines whose debits equal their credits in
 * each currency. Accounts are the default chart; `receivable:<shop>` is the channel clearing
 * account of one shop.
 *
 * Sale  Dr receivable (goods − merchant discounts + shipping + tax), Dr merchant_discounts,
 *       Cr gross_sales, Cr shipping_income, Cr tax_payable; platform-funded discounts are shown
 *       (Dr platform_discounts) and paid back by the platform (Cr platform_subsidy): net zero to
 *       the merchant, visible on the statement.
 * Refund  Dr refunds, Cr receivable.      COGS  Dr cogs, Cr inventory.
 */
import type { Decimal} from '../money/index.js';
import { sum, ZERO } from '../money/index.js'
import { groupBy } from '../lib/collections.js'

export const ACCOUNTS = {
  gross_sales: 'Gross sales',
  merchant_discounts: 'Merchant-funded discounts',
  platform_discounts: 'Platform-funded discounts',
  platform_subsidy: 'Platform subsidy of discounts',
  shipping_income: 'Shipping income',
  tax_payable: 'Tax payable',
  refunds: 'Refunds',
  cogs: 'Cost of goods sold',
  inventory: 'Inventory',
  receivable: 'Channel receivable (per shop)',
} as const
export type AccountCode = keyof typeof ACCOUNTS | `receivable:${string}`

export interface Posting {
  account: AccountCode
  side: 'debit' | 'credit'
  amount: Decimal
  currency: string
  skuId?: string | null
}

export interface SaleInput {
  shopId: string
  currency: string
  shipping: Decimal
  tax: Decimal
  lines: { skuId: string | null; goods: Decimal; merchantDiscount: Decimal; platformDiscount: Decimal }[]
}

const post = (account: AccountCode, side: Posting['side'], amount: Decimal, currency: string, skuId: string | null = null): Posting[] =>
  amount.isZero() ? [] : [{ account, side: amount.isNegative() ? (side === 'debit' ? 'credit' : 'debit') : side, amount: amount.abs(), currency, skuId }]

export function postingsForSale(s: SaleInput): Posting[] {
  const goods = sum(s.lines.map((l) => l.goods))
  const md = sum(s.lines.map((l) => l.merchantDiscount))
  const pd = sum(s.lines.map((l) => l.platformDiscount))
  return [
    ...post(`receivable:${s.shopId}`, 'debit', goods.minus(md).plus(s.shipping).plus(s.tax), s.currency),
    ...s.lines.flatMap((l) => [...post('gross_sales', 'credit', l.goods, s.currency, l.skuId), ...post('merchant_discounts', 'debit', l.merchantDiscount, s.currency, l.skuId), ...post('platform_discounts', 'debit', l.platformDiscount, s.currency, l.skuId)]),
    ...post('platform_subsidy', 'credit', pd, s.currency),
    ...post('shipping_income', 'credit', s.shipping, s.currency),
    ...post('tax_payable', 'credit', s.tax, s.currency),
  ]
}

export function postingsForRefund(r: { shopId: string; currency: string; amount: Decimal; skuId?: string | null }): Posting[] {
  return [...post('refunds', 'debit', r.amount, r.currency, r.skuId ?? null), ...post(`receivable:${r.shopId}`, 'credit', r.amount, r.currency)]
}

export function postingsForCogs(lines: readonly { skuId: string; quantity: number; unitCost: Decimal; currency: string }[]): Posting[] {
  return lines.flatMap((l) => {
    const amount = l.unitCost.mul(l.quantity)
    return [...post('cogs', 'debit', amount, l.currency, l.skuId), ...post('inventory', 'credit', amount, l.currency, l.skuId)]
  })
}

/** Reverse a set of postings (corrections are reversing entries, never edits). */
export const reverse = (ps: readonly Posting[]): Posting[] => ps.map((p) => ({ ...p, side: p.side === 'debit' ? 'credit' : 'debit' }))

export class UnbalancedError extends Error {
  override name = 'UnbalancedError'
}

export function assertBalanced(postings: readonly Posting[]): void {
  for (const [currency, ps] of groupBy(postings, (p) => p.currency)) {
    const debit = sum(ps.filter((p) => p.side === 'debit').map((p) => p.amount))
    const credit = sum(ps.filter((p) => p.side === 'credit').map((p) => p.amount))
    if (!debit.eq(credit)) throw new UnbalancedError(`unbalanced journal in ${currency}: debit ${debit.toFixed()} ≠ credit ${credit.toFixed()}`)
  }
}

export { ZERO }
