/**
 * Statements: the totals of the journal lines behind them, by currency, for a period given as
 * dates in the merchant's time zone, for all channels, one channel or one shop; drill-down by SKU
 * and by order. Every figure is an exact decimal string and equals the sum of its entries.
 */
import { sql } from 'kysely'
import type { Executor } from '../db/connect.js'
import { money, toAmount, ZERO, type Decimal } from '../money/index.js'

export interface StatementQuery {
  from: string // YYYY-MM-DD, inclusive, merchant time zone
  to: string // YYYY-MM-DD, exclusive
  timezone: string
  channel?: string | undefined
  shopId?: string | undefined
}

export interface StatementFigures {
  currency: string
  grossSales: string
  merchantDiscounts: string
  platformDiscounts: string
  shippingIncome: string
  refunds: string
  netSales: string
  commissions: string
  paymentFees: string
  otherFees: string
  cogs: string
  grossMargin: string
  marginPercent: string | null
  /** Gross margin less commissions and fees. */
  contributionMargin: string
  /** Order money the platforms owe for the period: settled plus not yet settled. */
  expectedReceivable: string
  /** Order money (sales, refunds, subsidies) the platforms' settlements confirmed in the period. */
  settled: string
  paidOut: string
  /** Expected but not settled (negative: settled more than the period's orders expected). */
  difference: string
  /** Settlement amounts of types nobody mapped, parked in suspense. */
  suspense: string
}

/** Formatters are costly to build: one per zone and shape, kept. */
const formatters = new Map<string, Intl.DateTimeFormat>()
function formatter(timeZone: string, shape: 'date' | 'time'): Intl.DateTimeFormat {
  const key = `${shape} ${timeZone}`
  let f = formatters.get(key)
  if (!f) {
    f =
      shape === 'date'
        ? new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
        : new Intl.DateTimeFormat('en-US', {
            timeZone,
            hourCycle: 'h23',
            year: 'numeric',
            month: '2-digit',
            day: '2-digit',
            hour: '2-digit',
            minute: '2-digit',
            second: '2-digit',
          })
    formatters.set(key, f)
  }
  return f
}

/** How far a time zone's wall clock is ahead of UTC at an instant, in ms. */
function zoneOffsetMs(at: Date, timeZone: string): number {
  const parts = formatter(timeZone, 'time').formatToParts(at)
  const get = (t: string) => parseInt(parts.find((p) => p.type === t)!.value, 10)
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'))
  return asUtc - Math.floor(at.getTime() / 1000) * 1000
}

/**
 * The first instant of a calendar date in a time zone (midnight, or the first moment after a
 * daylight-saving jump over midnight), as a UTC instant. The offset is read at the wall-clock
 * guess and again at the first answer: one reading is off by an hour when a DST change falls
 * between UTC midnight and local midnight (Sydney, Santiago, Beirut).
 */
export function zonedMidnight(date: string, timeZone: string): Date {
  const wall = Date.parse(`${date}T00:00:00Z`)
  const first = new Date(wall - zoneOffsetMs(new Date(wall), timeZone))
  const second = new Date(wall - zoneOffsetMs(first, timeZone))
  const onDate = [first, second].filter((t) => localDate(t, timeZone) === date)
  if (onDate.length === 0) return second
  return onDate.reduce((a, b) => (b.getTime() < a.getTime() ? b : a))
}

/** The calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function localDate(at: Date, timeZone: string): string {
  return formatter(timeZone, 'date').format(at)
}

type Sums = Map<string, { debit: Decimal; credit: Decimal }>

/** Pure: account sums → the statement's figures. */
export function figures(currency: string, sums: Sums): StatementFigures {
  const net = (account: string, normal: 'debit' | 'credit') => {
    const s = sums.get(account) ?? { debit: ZERO, credit: ZERO }
    return normal === 'debit' ? s.debit.minus(s.credit) : s.credit.minus(s.debit)
  }
  const gross = net('gross_sales', 'credit')
  const md = net('merchant_discounts', 'debit')
  const pd = net('platform_discounts', 'debit')
  const shipping = net('shipping_income', 'credit')
  const refunds = net('refunds', 'debit')
  const cogs = net('cogs', 'debit')
  const commissions = net('commission', 'debit')
  const paymentFees = net('payment_fees', 'debit')
  const otherFees = net('other_fees', 'debit').plus(net('settlement_adjustments', 'debit'))
  const suspense = net('suspense', 'debit')
  const paidOut = net('bank', 'debit')
  // Every settlement line moves the platform balance by its amount; what is not fees, payouts or
  // suspense is order money confirmed (see postingsForSettlement).
  const settled = net('platform_balance', 'debit')
    .plus(commissions)
    .plus(paymentFees)
    .plus(otherFees)
    .plus(suspense)
    .plus(paidOut)
  const unsettled = net('receivable', 'debit')
  const netSales = gross.minus(md).minus(refunds).plus(shipping)
  const margin = netSales.minus(cogs)
  const f = toAmount
  return {
    currency,
    grossSales: f(gross),
    merchantDiscounts: f(md),
    platformDiscounts: f(pd),
    shippingIncome: f(shipping),
    refunds: f(refunds),
    netSales: f(netSales),
    commissions: f(commissions),
    paymentFees: f(paymentFees),
    otherFees: f(otherFees),
    cogs: f(cogs),
    grossMargin: f(margin),
    marginPercent: netSales.isZero() ? null : margin.div(netSales).mul(100).toFixed(2),
    contributionMargin: f(margin.minus(commissions).minus(paymentFees).minus(otherFees)),
    expectedReceivable: f(unsettled.plus(settled)),
    settled: f(settled),
    paidOut: f(paidOut),
    difference: f(unsettled),
    suspense: f(suspense),
  }
}

