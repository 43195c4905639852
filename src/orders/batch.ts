/**
 * The hot path of ingest: orders the pool has never seen, one version each in the page, written
 * together with multi-row INSERTs in one transaction per chunk. Every order is still all-or-nothing
 * (a chunk commits or rolls back whole), and the rows are the ones the per-order path writes
 * (rows.ts). Anything unusual goes back to the per-order path: an order already stored, several
 * versions in one page, a payload the mapper refuses, refunds waiting for the order, or a chunk that
 * fails (e.g. a webhook created the same order a moment earlier).
 */
import { parseJsonExact } from '../../connectors/json.js'
import type { Db, Tx } from '../db/connect.js'
import { isDuplicateKey } from '../db/errors.js'
import { withEvents } from './outbox.js'
import { groupBy } from '../lib/collections.js'
import { newId } from '../lib/ids.js'
import { loadCatalogue } from './catalogue.js'
import type { OrderEvent } from './events.js'
import { normalize } from './normalize.js'
import { eventsFor, safeMap, type InboxEntry, type PipelineShop } from './pipeline.js'
import { lineSkuValues, lineValues, orderValues, poolHash } from './rows.js'
import type { UnifiedOrderDraft } from './types.js'

interface Candidate {
  entry: InboxEntry
  draft: UnifiedOrderDraft
}

/**
 * Writes what it can of one chunk (at most a few hundred entries) in one transaction; returns the
 * ids of the entries it handled and the events to emit once it has committed.
 */
export async function ingestNewOrders(
  db: Db,
  shop: PipelineShop,
  entries: readonly InboxEntry[],
): Promise<{ handled: Set<string>; events: OrderEvent[] }> {
  const mapped: Candidate[] = []
  for (const entry of entries) {
    let payload: unknown
    try {
      payload = parseJsonExact(entry.payload) // 19-digit ids stay exact, as on the per-order path
    } catch {
      continue
    }
    const r = safeMap(shop.channel, payload)
    if (r.ok) mapped.push({ entry, draft: r.value })
  }
  const single = [...groupBy(mapped, (c) => c.draft.externalId).values()]
    .filter((g) => g.length === 1)
    .map((g) => g[0]!)
  if (single.length === 0) return { handled: new Set(), events: [] }
  // A duplicate key means another writer created one of these orders a moment ago: the next try skips it.
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      const out = await withEvents(db, (tx) => writeChunk(tx, shop, single), { isolation: 'read committed' })
      return { handled: new Set(out.handled), events: out.events }
    } catch (err) {
      if (!isDuplicateKey(err)) break
    }
  }
  return { handled: new Set(), events: [] } // left to the per-order path, which records failures one by one
}

async function writeChunk(tx: Tx, shop: PipelineShop, part: readonly Candidate[]) {
  const { merchantId } = shop
  const ids = part.map((c) => c.draft.externalId)
  const [existing, waiting] = await Promise.all([
    tx
      .selectFrom('orders')
      .select('external_id')
      .where('merchant_id', '=', merchantId)
      .where('channel', '=', shop.channel)
      .where('shop_id', '=', shop.id)
      .where('external_id', 'in', ids)
      .execute(),
    tx
      .selectFrom('order_refunds')
      .select('order_external_id')
      .where('merchant_id', '=', merchantId)
      .where('shop_id', '=', shop.id)
      .where('order_external_id', 'in', ids)
      .where('order_id', 'is', null)
      .execute(),
  ])
  const skip = new Set([...existing.map((r) => r.external_id), ...waiting.map((r) => r.order_external_id)])
  const todo = part.filter((c) => !skip.has(c.draft.externalId))
  if (todo.length === 0) return { handled: [] as string[], events: [] as OrderEvent[] }
  const catalogue = await loadCatalogue(
    tx,
    merchantId,
    shop.id,
    todo.flatMap((c) => c.draft.lines),
  )
  const orders = [],
    lines = [],
    lineSkus = [],
    history = [],
    states = [],
    exceptions = []
  const events: OrderEvent[] = []
  for (const { entry, draft } of todo) {
    const id = newId()
    const n = normalize(draft, catalogue, { reviewBuyerNotes: shop.settings.reviewBuyerNotes === true })
    const values = orderValues(draft, n, draft.status, entry.id)
    const reasons = [...new Set(n.exceptions.map((e) => e.reason))]
    orders.push({
      id,
      merchant_id: merchantId,
      shop_id: shop.id,
      channel: shop.channel,
      external_id: draft.externalId,
      open_exceptions: reasons.length,
      ...values,
    })
    for (const line of n.lines) {
      const lineId = newId()
      lines.push({
        id: lineId,
        merchant_id: merchantId,
        order_id: id,
        external_line_id: line.externalLineId,
        ...lineValues(line),
      })
      for (const s of lineSkuValues(line))
        lineSkus.push({ id: newId(), merchant_id: merchantId, order_id: id, order_line_id: lineId, ...s })
    }
    history.push({
      id: newId(),
      merchant_id: merchantId,
      order_id: id,
      from_status: null,
      to_status: draft.status,
      source: 'platform',
      note: draft.platformStatus,
    })
    states.push({ merchant_id: merchantId, order_id: id, pool_hash: poolHash(values, n) })
    const first = new Map(n.exceptions.map((e) => [e.reason, e] as const))
    for (const e of first.values()) {
      exceptions.push({
        id: newId(),
        merchant_id: merchantId,
        shop_id: shop.id,
        order_id: id,
        raw_inbox_id: entry.id,
        subject: id,
        reason: e.reason,
        detail: JSON.stringify(e.detail),
        status: 'open' as const,
        open_marker: 1,
      })
    }
    events.push(...eventsFor(merchantId, id, undefined, draft.status, draft, reasons))
  }
  await tx.insertInto('orders').values(orders).execute()
  if (lines.length > 0) await tx.insertInto('order_lines').values(lines).execute()
  if (lineSkus.length > 0) await tx.insertInto('order_line_skus').values(lineSkus).execute()
  await tx.insertInto('order_status_history').values(history).execute()
  await tx.insertInto('order_pool_state').values(states).execute()
  if (exceptions.length > 0) await tx.insertInto('order_exceptions').values(exceptions).execute()
  const handled = todo.map((c) => c.entry.id)
  await tx
    .updateTable('raw_inbox')
    .set({ outcome: 'applied', error: null })
    .where('merchant_id', '=', merchantId)
    .where('id', 'in', handled)
    .execute()
  return { handled, events }
}
