/**
 * Statements: the totals of the journal lines behind them, by currency, for a period given as
 * dates in the merchant's time zone, for all channels, one channel or one shop; drill-down by SKU
 * and by order. Every figure is an exact decimal string and equals the sum of its entries.
 */
import { sql } from 'kysely'
import type { Executor } from '../db/connect.js'
import { money, toAmount, toDb, ZERO, type Decimal } from '../money/index.js'

export interface StatementQuery {
  from: string // YYYY-MM-DD, inclusive, merchant time zone
  to: string // YYYY-MM-DD, exclusive
  timezone: string
  channel?: string | undefined
  shopId?: string | undefined
  /**
   * transaction (default): one row per transaction currency, in that currency. base: one row in the
   * merchant's base currency, every line at its converted amount, with the figures of each other
   * currency it was converted from beside it (`original`).
   */
  basis?: 'transaction' | 'base' | undefined
}

export interface StatementFigures {
  currency: string
  grossSales: string
  merchantDiscounts: string
  platformDiscounts: string
  shippingIncome: string
  refunds: string
  netSales: string
  /** Commission expense: the accrued estimates plus what the bills trued up (or all billed, without a plan). */
  commissions: string
  /** What the plans expected (estimates net of refunds given back; billed amounts of orders without a plan). */
  commissionsExpected: string
  /** What the platforms billed against the accruals, and the bills of orders without a plan. */
  commissionsSettled: string
  /** Billed above (below) the accrual. */
  commissionsDifference: string
  paymentFees: string
  paymentFeesExpected: string
  paymentFeesSettled: string
  paymentFeesDifference: string
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
  /** Realised exchange differences (gain positive): settlements and payouts at another rate than the books. */
  fxRealised: string
  /** Period-end revaluation of open foreign balances (gain positive), reversed on the first of the next period. */
  fxUnrealised: string
}

/** A base-currency row carries the figures of each other currency it converts beside it. */
export type BaseFigures = StatementFigures & { original?: StatementFigures[] }

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
  const commissionsExpected = net('commission', 'debit')
  const commissionsDifference = net('commission_variance', 'debit')
  const commissionsSettled = commissionsExpected
    .minus(net('accrued_commission', 'credit'))
    .plus(commissionsDifference)
  const commissions = commissionsExpected.plus(commissionsDifference)
  const paymentFeesExpected = net('payment_fees', 'debit')
  const paymentFeesDifference = net('payment_fee_variance', 'debit')
  const paymentFeesSettled = paymentFeesExpected
    .minus(net('accrued_payment_fees', 'credit'))
    .plus(paymentFeesDifference)
  const paymentFees = paymentFeesExpected.plus(paymentFeesDifference)
  const fxRealised = net('fx_realised', 'credit')
  const fxUnrealised = net('fx_unrealised', 'credit')
  const otherFees = net('other_fees', 'debit').plus(net('settlement_adjustments', 'debit'))
  const suspense = net('suspense', 'debit')
  const paidOut = net('bank', 'debit')
  // Every settlement line moves the platform balance by its amount; what is not fees, payouts or
  // suspense is order money confirmed (see postingsForSettlement).
  // In base, what the platform balance lost or gained by rates is part of what was settled.
  const settled = net('platform_balance', 'debit')
    .plus(commissionsSettled)
    .plus(paymentFeesSettled)
    .plus(otherFees)
    .plus(suspense)
    .plus(paidOut)
    .minus(fxRealised)
    .minus(fxUnrealised)
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
    commissionsExpected: f(commissionsExpected),
    commissionsSettled: f(commissionsSettled),
    commissionsDifference: f(commissionsDifference),
    paymentFees: f(paymentFees),
    paymentFeesExpected: f(paymentFeesExpected),
    paymentFeesSettled: f(paymentFeesSettled),
    paymentFeesDifference: f(paymentFeesDifference),
    otherFees: f(otherFees),
    cogs: f(cogs),
    grossMargin: f(margin),
    // A share of sales only where there are sales: a day or channel of refunds alone has none.
    marginPercent: netSales.lte(0) ? null : margin.div(netSales).mul(100).toFixed(2),
    contributionMargin: f(margin.minus(commissions).minus(paymentFees).minus(otherFees)),
    expectedReceivable: f(unsettled.plus(settled)),
    settled: f(settled),
    paidOut: f(paidOut),
    difference: f(unsettled),
    suspense: f(suspense),
    fxRealised: f(fxRealised),
    fxUnrealised: f(fxUnrealised),
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