function filtered(db: Executor, merchantId: string, q: StatementQuery) {
  let query = db
    .selectFrom('journal_lines')
    .where('merchant_id', '=', merchantId)
    .where('event_at', '>=', zonedMidnight(q.from, q.timezone))
    .where('event_at', '<', zonedMidnight(q.to, q.timezone))
  if (q.channel) query = query.where('channel', '=', q.channel)
  if (q.shopId) query = query.where('shop_id', '=', q.shopId)
  return query
}

const accountGroup = sql<string>`SUBSTRING_INDEX(account, ':', 1)`

async function grouped(
  db: Executor,
  merchantId: string,
  q: StatementQuery,
  key: 'sku_id' | 'order_id' | null,
) {
  const base = filtered(db, merchantId, q)
    .select([
      'currency',
      accountGroup.as('account_group'),
      sql<string>`SUM(debit)`.as('debit'),
      sql<string>`SUM(credit)`.as('credit'),
    ])
    .groupBy(['currency', sql`account_group`])
  const rows = key
    ? await base
        .select(sql<string | null>`${sql.ref(key)}`.as('k'))
        .groupBy(sql.ref(key))
        .execute()
    : await base.select(sql<null>`NULL`.as('k')).execute()
  const out = new Map<string, Sums>()
  for (const r of rows) {
    const id = `${r.k ?? ''}\u0000${r.currency}`
    const sums: Sums = out.get(id) ?? new Map<string, { debit: Decimal; credit: Decimal }>()
    sums.set(r.account_group, { debit: money(r.debit), credit: money(r.credit) })
    out.set(id, sums)
  }
  return [...out].map(([id, sums]) => {
    const [k, currency] = id.split('\u0000') as [string, string]
    return { key: k === '' ? null : k, ...figures(currency, sums) }
  })
}

/**
 * Totals for a period. From the daily totals every posting keeps (journal_daily, merchant-local
 * days) by default: a month is a few hundred rows however many orders it holds. `source: 'lines'`
 * sums the journal lines themselves — the same figures, which the tests hold the daily totals to.
 */
export async function statement(
  db: Executor,
  merchantId: string,
  q: StatementQuery,
  source: 'daily' | 'lines' = 'daily',
): Promise<StatementFigures[]> {
  // The daily totals are days of the merchant's own time zone; a period in another zone sums the lines.
  const merchant =
    source === 'daily'
      ? await db.selectFrom('merchants').select('timezone').where('id', '=', merchantId).executeTakeFirst()
      : undefined
  if (source === 'lines' || merchant?.timezone !== q.timezone)
    return (await grouped(db, merchantId, q, null)).map(({ key: _k, ...f }) => f)
  let query = db
    .selectFrom('journal_daily')
    .select([
      'currency',
      'account_group',
      sql<string>`SUM(debit)`.as('debit'),
      sql<string>`SUM(credit)`.as('credit'),
    ])
    .where('merchant_id', '=', merchantId)
    .where('day', '>=', q.from)
    .where('day', '<', q.to)
  if (q.channel) query = query.where('channel', '=', q.channel)
  if (q.shopId) query = query.where('shop_id', '=', q.shopId)
  const rows = await query.groupBy(['currency', 'account_group']).execute()
  const byCurrency = new Map<string, Sums>()
  for (const r of rows) {
    const sums: Sums = byCurrency.get(r.currency) ?? new Map<string, { debit: Decimal; credit: Decimal }>()
    sums.set(r.account_group, { debit: money(r.debit), credit: money(r.credit) })
    byCurrency.set(r.currency, sums)
  }
  return [...byCurrency]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([currency, sums]) => figures(currency, sums))
}

export const statementBySku = (db: Executor, merchantId: string, q: StatementQuery) =>
  grouped(db, merchantId, q, 'sku_id')
export const statementByOrder = (db: Executor, merchantId: string, q: StatementQuery) =>
  grouped(db, merchantId, q, 'order_id')
