/**
 * Reads behind the accountant's console screens (console-routes.ts): the months of the books with
 * their state (closed by whom, the last reopening and its reason, entries waiting for a rate), and
 * the journal of a month as entries with their lines, narrowed by kind, shop, account, currency and
 * platform order number. Read-only; the postings themselves are journal.ts's.
 */
import { sql } from 'kysely'
import type { Executor } from '../db/connect.js'
import { money, round, sum, toAmount } from '../money/index.js'
import { chart, type AccountInfo } from './books.js'
import type { Lang } from './labels.js'
import { nextPeriod } from './journal.js'
import { ymd } from './rates.js'
import { zonedMidnight } from './statements.js'

export interface MonthRow {
  period: string
  baseDebit: string
  baseCredit: string
  held: number
  closedAt: Date | null
  closedBy: string | null
  lastReopen: { at: Date; by: string | null; reason: string } | null
}

/** Display name of an actor id: a user's name, an API key's name, else the id as given. */
async function actorNames(db: Executor, merchantId: string, ids: readonly string[]) {
  const want = [...new Set(ids.filter((i) => i))]
  if (want.length === 0) return new Map<string, string>()
  const users = await db
    .selectFrom('users')
    .select(['id', 'name'])
    .where('merchant_id', '=', merchantId)
    .where('id', 'in', want)
    .execute()
  const keys = await db
    .selectFrom('api_keys')
    .select(['id', 'name'])
    .where('merchant_id', '=', merchantId)
    .where('id', 'in', want)
    .execute()
  return new Map([...users, ...keys].map((r) => [r.id, r.name]))
}

/** The months from `from` to `to` (YYYY-MM, inclusive), newest first. */
export async function months(
  db: Executor,
  merchantId: string,
  q: { from: string; to: string; timezone: string },
): Promise<MonthRow[]> {
  const list: string[] = []
  for (let p = q.from; p <= q.to; p = nextPeriod(p)) list.push(p)
  const totals = await db
    .selectFrom('journal_daily')
    .select([
      sql<string>`DATE_FORMAT(day, '%Y-%m')`.as('period'),
      sql<string>`SUM(base_debit)`.as('debit'),
      sql<string>`SUM(base_credit)`.as('credit'),
    ])
    .where('merchant_id', '=', merchantId)
    .where('day', '>=', `${q.from}-01`)
    .where('day', '<', `${nextPeriod(q.to)}-01`)
    .groupBy(sql`DATE_FORMAT(day, '%Y-%m')`)
    .execute()
  const closed = await db
    .selectFrom('ledger_periods')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('period', '>=', q.from)
    .where('period', '<=', q.to)
    .execute()
  const reopens = await db
    .selectFrom('audit_log')
    .select(['entity_id', 'actor_id', 'detail', 'created_at'])
    .where('merchant_id', '=', merchantId)
    .where('action', '=', 'ledger.reopen')
    .where('entity_type', '=', 'period')
    .where('entity_id', 'in', list)
    .orderBy('created_at')
    .orderBy('id')
    .execute()
  const held = await db
    .selectFrom('ledger_held_entries')
    .select('event_at')
    .where('merchant_id', '=', merchantId)
    .where('event_at', '>=', zonedMidnight(`${q.from}-01`, q.timezone))
    .where('event_at', '<', zonedMidnight(`${nextPeriod(q.to)}-01`, q.timezone))
    .execute()
  const names = await actorNames(db, merchantId, [
    ...closed.map((c) => c.closed_by),
    ...reopens.map((r) => r.actor_id ?? ''),
  ])
  const lastReopen = new Map<string, MonthRow['lastReopen']>()
  for (const r of reopens) {
    const d = (typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail) as { reason?: unknown }
    lastReopen.set(r.entity_id, {
      at: r.created_at as unknown as Date,
      by: r.actor_id ? (names.get(r.actor_id) ?? r.actor_id) : null,
      reason: typeof d?.reason === 'string' ? d.reason : '',
    })
  }
  const heldBy = new Map<string, number>()
  for (const h of held) {
    const p = list.find(
      (m) =>
        h.event_at >= zonedMidnight(`${m}-01`, q.timezone) &&
        h.event_at < zonedMidnight(`${nextPeriod(m)}-01`, q.timezone),
    )
    if (p) heldBy.set(p, (heldBy.get(p) ?? 0) + 1)
  }
  return list.reverse().map((period) => {
    const t = totals.find((r) => r.period === period)
    const c = closed.find((r) => r.period === period)
    return {
      period,
      baseDebit: toAmount(money(t?.debit ?? 0)),
      baseCredit: toAmount(money(t?.credit ?? 0)),
      held: heldBy.get(period) ?? 0,
      closedAt: c?.closed_at ?? null,
      closedBy: c ? (names.get(c.closed_by) ?? c.closed_by) : null,
      lastReopen: lastReopen.get(period) ?? null,
    }
  })
}

export interface EntryFilter {
  period: string
  timezone: string
  kind?: string | undefined
  shopId?: string | undefined
  /** An account group (gross_sales, receivable…): entries with a line on it. */
  account?: string | undefined
  currency?: string | undefined
  /** A platform order number, or its beginning. */
  order?: string | undefined
  shops: readonly string[] | null
}

