/**
 * What the ledger posts for order events: the sale at the recognition point the shop chooses
 * (`settings.revenueRecognition`: "shipment", the default, or "payment"), COGS at shipment from the
 * shipment movements' moving-average cost, refunds once the sale is recognised, and a reversal of
 * the sale when a recognised order is cancelled. Every entry has a deterministic posting key.
 *
 * Every entry is dated by the business time of what caused it — the payment or ship time, the
 * refund's or the cancelling version's platform time (OrderEvent.at) — never by the worker's clock,
 * so a replay, a late worker and a reprocess book the same ledger; a refund or a reversal is never
 * dated before the sale it corrects. A date in a closed month is moved by the journal (journal.ts).
 * Sales and refunds carry their SKUs, a bundle's split over its components (attribution.ts).
 */
import { sql } from 'kysely'
import { poolSize, type Db, type Executor, type Tx } from '../db/connect.js'
import { withTx } from '../db/tx.js'
import { groupBy } from '../lib/collections.js'
import { faultPoint } from '../lib/fault.js'
import { money, sum, type Decimal } from '../money/index.js'
import type { OrderEvent } from '../orders/events.js'
import { refundBySku, lineBySku, saleBySku, type AttributionLine } from './attribution.js'
import { lockBookingRules, postEntries, postEntry, type EntryHead } from './journal.js'
import { accrueFees, refundFees, reverseFees } from './accruals.js'
import { postingsForCogs, postingsForRefund, postingsForSale, reverse, type Posting } from './postings.js'
import { hubSettings } from '../../connectors/settings.js'

/**
 * The events' orders (with their shop's settings), in one query. The merchant's zone and the shop's
 * settings come by key from each order row, so the orders are found by their ids whatever the
 * table statistics say (joined, a fresh table's statistics made the shop's orders the way in).
 * What else an event may need to read comes with it: whether the order has settled refund records
 * and COGS posted already (a split parcel's earlier shipment), so that a batch reads those only
 * for the orders that have them.
 */
async function loadOrders(db: Executor, merchantId: string, orderIds: readonly string[]) {
  const rows = await db
    .selectFrom('orders as o')
    .select([
      (eb) =>
        eb
          .selectFrom('merchants as m')
          .select('m.timezone')
          .whereRef('m.id', '=', 'o.merchant_id')
          .as('timezone'),
      'o.id',
      'o.shop_id',
      'o.channel',
      'o.currency',
      'o.status',
      'o.paid_at',
      'o.shipped_at',
      'o.platform_updated_at',
      'o.shipping_amount',
      'o.tax_amount',
      (eb) =>
        eb.selectFrom('shops as s').select('s.settings').whereRef('s.id', '=', 'o.shop_id').as('settings'),
      // Without a commission plan there is no fee to accrue or give back (accrueFees answers
      // no_plan, refundFees nothing): the events of such a shop skip both.
      (eb) =>
        eb
          .exists(
            eb
              .selectFrom('commission_plans as p')
              .select('p.shop_id')
              .whereRef('p.merchant_id', '=', 'o.merchant_id')
              .whereRef('p.shop_id', '=', 'o.shop_id'),
          )
          .as('has_plan'),
      // With the id list again, not only correlated: found by (merchant, order) whatever the
      // statistics say (correlated alone, fresh statistics sent it through all the merchant's lines).
      (eb) =>
        eb(
          'o.id',
          'in',
          eb
            .selectFrom('order_refunds as r')
            .select('r.order_id')
            .where('r.merchant_id', '=', merchantId)
            .where('r.order_id', 'in', orderIds)
            .where('r.status', '=', 'refunded'),
        ).as('has_refunds'),
      (eb) =>
        eb(
          'o.id',
          'in',
          eb
            .selectFrom('journal_lines as jl')
            .select('jl.order_id')
            .where('jl.merchant_id', '=', merchantId)
            .where('jl.order_id', 'in', orderIds)
            .where('jl.account', '=', 'cogs'),
        ).as('has_cogs'),
    ])
    .where('o.merchant_id', '=', merchantId)
    .where('o.id', 'in', orderIds)
    .execute()
  const orders = new Map<string, (typeof rows)[number] & { timezone: string; settings: unknown }>()
  for (const r of rows) {
    const { timezone, settings } = r
    // The row itself, its two columns narrowed (a spread copy of every row is V8's slow literal path).
    if (timezone !== null && settings !== null) orders.set(r.id, Object.assign(r, { timezone, settings }))
  }
  return orders
}

