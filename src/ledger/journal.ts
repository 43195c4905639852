/**
 * Appending to the journal. An entry's posting key is unique: a replay with the same input posts
 * nothing; the same key with a different input is an idempotency conflict, never a silent edit.
 */
import { createHash } from 'node:crypto'
import { sql, type RawBuilder } from 'kysely'
import type { Db, Executor } from '../db/connect.js'
import { atCommit, withTx } from '../db/tx.js'
import { isDuplicateKey } from '../db/errors.js'
import { insertRows } from '../db/insert-rows.js'
import { newId } from '../lib/ids.js'
import { chunk } from '../lib/collections.js'
import { toDb, ZERO, type Decimal } from '../money/index.js'
import { assertBalanced, type Posting } from './postings.js'
import { valueEntries, type ValuedPosting } from './convert.js'
import { holdEntries, releasedKeys, type HeldEntry } from './held.js'
import { localDate, zonedMidnight } from './statements.js'
import type { JournalDailyTable, JournalSkuDailyTable, JournalSkuMonthlyTable } from './tables.js'

export class IdempotencyConflict extends Error {
  override name = 'IdempotencyConflict'
}

export interface EntryHead {
  merchantId: string
  postingKey: string
  kind: string
  orderId: string | null
  shopId: string | null
  channel: string | null
  eventAt: Date
  /**
   * The business date whose rate converts the entry when it is not the event's own (revenue of a
   * prepaid order recognised at shipment takes the payment date's rate: IFRIC 22).
   */
  rateAt?: Date | null
}

/** YYYY-MM of an instant in a time zone. */
export const periodOf = (at: Date, timeZone: string): string => localDate(at, timeZone).slice(0, 7)

