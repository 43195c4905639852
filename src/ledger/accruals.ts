/**
 * Commission and payment-fee accruals (reference ledger-currency-and-fees §5.3–5.4). When a sale is
 * recognised, the shop's plan in force on the order's payment date gives the expected commission and
 * payment fee; they are posted as expense and owed to the platform (accrued_*). A refund gives back
 * what the plan's refund rule says (re-estimated on the cumulative refund, so rounding never
 * drifts). The platform's bill line then trues the accrual up (postingsForSettlement): the accrued
 * amount leaves the liability and what was billed beyond it is the variance. Keys are
 * deterministic: fees.<order> and fees.refund.<order>.<refunded so far>.
 */
import { sql } from 'kysely'
import type { Executor } from '../db/connect.js'
import { chunk } from '../lib/collections.js'
import { money, sum, type Decimal } from '../money/index.js'
import { expectedFees, feeAfterRefunds, planOn, type CommissionRules } from './commission.js'
import { postEntry, type EntryHead, type PostOutcome } from './journal.js'
import { postingsForFeeEstimate } from './postings.js'
import { localDate } from './statements.js'

export interface Plan {
  effectiveFrom: string
  effectiveTo: string | null
  rules: CommissionRules
}

export async function shopPlans(db: Executor, merchantId: string, shopId: string): Promise<Plan[]> {
  const rows = await db
    .selectFrom('commission_plans')
    .select(['effective_from', 'effective_to', 'rules'])
    .where('merchant_id', '=', merchantId)
    .where('shop_id', '=', shopId)
    .execute()
  return rows.map((p) => ({
    effectiveFrom: p.effective_from,
    effectiveTo: p.effective_to,
    rules: (typeof p.rules === 'string' ? JSON.parse(p.rules) : p.rules) as CommissionRules,
  }))
}

interface OrderForFees {
  id: string
  shop_id: string
  channel: string
  currency: string
  buyer_paid: string
  paid_at: Date | null
  placed_at: Date | null
}

async function loadOrder(
  db: Executor,
  merchantId: string,
  orderId: string,
): Promise<OrderForFees | undefined> {
  return db
    .selectFrom('orders')
    .select(['id', 'shop_id', 'channel', 'currency', 'buyer_paid', 'paid_at', 'placed_at'])
    .where('merchant_id', '=', merchantId)
    .where('id', '=', orderId)
    .executeTakeFirst()
}

/** The plan in force for an order (its payment date, else when it was placed, in the merchant's zone). */
async function planFor(
  db: Executor,
  merchantId: string,
  o: OrderForFees,
  timezone: string,
): Promise<Plan | null> {
  const at = o.paid_at ?? o.placed_at
  if (!at) return null
  const plans = await shopPlans(db, merchantId, o.shop_id)
  return plans.length === 0 ? null : planOn(plans, localDate(at, timezone))
}

/** The order's gross expected fees under its plan (before refunds). */
async function grossFees(db: Executor, merchantId: string, o: OrderForFees, plan: Plan) {
  const lines = await db
    .selectFrom('order_lines as l')
    .leftJoin('skus as s', 's.id', 'l.sku_id')
    .select(['s.code', 's.category', 'l.goods_amount', 'l.merchant_discount'])
    .where('l.merchant_id', '=', merchantId)
    .where('l.order_id', '=', o.id)
    .execute()
  return expectedFees(
    plan.rules,
    lines.map((l) => ({
      skuCode: l.code,
      category: l.category,
      goods: money(l.goods_amount),
      merchantDiscount: money(l.merchant_discount),
    })),
    money(o.buyer_paid),
  )
}

const head = (
  o: OrderForFees,
  merchantId: string,
  kind: string,
  key: string,
  at: Date,
  rateAt: Date | null,
): EntryHead => ({
  merchantId,
  postingKey: key,
  kind,
  orderId: o.id,
  shopId: o.shop_id,
  channel: o.channel,
  eventAt: at,
  rateAt,
})

/** Post the expected fees of a recognised sale (nothing without a plan, or when the plan expects none). */
export async function accrueFees(
  db: Executor,
  merchantId: string,
  orderId: string,
  at: Date,
  timezone: string,
  rateAt: Date | null,
): Promise<PostOutcome | 'no_plan'> {
  const o = await loadOrder(db, merchantId, orderId)
  if (!o) return 'no_plan'
  const plan = await planFor(db, merchantId, o, timezone)
  if (!plan) return 'no_plan'
  const fees = await grossFees(db, merchantId, o, plan)
  return postEntry(
    db,
    head(o, merchantId, 'fee_estimate', `fees.${o.id}`, at, rateAt),
    postingsForFeeEstimate({
      currency: o.currency,
      commission: fees.commission,
      paymentFee: fees.paymentFee,
    }),
  )
}