/** MySQL answers EXISTS and IN with 1 or 0 (a number or a string, by driver settings). */
const yes = (flag: unknown) => String(flag) === '1'

type Order = NonNullable<ReturnType<Awaited<ReturnType<typeof loadOrders>>['get']>>
const head = (o: Order, merchantId: string, kind: string, key: string, at: Date) => ({
  merchantId,
  postingKey: key,
  kind,
  orderId: o.id,
  shopId: o.shop_id,
  channel: o.channel,
  eventAt: at,
})

/**
 * When the event happened in the business: its own time (OrderEvent.at); for an event written
 * before events carried one, the order's time of that kind, else its platform modified time.
 */
function eventTime(e: OrderEvent, o: Order): Date {
  if (e.at) return new Date(e.at)
  if (e.kind === 'shipped') return o.shipped_at ?? o.platform_updated_at
  if (e.kind === 'paid') return o.paid_at ?? o.platform_updated_at
  return o.platform_updated_at
}

const notBefore = (at: Date, floor: Date): Date => (at.getTime() < floor.getTime() ? floor : at)

/** The business time of the order's sale while it stands (recognised and not reversed), else null. */
async function saleTime(db: Executor, merchantId: string, orderId: string): Promise<Date | null> {
  const rows = await db
    .selectFrom('journal_entries')
    .select(['posting_key', 'event_at', 'original_event_at'])
    .where('merchant_id', '=', merchantId)
    .where('posting_key', 'in', [`sale.${orderId}`, `reverse.sale.${orderId}`])
    .execute()
  const sale = rows.find((r) => r.posting_key === `sale.${orderId}`)
  if (!sale || rows.some((r) => r.posting_key === `reverse.sale.${orderId}`)) return null
  return sale.original_event_at ?? sale.event_at
}

type Line = AttributionLine & {
  id: string
  goods: Decimal
  merchantDiscount: Decimal
  platformDiscount: Decimal
  refunded: Decimal
}

/**
 * What a transaction read per order, to read it once for a batch of events: lines and refund
 * records (the ledger never changes them).
 */
const linesInTx = new WeakMap<Executor, Map<string, Line[]>>()
const refundsInTx = new WeakMap<Executor, Map<string, RefundRecord[]>>()

function remember<V>(cache: WeakMap<Executor, Map<string, V>>, db: Executor, values: Map<string, V>): void {
  if (!db.isTransaction) return
  const m = cache.get(db) ?? new Map<string, V>()
  for (const [k, v] of values) m.set(k, v)
  cache.set(db, m)
}