/** Sums of transaction and base amounts, as every statement query selects them. */
const sums = [
  sql<string>`SUM(debit)`.as('debit'),
  sql<string>`SUM(credit)`.as('credit'),
  sql<string>`SUM(base_debit)`.as('base_debit'),
  sql<string>`SUM(base_credit)`.as('base_credit'),
] as const

async function grouped(
  db: Executor,
  merchantId: string,
  q: StatementQuery,
  key: 'sku_id' | 'order_id' | 'channel' | 'shop_id' | null,
  base: string,
) {
  const query = filtered(db, merchantId, q)
    .select(['currency', accountGroup.as('account_group'), ...sums])
    .groupBy(['currency', sql`account_group`])
  const rows = key
    ? await query
        .select(sql<string | null>`${sql.ref(key)}`.as('k'))
        .groupBy(sql.ref(key))
        .execute()
    : await query.select(sql<null>`NULL`.as('k')).execute()
  return keyedFigures(rows, q, base)
}

/** The merchant's base currency, and whether a period is in its own time zone, whose days the daily totals are kept in. */
async function merchantDays(
  db: Executor,
  merchantId: string,
  q: StatementQuery,
): Promise<{ inDays: boolean; base: string }> {
  const merchant = await db
    .selectFrom('merchants')
    .select(['timezone', 'base_currency'])
    .where('id', '=', merchantId)
    .executeTakeFirst()
  return { inDays: merchant?.timezone === q.timezone, base: merchant?.base_currency ?? 'CNY' }
}

type SumRow = {
  k: string | null
  currency: string
  account_group: string
  debit: string
  credit: string
  base_debit: string
  base_credit: string
}

const addTo = (sums: Sums, group: string, debit: string, credit: string) => {
  const s = sums.get(group) ?? { debit: ZERO, credit: ZERO }
  sums.set(group, { debit: s.debit.plus(money(debit)), credit: s.credit.plus(money(credit)) })
}

/**
 * Rows of (key, currency, account group, sums) → one statement row per key and currency (in
 * first-seen order); in base, one row per key in the base currency with each other currency's
 * figures beside it.
 */
function keyedFigures(
  rows: readonly SumRow[],
  q: Pick<StatementQuery, 'basis'>,
  base: string,
): ({ key: string | null } & BaseFigures)[] {
  if (q.basis === 'base') {
    const out = new Map<string, { base: Sums; original: Map<string, Sums> }>()
    for (const r of rows) {
      const k = r.k ?? ''
      const x = out.get(k) ?? { base: new Map() as Sums, original: new Map<string, Sums>() }
      addTo(x.base, r.account_group, r.base_debit, r.base_credit)
      if (r.currency !== base) {
        const o: Sums = x.original.get(r.currency) ?? (new Map() as Sums)
        addTo(o, r.account_group, r.debit, r.credit)
        x.original.set(r.currency, o)
      }
      out.set(k, x)
    }
    return [...out].map(([k, x]) => ({
      key: k === '' ? null : k,
      ...figures(base, x.base),
      original: [...x.original].sort(([a], [b]) => (a < b ? -1 : 1)).map(([c, o]) => figures(c, o)),
    }))
  }
  const out = new Map<string, Sums>()
  for (const r of rows) {
    const id = `${r.k ?? ''}\u0000${r.currency}`
    const sums: Sums = out.get(id) ?? new Map<string, { debit: Decimal; credit: Decimal }>()
    addTo(sums, r.account_group, r.debit, r.credit)
    out.set(id, sums)
  }
  return [...out].map(([id, sums]) => {
    const [k, currency] = id.split('\u0000') as [string, string]
    return { key: k === '' ? null : k, ...figures(currency, sums) }
  })
}