export interface EntryLine {
  lineId: string
  account: AccountInfo
  currency: string
  debit: string
  credit: string
  rate: string | null
  rateDate: string | null
  rateSource: string | null
  rateOrigin: string | null
  baseDebit: string
  baseCredit: string
  skuCode: string | null
  skuName: string | null
}

export interface EntryRow {
  entryId: string
  at: Date
  kind: string
  postingKey: string
  orderExternalId: string | null
  shopName: string | null
  channel: string | null
  currency: string
  baseDebit: string
  baseCredit: string
  lines: EntryLine[]
}

function entryQuery(db: Executor, merchantId: string, f: EntryFilter) {
  let q = db
    .selectFrom('journal_entries as e')
    .leftJoin('orders as o', 'o.id', 'e.order_id')
    .leftJoin('shops as s', 's.id', 'e.shop_id')
    .where('e.merchant_id', '=', merchantId)
    .where('e.event_at', '>=', zonedMidnight(`${f.period}-01`, f.timezone))
    .where('e.event_at', '<', zonedMidnight(`${nextPeriod(f.period)}-01`, f.timezone))
  if (f.shops !== null)
    q = f.shops.length === 0 ? q.where(sql<boolean>`1 = 0`) : q.where('e.shop_id', 'in', f.shops)
  if (f.shopId) q = q.where('e.shop_id', '=', f.shopId)
  if (f.order) q = q.where('o.external_id', 'like', `${f.order.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)
  const account = f.account
  const currency = f.currency
  if (account || currency)
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('journal_lines as l')
          .select(sql`1`.as('one'))
          .whereRef('l.entry_id', '=', 'e.id')
          .where('l.merchant_id', '=', merchantId)
          .$if(!!account, (x) =>
            x.where((w) => w.or([w('l.account', '=', account!), w('l.account', 'like', `${account!}:%`)])),
          )
          .$if(!!currency, (x) => x.where('l.currency', '=', currency!)),
      ),
    )
  return q
}

/** The entries of a month in posting order, with their lines; and the count per kind (without the kind filter). */
export async function entriesPage(
  db: Executor,
  merchantId: string,
  f: EntryFilter & { lang: Lang | undefined; after: [Date, string] | null; limit: number },
): Promise<{ entries: EntryRow[]; kinds: { kind: string; count: number }[] }> {
  let q = entryQuery(db, merchantId, f)
  const kinds = await q
    .select(['e.kind', sql<string>`COUNT(*)`.as('n')])
    .groupBy('e.kind')
    .orderBy('e.kind')
    .execute()
  if (f.kind) q = q.where('e.kind', '=', f.kind)
  const after = f.after
  if (after)
    q = q.where((eb) =>
      eb.or([
        eb('e.event_at', '>', after[0]),
        eb.and([eb('e.event_at', '=', after[0]), eb('e.id', '>', after[1])]),
      ]),
    )
  const heads = await q
    .select([
      'e.id',
      'e.event_at',
      'e.kind',
      'e.posting_key',
      'e.channel',
      'e.currency',
      'o.external_id',
      's.name as shop_name',
    ])
    .orderBy('e.event_at')
    .orderBy('e.id')
    .limit(f.limit)
    .execute()
  const lines =
    heads.length === 0
      ? []
      : await db
          .selectFrom('journal_lines as l')
          .leftJoin('skus as k', 'k.id', 'l.sku_id')
          .select([
            'l.id',
            'l.entry_id',
            'l.account',
            'l.currency',
            'l.debit',
            'l.credit',
            'l.fx_rate',
            'l.rate_date',
            'l.rate_source',
            'l.rate_origin',
            'l.base_debit',
            'l.base_credit',
            'k.code as sku_code',
            'k.name as sku_name',
          ])
          .where('l.merchant_id', '=', merchantId)
          .where(
            'l.entry_id',
            'in',
            heads.map((h) => h.id),
          )
          .orderBy('l.entry_id')
          .orderBy('l.id')
          .execute()
  const account = await chart(db, merchantId, f.lang)
  const byEntry = new Map<string, EntryLine[]>()
  for (const l of lines) {
    const list = byEntry.get(l.entry_id) ?? []
    list.push({
      lineId: l.id,
      account: account(l.account),
      currency: l.currency,
      debit: toAmount(money(l.debit)),
      credit: toAmount(money(l.credit)),
      rate: l.fx_rate === null ? null : round(money(l.fx_rate), 6).toFixed(),
      rateDate: l.rate_date === null ? null : ymd(l.rate_date as unknown as Date | string),
      rateSource: l.rate_source,
      rateOrigin: l.rate_origin,
      baseDebit: toAmount(money(l.base_debit)),
      baseCredit: toAmount(money(l.base_credit)),
      skuCode: l.sku_code,
      skuName: l.sku_name,
    })
    byEntry.set(l.entry_id, list)
  }
  return {
    kinds: kinds.map((k) => ({ kind: k.kind, count: parseInt(String(k.n), 10) })),
    entries: heads.map((h) => {
      const ls = byEntry.get(h.id) ?? []
      return {
        entryId: h.id,
        at: h.event_at,
        kind: h.kind,
        postingKey: h.posting_key,
        orderExternalId: h.external_id,
        shopName: h.shop_name,
        channel: h.channel,
        currency: h.currency,
        baseDebit: toAmount(sum(ls.map((l) => money(l.baseDebit)))),
        baseCredit: toAmount(sum(ls.map((l) => money(l.baseCredit)))),
        lines: ls,
      }
    }),
  }
}