/** The orders' lines with the SKUs each consumes, in line order (one query). */
async function readLines(db: Executor, merchantId: string, orderIds: readonly string[]) {
  const rows = await db
    .selectFrom('order_lines as l')
    .leftJoin('order_line_skus as s', (j) =>
      j.onRef('s.merchant_id', '=', 'l.merchant_id').onRef('s.order_line_id', '=', 'l.id'),
    )
    .select([
      'l.id',
      'l.order_id',
      'l.external_line_id',
      'l.sku_id',
      'l.paid_amount',
      'l.goods_amount',
      'l.merchant_discount',
      'l.platform_discount',
      'l.refunded_amount',
      's.sku_id as part_sku_id',
      's.revenue_share',
    ])
    .where('l.merchant_id', '=', merchantId)
    .where('l.order_id', 'in', orderIds)
    .orderBy('l.order_id')
    .orderBy('l.line_no')
    .orderBy('s.id')
    .execute()
  const byOrder = new Map<string, Line[]>(orderIds.map((id) => [id, []]))
  const parts = new Map<string, { skuId: string; revenueShare: Decimal }[]>()
  for (const r of rows) {
    let skus = parts.get(r.id)
    if (!skus) {
      skus = []
      parts.set(r.id, skus)
      byOrder.get(r.order_id)!.push({
        id: r.id,
        externalLineId: r.external_line_id,
        skuId: r.sku_id,
        paid: money(r.paid_amount),
        goods: money(r.goods_amount),
        merchantDiscount: money(r.merchant_discount),
        platformDiscount: money(r.platform_discount),
        refunded: money(r.refunded_amount),
        skus,
      })
    }
    if (r.part_sku_id !== null && r.revenue_share !== null)
      skus.push({ skuId: r.part_sku_id, revenueShare: money(r.revenue_share) })
  }
  remember(linesInTx, db, byOrder)
  return byOrder
}

async function orderLines(db: Executor, merchantId: string, orderId: string): Promise<Line[]> {
  return linesInTx.get(db)?.get(orderId) ?? (await readLines(db, merchantId, [orderId])).get(orderId)!
}

type RefundRecord = { id: string; amount: string; platform_updated_at: Date; refund_lines: unknown }

/** The orders' settled refund records (one query). */
async function readRefunds(db: Executor, merchantId: string, orderIds: readonly string[]) {
  const rows = await db
    .selectFrom('order_refunds')
    .select(['id', 'order_id', 'amount', 'platform_updated_at', 'refund_lines'])
    .where('merchant_id', '=', merchantId)
    .where('order_id', 'in', orderIds)
    .where('status', '=', 'refunded')
    .orderBy('id')
    .execute()
  const byOrder = new Map<string, RefundRecord[]>(orderIds.map((id) => [id, []]))
  for (const r of rows) byOrder.get(r.order_id!)?.push(r)
  remember(refundsInTx, db, byOrder)
  return byOrder
}

async function saleInput(db: Executor, merchantId: string, o: Order) {
  const lines = await orderLines(db, merchantId, o.id)
  return {
    shopId: o.shop_id,
    currency: o.currency,
    shipping: money(o.shipping_amount),
    tax: money(o.tax_amount),
    lines: lines.flatMap(saleBySku),
  }
}

/**
 * Post the order's settled refunds not posted yet, each on the SKUs it covers: a refund record at
 * its platform time, a refund carried by the order payload at `at`; neither before `saleAt`.
 */
