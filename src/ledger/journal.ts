/**
 * Appending to the journal. An entry's posting key is unique: a replay with the same input posts
 * nothing; the same key with a different input is an idempotency conflict, never a silent edit.
 */
import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import type { Executor } from '../db/connect.js'
import { isDuplicateKey } from '../db/errors.js'
import { newId } from '../lib/ids.js'
import { toDb } from '../money/index.js'
import { assertBalanced, type Posting } from './postings.js'
import { zonedMidnight } from './statements.js'

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
export async function bookingTime(db: Executor, merchantId: string, at: Date): Promise<{ at: Date; original: Date | null }> {
  const m = await db.selectFrom('merchants').select('timezone').where('id', '=', merchantId).modifyEnd(sql`LOCK IN SHARE MODE`).executeTakeFirst()
  if (!m) return { at, original: null }
  let period = periodOf(at, m.timezone)
  const closed = new Set((await db.selectFrom('ledger_periods').select('period').where('merchant_id', '=', merchantId).where('period', '>=', period).execute()).map((r) => r.period))
  if (!closed.has(period)) return { at, original: null }
  while (closed.has(period)) period = nextPeriod(period)
  return { at: zonedMidnight(`${period}-01`, m.timezone), original: at }
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
    const stored = await db.selectFrom('journal_entries').select('input_hash').where('merchant_id', '=', head.merchantId).where('posting_key', '=', head.postingKey.slice(0, 190)).executeTakeFirstOrThrow()
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
  return 'posted'
}