export const nextPeriod = (period: string): string => {
  const [y, m] = period.split('-').map(Number) as [number, number]
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`
}

type BookingRules = { timezone: string; baseCurrency: string; closed: Set<string> }

/**
 * Rules a transaction read already, or is reading: its shared lock on the merchant row holds them
 * until it ends. A read in flight is shared, so a posting that asks meanwhile waits for it.
 */
const rulesInTx = new WeakMap<Executor, { merchantId: string; from: Date; rules: Promise<BookingRules> }>()

/** A merchant's time zone and closed months, read with a shared lock on the merchant row so a period cannot close under a posting in flight. */
function bookingRules(db: Executor, merchantId: string, from: Date): Promise<BookingRules> {
  const known = rulesInTx.get(db)
  if (known && known.merchantId === merchantId && known.from <= from) return known.rules
  const rules = readBookingRules(db, merchantId, from)
  if (db.isTransaction) rulesInTx.set(db, { merchantId, from, rules })
  return rules
}

/**
 * Take the shared lock on the merchant row and read its booking rules with every closed month, at
 * the start of a transaction that will post entries of any date: its postings then read no rules
 * again. A batch of events takes it while its reads are still under way, before it knows its dates,
 * and works out its entries while the lock's round trip is out (a posting waits for it).
 */
export async function lockBookingRules(tx: Executor, merchantId: string): Promise<void> {
  await bookingRules(tx, merchantId, ALL_MONTHS)
}

/** A `from` before any month: the rules with every closed month. */
const ALL_MONTHS = new Date(Date.UTC(1970, 1, 1))

async function readBookingRules(db: Executor, merchantId: string, from: Date): Promise<BookingRules> {
  // One read: the closed months from the UTC month of the day before `from` on (no zone is a day
  // off UTC), a superset of those from its local month; the shared lock is on the merchant row.
  const rows = await db
    .selectFrom('merchants as m')
    .leftJoin('ledger_periods as p', (j) =>
      j
        .onRef('p.merchant_id', '=', 'm.id')
        .on('p.period', '>=', periodOf(new Date(from.getTime() - 86_400_000), 'UTC')),
    )
    .select(['m.timezone', 'm.base_currency', 'p.period'])
    .where('m.id', '=', merchantId)
    .modifyEnd(sql`LOCK IN SHARE MODE`)
    .execute()
  return {
    timezone: rows[0]?.timezone ?? 'UTC',
    baseCurrency: rows[0]?.base_currency ?? 'CNY',
    closed: new Set(rows.flatMap((r) => (r.period ? [r.period] : []))),
  }
}

/**
 * Where an event is booked: at its own time, unless that falls in a closed period — then at the
 * first instant of the next open period (an adjustment there), keeping the original time.
 */
function bookedAt(
  at: Date,
  rules: { timezone: string; closed: Set<string> },
): { at: Date; original: Date | null } {
  let period = periodOf(at, rules.timezone)
  if (!rules.closed.has(period)) return { at, original: null }
  while (rules.closed.has(period)) period = nextPeriod(period)
  return { at: zonedMidnight(`${period}-01`, rules.timezone), original: at }
}

export async function bookingTime(
  db: Executor,
  merchantId: string,
  at: Date,
): Promise<{ at: Date; original: Date | null; timezone: string }> {
  const rules = await bookingRules(db, merchantId, at)
  return { ...bookedAt(at, rules), timezone: rules.timezone }
}

/** A totals row's running sums, and whether every line in it so far was in the base currency. */
type Running<K> = {
  key: K
  debit: Decimal
  credit: Decimal
  base_debit: Decimal
  base_credit: Decimal
  sameBase: boolean
}

/** Running sums per key of one totals table; its rows in key order (so two postings never lock rows in opposite orders). */
class Totals<K extends object> {
  private readonly sums = new Map<string, Running<K>>()

  /** Add a posting to the row of `id` (the key's values joined in column order), made by `key` when new. */
  add(id: string, key: () => K, p: ValuedPosting): void {
    let s = this.sums.get(id)
    if (!s) {
      s = { key: key(), debit: ZERO, credit: ZERO, base_debit: ZERO, base_credit: ZERO, sameBase: true }
      this.sums.set(id, s)
    }
    // Lines in the base currency (base amount = amount) are summed once: while every line of a row
    // is one, its base sums are its sums.
    if (s.sameBase && p.base !== p.amount) {
      s.sameBase = false
      s.base_debit = s.debit
      s.base_credit = s.credit
    }
    if (p.side === 'debit') {
      s.debit = s.debit.plus(p.amount)
      if (!s.sameBase) s.base_debit = s.base_debit.plus(p.base)
    } else {
      s.credit = s.credit.plus(p.amount)
      if (!s.sameBase) s.base_credit = s.base_credit.plus(p.base)
    }
  }

  /** Add another's rows to these (the same table's). */
  merge(other: Totals<K>): void {
    for (const [id, o] of other.sums) {
      const s = this.sums.get(id)
      if (!s) {
        this.sums.set(id, o)
        continue
      }
      if (s.sameBase && !o.sameBase) {
        s.sameBase = false
        s.base_debit = s.debit
        s.base_credit = s.credit
      }
      s.debit = s.debit.plus(o.debit)
      s.credit = s.credit.plus(o.credit)
      if (!s.sameBase) {
        s.base_debit = s.base_debit.plus(o.sameBase ? o.debit : o.base_debit)
        s.base_credit = s.base_credit.plus(o.sameBase ? o.credit : o.base_credit)
      }
    }
  }

  /** The rows: each key with its sums as DECIMAL strings. */
  rows(): (K & Record<(typeof SUMS)[number], string>)[] {
    return [...this.sums.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, s]) => {
        const debit = toDb(s.debit)
        const credit = toDb(s.credit)
        return Object.assign(s.key, {
          debit,
          credit,
          base_debit: s.sameBase ? debit : toDb(s.base_debit),
          base_credit: s.sameBase ? credit : toDb(s.base_credit),
        })
      })
  }
}

/** The sums of every totals table: a row whose key exists adds them (insertRows `add`). */
const SUMS = ['debit', 'credit', 'base_debit', 'base_credit'] as const
const DAILY_COLUMNS = [
  ...(['merchant_id', 'day', 'channel', 'shop_id', 'account_group', 'currency', 'slot'] as const),
  ...SUMS,
]
const SKU_DAILY_COLUMNS = [
  ...(['merchant_id', 'day', 'channel', 'shop_id', 'sku_id', 'account_group', 'currency'] as const),
  ...SUMS,
]
const SKU_MONTHLY_COLUMNS = [
  ...(['merchant_id', 'month', 'channel', 'shop_id', 'sku_id', 'account_group', 'currency'] as const),
  ...SUMS,
]

/**
 * journal_daily rows are touched by every posting of a shop and day: each transaction adds to one
 * of this many slots of a row (statements sum them), so concurrent postings seldom wait on each other.
 */
const DAILY_SLOTS = 8

type DailyItem = { head: EntryHead; day: string; postings: readonly ValuedPosting[] }
// A totals row's key: its table's columns but the sums (and the daily table's slot, one per write).
type Key<T> = Omit<T, (typeof SUMS)[number] | 'slot'>

/**
 * Entries' lines summed into the running totals — per day, channel, shop and account group
 * (journal_daily), and for lines with a SKU the same per SKU and day (journal_sku_daily) and per
 * SKU and month (journal_sku_monthly) — then upserted, each table's rows in key order so two
 * postings never lock rows in opposite orders. Per SKU only the lines with one: the rest
 * (receivables, shipping, fees) is in journal_daily, and a SKU-less row would be touched by every
 * posting of the shop.
 */
class DailyTotals {
  private readonly daily = new Totals<Key<JournalDailyTable>>()
  private readonly skuDaily = new Totals<Key<JournalSkuDailyTable>>()
  private readonly skuMonthly = new Totals<Key<JournalSkuMonthlyTable>>()

  add(items: readonly DailyItem[]): this {
    const $ = '\u0000'
    for (const { head, day, postings } of items) {
      const m = head.merchantId
      const channel = head.channel ?? ''
      const shop = head.shopId ?? ''
      const month = day.slice(0, 7)
      for (const p of postings) {
        const group = p.account.split(':')[0]!
        const c = p.currency
        this.daily.add(
          `${m}${$}${day}${$}${channel}${$}${shop}${$}${group}${$}${c}`,
          () => ({ merchant_id: m, day, channel, shop_id: shop, account_group: group, currency: c }),
          p,
        )
        const sku = p.skuId
        if (!sku) continue
        const tail = `${channel}${$}${shop}${$}${sku}${$}${group}${$}${c}`
        this.skuMonthly.add(
          `${m}${$}${month}${$}${tail}`,
          () => ({
            merchant_id: m,
            month,
            channel,
            shop_id: shop,
            sku_id: sku,
            account_group: group,
            currency: c,
          }),
          p,
        )
        this.skuDaily.add(
          `${m}${$}${day}${$}${tail}`,
          () => ({
            merchant_id: m,
            day,
            channel,
            shop_id: shop,
            sku_id: sku,
            account_group: group,
            currency: c,
          }),
          p,
        )
      }
    }
    return this
  }

  merge(other: DailyTotals): void {
    this.daily.merge(other.daily)
    this.skuDaily.merge(other.skuDaily)
    this.skuMonthly.merge(other.skuMonthly)
  }

  /** The upserts, each table's made when the one before is out to the server. */
  async write(db: Executor): Promise<void> {
    const upserts = this.upserts()
    for (let u = upserts.next(); !u.done;) {
      const upsert = u.value
      u = await alongside(upsert.execute(db), () => upserts.next())
    }
  }

  private *upserts() {
    for (const part of chunk(this.skuMonthly.rows(), 500))
      yield insertRows('journal_sku_monthly', SKU_MONTHLY_COLUMNS, part, { add: SUMS })
    for (const part of chunk(this.skuDaily.rows(), 500))
      yield insertRows('journal_sku_daily', SKU_DAILY_COLUMNS, part, { add: SUMS })
    const slot = Math.floor(Math.random() * DAILY_SLOTS)
    for (const part of chunk(this.daily.rows(), 500))
      yield insertRows(
        'journal_daily',
        DAILY_COLUMNS,
        part.map((r) => Object.assign(r, { slot })),
        { add: SUMS },
      )
  }
}

/** Totals a transaction's postings will add at its commit. */
const totalsInTx = new WeakMap<Executor, DailyTotals>()

/**
 * Add entries' totals in the same transaction. Inside withTx they are written last, all of the
 * transaction's postings summed together, just before the commit: the rows every posting touches
 * stay locked only from there to the commit (reads of the totals inside the same transaction do not
 * see them yet). Outside a transaction they are written at once.
 */
async function addToDaily(db: Executor, totals: DailyTotals): Promise<void> {
  const pending = totalsInTx.get(db)
  if (pending) pending.merge(totals)
  else if (atCommit(db, () => totals.write(db))) totalsInTx.set(db, totals)
  else await totals.write(db)
}

/**
 * Run `work` while `statement` is out to the server, then wait for the statement: JavaScript that
 * makes a transaction's next statement takes no time between its round trips.
 */
async function alongside<T>(statement: Promise<unknown>, work: () => T): Promise<T> {
  statement.catch(() => {}) // awaited below; until then a failure is not an unhandled rejection
  // One turn of the event loop: the statement's promise chain hands it to the driver, which sends it.
  await new Promise((resolve) => setImmediate(resolve))
  const out = work()
  await statement
  return out
}

/** `held`: a rate it needs is missing; the entry waits in ledger_held_entries (held.ts). */
export type PostOutcome = 'posted' | 'replayed' | 'empty' | 'held'

/** Batches larger than this (imports) read their known keys before inserting. */
const READ_KEYS_FIRST_FROM = 20

const inputHash = (postings: readonly Posting[]) =>
  createHash('sha256')
    .update(
      JSON.stringify(
        postings.map((p) => {
          const row: unknown[] = [p.account, p.side, p.amount.toFixed(), p.currency, p.skuId ?? null]
          // A stated base amount is part of the input; valuing at book is not (it follows the books).
          if (p.value !== undefined && p.value !== 'book') row.push(p.value.base.toFixed())
          return row
        }),
      ),
    )
    .digest('hex')

export async function postEntry(
  db: Executor,
  head: EntryHead,
  postings: readonly Posting[],
): Promise<PostOutcome> {
  return (await postEntries(db, [{ head, postings }]))[0]!
}

/**
 * Post many entries of one merchant at once (a settlement file, a page of events): the booking
 * rules are read once, known posting keys are found in one query, and entries, lines and daily
 * totals are written in multi-row statements. Same rules as one by one: a key already posted with
 * the same amounts is a replay, with other amounts an IdempotencyConflict.
 */
export async function postEntries(
  db: Executor,
  items: readonly { head: EntryHead; postings: readonly Posting[] }[],
): Promise<PostOutcome[]> {
  const outcomes: PostOutcome[] = items.map((i) => (i.postings.length === 0 ? 'empty' : 'posted'))
  const live = items
    .map(({ head, postings }, i) => ({ head, postings, i, key: head.postingKey.slice(0, 190), hash: '' }))
    .filter((x) => x.postings.length > 0)
  if (live.length === 0) return outcomes
  const merchantIds = new Set(live.map((x) => x.head.merchantId))
  if (merchantIds.size > 1) throw new Error('postEntries: one merchant per call')
  const merchantId = live[0]!.head.merchantId
  for (const x of live) {
    assertBalanced(x.postings)
    x.hash = inputHash(x.postings)
  }
  const rules = await bookingRules(
    db,
    merchantId,
    new Date(Math.min(...live.map((x) => x.head.eventAt.getTime()))),
  )
  // Keys posted before. A plain read: a locking one would hold shared locks on the gaps where new
  // keys go, and every concurrent posting inserting there would wait or deadlock. A key committed
  // meanwhile is caught by the unique key at the insert below, and resolved there. A few entries
  // (an event's) skip the read: a replay is rare, and the unique key resolves it the same way.
  const known = new Map<string, string>()
  const read = live.length > READ_KEYS_FIRST_FROM ? [...new Set(live.map((x) => x.key))] : []
  for (const part of chunk(read, 500)) {
    const rows = await db
      .selectFrom('journal_entries')
      .select(['posting_key', 'input_hash'])
      .where('merchant_id', '=', merchantId)
      .where('posting_key', 'in', part)
      .execute()
    for (const r of rows) known.set(r.posting_key, r.input_hash)
  }
  const fresh: ((typeof live)[number] & { entryId: string; booked: { at: Date; original: Date | null } })[] =
    []
  for (const x of live) {
    const stored = known.get(x.key)
    if (stored !== undefined) {
      if (stored !== x.hash)
        throw new IdempotencyConflict(`posting ${x.head.postingKey} was already made with different amounts`)
      outcomes[x.i] = 'replayed'
      continue
    }
    known.set(x.key, x.hash) // the same key twice in one batch: the second is a replay of the first
    fresh.push(Object.assign(x, { entryId: newId(), booked: bookedAt(x.head.eventAt, rules) }))
  }
  if (fresh.length === 0) return outcomes
  const valuations = await valueEntries(
    db,
    merchantId,
    rules.baseCurrency,
    rules.timezone,
    fresh.map((x) => ({ head: x.head, postings: x.postings, at: x.booked.at })),
  )
  const held: HeldEntry[] = []
  const valued: ((typeof fresh)[number] & { lines: ValuedPosting[] })[] = []
  fresh.forEach((x, n) => {
    const v = valuations[n]!
    if (v.ok) valued.push(Object.assign(x, { lines: v.lines }))
    else {
      outcomes[x.i] = 'held'
      held.push({
        head: x.head,
        postings: x.postings,
        currency: v.currency,
        rateDate: v.rateDate,
        reason: v.reason,
      })
    }
  })
  if (held.length > 0) await holdEntries(db, held)
  if (valued.length > 0 && valuations.some((v) => !v.ok || v.lines.some((l) => l.origin !== 'identity')))
    await releasedKeys(
      db,
      merchantId,
      valued.map((x) => x.key),
    )
  // In chunks, each complete (entries, lines, daily totals) before the next begins. Each statement
  // is made while the one before it is out to the server.
  for (const part of chunk(valued, 500)) {
    let lines: RawBuilder<unknown>[]
    try {
      lines = await alongside(
        insertRows(
          'journal_entries',
          ENTRY_COLUMNS,
          part.map((x) => ({
            id: x.entryId,
            merchant_id: merchantId,
            posting_key: x.key,
            kind: x.head.kind,
            order_id: x.head.orderId,
            shop_id: x.head.shopId,
            channel: x.head.channel,
            currency: x.postings[0]!.currency,
            event_at: x.booked.at,
            original_event_at: x.booked.original,
            input_hash: x.hash,
          })),
        ).execute(db),
        () =>
          chunk(lineRows(merchantId, part), 1000).map((l) => insertRows('journal_lines', LINE_COLUMNS, l)),
      )
    } catch (err) {
      if (!isDuplicateKey(err)) throw err
      // A concurrent posting took one of these keys between the read and the insert; the statement
      // failed as a whole, so these entries go one by one, each resolving its own race.
      if (part.length === 1) outcomes[part[0]!.i] = await raceOutcome(db, part[0]!)
      else for (const x of part) outcomes[x.i] = await postEntry(db, x.head, x.postings)
      continue
    }
    const written = (async () => {
      for (const l of lines) await l.execute(db)
    })()
    const totals = await alongside(written, () =>
      new DailyTotals().add(
        part.map((x) => ({ head: x.head, day: localDate(x.booked.at, rules.timezone), postings: x.lines })),
      ),
    )
    await addToDaily(db, totals)
  }
  return outcomes
}

/** The journal_lines rows of entries. */
function lineRows(
  merchantId: string,
  entries: readonly {
    entryId: string
    head: EntryHead
    booked: { at: Date }
    lines: readonly ValuedPosting[]
  }[],
) {
  return entries.flatMap((x) =>
    x.lines.map((p) => {
      const amount = toDb(p.amount)
      const base = p.base === p.amount ? amount : toDb(p.base)
      return {
        id: newId(),
        merchant_id: merchantId,
        entry_id: x.entryId,
        account: p.account,
        debit: p.side === 'debit' ? amount : '0',
        credit: p.side === 'credit' ? amount : '0',
        base_debit: p.side === 'debit' ? base : '0',
        base_credit: p.side === 'credit' ? base : '0',
        fx_rate: p.fxRate ? p.fxRate.toFixed(12) : null,
        rate_date: p.rateDate,
        rate_source: p.rateSource,
        rate_origin: p.origin,
        currency: p.currency,
        event_at: x.booked.at,
        channel: x.head.channel,
        shop_id: x.head.shopId,
        order_id: x.head.orderId,
        sku_id: p.skuId ?? null,
      }
    }),
  )
}

const ENTRY_COLUMNS = [
  'id',
  'merchant_id',
  'posting_key',
  'kind',
  'order_id',
  'shop_id',
  'channel',
  'currency',
  'event_at',
  'original_event_at',
  'input_hash',
] as const
const LINE_COLUMNS = [
  'id',
  'merchant_id',
  'entry_id',
  'account',
  'debit',
  'credit',
  'base_debit',
  'base_credit',
  'fx_rate',
  'rate_date',
  'rate_source',
  'rate_origin',
  'currency',
  'event_at',
  'channel',
  'shop_id',
  'order_id',
  'sku_id',
] as const

/** One entry lost the race for its key: the committed entry decides replay or conflict. */
async function raceOutcome(
  db: Executor,
  x: { key: string; hash: string; head: EntryHead },
): Promise<PostOutcome> {
  const stored = await db
    .selectFrom('journal_entries')
    .select('input_hash')
    .where('merchant_id', '=', x.head.merchantId)
    .where('posting_key', '=', x.key)
    .modifyEnd(sql`LOCK IN SHARE MODE`)
    .executeTakeFirstOrThrow()
  if (stored.input_hash !== x.hash)
    throw new IdempotencyConflict(`posting ${x.head.postingKey} was already made with different amounts`)
  return 'replayed'
}

/**
 * Close a month for a merchant (idempotent: closing it again keeps the first close). The exclusive
 * lock on the merchant row waits for postings in flight, which hold it shared (bookingTime).
 * Refuses a month that has not ended in the merchant's time zone.
 */
export async function closePeriod(
  db: Db,
  merchantId: string,
  period: string,
  by: string,
  now: Date,
): Promise<Date> {
  return withTx(db, async (tx) => {
    const m = await tx
      .selectFrom('merchants')
      .select('timezone')
      .where('id', '=', merchantId)
      .forUpdate()
      .executeTakeFirst()
    if (!m) throw new PeriodError(`merchant ${merchantId} not found`)
    if (period >= periodOf(now, m.timezone))
      throw new PeriodError(`${period} has not ended yet in ${m.timezone}`)
    const done = await tx
      .selectFrom('ledger_periods')
      .select('closed_at')
      .where('merchant_id', '=', merchantId)
      .where('period', '=', period)
      .executeTakeFirst()
    if (done) return done.closed_at
    await tx
      .insertInto('ledger_periods')
      .values({ merchant_id: merchantId, period, closed_at: now, closed_by: by })
      .execute()
    return now
  })
}

export class PeriodError extends Error {
  override name = 'PeriodError'
}