async function postRefunds(
  db: Executor,
  merchantId: string,
  o: Order,
  at: Date,
  saleAt: Date,
  /** The sale was posted for the first time in this transaction: no refund can have been posted before. */
  firstSale = false,
): Promise<void> {
  const refunds = refundsInTx.get(db)?.get(o.id) ?? (await readRefunds(db, merchantId, [o.id])).get(o.id)!
  const lines = await orderLines(db, merchantId, o.id)
  // A refund is posted once: one posted before it carried SKUs stands as it was (no conflict on replay).
  const done = new Set(
    refunds.length === 0
      ? []
      : (
          await db
            .selectFrom('journal_entries')
            .select('posting_key')
            .where('merchant_id', '=', merchantId)
            .where(
              'posting_key',
              'in',
              refunds.map((r) => `refund.${r.id}`),
            )
            .execute()
        ).map((r) => r.posting_key),
  )
  for (const r of refunds) {
    if (done.has(`refund.${r.id}`)) continue
    const amount = money(r.amount)
    const covered = (typeof r.refund_lines === 'string' ? JSON.parse(r.refund_lines) : r.refund_lines) as {
      externalLineId: string
      amount: string
    }[]
    await postEntry(
      db,
      head(o, merchantId, 'refund', `refund.${r.id}`, notBefore(r.platform_updated_at, saleAt)),
      postingsForRefund({
        shopId: o.shop_id,
        currency: o.currency,
        amount,
        bySku: refundBySku(
          amount,
          covered.map((c) => ({ externalLineId: c.externalLineId, amount: money(c.amount) })),
          lines,
        ),
      }),
    )
  }
  if (refunds.length > 0) return
  // Channels whose order payload carries the refund (no separate refund records): post the refunded
  // line amounts. The payload carries each line's cumulative refund: post only what is new since
  // the last posting (what the order's line refunds posted so far, per line, in one query).
  const postedRows =
    lines.length === 0 || (firstSale && lines.every((l) => l.refunded.isZero()))
      ? []
      : await db
          .selectFrom('journal_lines as jl')
          .innerJoin('journal_entries as je', 'je.id', 'jl.entry_id')
          .select(['je.posting_key', sql<string>`SUM(jl.debit) - SUM(jl.credit)`.as('net')])
          .where('je.merchant_id', '=', merchantId)
          .where('je.order_id', '=', o.id)
          .where('je.posting_key', 'like', 'refund.line.%')
          .where('jl.account', '=', 'refunds')
          .groupBy('je.posting_key')
          .execute()
  for (const l of lines) {
    const amount = l.refunded
    const posted = {
      net: sum(
        postedRows.filter((r) => r.posting_key.startsWith(`refund.line.${l.id}.`)).map((r) => money(r.net)),
      ).toFixed(),
    }
    const delta = amount.minus(money(posted.net))
    if (!delta.isZero())
      await postEntry(
        db,
        head(
          o,
          merchantId,
          'refund',
          `refund.line.${l.id}.${money(posted.net).toFixed(2)}>${amount.toFixed(2)}`,
          notBefore(at, saleAt),
        ),
        postingsForRefund({
          shopId: o.shop_id,
          currency: o.currency,
          amount: delta,
          bySku: lineBySku(l, delta),
        }),
      )
  }
}

/**
 * Post what an order event calls for. Events handled at the same time in this process (the ledger
 * worker runs several at once) share a transaction: up to MAX_BATCH events of one merchant post
 * together, in at most LANES transactions at a time, so their daily totals are added once and
 * their commits are one. Each event's entries and their posting keys are still in the same
 * transaction; a batch that fails is run again event by event, each in its own transaction, so
 * every event gets its own outcome or its own error.
 */
export function handleLedgerEvent(db: Db, e: OrderEvent): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let b = batches.get(db)
    if (!b) {
      b = { waiting: [], lanes: 0 }
      batches.set(db, b)
    }
    b.waiting.push({ e, resolve, reject })
    if (b.lanes < LANES) {
      b.lanes++
      void drain(db, b)
    }
  })
}

const LANES = 2
const MAX_BATCH = 32

interface Waiting {
  e: OrderEvent
  resolve: (outcome: string) => void
  reject: (err: unknown) => void
}
const batches = new WeakMap<Db, { waiting: Waiting[]; lanes: number }>()

async function drain(db: Db, b: { waiting: Waiting[]; lanes: number }): Promise<void> {
  try {
    for (;;) {
      // The workers whose events the last batch settled take their next ones in the same turn of the
      // event loop: let them, so that the next batch takes them all rather than one.
      await new Promise((resolve) => setImmediate(resolve))
      if (b.waiting.length === 0) break
      // One merchant, and one event per order: a later event of the order sees the earlier one's entries.
      const merchantId = b.waiting[0]!.e.merchantId
      const orders = new Set<string>()
      const take: Waiting[] = []
      const rest: Waiting[] = []
      for (const w of b.waiting) {
        const fits = take.length < MAX_BATCH && w.e.merchantId === merchantId && !orders.has(w.e.orderId)
        if (fits) orders.add(w.e.orderId)
        ;(fits ? take : rest).push(w)
      }
      b.waiting = rest
      await runBatch(db, take)
    }
  } finally {
    b.lanes-- // no await between the empty check and here: a waiter added meanwhile starts its own lane
  }
}

