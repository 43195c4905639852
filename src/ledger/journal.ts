/**
 * Appending to the journal. An entry's posting key is unique: a replay with the same input posts
 * nothing; the same key with a different input is an idempotency conflict, never a silent edit.
 */
import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import type { Db, Executor } from '../db/connect.js'
import { withTx } from '../db/tx.js'
import { isDuplicateKey } from '../db/errors.js'
import { newId } from '../lib/ids.js'
import { toDb, ZERO, type Decimal } from '../money/index.js'
import { assertBalanced, type Posting } from './postings.js'
import { localDate, zonedMidnight } from './statements.js'

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
}

/** YYYY-MM of an instant in a time zone. */
export function periodOf(at: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' }).formatToParts(at)
  return `${parts.find((p) => p.type === 'year')!.value}-${parts.find((p) => p.type === 'month')!.value}`
}

export const nextPeriod = (period: string): string => {
  const [y, m] = period.split('-').map(Number) as [number, number]
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`
}

/**
 * Where an event is booked: at its own time, unless that falls in a closed period — then at the
 * first instant of the next open period (an adjustment there), keeping the original time. The
 * merchant row is read with a shared lock so a period cannot close under a posting in flight.
 */
export async function bookingTime(db: Executor, merchantId: string, at: Date): Promise<{ at: Date; original: Date | null; timezone: string }> {
  const m = await db.selectFrom('merchants').select('timezone').where('id', '=', merchantId).modifyEnd(sql`LOCK IN SHARE MODE`).executeTakeFirst()
  const timezone = m?.timezone ?? 'UTC'
  let period = periodOf(at, timezone)
  const closed = new Set((await db.selectFrom('ledger_periods').select('period').where('merchant_id', '=', merchantId).where('period', '>=', period).execute()).map((r) => r.period))
  if (!closed.has(period)) return { at, original: null, timezone }
  while (closed.has(period)) period = nextPeriod(period)
  return { at: zonedMidnight(`${period}-01`, timezone), original: at, timezone }
}

/**
 * Add an entry's lines to the daily totals (journal_daily) in the same transaction. Rows are
 * upserted in key order so two postings never wait on each other's rows in opposite orders.
 */
async function addToDaily(db: Executor, head: EntryHead, day: string, postings: readonly Posting[]): Promise<void> {
  const sums = new Map<string, { account_group: string; currency: string; debit: Decimal; credit: Decimal }>()
  for (const p of postings) {
    const group = p.account.split(':')[0]!
    const k = `${group}\u0000${p.currency}`
    const s = sums.get(k) ?? { account_group: group, currency: p.currency, debit: ZERO, credit: ZERO }
    if (p.side === 'debit') s.debit = s.debit.plus(p.amount)
    else s.credit = s.credit.plus(p.amount)
    sums.set(k, s)
  }
  const rows = [...sums.values()]
    .sort((a, b) => (a.account_group === b.account_group ? (a.currency < b.currency ? -1 : 1) : a.account_group < b.account_group ? -1 : 1))
    .map((s) => ({ merchant_id: head.merchantId, day, channel: head.channel ?? '', shop_id: head.shopId ?? '', account_group: s.account_group, currency: s.currency, debit: toDb(s.debit), credit: toDb(s.credit) }))
  await db
    .insertInto('journal_daily')
    .values(rows)
    .onDuplicateKeyUpdate({ debit: sql`debit + VALUES(debit)`, credit: sql`credit + VALUES(credit)` })
    .execute()
}

export async function postEntry(db: Executor, head: EntryHead, postings: readonly Posting[]): Promise<'posted' | 'replayed' | 'empty'> {
  if (postings.length === 0) return 'empty'
  assertBalanced(postings)
  const booked = await bookingTime(db, head.merchantId, head.eventAt)
  const hash = createHash('sha256').update(JSON.stringify(postings.map((p) => [p.account, p.side, p.amount.toFixed(), p.currency, p.skuId ?? null]))).digest('hex')
  const entryId = newId()
  try {
    await db.insertInto('journal_entries').values({ id: entryId, merchant_id: head.merchantId, posting_key: head.postingKey.slice(0, 190), kind: head.kind, order_id: head.orderId, shop_id: head.shopId, channel: head.channel, currency: postings[0]!.currency, event_at: booked.at, original_event_at: booked.original, input_hash: hash }).execute()
  } catch (err) {
    if (!isDuplicateKey(err)) throw err
    // A locking read sees the row a concurrent posting just committed; a plain read in this
    // transaction's snapshot may not.
    const stored = await db.selectFrom('journal_entries').select('input_hash').where('merchant_id', '=', head.merchantId).where('posting_key', '=', head.postingKey.slice(0, 190)).modifyEnd(sql`LOCK IN SHARE MODE`).executeTakeFirstOrThrow()
    if (stored.input_hash !== hash) throw new IdempotencyConflict(`posting ${head.postingKey} was already made with different amounts`)
    return 'replayed'
  }
  await db
    .insertInto('journal_lines')
    .values(
      postings.map((p) => ({
        id: newId(),
        merchant_id: head.merchantId,
        entry_id: entryId,
        account: p.account,
        debit: p.side === 'debit' ? toDb(p.amount) : '0',
        credit: p.side === 'credit' ? toDb(p.amount) : '0',
        currency: p.currency,
        event_at: booked.at,
        channel: head.channel,
        shop_id: head.shopId,
        order_id: head.orderId,
        sku_id: p.skuId ?? null,
      })),
    )
    .execute()
  await addToDaily(db, head, localDate(booked.at, booked.timezone), postings)
  return 'posted'
}

/**
 * Close a month for a merchant (idempotent: closing it again keeps the first close). The exclusive
 * lock on the merchant row waits for postings in flight, which hold it shared (bookingTime).
 * Refuses a month that has not ended in the merchant's time zone.
 */
export async function closePeriod(db: Db, merchantId: string, period: string, by: string, now: Date): Promise<Date> {
  return withTx(db, async (tx) => {
    const m = await tx.selectFrom('merchants').select('timezone').where('id', '=', merchantId).forUpdate().executeTakeFirst()
    if (!m) throw new PeriodError(`merchant ${merchantId} not found`)
    if (period >= periodOf(now, m.timezone)) throw new PeriodError(`${period} has not ended yet in ${m.timezone}`)
    const done = await tx.selectFrom('ledger_periods').select('closed_at').where('merchant_id', '=', merchantId).where('period', '=', period).executeTakeFirst()
    if (done) return done.closed_at
    await tx.insertInto('ledger_periods').values({ merchant_id: merchantId, period, closed_at: now, closed_by: by }).execute()
    return now
  })
}

export class PeriodError extends Error {
  override name = 'PeriodError'
}