const byKeyThenCurrency = (
  a: { key: string | null; currency: string },
  b: { key: string | null; currency: string },
) =>
  (a.key ?? '') < (b.key ?? '')
    ? -1
    : (a.key ?? '') > (b.key ?? '')
      ? 1
      : a.currency < b.currency
        ? -1
        : a.currency > b.currency
          ? 1
          : 0

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
): Promise<BaseFigures[]> {
  return (await statementByKey(db, merchantId, q, null, source)).map(({ key: _k, ...f }) => f)
}

/**
 * Statement per channel or per shop (key: the channel or the shop id), all in one read of the daily
 * totals: the columns of an accountant's sheet. `null` gives the totals.
 */
export async function statementByKey(
  db: Executor,
  merchantId: string,
  q: StatementQuery,
  by: 'channel' | 'shop' | null,
  source: 'daily' | 'lines' = 'daily',
): Promise<({ key: string | null } & BaseFigures)[]> {
  const m = await merchantDays(db, merchantId, q)
  const column = by === 'channel' ? 'channel' : by === 'shop' ? 'shop_id' : null
  // The daily totals are days of the merchant's own time zone; a period in another zone sums the lines.
  if (source === 'lines' || !m.inDays)
    return (await grouped(db, merchantId, q, column, m.base)).sort(byKeyThenCurrency)
  let query = db
    .selectFrom('journal_daily')
    .select(['currency', 'account_group', ...sums])
    .where('merchant_id', '=', merchantId)
    .where('day', '>=', q.from)
    .where('day', '<', q.to)
  if (q.channel) query = query.where('channel', '=', q.channel)
  if (q.shopId) query = query.where('shop_id', '=', q.shopId)
  const rows = column
    ? await query
        .select(sql<string>`${sql.ref(column)}`.as('k'))
        .groupBy([column, 'currency', 'account_group'])
        .execute()
    : await query
        .select(sql<null>`NULL`.as('k'))
        .groupBy(['currency', 'account_group'])
        .execute()
  // Lines without a channel or shop (none are posted so today) are kept under ''.
  return keyedFigures(
    rows.map((r) => ({ ...r, k: r.k === '' ? null : r.k })),
    q,
    m.base,
  ).sort(byKeyThenCurrency)
}

/**
 * A period of dates split into whole months and the days either side: [from, to) =
 * days [from, monthsFrom) + months [monthsFrom, monthsTo) + days [monthsTo, to).
 */
export function monthsWithin(from: string, to: string): { monthsFrom: string; monthsTo: string } | null {
  const first = from.endsWith('-01') ? from.slice(0, 7) : nextMonth(from.slice(0, 7))
  const last = to.slice(0, 7) // months before the one `to` falls in end by `to`
  return first < last ? { monthsFrom: `${first}-01`, monthsTo: `${last}-01` } : null
}

