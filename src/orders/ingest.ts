/**
 * The order pool's front door: raw orders and refunds from pulls and webhooks are stored verbatim
 * (the same payload twice is stored once), then normalized; events go out after each commit.
 * New orders of a page are written in batches (batch.ts); everything else (updates, several
 * versions of one order, failures) goes one order per transaction. A pull and a webhook racing on
 * one order end as one order.
 */
import type { RawOrder, RawRefund } from '../../connectors/types.js'
import type { AppContext } from '../context.js'
import type { Channel } from '../db/schema.js'
import { isDuplicateKey, isRetryableTxError } from '../db/errors.js'
import { withTx } from '../db/tx.js'
import pLimit from 'p-limit'
import { chunk, groupBy } from '../lib/collections.js'
import { faultPoint } from '../lib/fault.js'
import { getShop } from '../shops/repo.js'
import { ingestNewOrders } from './batch.js'
import { emitOrderEvents, type OrderEvent } from './events.js'
import { raiseException } from './exceptions.js'
import { storeRawBatch, type InboxInput, type IngestOptions, type StoredEntry } from './inbox.js'
import { autoMerge } from './merge.js'
import { normalizeInboxOrder, type PipelineShop } from './pipeline.js'
import { attachWaitingRefunds, normalizeInboxRefund } from './refunds.js'

export interface ShopIdentity {
  id: string
  merchantId: string
  channel: Channel
}

type Ctx = Pick<AppContext, 'db' | 'queues' | 'clock'>

/** A shop the caller has just loaded, with its parsed hub settings: not read again. */
export interface LoadedShop extends ShopIdentity {
  hubSettings: PipelineShop['settings']
}

