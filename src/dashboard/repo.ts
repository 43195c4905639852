/**
 * The dashboards' aggregate reads: a handful of GROUP BYs over indexed columns, each bounded by
 * merchant and (where it can grow) by day, so the wall can refresh every half minute.
 */
import { sql } from 'kysely'
import type { Executor } from '../db/connect.js'

/** Null = every shop of the merchant; otherwise the user's shops only. */
export type ShopFilter = readonly string[] | null

const inShops = (shops: ShopFilter, column = 'shop_id') =>
  shops === null
    ? sql``
    : shops.length === 0
      ? sql`AND FALSE`
      : sql`AND ${sql.ref(column)} IN (${sql.join(shops)})`

export interface ChannelDayRow {
  channel: string
  currency: string
  orders: number
  gmv: string
}

/** Orders paid in [from, to) per channel and currency, cancelled ones left out of both figures. */
export async function paidByChannel(
  db: Executor,
  merchantId: string,
  from: Date,
  to: Date,
  shops: ShopFilter,
): Promise<ChannelDayRow[]> {
  const r = await sql<{ channel: string; currency: string; orders: number | string; gmv: string }>`
    SELECT channel, currency, COUNT(*) AS orders, COALESCE(SUM(buyer_paid), 0) AS gmv
    FROM orders
    WHERE merchant_id = ${merchantId} AND paid_at >= ${from} AND paid_at < ${to} AND status <> 'cancelled' ${inShops(shops)}
    GROUP BY channel, currency
    ORDER BY channel, currency`.execute(db)
  return r.rows.map((x) => ({
    channel: x.channel,
    currency: x.currency,
    orders: Number(x.orders),
    gmv: x.gmv,
  }))
}

/** Orders paid in [from, to) per hour offset from `from` (0–23), for the day's curve. */
export async function paidByHour(
  db: Executor,
  merchantId: string,
  from: Date,
  to: Date,
  shops: ShopFilter,
): Promise<{ hour: number; orders: number }[]> {
  const r = await sql<{ h: number | string; orders: number | string }>`
    SELECT FLOOR(TIMESTAMPDIFF(SECOND, ${from}, paid_at) / 3600) AS h, COUNT(*) AS orders
    FROM orders
    WHERE merchant_id = ${merchantId} AND paid_at >= ${from} AND paid_at < ${to} AND status <> 'cancelled' ${inShops(shops)}
    GROUP BY h ORDER BY h`.execute(db)
  return r.rows.map((x) => ({ hour: Number(x.h), orders: Number(x.orders) }))
}

export async function openExceptionsByReason(
  db: Executor,
  merchantId: string,
  shops: ShopFilter,
): Promise<{ reason: string; count: number }[]> {
  const r = await sql<{ reason: string; n: number | string }>`
    SELECT reason, COUNT(*) AS n FROM order_exceptions
    WHERE merchant_id = ${merchantId} AND status = 'open' ${inShops(shops)}
    GROUP BY reason ORDER BY n DESC, reason`.execute(db)
  return r.rows.map((x) => ({ reason: x.reason, count: Number(x.n) }))
}

export interface ShopHealthRow {
  shop_id: string
  name: string
  channel: string
  status: 'active' | 'disabled'
  last_ok_at: Date | null
  last_run_at: Date | null
  last_error: string | null
  errors_24h: number
}

export async function shopHealth(
  db: Executor,
  merchantId: string,
  since: Date,
  shops: ShopFilter,
): Promise<ShopHealthRow[]> {
  const r = await sql<Omit<ShopHealthRow, 'errors_24h'> & { errors_24h: number | string }>`
    SELECT s.id AS shop_id, s.name, s.channel, s.status, c.last_ok_at, c.last_run_at, c.last_error,
      (SELECT COUNT(*) FROM sync_errors e WHERE e.merchant_id = s.merchant_id AND e.shop_id = s.id AND e.created_at >= ${since}) AS errors_24h
    FROM shops s
    LEFT JOIN sync_cursors c ON c.merchant_id = s.merchant_id AND c.shop_id = s.id AND c.stream = 'orders'
    WHERE s.merchant_id = ${merchantId} ${inShops(shops, 's.id')}
    ORDER BY s.status, s.name`.execute(db)
  return r.rows.map((x) => ({ ...x, errors_24h: Number(x.errors_24h) }))
}