const nextMonth = (month: string) => {
  const [y, m] = month.split('-').map(Number) as [number, number]
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`
}

/**
 * Drill-down by SKU (lines without a SKU — receivables, shipping, fees — under key null), in SKU
 * order. In the merchant's time zone from the totals per SKU: per month for the period's whole
 * months (journal_sku_monthly), per day for the days either side (journal_sku_daily); the lines
 * without a SKU are the day totals (journal_daily) less the SKUs'. `source: 'lines'` sums the
 * journal lines.
 */
export async function statementBySku(
  db: Executor,
  merchantId: string,
  q: StatementQuery,
  source: 'daily' | 'lines' = 'daily',
): Promise<({ key: string | null } & BaseFigures)[]> {
  const m = await merchantDays(db, merchantId, q)
  if (source === 'lines' || !m.inDays)
    return (await grouped(db, merchantId, q, 'sku_id', m.base)).sort(byKeyThenCurrency)
  const months = monthsWithin(q.from, q.to)
  const scope = sql.join(
    [
      sql`merchant_id = ${merchantId}`,
      ...(q.channel ? [sql`channel = ${q.channel}`] : []),
      ...(q.shopId ? [sql`shop_id = ${q.shopId}`] : []),
    ],
    sql` AND `,
  )
  const days = months
    ? sql`((day >= ${q.from} AND day < ${months.monthsFrom}) OR (day >= ${months.monthsTo} AND day < ${q.to}))`
    : sql`day >= ${q.from} AND day < ${q.to}`
  const [skus, all] = await Promise.all([
    sql<SumRow>`
      SELECT k, currency, account_group, SUM(debit) AS debit, SUM(credit) AS credit,
             SUM(base_debit) AS base_debit, SUM(base_credit) AS base_credit FROM (
        SELECT sku_id AS k, currency, account_group, debit, credit, base_debit, base_credit
        FROM journal_sku_daily WHERE ${scope} AND ${days}
        ${
          months
            ? sql`UNION ALL
        SELECT sku_id, currency, account_group, debit, credit, base_debit, base_credit FROM journal_sku_monthly
        WHERE ${scope} AND month >= ${months.monthsFrom.slice(0, 7)} AND month < ${months.monthsTo.slice(0, 7)}`
            : sql``
        }
      ) t GROUP BY k, currency, account_group`.execute(db),
    sql<SumRow>`
      SELECT NULL AS k, currency, account_group, SUM(debit) AS debit, SUM(credit) AS credit,
             SUM(base_debit) AS base_debit, SUM(base_credit) AS base_credit FROM journal_daily
      WHERE ${scope} AND day >= ${q.from} AND day < ${q.to} GROUP BY currency, account_group`.execute(db),
  ])
  // What the SKUs do not account for is the lines without one.
  const rest = new Map(all.rows.map((r) => [`${r.currency}\u0000${r.account_group}`, { ...r }]))
  for (const r of skus.rows) {
    const x = rest.get(`${r.currency}\u0000${r.account_group}`)
    if (!x) throw new Error(`totals per SKU without day totals: ${r.currency} ${r.account_group}`)
    x.debit = toDb(money(x.debit).minus(r.debit))
    x.credit = toDb(money(x.credit).minus(r.credit))
    x.base_debit = toDb(money(x.base_debit).minus(r.base_debit))
    x.base_credit = toDb(money(x.base_credit).minus(r.base_credit))
  }
  const noSku = [...rest.values()].filter(
    (r) => ![r.debit, r.credit, r.base_debit, r.base_credit].every((v) => money(v).isZero()),
  )
  return keyedFigures([...skus.rows, ...noSku], q, m.base).sort(byKeyThenCurrency)
}

export interface OrderStatementPage {
  /** One row per order (and currency), with the instant of its first entry in the period. */
  rows: ({ key: string; firstEntryAt: string } & BaseFigures)[]
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null
}

const encodeCursor = (at: Date, orderId: string) =>
  Buffer.from(JSON.stringify([at.toISOString(), orderId])).toString('base64url')

export class CursorError extends Error {
  override name = 'CursorError'
}

function decodeCursor(cursor: string): { at: Date; orderId: string } {
  try {
    const [at, orderId] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[]
    const d = new Date(String(at))
    if (typeof orderId === 'string' && !Number.isNaN(d.getTime())) return { at: d, orderId }
  } catch {
    // fall through
  }
  throw new CursorError('cursor is not one this statement gave')
}

/**
 * One page of the drill-down by order: the orders with entries in the period (any time zone), in
 * the order of their first entry in the period, then order id; each with the totals of all its
 * lines in the period. Lines without an order (payouts, fees not tied to an order) are in the
 * totals, not here. A page reads the entries' (time, order) index from the cursor on and the
 * lines of its own orders only, whatever the size of the month.
 */
export async function statementByOrderPage(
  db: Executor,
  merchantId: string,
  q: StatementQuery,
  page: { cursor?: string | null | undefined; limit?: number | undefined } = {},
): Promise<OrderStatementPage> {
  const limit = Math.max(1, Math.min(page.limit ?? 100, 1000))
  const from = zonedMidnight(q.from, q.timezone)
  const to = zonedMidnight(q.to, q.timezone)
  const after = page.cursor ? decodeCursor(page.cursor) : null
  const scope = (alias: 'e' | 'p') =>
    sql.join(
      [
        ...(q.channel ? [sql`${sql.ref(`${alias}.channel`)} = ${q.channel}`] : []),
        ...(q.shopId ? [sql`${sql.ref(`${alias}.shop_id`)} = ${q.shopId}`] : []),
        sql`1 = 1`,
      ],
      sql` AND `,
    )
  const firsts = await sql<{ at: Date; order_id: string }>`
    SELECT e.event_at AS at, e.order_id FROM journal_entries e
    WHERE e.merchant_id = ${merchantId} AND e.event_at >= ${after && after.at > from ? after.at : from} AND e.event_at < ${to}
      AND e.order_id IS NOT NULL AND ${scope('e')}
      ${after ? sql`AND (e.event_at > ${after.at} OR e.order_id > ${after.orderId})` : sql``}
      AND NOT EXISTS (
        SELECT 1 FROM journal_entries p
        WHERE p.merchant_id = e.merchant_id AND p.order_id = e.order_id
          AND p.event_at >= ${from} AND p.event_at < e.event_at AND ${scope('p')})
    GROUP BY e.event_at, e.order_id
    ORDER BY e.event_at, e.order_id
    LIMIT ${limit}`.execute(db)
  if (firsts.rows.length === 0) return { rows: [], nextCursor: null }
  let lines = filtered(db, merchantId, q)
    .select(['order_id as k', 'currency', accountGroup.as('account_group'), ...sums])
    .where(
      'order_id',
      'in',
      firsts.rows.map((r) => r.order_id),
    )
  lines = lines.groupBy(['order_id', 'currency', sql`account_group`])
  const base = q.basis === 'base' ? (await merchantDays(db, merchantId, q)).base : ''
  const byOrder = new Map<string, ({ key: string | null } & BaseFigures)[]>()
  for (const f of keyedFigures(await lines.execute(), q, base))
    byOrder.set(f.key!, [...(byOrder.get(f.key!) ?? []), f])
  const rows = firsts.rows.flatMap((r) =>
    (byOrder.get(r.order_id) ?? [])
      .sort(byKeyThenCurrency)
      .map((f) => ({ ...f, key: r.order_id, firstEntryAt: r.at.toISOString() })),
  )
  const last = firsts.rows[firsts.rows.length - 1]!
  return { rows, nextCursor: firsts.rows.length === limit ? encodeCursor(last.at, last.order_id) : null }
}

/**
 * The whole drill-down by order, page after page (exports). `source: 'lines'` sums the journal
 * lines by order in one query instead (orders only, in order id order).
 */
export async function statementByOrder(
  db: Executor,
  merchantId: string,
  q: StatementQuery,
  source: 'pages' | 'lines' = 'pages',
): Promise<({ key: string | null } & BaseFigures)[]> {
  if (source === 'lines')
    return (await grouped(db, merchantId, q, 'order_id', (await merchantDays(db, merchantId, q)).base))
      .filter((r) => r.key !== null)
      .sort(byKeyThenCurrency)
  const out: ({ key: string | null } & BaseFigures)[] = []
  let cursor: string | null = null
  do {
    const page: OrderStatementPage = await statementByOrderPage(db, merchantId, q, { cursor, limit: 1000 })
    for (const { firstEntryAt: _at, ...r } of page.rows) out.push(r)
    cursor = page.nextCursor
  } while (cursor)
  return out
}
