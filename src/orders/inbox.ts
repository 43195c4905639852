/**
 * The raw inbox: every payload stored verbatim, append-only; the same payload twice is stored once
 * (unique on merchant, shop, kind, external id and content hash).
 */
import type { Executor } from '../db/connect.js'
import { chunk } from '../lib/collections.js'
import { newId } from '../lib/ids.js'
import { contentHash } from './rows.js'

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

export interface StoredEntry {
  id: string
  payload: string
  /** Stored a while ago but never normalized (a crash between the two steps): normalize it now, but it is not new. */
  retry?: true
}

const row = (input: InboxInput, id: string, payload: string) => ({
  id,
  merchant_id: input.merchantId,
  shop_id: input.shopId,
  channel: input.channel,
  kind: input.kind,
  external_id: input.externalId.slice(0, 64),
  platform_updated_at: input.platformUpdatedAt,
  content_hash: contentHash(payload),
  payload,
  source: input.source,
  received_at: input.receivedAt,
})

const ABANDONED_AFTER_MS = 60_000

/** Store a payload; returns its inbox id, or null when the identical payload was already stored. */
export async function storeRaw(db: Executor, input: InboxInput): Promise<StoredEntry | null> {
  const payload = JSON.stringify(input.payload)
  const id = newId()
  const res = await db
    .insertInto('raw_inbox')
    .ignore()
    .values(row(input, id, payload))
    .executeTakeFirst()
  return Number(res.numInsertedOrUpdatedRows ?? 0n) > 0 ? { id, payload } : null
}

export interface IngestOptions {
  /**
   * The caller is the retry of a run that died (a webhook job's next attempt): what that run stored
   * and did not normalize is taken now, however young, instead of being left to whoever stored it.
   * Normalizing is safe if someone else is at it too (the pipeline converges, duplicate inserts retry).
   */
  resume?: boolean
}

/**
 * Store many payloads of one shop and kind with multi-row INSERT IGNOREs; returns, in input order,
 * the stored entry, or null for a payload already stored and normalized (before, or earlier in the
 * same batch). A payload stored earlier but never normalized comes back with `retry`.
 */
export async function storeRawBatch(
  db: Executor,
  inputs: readonly InboxInput[],
  opts: IngestOptions = {},
): Promise<(StoredEntry | null)[]> {
  const rows = inputs.map((input) => row(input, newId(), JSON.stringify(input.payload)))
  const out: (StoredEntry | null)[] = []
  for (const part of chunk(rows, 200)) {
    const res = await db.insertInto('raw_inbox').ignore().values(part).executeTakeFirst()
    if (Number(res.numInsertedOrUpdatedRows ?? 0n) === part.length) {
      for (const r of part) out.push({ id: r.id, payload: r.payload }) // every row went in: nothing to look up
      continue
    }
    const first = part[0]!
    const stored = await db
      .selectFrom('raw_inbox')
      .select(['id', 'external_id', 'content_hash', 'outcome', 'payload', 'received_at'])
      .where('merchant_id', '=', first.merchant_id)
      .where('shop_id', '=', first.shop_id)
      .where('kind', '=', first.kind)
      .where('external_id', 'in', [...new Set(part.map((r) => r.external_id))])
      .execute()
    const ids = new Set(stored.map((s) => s.id))
    const ours = new Set(part.map((r) => r.id))
    // Received a minute or more ago and still not normalized: whoever stored it is gone (younger ones
    // are in flight) — or the caller resumes its own dead run, which stored it.
    const abandoned = opts.resume ? Infinity : first.received_at.getTime() - ABANDONED_AFTER_MS
    const unfinished = new Map(
      stored
        .filter((s) => s.outcome === null && !ours.has(s.id) && s.received_at.getTime() <= abandoned)
        .map((s) => [`${s.external_id}|${s.content_hash}`, s]),
    )
    const seen = new Set<string>()
    for (const r of part) {
      const key = `${r.external_id}|${r.content_hash}`
      const old = unfinished.get(key)
      if (ids.has(r.id)) out.push({ id: r.id, payload: r.payload })
      else if (old && !seen.has(key)) out.push({ id: old.id, payload: old.payload, retry: true })
      else out.push(null)
      seen.add(key)
    }
  }
  return out
}
