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
import { sum, ZERO, type Decimal } from '../money/index.js'
import { groupBy } from '../lib/collections.js'

export type AccountType = 'asset' | 'liability' | 'income' | 'contra_income' | 'expense' | 'suspense'

/**
 * The default chart of accounts (a merchant may rename accounts or give them their own GL codes in
 * ledger_accounts). Its names, in Chinese and English, are in account-names.ts — the one dictionary
 * the server's files and the console both read. `receivable:<shop>` is what a shop's platform owes
 * for orders not yet settled; `platform_balance:<shop>` is money the platform has settled but not
 * yet paid out.
 */
export const ACCOUNTS = {
  gross_sales: { type: 'income' },
  merchant_discounts: { type: 'contra_income' },
  platform_discounts: { type: 'contra_income' },
  // The platform paying back the discounts it funded.
  platform_subsidy: { type: 'income' },
  shipping_income: { type: 'income' },
  tax_payable: { type: 'liability' },
  refunds: { type: 'contra_income' },
  commission: { type: 'expense' },
  payment_fees: { type: 'expense' },
  other_fees: { type: 'expense' },
  settlement_adjustments: { type: 'expense' },
  cogs: { type: 'expense' },
  inventory: { type: 'asset' },
  // Payouts received.
  bank: { type: 'asset' },
  // Fees expected at the sale, not yet billed by the platform.
  accrued_commission: { type: 'liability' },
  accrued_payment_fees: { type: 'liability' },
  // Billed above (below) the accrual.
  commission_variance: { type: 'expense' },
  payment_fee_variance: { type: 'expense' },
  // Exchange differences, a loss positive; the unrealised ones are the period-end revaluation.
  fx_realised: { type: 'expense' },
  fx_unrealised: { type: 'expense' },
  fx_rounding: { type: 'expense' },
  // Settlement types not understood.
  suspense: { type: 'suspense' },
  // Per shop (above).
  receivable: { type: 'asset' },
  platform_balance: { type: 'asset' },
} as const satisfies Record<string, { type: AccountType }>
export type BaseAccount = keyof typeof ACCOUNTS
export type AccountCode =
  | Exclude<BaseAccount, 'receivable' | 'platform_balance'>
  | `receivable:${string}`
  | `platform_balance:${string}`

export interface Posting {
  account: AccountCode
  side: 'debit' | 'credit'
  amount: Decimal
  currency: string
  skuId?: string | null
  /**
   * How the journal values the line in the base currency (journal.ts): at the rate of the entry's
   * business date (default), at the book value of what it relieves (`book`: the account's balance
   * in this currency — of the entry's order when it has one — so a receivable or platform balance
   * settled at another rate leaves its difference to realised FX), or at an amount a document
   * states (`base`: the bank's side of a conversion, a revaluation line with no transaction amount).
   */
  value?: 'book' | { base: Decimal }
}

export interface SaleInput {
  shopId: string
  currency: string
  shipping: Decimal
  tax: Decimal
  lines: { skuId: string | null; goods: Decimal; merchantDiscount: Decimal; platformDiscount: Decimal }[]
}

const post = (
  account: AccountCode,
  side: Posting['side'],
  amount: Decimal,
  currency: string,
  skuId: string | null = null,
): Posting[] =>
  amount.isZero()
    ? []
    : [
        {
          account,
          side: amount.isNegative() ? (side === 'debit' ? 'credit' : 'debit') : side,
          amount: amount.abs(),
          currency,
          skuId,
        },
      ]

export function postingsForSale(s: SaleInput): Posting[] {
  const goods = sum(s.lines.map((l) => l.goods))
  const md = sum(s.lines.map((l) => l.merchantDiscount))
  const pd = sum(s.lines.map((l) => l.platformDiscount))
  return [
    ...post(`receivable:${s.shopId}`, 'debit', goods.minus(md).plus(s.shipping).plus(s.tax), s.currency),
    ...s.lines.flatMap((l) => [
      ...post('gross_sales', 'credit', l.goods, s.currency, l.skuId),
      ...post('merchant_discounts', 'debit', l.merchantDiscount, s.currency, l.skuId),
      ...post('platform_discounts', 'debit', l.platformDiscount, s.currency, l.skuId),
    ]),
    ...post('platform_subsidy', 'credit', pd, s.currency),
    ...post('shipping_income', 'credit', s.shipping, s.currency),
    ...post('tax_payable', 'credit', s.tax, s.currency),
  ]
}

/** A refund, on one SKU's row or split over SKUs (`bySku`, which must add up to the amount). */
export function postingsForRefund(r: {
  shopId: string
  currency: string
  amount: Decimal
  skuId?: string | null
  bySku?: readonly { skuId: string | null; amount: Decimal }[]
}): Posting[] {
  const parts = r.bySku ?? [{ skuId: r.skuId ?? null, amount: r.amount }]
  if (!sum(parts.map((p) => p.amount)).eq(r.amount))
    throw new UnbalancedError(`refund split over SKUs does not add up to ${r.amount.toFixed()}`)
  return [
    ...parts.flatMap((p) => post('refunds', 'debit', p.amount, r.currency, p.skuId)),
    ...post(`receivable:${r.shopId}`, 'credit', r.amount, r.currency),
  ]
}

export function postingsForCogs(
  lines: readonly { skuId: string; quantity: number; unitCost: Decimal; currency: string }[],
): Posting[] {
  return lines.flatMap((l) => {
    const amount = l.unitCost.mul(l.quantity)
    return [
      ...post('cogs', 'debit', amount, l.currency, l.skuId),
      ...post('inventory', 'credit', amount, l.currency, l.skuId),
    ]
  })
}