async function runBatch(db: Db, take: readonly Waiting[]): Promise<void> {
  if (take.length > 1) {
    let outcomes: string[] | null = null
    try {
      outcomes = await postBatch(
        db,
        take.map((w) => w.e),
      )
    } catch {
      // One of them failed: each on its own below, with its own outcome or error.
    }
    if (outcomes) {
      take.forEach((w, i) => w.resolve(outcomes[i]!))
      return
    }
  }
  await Promise.all(
    take.map(async (w) => {
      try {
        w.resolve((await postBatch(db, [w.e]))[0]!)
      } catch (err) {
        w.reject(err)
      }
    }),
  )
}

/**
 * The events of one merchant, one per order, in one transaction. Its first round trips overlap:
 * the transaction begins and takes the booking lock (the merchant's closed months, journal.ts)
 * while the batch's reads run on the pool's other connections.
 */
async function postBatch(db: Db, events: readonly OrderEvent[]): Promise<string[]> {
  // A transaction that waits for reads holds a connection they cannot use: fewer of them than the
  // pool has connections, so the reads always find one. Beyond that, read first.
  const waiting = readersWaiting.get(db) ?? 0
  if (waiting + 1 >= poolSize(db)) {
    const pre = await prefetch(db, events)
    return withTx(db, (tx) => postForEvents(tx, events, pre))
  }
  readersWaiting.set(db, waiting + 1)
  // The transaction asks for its connection first, so its BEGIN and lock go ahead of the reads
  // (its callback runs once BEGIN is answered, after `reads` below is set).
  const posted = withTx(db, async (tx) => {
    // The lock goes out first; the entries are worked out from the reads while it is answered.
    const locked = lockBookingRules(tx, events[0]!.merchantId)
    locked.catch(() => {}) // awaited below; until then a failure is not an unhandled rejection
    const outcomes = await postForEvents(tx, events, await reads)
    await locked
    return outcomes
  })
  const reads = prefetch(db, events).finally(() => readersWaiting.set(db, readersWaiting.get(db)! - 1))
  reads.catch(() => {}) // awaited in the transaction; until then a failure is not an unhandled rejection
  return posted
}

/** Per database, the transactions of postBatch holding a connection while their reads run. */
const readersWaiting = new WeakMap<Db, number>()

/**
 * What a batch of events reads, read before its transaction, side by side on the pool's
 * connections: none of it is a locking read, and none of it is written by the ledger (posted COGS
 * aside: an event reads it as a plain read inside its transaction would, no earlier than its batch).
 */
async function prefetch(db: Executor, events: readonly OrderEvent[]) {
  const merchantId = events[0]!.merchantId
  const sellable = events.filter((e) => e.kind === 'paid' || e.kind === 'shipped').map((e) => e.orderId)
  const shipped = events.filter((e) => e.kind === 'shipped' && e.shipmentId).map((e) => e.orderId)
  const [orders, lines, moves] = await Promise.all([
    loadOrders(
      db,
      merchantId,
      events.map((e) => e.orderId),
    ),
    sellable.length > 0 ? readLines(db, merchantId, sellable) : new Map<string, Line[]>(),
    shipped.length === 0
      ? []
      : db
          .selectFrom('stock_movements')
          .select(['ref_id', 'sku_id', 'quantity', 'unit_cost', 'currency'])
          .where('merchant_id', '=', merchantId)
          .where('ref_type', '=', 'order')
          .where('ref_id', 'in', shipped)
          .where('kind', '=', 'shipment')
          .execute(),
  ])
  // Settled refund records and COGS posted by earlier shipments of the same orders (split parcels):
  // read only for the orders the first read says have them; for the others there are none.
  const refunded = sellable.filter((id) => yes(orders.get(id)?.has_refunds))
  const costed = shipped.filter((id) => yes(orders.get(id)?.has_cogs))
  const [refunds, cogsPosted] = await Promise.all([
    refunded.length > 0 ? readRefunds(db, merchantId, refunded) : new Map<string, RefundRecord[]>(),
    costed.length === 0
      ? []
      : db
          .selectFrom('journal_lines')
          .select(['order_id', 'sku_id', 'currency', sql<string>`SUM(debit) - SUM(credit)`.as('net')])
          .where('merchant_id', '=', merchantId)
          .where('order_id', 'in', costed)
          .where('account', '=', 'cogs')
          .groupBy(['order_id', 'sku_id', 'currency'])
          .execute(),
  ])
  for (const id of sellable) if (!refunds.has(id)) refunds.set(id, [])
  return { orders, lines, refunds, moves, cogsPosted }
}

