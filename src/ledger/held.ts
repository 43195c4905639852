/**
 * Entries waiting for a rate. An entry whose currency has no fresh rate is kept here whole (head and
 * postings as given) with the reason, in the transaction that tried to post it; the accountant sees
 * it (GET /ledger/held, the period-close checklist). When rates arrive (an import, a provider pull)
 * the held entries are posted again in the same transaction, oldest first; those that post leave
 * this table in the transaction that posts them.
 */
import { sql } from 'kysely'
import type { Executor } from '../db/connect.js'
import { chunk } from '../lib/collections.js'
import { money, type Decimal } from '../money/index.js'
import { postEntries, type EntryHead } from './journal.js'
import type { AccountCode, Posting } from './postings.js'

export interface HeldEntry {
  head: EntryHead
  postings: readonly Posting[]
  currency: string
  rateDate: string
  reason: string
}

interface StoredEntry {
  head: Omit<EntryHead, 'eventAt' | 'rateAt'> & { eventAt: string; rateAt: string | null }
  postings: {
    account: string
    side: 'debit' | 'credit'
    amount: string
    currency: string
    skuId: string | null
    value?: 'book' | { base: string }
  }[]
}

const store = (e: HeldEntry): string =>
  JSON.stringify({
    head: { ...e.head, eventAt: e.head.eventAt.toISOString(), rateAt: e.head.rateAt?.toISOString() ?? null },
    postings: e.postings.map((p) => ({
      account: p.account,
      side: p.side,
      amount: p.amount.toFixed(),
      currency: p.currency,
      skuId: p.skuId ?? null,
      ...(p.value === undefined
        ? {}
        : { value: p.value === 'book' ? 'book' : { base: p.value.base.toFixed() } }),
    })),
  } satisfies StoredEntry)

function load(json: unknown): { head: EntryHead; postings: Posting[] } {
  const e = (typeof json === 'string' ? JSON.parse(json) : json) as StoredEntry
  return {
    head: {
      ...e.head,
      eventAt: new Date(e.head.eventAt),
      rateAt: e.head.rateAt ? new Date(e.head.rateAt) : null,
    },
    postings: e.postings.map((p) => ({
      account: p.account as AccountCode,
      side: p.side,
      amount: money(p.amount),
      currency: p.currency,
      skuId: p.skuId,
      ...(p.value === undefined
        ? {}
        : { value: p.value === 'book' ? ('book' as const) : { base: money(p.value.base) as Decimal } }),
    })),
  }
}

export async function holdEntries(db: Executor, entries: readonly HeldEntry[]): Promise<void> {
  for (const part of chunk(entries, 200))
    await db
      .insertInto('ledger_held_entries')
      .values(
        part.map((e) => ({
          merchant_id: e.head.merchantId,
          posting_key: e.head.postingKey.slice(0, 190),
          kind: e.head.kind,
          order_id: e.head.orderId,
          shop_id: e.head.shopId,
          channel: e.head.channel,
          event_at: e.head.eventAt,
          currency: e.currency,
          rate_date: e.rateDate,
          reason: e.reason.slice(0, 300),
          entry: store(e),
        })),
      )
      .onDuplicateKeyUpdate({
        reason: sql<string>`VALUES(reason)`,
        rate_date: sql<string>`VALUES(rate_date)`,
      })
      .execute()
}

/** The held entries these keys posted now leave the table (same transaction as the posting). */
export async function releasedKeys(db: Executor, merchantId: string, keys: readonly string[]): Promise<void> {
  for (const part of chunk(keys, 500))
    await db
      .deleteFrom('ledger_held_entries')
      .where('merchant_id', '=', merchantId)
      .where('posting_key', 'in', part)
      .execute()
}

/** An entry of an order that posted on release: what its event would have posted with it follows (events.ts). */
export interface ReleasedEntry {
  kind: string
  orderId: string
  /** The entry's business time and the date whose rate converted it. */
  at: Date
  rateAt: Date | null
}

