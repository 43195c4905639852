/**
 * The raw inbox: every payload stored verbatim, append-only; the same payload twice is stored once
 * (unique on merchant, shop, kind, external id and content hash).
 */
import { createHash } from 'node:crypto'
import type { Executor } from '../db/connect.js'
import { newId } from '../lib/ids.js'

export interface InboxInput {
  merchantId: string
  shopId: string
  channel: string
  kind: 'order' | 'refund'
  externalId: string
  platformUpdatedAt: Date
  payload: unknown
  source: 'pull' | 'webhook'
  receivedAt: Date
}

/** Store a payload; returns its inbox id, or null when the identical payload was already stored. */
export async function storeRaw(db: Executor, input: InboxInput): Promise<{ id: string; payload: string } | null> {
  const payload = JSON.stringify(input.payload)
  const id = newId()
  const res = await db
    .insertInto('raw_inbox')
    .ignore()
    .values({
      id,
      merchant_id: input.merchantId,
      shop_id: input.shopId,
      channel: input.channel,
      kind: input.kind,
      external_id: input.externalId.slice(0, 64),
      platform_updated_at: input.platformUpdatedAt,
      content_hash: createHash('sha256').update(payload).digest('hex'),
      payload,
      source: input.source,
      received_at: input.receivedAt,
    })
    .executeTakeFirst()
  return Number(res.numInsertedOrUpdatedRows ?? 0n) > 0 ? { id, payload } : null
}