/**
 * The events of one merchant, one per order, in the caller's transaction: what they read is read
 * for all of them at once, the sales and shipments' COGS they call for are posted in one go, then
 * each does the rest (refunds, reversals) on its own. Returns each event's outcome.
 */
async function postForEvents(
  tx: Tx,
  events: readonly OrderEvent[],
  pre: Awaited<ReturnType<typeof prefetch>>,
): Promise<string[]> {
  const merchantId = events[0]!.merchantId
  const { orders, moves, cogsPosted } = pre
  remember(linesInTx, tx, pre.lines)
  remember(refundsInTx, tx, pre.refunds)
  const plans = events.map((e) => {
    const o = orders.get(e.orderId)
    if (!o) return null
    const recognition = hubSettings(o.settings).revenueRecognition === 'payment' ? 'paid' : 'shipped'
    const at = (e.kind === 'shipped' ? o.shipped_at : o.paid_at) ?? eventTime(e, o)
    return {
      e,
      o,
      recognised: e.kind === recognition,
      shipment: e.kind === 'shipped' && e.shipmentId ? e.shipmentId : null,
      at,
      // A prepaid order's revenue takes the rate of its payment date (IFRIC 22), whenever it is recognised.
      rateAt: o.paid_at && o.paid_at.getTime() < at.getTime() ? o.paid_at : null,
    }
  })
  const movesOf = groupBy(moves, (m) => m.ref_id ?? '')
  const postedOf = groupBy(cogsPosted, (p) => p.order_id ?? '')
  const entries: { head: EntryHead; postings: Posting[] }[] = []
  const slots = []
  for (const p of plans) {
    if (!p) {
      slots.push(null)
      continue
    }
    const { e, o, at } = p
    const sale = p.recognised ? entries.length : null
    if (p.recognised)
      entries.push({
        head: Object.assign(head(o, merchantId, 'sale', `sale.${o.id}`, at), { rateAt: p.rateAt }),
        postings: postingsForSale(await saleInput(tx, merchantId, o)),
      })
    const cogs = p.shipment ? entries.length : null
    if (p.shipment) {
      // COGS is what the order's shipment movements cost, less what earlier shipments of the same
      // order (split parcels) already posted: a shipment never counts another's goods twice.
      const already = new Map(
        (postedOf.get(o.id) ?? []).map((x) => [`${x.sku_id}|${x.currency}`, money(x.net)]),
      )
      const lines = (movesOf.get(o.id) ?? [])
        .filter((m) => m.unit_cost !== null)
        .map((m) => ({
          skuId: m.sku_id,
          quantity: -m.quantity,
          unitCost: money(m.unit_cost!),
          currency: m.currency ?? o.currency,
        }))
      const due = [...groupBy(lines, (l) => `${l.skuId}|${l.currency}`)].map(([k, ls]) => ({
        skuId: ls[0]!.skuId,
        currency: ls[0]!.currency,
        quantity: 1,
        unitCost: sum(ls.map((l) => l.unitCost.mul(l.quantity))).minus(already.get(k) ?? money(0)),
      }))
      entries.push({
        head: head(o, e.merchantId, 'cogs', `cogs.${p.shipment}`, at),
        postings: postingsForCogs(due.filter((d) => !d.unitCost.isZero())),
      })
    }
    slots.push(Object.assign(p, { sale, cogs }))
  }
  // Every sale and shipment COGS of the batch in one go (entries, lines: a statement each).
  const posted = entries.length > 0 ? await postEntries(tx, entries) : []
  const outcomes: string[] = []
  for (const p of slots) {
    if (!p) {
      outcomes.push('unknown_order')
      continue
    }
    const { e, o, at } = p
    const out: string[] = []
    if (p.sale !== null) {
      out.push(posted[p.sale]!)
      faultPoint('ledger.sale.posted')
      // A sale posted just now stands at `at` (its original time, wherever a closed month booked it).
      const first = posted[p.sale] === 'posted'
      const recorded = first ? at : await saleTime(tx, merchantId, o.id)
      const fees = yes(o.has_plan)
      // The fees the shop's plan expects, owed to the platform until its bill trues them up.
      if (recorded !== null && fees) await accrueFees(tx, merchantId, o.id, at, o.timezone, p.rateAt)
      const saleAt = first ? at : (recorded ?? at)
      await postRefunds(tx, merchantId, o, at, saleAt, first)
      if (fees) await refundFees(tx, merchantId, o.id, o.timezone)
    }
    if (p.cogs !== null) {
      out.push(posted[p.cogs]!)
      faultPoint('ledger.cogs.posted')
    }
    const saleAt =
      e.kind === 'refunded' || e.kind === 'changed' || e.kind === 'cancelled'
        ? await saleTime(tx, merchantId, o.id)
        : null
    if ((e.kind === 'refunded' || e.kind === 'changed') && saleAt) {
      await postRefunds(tx, merchantId, o, eventTime(e, o), saleAt)
      await refundFees(tx, merchantId, o.id, o.timezone)
    }
    if (e.kind === 'cancelled' && saleAt) {
      out.push(
        await postEntry(
          tx,
          head(o, merchantId, 'reversal', `reverse.sale.${o.id}`, notBefore(eventTime(e, o), saleAt)),
          reverse(postingsForSale(await saleInput(tx, merchantId, o))),
        ),
      )
      await reverseFees(tx, merchantId, o.id, notBefore(eventTime(e, o), saleAt))
    }
    outcomes.push(out.join(',') || 'nothing')
  }
  return outcomes
}