/** Post what was held, oldest first, in the caller's transaction: what has its rate now posts. */
export async function releaseHeld(
  db: Executor,
  merchantId: string,
): Promise<{ posted: number; held: number; released: ReleasedEntry[] }> {
  const rows = await db
    .selectFrom('ledger_held_entries')
    .select(['entry'])
    .where('merchant_id', '=', merchantId)
    .orderBy('event_at')
    .orderBy('posting_key')
    .execute()
  let posted = 0
  let held = 0
  const released: ReleasedEntry[] = []
  for (const part of chunk(rows, 500)) {
    const entries = part.map((r) => load(r.entry))
    const outcomes = await postEntries(db, entries)
    posted += outcomes.filter((o) => o === 'posted' || o === 'replayed').length
    held += outcomes.filter((o) => o === 'held').length
    outcomes.forEach((o, i) => {
      const { head } = entries[i]!
      if (o === 'posted' && head.orderId)
        released.push({
          kind: head.kind,
          orderId: head.orderId,
          at: head.eventAt,
          rateAt: head.rateAt ?? null,
        })
    })
  }
  return { posted, held, released }
}

export interface HeldRow {
  postingKey: string
  kind: string
  orderId: string | null
  shopId: string | null
  channel: string | null
  eventAt: Date
  currency: string
  rateDate: string
  reason: string
}

/** Held entries in event order, from after a (time, key) position. */
export async function listHeld(
  db: Executor,
  merchantId: string,
  opts: { before?: Date; after?: [Date, string] | null; limit: number },
): Promise<HeldRow[]> {
  let q = db
    .selectFrom('ledger_held_entries')
    .select([
      'posting_key',
      'kind',
      'order_id',
      'shop_id',
      'channel',
      'event_at',
      'currency',
      'rate_date',
      'reason',
    ])
    .where('merchant_id', '=', merchantId)
  if (opts.before) q = q.where('event_at', '<', opts.before)
  const after = opts.after
  if (after)
    q = q.where((eb) =>
      eb.or([
        eb('event_at', '>', after[0]),
        eb.and([eb('event_at', '=', after[0]), eb('posting_key', '>', after[1])]),
      ]),
    )
  const rows = await q.orderBy('event_at').orderBy('posting_key').limit(opts.limit).execute()
  return rows.map((r) => ({
    postingKey: r.posting_key,
    kind: r.kind,
    orderId: r.order_id,
    shopId: r.shop_id,
    channel: r.channel,
    eventAt: r.event_at,
    currency: r.currency,
    rateDate:
      typeof r.rate_date === 'string' ? r.rate_date : (r.rate_date as Date).toISOString().slice(0, 10),
    reason: r.reason,
  }))
}

/** Held entries of a period, per currency: what a statement of the period does not contain yet. */
export interface HeldSummary {
  entries: number
  byCurrency: { currency: string; entries: number }[]
}

/** How many entries dated in [from, to) wait for a rate, per currency, within a channel or shop. */
export async function heldWithin(
  db: Executor,
  merchantId: string,
  range: { from: Date; to: Date; channel?: string; shopId?: string },
): Promise<HeldSummary> {
  let q = db
    .selectFrom('ledger_held_entries')
    .select(['currency', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('merchant_id', '=', merchantId)
    .where('event_at', '>=', range.from)
    .where('event_at', '<', range.to)
  if (range.channel) q = q.where('channel', '=', range.channel)
  if (range.shopId) q = q.where('shop_id', '=', range.shopId)
  const rows = await q.groupBy('currency').orderBy('currency').execute()
  const byCurrency = rows.map((r) => ({ currency: r.currency, entries: parseInt(String(r.n), 10) }))
  let entries = 0
  for (const c of byCurrency) entries += c.entries
  return { entries, byCurrency }
}
