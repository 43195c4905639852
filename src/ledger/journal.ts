/**
 * Appending to the journal. An entry's posting key is unique: a replay with the same input posts
 * nothing; the same key with a different input is an idempotency conflict, never a silent edit.
 */
import { createHash } from 'node:crypto'
import type { Executor } from '../db/connect.js'
import { isDuplicateKey } from '../db/errors.js'
import { newId } from '../lib/ids.js'
import { toDb } from '../money/index.js'
import { assertBalanced, type Posting } from './postings.js'

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

export async function postEntry(db: Executor, head: EntryHead, postings: readonly Posting[]): Promise<'posted' | 'replayed' | 'empty'> {
  if (postings.length === 0) return 'empty'
  assertBalanced(postings)
  const hash = createHash('sha256').update(JSON.stringify(postings.map((p) => [p.account, p.side, p.amount.toFixed(), p.currency, p.skuId ?? null]))).digest('hex')
  const entryId = newId()
  try {
    await db.insertInto('journal_entries').values({ id: entryId, merchant_id: head.merchantId, posting_key: head.postingKey.slice(0, 190), kind: head.kind, order_id: head.orderId, shop_id: head.shopId, channel: head.channel, currency: postings[0]!.currency, event_at: head.eventAt, input_hash: hash }).execute()
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
        event_at: head.eventAt,
        channel: head.channel,
        shop_id: head.shopId,
        order_id: head.orderId,
        sku_id: p.skuId ?? null,
      })),
    )
    .execute()
  return 'posted'
}