export type SettlementType =
  | 'sale'
  | 'refund'
  | 'commission'
  | 'payment_fee'
  | 'shipping_fee'
  | 'other_fee'
  | 'subsidy'
  | 'adjustment'
  | 'payout'
  | 'unknown'

/** Which account a settlement line's counterpart goes to (the other side is the shop's platform balance). */
export const SETTLEMENT_ACCOUNT: Record<SettlementType, AccountCode | 'receivable'> = {
  // Order money the platform confirms: it moves from "expected" (receivable) to "settled".
  sale: 'receivable',
  refund: 'receivable',
  subsidy: 'receivable',
  commission: 'commission',
  payment_fee: 'payment_fees',
  shipping_fee: 'other_fees',
  other_fee: 'other_fees',
  adjustment: 'settlement_adjustments',
  payout: 'bank',
  unknown: 'suspense',
}

/**
 * One settlement line (amount signed: positive flows to the merchant). The platform balance takes
 * the amount; the counterpart account takes the other side: receivable for order money, an expense
 * for fees, the bank for a payout, suspense for a type nobody mapped.
 */
export function postingsForSettlement(l: {
  shopId: string
  type: SettlementType
  amount: Decimal
  currency: string
  /** A payout the bank received in another currency (Shopify Payments, PayPal withdrawal, 结汇). */
  converted?: { amount: Decimal; currency: string } | null
  /** The order's open fee accrual (commission or payment fee lines of an order with estimates). */
  accrued?: Decimal | null
}): Posting[] {
  const target = SETTLEMENT_ACCOUNT[l.type]
  if (l.type === 'payout' && l.converted && l.converted.currency !== l.currency)
    // Money leaves the platform balance at its book value and arrives in the bank as the bank
    // says; the journal books the difference to realised FX.
    return [
      ...post('bank', 'debit', l.converted.amount, l.converted.currency),
      ...book(post(`platform_balance:${l.shopId}`, 'credit', l.amount.neg(), l.currency)),
    ]
  const fee = l.type === 'commission' || l.type === 'payment_fee' ? FEE_ACCOUNTS[l.type] : null
  if (fee && l.accrued !== undefined && l.accrued !== null) {
    // The bill line trues up the accrual: the accrued amount leaves the liability, what the
    // platform billed beyond (or below) it is the variance.
    const billed = l.amount.neg()
    return [
      ...post(`platform_balance:${l.shopId}`, 'credit', billed, l.currency),
      ...book(post(fee.accrued, 'debit', l.accrued, l.currency)),
      ...post(fee.variance, 'debit', billed.minus(l.accrued), l.currency),
    ]
  }
  const counter: AccountCode = target === 'receivable' ? `receivable:${l.shopId}` : target
  const counterPostings = post(counter, 'credit', l.amount, l.currency)
  return [
    ...post(`platform_balance:${l.shopId}`, 'debit', l.amount, l.currency),
    // Order money settled relieves what the sale left receivable, at its book value.
    ...(target === 'receivable' ? book(counterPostings) : counterPostings),
  ]
}

const book = (ps: Posting[]): Posting[] => ps.map((p) => ({ ...p, value: 'book' as const }))

/** Where each accrued fee lives and where its true-up goes. */
export const FEE_ACCOUNTS = {
  commission: { expense: 'commission', accrued: 'accrued_commission', variance: 'commission_variance' },
  payment_fee: {
    expense: 'payment_fees',
    accrued: 'accrued_payment_fees',
    variance: 'payment_fee_variance',
  },
} as const satisfies Record<string, { expense: AccountCode; accrued: AccountCode; variance: AccountCode }>

/**
 * The expected fees of a recognised sale (a commission plan's estimate): expense now, a liability
 * to the platform until its bill line trues it up. Negative amounts (a refund's share of the fee
 * the platform gives back) reverse it.
 */
export function postingsForFeeEstimate(e: {
  currency: string
  commission: Decimal
  paymentFee: Decimal
}): Posting[] {
  return [
    ...post('commission', 'debit', e.commission, e.currency),
    ...post('accrued_commission', 'credit', e.commission, e.currency),
    ...post('payment_fees', 'debit', e.paymentFee, e.currency),
    ...post('accrued_payment_fees', 'credit', e.paymentFee, e.currency),
  ]
}

/** Reverse a set of postings (corrections are reversing entries, never edits). */
export const reverse = (ps: readonly Posting[]): Posting[] =>
  ps.map((p) => ({ ...p, side: p.side === 'debit' ? 'credit' : 'debit' }))

export class UnbalancedError extends Error {
  override name = 'UnbalancedError'
}

/**
 * Debits equal credits in the transaction currency, for an entry in one currency. An entry across
 * currencies (a payout converted by the bank) balances in the base currency only, which the journal
 * checks once it has converted the lines.
 */
export function assertBalanced(postings: readonly Posting[]): void {
  const byCurrency = groupBy(postings, (p) => p.currency)
  if (byCurrency.size > 1) return
  for (const [currency, ps] of byCurrency) {
    const debit = sum(ps.filter((p) => p.side === 'debit').map((p) => p.amount))
    const credit = sum(ps.filter((p) => p.side === 'credit').map((p) => p.amount))
    if (!debit.eq(credit))
      throw new UnbalancedError(
        `unbalanced journal in ${currency}: debit ${debit.toFixed()} ≠ credit ${credit.toFixed()}`,
      )
  }
}

export { ZERO }
