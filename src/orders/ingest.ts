/**
 * The order pool's front door: raw orders and refunds from pulls and webhooks are stored verbatim
 * (the same payload twice is stored once), then normalized one order per transaction; events go
 * out after each commit. A pull and a webhook racing on one order end as one order.
 */
import type { RawOrder, RawRefund } from '../../connectors/types.js'
import type { AppContext } from '../context.js'
import type { Channel } from '../db/schema.js'
import { isDuplicateKey } from '../db/errors.js'
import { withTx } from '../db/tx.js'
import { getShop } from '../shops/repo.js'
import { emitOrderEvents, type OrderEvent } from './events.js'
import { storeRaw } from './inbox.js'
import { autoMerge } from './merge.js'
import { groupBy } from '../lib/collections.js'
import { normalizeInboxOrder, type PipelineShop } from './pipeline.js'
import { normalizeInboxRefund } from './refunds.js'

export interface ShopIdentity {
  id: string
  merchantId: string
  channel: Channel
}

type Ctx = Pick<AppContext, 'db' | 'queues' | 'clock'>

async function pipelineShop(ctx: Ctx, shop: ShopIdentity): Promise<PipelineShop> {
  const row = await getShop(ctx.db, shop.merchantId, shop.id)
  if (!row) throw new Error(`shop ${shop.id} not found`)
  return { id: row.id, merchantId: row.merchantId, channel: row.channel, settings: row.settings }
}

/** Retry once when two writers race to insert the same new order (unique key). */
async function raceSafe<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    if (!isDuplicateKey(err)) throw err
    return fn()
  }
}

/** Orders of a page in flight at once: distinct orders are independent; versions of one order stay in sequence. */
const INGEST_CONCURRENCY = 6

export async function ingestRawOrders(ctx: Ctx, shop: ShopIdentity, orders: readonly RawOrder[], source: 'pull' | 'webhook'): Promise<{ stored: number; duplicates: number }> {
  const s = await pipelineShop(ctx, shop)
  let stored = 0
  let duplicates = 0
  const byOrder = [...groupBy(orders, (o) => o.externalId).values()]
  let next = 0
  const lane = async () => {
    for (let i = next++; i < byOrder.length; i = next++) {
      for (const raw of byOrder[i]!) {
        const r = await ingestOne(raw)
        if (r) stored++
        else duplicates++
      }
    }
  }
  const ingestOne = async (raw: RawOrder): Promise<boolean> => {
    // Concurrent INSERT IGNOREs on one unique index can deadlock in InnoDB: withTx retries them.
    const entry = await withTx(ctx.db, (tx) => storeRaw(tx, {
      merchantId: shop.merchantId,
      shopId: shop.id,
      channel: shop.channel,
      kind: 'order',
      externalId: raw.externalId,
      platformUpdatedAt: raw.platformUpdatedAt,
      payload: raw.payload,
      source,
      receivedAt: ctx.clock.now(),
    }))
    if (!entry) return false
    const { events } = await raceSafe(() => normalizeInboxOrder(ctx.db, s, entry))
    if (s.settings.autoMerge === true) for (const e of events) if (e.kind === 'paid') await autoMerge(ctx.db, e.merchantId, e.orderId)
    await emit(ctx, events)
    return true
  }
  await Promise.all(Array.from({ length: Math.min(INGEST_CONCURRENCY, byOrder.length) }, lane))
  return { stored, duplicates }
}

export async function ingestRawRefunds(ctx: Ctx, shop: ShopIdentity, refunds: readonly RawRefund[], source: 'pull' | 'webhook'): Promise<{ stored: number; duplicates: number }> {
  const s = await pipelineShop(ctx, shop)
  let stored = 0
  let duplicates = 0
  for (const raw of refunds) {
    // Concurrent INSERT IGNOREs on one unique index can deadlock in InnoDB: withTx retries them.
    const entry = await withTx(ctx.db, (tx) => storeRaw(tx, {
      merchantId: shop.merchantId,
      shopId: shop.id,
      channel: shop.channel,
      kind: 'refund',
      externalId: raw.externalRefundId,
      platformUpdatedAt: raw.platformUpdatedAt,
      payload: raw.payload,
      source,
      receivedAt: ctx.clock.now(),
    }))
    if (!entry) {
      duplicates++
      continue
    }
    stored++
    const { events } = await raceSafe(() => normalizeInboxRefund(ctx.db, s, entry))
    await emit(ctx, events)
  }
  return { stored, duplicates }
}

async function emit(ctx: Ctx, events: readonly OrderEvent[]): Promise<void> {
  if (events.length > 0) await emitOrderEvents(ctx, events)
}