/**
 * Entries of orders held for a rate and posted now (held.ts): what their events would have posted
 * with them follows, at their business time and rate — a sale's fee accruals, the refunds that came
 * while it waited and the commission they give back, its reversal if the order was cancelled
 * meanwhile; a refund's commission given back. Each step is keyed, so a replay posts nothing twice.
 */
export async function followReleased(
  tx: Executor,
  merchantId: string,
  released: readonly { kind: string; orderId: string; at: Date; rateAt: Date | null }[],
): Promise<void> {
  const follow = released.filter((r) => r.kind === 'sale' || r.kind === 'refund')
  if (follow.length === 0) return
  const orders = await loadOrders(
    tx,
    merchantId,
    follow.map((r) => r.orderId),
  )
  for (const r of follow) {
    const o = orders.get(r.orderId)
    if (!o) continue
    if (r.kind === 'sale') {
      await accrueFees(tx, merchantId, o.id, r.at, o.timezone, r.rateAt)
      await postRefunds(tx, merchantId, o, r.at, r.at, true)
    }
    await refundFees(tx, merchantId, o.id, o.timezone)
    if (r.kind === 'sale' && o.status === 'cancelled') {
      const at = notBefore(o.platform_updated_at, r.at)
      await postEntry(
        tx,
        head(o, merchantId, 'reversal', `reverse.sale.${o.id}`, at),
        reverse(postingsForSale(await saleInput(tx, merchantId, o))),
      )
      await reverseFees(tx, merchantId, o.id, at)
    }
  }
}
