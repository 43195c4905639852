/**
 * Matching settlement lines to orders, for the accountant. Every settlement line and every shipped
 * order of the period ends in exactly one finding:
 *   matched           the order money settled equals what the journal expects from the order
 *   awaiting_sale     settled before the sale is recognised (revenue at shipment): it matches once it ships
 *   amount_differs    it does not (expected, actual and the difference are given)
 *   fee_differs       order money matches but the commission differs from the shop's plan
 *   unknown_order     settled, but the hub has no such order
 *   not_settled       shipped more than N days ago (shop setting settlementDueDays, default 15) and no settlement yet
 *   fee_without_order a fee or adjustment that names no order (ads, penalties, subscriptions)
 *   unknown_type      a transaction type nobody mapped: its amount sits in suspense
 * Expected order money is the order's receivable from its sale and refund entries; actual is the
 * sum of its settlement lines of type sale, refund and subsidy, across all periods (an order may
 * settle in parts).
 */
import { sql } from 'kysely'
import { CONNECTORS } from '../../connectors/index.js'
import type { Executor } from '../db/connect.js'
import { chunk, groupBy } from '../lib/collections.js'
import { money, sum, toAmount, ZERO, type Decimal } from '../money/index.js'
import { expectedFees, planOn, type CommissionRules } from './commission.js'
import { localDate, zonedMidnight } from './statements.js'
import { hubSettings } from '../../connectors/settings.js'

export const FINDING_KINDS = [
  'matched',
  'awaiting_sale',
  'amount_differs',
  'fee_differs',
  'unknown_order',
  'not_settled',
  'fee_without_order',
  'unknown_type',
] as const
export type FindingKind = (typeof FINDING_KINDS)[number]

export interface Finding {
  kind: FindingKind
  shopId: string
  channel: string
  orderId: string | null
  orderExternalId: string | null
  currency: string
  expected: string | null
  actual: string | null
  difference: string | null
  commissionExpected: string | null
  commissionActual: string | null
  settlementLineIds: string[]
  reason: string
}

export interface ReconcileQuery {
  from: string
  to: string
  timezone: string
  shopId?: string | undefined
  channel?: string | undefined
  now: Date
}

const ORDER_MONEY = ['sale', 'refund', 'subsidy']
const FEES = ['commission', 'payment_fee', 'shipping_fee', 'other_fee', 'adjustment']

export async function reconcile(
  db: Executor,
  merchantId: string,
  q: ReconcileQuery,
): Promise<{ summary: Record<FindingKind, number>; findings: Finding[] }> {
  const from = zonedMidnight(q.from, q.timezone)
  const to = zonedMidnight(q.to, q.timezone)
  let shopsQ = db
    .selectFrom('shops')
    .select(['id', 'channel', 'settings'])
    .where('merchant_id', '=', merchantId)
  if (q.shopId) shopsQ = shopsQ.where('id', '=', q.shopId)
  if (q.channel) shopsQ = shopsQ.where('channel', '=', q.channel as never)
  const shops = await shopsQ.execute()
  const findings: Finding[] = []
  for (const shop of shops)
    findings.push(...(await reconcileShop(db, merchantId, shop, from, to, q.now, q.timezone)))
  const summary = Object.fromEntries(
    FINDING_KINDS.map((k) => [k, findings.filter((x) => x.kind === k).length]),
  ) as Record<FindingKind, number>
  return { summary, findings }
}