/** Net of what the estimate entries left per accrual account of an order (estimate less refunds given back). */
async function estimated(db: Executor, merchantId: string, orderId: string) {
  const rows = await db
    .selectFrom('journal_lines as l')
    .innerJoin('journal_entries as e', 'e.id', 'l.entry_id')
    .select(['l.account', sql<string>`SUM(l.credit) - SUM(l.debit)`.as('net')])
    .where('l.merchant_id', '=', merchantId)
    .where('l.order_id', '=', orderId)
    .where('e.kind', 'in', ['fee_estimate', 'fee_estimate_refund'])
    .where('l.account', 'in', ['accrued_commission', 'accrued_payment_fees'])
    .groupBy('l.account')
    .execute()
  const get = (a: string) => money(rows.find((r) => r.account === a)?.net ?? '0')
  return {
    commission: get('accrued_commission'),
    paymentFee: get('accrued_payment_fees'),
    any: rows.length > 0,
  }
}

/**
 * After refunds: give back what the plan's refund rules say, on the cumulative refunded amount
 * (the refunds account of the order), at the time of the latest refund.
 */
export async function refundFees(
  db: Executor,
  merchantId: string,
  orderId: string,
  timezone: string,
): Promise<PostOutcome | 'nothing'> {
  const est = await estimated(db, merchantId, orderId)
  if (!est.any) return 'nothing'
  const o = await loadOrder(db, merchantId, orderId)
  if (!o) return 'nothing'
  const plan = await planFor(db, merchantId, o, timezone)
  if (!plan) return 'nothing'
  const refunds = await db
    .selectFrom('journal_lines as l')
    .innerJoin('journal_entries as e', 'e.id', 'l.entry_id')
    .select([
      sql<string | null>`SUM(l.debit) - SUM(l.credit)`.as('net'),
      sql<Date | null>`MAX(e.event_at)`.as('at'),
    ])
    .where('l.merchant_id', '=', merchantId)
    .where('l.order_id', '=', orderId)
    .where('l.account', '=', 'refunds')
    .executeTakeFirst()
  const refunded = money(refunds?.net ?? '0')
  if (refunded.lte(0) || !refunds?.at) return 'nothing'
  const gross = await grossFees(db, merchantId, o, plan)
  const paid = money(o.buyer_paid)
  const commission = feeAfterRefunds(gross.commission, plan.rules.refundRule ?? 'none', refunded, paid).minus(
    est.commission,
  )
  const paymentFee = feeAfterRefunds(
    gross.paymentFee,
    plan.rules.paymentRefundRule ?? 'none',
    refunded,
    paid,
  ).minus(est.paymentFee)
  if (commission.isZero() && paymentFee.isZero()) return 'nothing'
  return postEntry(
    db,
    head(
      o,
      merchantId,
      'fee_estimate_refund',
      `fees.refund.${o.id}.${refunded.toFixed(2)}`,
      new Date(refunds.at),
      null,
    ),
    postingsForFeeEstimate({ currency: o.currency, commission, paymentFee }),
  )
}

/**
 * What is still accrued per order and fee (for the bill lines of a settlement batch): orders with
 * no estimate at all are absent (their bill lines post as before, straight to the expense).
 */
export async function openAccruals(
  db: Executor,
  merchantId: string,
  orderIds: readonly string[],
): Promise<Map<string, { commission: Decimal; payment_fee: Decimal }>> {
  const out = new Map<string, { commission: Decimal; payment_fee: Decimal }>()
  for (const ids of chunk([...new Set(orderIds)], 500)) {
    if (ids.length === 0) continue
    const withEstimate = await db
      .selectFrom('journal_entries')
      .select('order_id')
      .where('merchant_id', '=', merchantId)
      .where('order_id', 'in', ids)
      .where('kind', '=', 'fee_estimate')
      .execute()
    const estimatedIds = withEstimate.map((r) => r.order_id!)
    if (estimatedIds.length === 0) continue
    const rows = await db
      .selectFrom('journal_lines')
      .select(['order_id', 'account', sql<string>`SUM(credit) - SUM(debit)`.as('open')])
      .where('merchant_id', '=', merchantId)
      .where('order_id', 'in', estimatedIds)
      .where('account', 'in', ['accrued_commission', 'accrued_payment_fees'])
      .groupBy(['order_id', 'account'])
      .execute()
    for (const id of estimatedIds) {
      const of = (a: string) =>
        sum(rows.filter((r) => r.order_id === id && r.account === a).map((r) => money(r.open)))
      out.set(id, { commission: of('accrued_commission'), payment_fee: of('accrued_payment_fees') })
    }
  }
  return out
}

/** A cancelled sale takes its accrued fees back with it (what is still estimated, at the cancellation). */
export async function reverseFees(
  db: Executor,
  merchantId: string,
  orderId: string,
  at: Date,
): Promise<PostOutcome | 'nothing'> {
  const est = await estimated(db, merchantId, orderId)
  if (!est.any || (est.commission.isZero() && est.paymentFee.isZero())) return 'nothing'
  const o = await loadOrder(db, merchantId, orderId)
  if (!o) return 'nothing'
  return postEntry(
    db,
    head(o, merchantId, 'fee_estimate_refund', `reverse.fees.${o.id}`, at, null),
    postingsForFeeEstimate({
      currency: o.currency,
      commission: est.commission.neg(),
      paymentFee: est.paymentFee.neg(),
    }),
  )
}