export async function pendingAfterSales(
  db: Executor,
  merchantId: string,
  shops: ShopFilter,
): Promise<number> {
  const r = await sql<{ n: number | string }>`
    SELECT COUNT(*) AS n FROM order_refunds
    WHERE merchant_id = ${merchantId} AND status IN ('requested', 'approved') ${inShops(shops)}`.execute(db)
  return Number(r.rows[0]?.n ?? 0)
}

export async function writebackCounts(
  db: Executor,
  merchantId: string,
  shops: ShopFilter,
): Promise<{ pending: number; failed: number }> {
  const r = await sql<{ status: string; n: number | string }>`
    SELECT status, COUNT(*) AS n FROM shipment_writebacks
    WHERE merchant_id = ${merchantId} AND status IN ('pending', 'failed') ${inShops(shops)}
    GROUP BY status`.execute(db)
  const get = (s: string) => Number(r.rows.find((x) => x.status === s)?.n ?? 0)
  return { pending: get('pending'), failed: get('failed') }
}

export async function lowStockCount(db: Executor, merchantId: string): Promise<number> {
  const r = await sql<{ n: number | string }>`
    SELECT COUNT(*) AS n FROM (
      SELECT k.id FROM skus k
      JOIN stock_thresholds t ON t.merchant_id = k.merchant_id AND t.sku_id = k.id
      LEFT JOIN stock s ON s.merchant_id = k.merchant_id AND s.sku_id = k.id
      WHERE k.merchant_id = ${merchantId} AND k.active = 1
      GROUP BY k.id, t.threshold
      HAVING COALESCE(SUM(s.on_hand - s.reserved), 0) <= t.threshold
    ) low`.execute(db)
  return Number(r.rows[0]?.n ?? 0)
}

export async function skuLabels(
  db: Executor,
  merchantId: string,
  ids: readonly string[],
): Promise<Map<string, { code: string; name: string }>> {
  if (ids.length === 0) return new Map()
  const rows = await db
    .selectFrom('skus')
    .select(['id', 'code', 'name'])
    .where('merchant_id', '=', merchantId)
    .where('id', 'in', ids)
    .execute()
  return new Map(rows.map((r) => [r.id, { code: r.code, name: r.name }]))
}

/** Journal daily totals per day, channel, currency and account group, for the margin trend. */
/**
 * The journal's daily totals per channel and account group, per transaction currency; with
 * `base`, every currency's lines at their booked base-currency value, as one currency.
 */
export async function dailyTotals(
  db: Executor,
  merchantId: string,
  from: string,
  to: string,
  shops: ShopFilter,
  base?: string,
): Promise<
  { day: string; channel: string; currency: string; account_group: string; debit: string; credit: string }[]
> {
  // In the base currency the currencies are one: summed over, the base amounts instead of their own.
  const [currency, amounts] = base
    ? [sql``, sql`SUM(base_debit) AS debit, SUM(base_credit) AS credit`]
    : [sql`currency, `, sql`SUM(debit) AS debit, SUM(credit) AS credit`]
  const r = await sql<{
    day: string
    channel: string
    currency?: string
    account_group: string
    debit: string
    credit: string
  }>`
    SELECT DATE_FORMAT(day, '%Y-%m-%d') AS day, channel, ${currency}account_group, ${amounts}
    FROM journal_daily
    WHERE merchant_id = ${merchantId} AND day >= ${from} AND day < ${to} ${inShops(shops)}
    GROUP BY journal_daily.day, channel, ${currency}account_group
    ORDER BY journal_daily.day, channel, ${currency}account_group`.execute(db)
  return r.rows.map((row) => ({ ...row, currency: base ?? row.currency! }))
}