async function reconcileShop(
  db: Executor,
  merchantId: string,
  shop: { id: string; channel: string; settings: Record<string, unknown> },
  from: Date,
  to: Date,
  now: Date,
  timezone: string,
): Promise<Finding[]> {
  const out: Finding[] = []
  const base = { shopId: shop.id, channel: shop.channel, commissionExpected: null, commissionActual: null }
  const periodLines = await db
    .selectFrom('settlement_lines')
    .select(['id', 'order_external_id', 'type', 'platform_type', 'amount', 'currency'])
    .where('merchant_id', '=', merchantId)
    .where('shop_id', '=', shop.id)
    .where('occurred_at', '>=', from)
    .where('occurred_at', '<', to)
    .execute()

  for (const l of periodLines) {
    if (l.type === 'unknown')
      out.push({
        ...base,
        kind: 'unknown_type',
        orderId: null,
        orderExternalId: l.order_external_id,
        currency: l.currency,
        expected: null,
        actual: toAmount(money(l.amount)),
        difference: null,
        settlementLineIds: [l.id],
        reason: `transaction type "${l.platform_type}" is not mapped; its amount is in suspense`,
      })
    else if (l.order_external_id === null && FEES.includes(l.type))
      out.push({
        ...base,
        kind: 'fee_without_order',
        orderId: null,
        orderExternalId: null,
        currency: l.currency,
        expected: null,
        actual: toAmount(money(l.amount)),
        difference: null,
        settlementLineIds: [l.id],
        reason: `${l.type} "${l.platform_type}" names no order`,
      })
  }

  // Orders the period's lines name, with every settlement line they have (any period).
  const named = [
    ...new Set(
      periodLines
        .filter((l) => l.order_external_id !== null && l.type !== 'unknown')
        .map((l) => l.order_external_id!),
    ),
  ]
  if (named.length > 0) {
    const all = await inChunks(named, (ids) =>
      db
        .selectFrom('settlement_lines')
        .select(['id', 'order_external_id', 'type', 'amount', 'currency'])
        .where('merchant_id', '=', merchantId)
        .where('shop_id', '=', shop.id)
        .where('order_external_id', 'in', ids)
        .execute(),
    )
    const byOrder = groupBy(all, (l) => l.order_external_id!)
    const orders = await inChunks(named, (ids) =>
      db
        .selectFrom('orders')
        .select(['id', 'external_id', 'currency', 'buyer_paid', 'paid_at', 'placed_at'])
        .where('merchant_id', '=', merchantId)
        .where('shop_id', '=', shop.id)
        .where('external_id', 'in', ids)
        .execute(),
    )
    const known = new Map(orders.map((o) => [o.external_id, o]))
    const expected = await expectedReceivable(
      db,
      merchantId,
      shop.id,
      orders.map((o) => o.id),
    )
    const recognised = await salesRecognised(
      db,
      merchantId,
      orders.map((o) => o.id),
    )
    const fees = await expectedCommissions(db, merchantId, shop.id, orders, timezone)
    for (const ext of named) {
      const lines = byOrder.get(ext) ?? []
      const ids = lines.map((l) => l.id)
      const actual = sum(lines.filter((l) => ORDER_MONEY.includes(l.type)).map((l) => money(l.amount)))
      const order = known.get(ext)
      if (!order) {
        out.push({
          ...base,
          kind: 'unknown_order',
          orderId: null,
          orderExternalId: ext,
          currency: lines[0]?.currency ?? '',
          expected: null,
          actual: toAmount(actual),
          difference: null,
          settlementLineIds: ids,
          reason: 'settled, but the hub has no order with this id',
        })
        continue
      }
      const exp = expected.get(order.id) ?? ZERO
      const commissionActual = sum(
        lines.filter((l) => l.type === 'commission').map((l) => money(l.amount).neg()),
      )
      const commissionExpected = fees.get(order.id) ?? null
      const common = {
        ...base,
        orderId: order.id,
        orderExternalId: ext,
        currency: order.currency,
        expected: toAmount(exp),
        actual: toAmount(actual),
        difference: toAmount(actual.minus(exp)),
        commissionExpected: commissionExpected ? toAmount(commissionExpected) : null,
        commissionActual: toAmount(commissionActual),
        settlementLineIds: ids,
      }
      if (!recognised.has(order.id) && !actual.isZero())
        out.push({
          ...common,
          kind: 'awaiting_sale',
          reason:
            'settled before the sale is recognised (revenue at shipment): it matches once the order ships',
        })
      else if (!actual.eq(exp))
        out.push({
          ...common,
          kind: 'amount_differs',
          reason: `settled ${toAmount(actual)}, expected ${toAmount(exp)}`,
        })
      else if (commissionExpected && !commissionExpected.eq(commissionActual))
        out.push({
          ...common,
          kind: 'fee_differs',
          reason: `commission ${toAmount(commissionActual)} charged, the plan expects ${toAmount(commissionExpected)}`,
        })
      else out.push({ ...common, kind: 'matched', reason: 'settled as expected' })
    }
  }

  // Shipped in the period, due by now, and never settled — only for channels that have settlements.
  const connector = CONNECTORS[shop.channel as keyof typeof CONNECTORS]
  if (connector.parseSettlementFile || connector.pullSettlements) {
    const dueDays = hubSettings(shop.settings).settlementDueDays
    const dueBefore = new Date(now.getTime() - dueDays * 86_400_000)
    const unsettled = await db
      .selectFrom('orders as o')
      .select(['o.id', 'o.external_id', 'o.currency', 'o.shipped_at'])
      .where('o.merchant_id', '=', merchantId)
      .where('o.shop_id', '=', shop.id)
      .where('o.status', 'in', ['shipped', 'completed'])
      .where('o.shipped_at', '>=', from)
      .where('o.shipped_at', '<', to)
      .where('o.shipped_at', '<', dueBefore)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('settlement_lines as s')
              .select(sql`1`.as('one'))
              .where('s.merchant_id', '=', merchantId)
              .where('s.shop_id', '=', shop.id)
              .whereRef('s.order_external_id', '=', 'o.external_id'),
          ),
        ),
      )
      .execute()
    const expected = await expectedReceivable(
      db,
      merchantId,
      shop.id,
      unsettled.map((o) => o.id),
    )
    for (const o of unsettled) {
      out.push({
        ...base,
        kind: 'not_settled',
        orderId: o.id,
        orderExternalId: o.external_id,
        currency: o.currency,
        expected: toAmount(expected.get(o.id) ?? ZERO),
        actual: '0.00',
        difference: null,
        settlementLineIds: [],
        reason: `shipped ${o.shipped_at!.toISOString().slice(0, 10)}, not settled after ${dueDays} days`,
      })
    }
  }
  return out
}