/** The shop with its hub settings: as given when the caller loaded it already, else read. */
async function pipelineShop(ctx: Ctx, shop: ShopIdentity | LoadedShop): Promise<PipelineShop> {
  if ('hubSettings' in shop)
    return { id: shop.id, merchantId: shop.merchantId, channel: shop.channel, settings: shop.hubSettings }
  const row = await getShop(ctx.db, shop.merchantId, shop.id)
  if (!row) throw new Error(`shop ${shop.id} not found`)
  return { id: row.id, merchantId: row.merchantId, channel: row.channel, settings: row.parsed.hub }
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

/** Chunks of a page in flight at once: while one chunk's rows are in the database, the next is mapped. */
const LANES = 3
/** Orders of one call on the per-order path at once (across lanes); the pool keeps connections for the rest. */
const PER_ORDER = 4
/** A page is cut into up to LANES chunks of 25–200 payloads. */
const chunkSize = (n: number) => Math.min(200, Math.max(25, Math.ceil(n / LANES)))

async function store(
  ctx: Ctx,
  shop: ShopIdentity,
  kind: 'order' | 'refund',
  items: readonly { externalId: string; platformUpdatedAt: Date; payload: unknown }[],
  source: 'pull' | 'webhook',
  opts: IngestOptions,
): Promise<(StoredEntry | null)[]> {
  const receivedAt = ctx.clock.now()
  const inputs: InboxInput[] = items.map((i) => ({
    merchantId: shop.merchantId,
    shopId: shop.id,
    channel: shop.channel,
    kind,
    externalId: i.externalId,
    platformUpdatedAt: i.platformUpdatedAt,
    payload: i.payload,
    source,
    receivedAt,
  }))
  // Concurrent INSERT IGNOREs on one unique index can deadlock in InnoDB: withTx retries them.
  return items.length === 0 ? [] : withTx(ctx.db, (tx) => storeRawBatch(tx, inputs, opts))
}

/**
 * Each chunk: store verbatim, write its new orders in one batch, then the rest one order per
 * transaction, in arrival order. Versions of one order in different chunks may be applied in any
 * order: the pipeline converges to the newest whatever the order (see pipeline.ts). An order that
 * fails on its own is kept in the inbox and raised as an exception (see `isolate`); the others go on.
 * Every lane runs to its end before the first unexpected error is rethrown.
 */
export async function ingestRawOrders(
  ctx: Ctx,
  shop: ShopIdentity | LoadedShop,
  orders: readonly RawOrder[],
  source: 'pull' | 'webhook',
  opts: IngestOptions = {},
): Promise<{ stored: number; duplicates: number }> {
  const s = await pipelineShop(ctx, shop)
  const parts = chunk(orders, chunkSize(orders.length))
  const perOrder = pLimit(PER_ORDER)
  let stored = 0
  let next = 0
  // A chunk's events go out while the next chunk is written; all are awaited before returning.
  const emitting: Promise<void>[] = []
  const failures: unknown[] = []
  const lane = async () => {
    for (let i = next++; i < parts.length; i = next++) {
      const part = parts[i]!
      const got = await store(ctx, shop, 'order', part, source, opts)
      faultPoint('ingest.inbox.stored')
      const entries = part.flatMap((raw, j) => (got[j] ? [{ raw, entry: got[j] }] : []))
      stored += entries.filter((e) => !e.entry.retry).length
      const batch = await ingestNewOrders(
        ctx.db,
        s,
        entries.map((e) => e.entry),
      )
      faultPoint('ingest.orders.written')
      emitting.push(after(ctx, s, batch.events).catch((err: unknown) => void failures.push(err)))
      // The rest one order per transaction: distinct orders side by side, versions of one order in arrival order.
      const rest = groupBy(
        entries.filter((e) => !batch.handled.has(e.entry.id)),
        (e) => e.raw.externalId,
      )
      const done = await Promise.allSettled(
        [...rest.values()].map((versions) =>
          perOrder(async () => {
            for (const { entry } of versions) {
              const events = await isolate(ctx, s, entry, () =>
                raceSafe(() => normalizeInboxOrder(ctx, s, entry)),
              )
              await after(ctx, s, events)
            }
          }),
        ),
      )
      for (const d of done) if (d.status === 'rejected') failures.push(d.reason)
      await after(
        ctx,
        s,
        await attachWaitingRefunds(
          ctx,
          s,
          entries.map((e) => e.raw.externalId),
        ),
      )
    }
  }
  const lanes = await Promise.allSettled(Array.from({ length: Math.min(LANES, parts.length) }, lane))
  for (const l of lanes) if (l.status === 'rejected') failures.push(l.reason)
  await Promise.all(emitting)
  if (failures.length > 0) throw failures[0]
  return { stored, duplicates: orders.length - stored }
}

/**
 * One version that the pipeline cannot write (a value the database refuses, a bug in a pure step)
 * must not take the rest of its page down nor vanish: its raw payload stays in the inbox, marked
 * failed, with a mapping_failed exception that lists the error (resolving it re-runs the entry).
 * Lock waits, deadlocks past their retries and lost connections are not the order's fault: they
 * propagate, the job retries, and the entry (still un-normalized) is picked up again.
 */
async function isolate(
  ctx: Ctx,
  shop: PipelineShop,
  entry: StoredEntry,
  run: () => Promise<{ events: OrderEvent[] }>,
): Promise<OrderEvent[]> {
  try {
    return (await run()).events
  } catch (err) {
    if (!isOrderFault(err)) throw err
    const error = (err instanceof Error ? err.message : String(err)).slice(0, 2000)
    await withTx(ctx.db, async (tx) => {
      await raiseException(tx, shop.merchantId, {
        shopId: shop.id,
        rawInboxId: entry.id,
        reason: 'mapping_failed',
        detail: { stage: 'write', error },
      })
      await tx
        .updateTable('raw_inbox')
        .set({ outcome: 'failed', error })
        .where('merchant_id', '=', shop.merchantId)
        .where('id', '=', entry.id)
        .execute()
    })
    return []
  }
}

function isOrderFault(err: unknown): boolean {
  if (isRetryableTxError(err)) return false
  if (typeof err === 'object' && err !== null && 'fatal' in err && err.fatal === true) return false // connection lost
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : ''
  return !/^(ECONN|ETIMEDOUT|EPIPE|PROTOCOL_|POOL_)/.test(code)
}

export async function ingestRawRefunds(
  ctx: Ctx,
  shop: ShopIdentity | LoadedShop,
  refunds: readonly RawRefund[],
  source: 'pull' | 'webhook',
  opts: IngestOptions = {},
): Promise<{ stored: number; duplicates: number }> {
  if (refunds.length === 0) return { stored: 0, duplicates: 0 } // most webhooks carry none
  const s = await pipelineShop(ctx, shop)
  const entries = await store(
    ctx,
    shop,
    'refund',
    refunds.map((r) => ({ ...r, externalId: r.externalRefundId })),
    source,
    opts,
  )
  let stored = 0
  for (const entry of entries) {
    if (!entry) continue
    if (!entry.retry) stored++
    await after(
      ctx,
      s,
      await isolate(ctx, s, entry, () => raceSafe(() => normalizeInboxRefund(ctx.db, s, entry))),
    )
  }
  await after(
    ctx,
    s,
    await attachWaitingRefunds(
      ctx,
      s,
      refunds.map((r) => r.orderExternalId),
    ),
  )
  return { stored, duplicates: refunds.length - stored }
}

/** After commit: automatic merge (合单) of newly paid orders when the shop asks for it, then the events. */
async function after(ctx: Ctx, shop: PipelineShop, events: readonly OrderEvent[]): Promise<void> {
  if (events.length === 0) return
  if (shop.settings.autoMerge === true)
    for (const e of events) if (e.kind === 'paid') await autoMerge(ctx.db, e.merchantId, e.orderId)
  await emitOrderEvents(ctx, events)
}