/** The receivable each order's sale, refund and reversal entries leave (settlement entries excluded). */
async function expectedReceivable(
  db: Executor,
  merchantId: string,
  shopId: string,
  orderIds: string[],
): Promise<Map<string, Decimal>> {
  const out = new Map<string, Decimal>()
  if (orderIds.length === 0) return out
  const rows = await inChunks(orderIds, (ids) =>
    db
      .selectFrom('journal_lines as l')
      .innerJoin('journal_entries as e', 'e.id', 'l.entry_id')
      .select(['l.order_id', sql<string>`SUM(l.debit) - SUM(l.credit)`.as('net')])
      .where('l.merchant_id', '=', merchantId)
      .where('l.account', '=', `receivable:${shopId}`)
      .where('e.kind', '<>', 'settlement')
      .where('l.order_id', 'in', ids)
      .groupBy('l.order_id')
      .execute(),
  )
  for (const r of rows) out.set(r.order_id!, money(r.net))
  return out
}

/** Orders whose sale is posted and not reversed. */
async function salesRecognised(db: Executor, merchantId: string, orderIds: string[]): Promise<Set<string>> {
  const rows = await inChunks(orderIds, (ids) =>
    db
      .selectFrom('journal_entries')
      .select(['order_id', 'kind'])
      .where('merchant_id', '=', merchantId)
      .where('order_id', 'in', ids)
      .where('kind', 'in', ['sale', 'reversal'])
      .execute(),
  )
  const reversed = new Set(rows.filter((r) => r.kind === 'reversal').map((r) => r.order_id))
  return new Set(rows.filter((r) => r.kind === 'sale' && !reversed.has(r.order_id)).map((r) => r.order_id!))
}

/** Expected commission per order under the shop's plan in force on the order's payment date. */
async function expectedCommissions(
  db: Executor,
  merchantId: string,
  shopId: string,
  orders: readonly { id: string; buyer_paid: string; paid_at: Date | null; placed_at: Date | null }[],
  timezone: string,
): Promise<Map<string, Decimal>> {
  const out = new Map<string, Decimal>()
  const plans = (
    await db
      .selectFrom('commission_plans')
      .select(['effective_from', 'effective_to', 'rules'])
      .where('merchant_id', '=', merchantId)
      .where('shop_id', '=', shopId)
      .execute()
  ).map((p) => ({
    effectiveFrom: p.effective_from,
    effectiveTo: p.effective_to,
    rules: (typeof p.rules === 'string' ? JSON.parse(p.rules) : p.rules) as CommissionRules,
  }))
  if (orders.length === 0) return out
  // Orders with accruals: what the journal expects (the estimate net of the commission the plan's
  // refund rule gives back), so a partly refunded order is not a commission difference.
  const accrued = await inChunks(
    orders.map((o) => o.id),
    (ids) =>
      db
        .selectFrom('journal_lines as l')
        .innerJoin('journal_entries as e', 'e.id', 'l.entry_id')
        .select(['l.order_id', sql<string>`SUM(l.debit) - SUM(l.credit)`.as('net')])
        .where('l.merchant_id', '=', merchantId)
        .where('l.order_id', 'in', ids)
        .where('l.account', '=', 'commission')
        .where('e.kind', 'in', ['fee_estimate', 'fee_estimate_refund'])
        .groupBy('l.order_id')
        .execute(),
  )
  for (const a of accrued) out.set(a.order_id!, money(a.net))
  if (plans.length === 0) return out
  const lines = await inChunks(
    orders.map((o) => o.id),
    (ids) =>
      db
        .selectFrom('order_lines as l')
        .leftJoin('skus as s', 's.id', 'l.sku_id')
        .select(['l.order_id', 's.code', 's.category', 'l.goods_amount', 'l.merchant_discount'])
        .where('l.merchant_id', '=', merchantId)
        .where('l.order_id', 'in', ids)
        .execute(),
  )
  const byOrder = groupBy(lines, (l) => l.order_id)
  for (const o of orders) {
    if (out.has(o.id)) continue
    const at = o.paid_at ?? o.placed_at
    const plan = at ? planOn(plans, localDate(at, timezone)) : null
    if (!plan) continue
    const ls = (byOrder.get(o.id) ?? []).map((l) => ({
      skuCode: l.code,
      category: l.category,
      goods: money(l.goods_amount),
      merchantDiscount: money(l.merchant_discount),
    }))
    out.set(o.id, expectedFees(plan.rules, ls, money(o.buyer_paid)).commission)
  }
  return out
}

/** Run an IN query over ids in chunks of 1,000 (a month of a big shop names tens of thousands). */
async function inChunks<T>(ids: readonly string[], query: (ids: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = []
  for (const part of chunk(ids, 1000)) out.push(...(await query(part)))
  return out
}
