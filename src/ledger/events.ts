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
import type { Db, Executor } from '../db/connect.js'
import { withTx } from '../db/tx.js'
import { groupBy } from '../lib/collections.js'
import { faultPoint } from '../lib/fault.js'
import { money, sum, type Decimal } from '../money/index.js'
import type { OrderEvent } from '../orders/events.js'
import { refundBySku, lineBySku, saleBySku, type AttributionLine } from './attribution.js'
import { postEntry } from './journal.js'
import { accrueFees, refundFees, reverseFees } from './accruals.js'
import { postingsForCogs, postingsForRefund, postingsForSale, reverse } from './postings.js'
import { hubSettings } from '../../connectors/settings.js'

async function loadOrder(db: Executor, merchantId: string, orderId: string) {
  return db
    .selectFrom('orders as o')
    .innerJoin('shops as s', 's.id', 'o.shop_id')
    .innerJoin('merchants as m', 'm.id', 'o.merchant_id')
    .select([
      'm.timezone',
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
      's.settings',
    ])
    .where('o.merchant_id', '=', merchantId)
    .where('o.id', '=', orderId)
    .executeTakeFirst()
}

type Order = NonNullable<Awaited<ReturnType<typeof loadOrder>>>
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

/** The order's lines with the SKUs each consumes, in line order. */
async function orderLines(db: Executor, merchantId: string, orderId: string): Promise<Line[]> {
  const [lines, skus] = await Promise.all([
    db
      .selectFrom('order_lines')
      .select([
        'id',
        'external_line_id',
        'sku_id',
        'paid_amount',
        'goods_amount',
        'merchant_discount',
        'platform_discount',
        'refunded_amount',
      ])
      .where('merchant_id', '=', merchantId)
      .where('order_id', '=', orderId)
      .orderBy('line_no')
      .execute(),
    db
      .selectFrom('order_line_skus')
      .select(['order_line_id', 'sku_id', 'revenue_share'])
      .where('merchant_id', '=', merchantId)
      .where('order_id', '=', orderId)
      .execute(),
  ])
  return lines.map((l) => ({
    id: l.id,
    externalLineId: l.external_line_id,
    skuId: l.sku_id,
    paid: money(l.paid_amount),
    goods: money(l.goods_amount),
    merchantDiscount: money(l.merchant_discount),
    platformDiscount: money(l.platform_discount),
    refunded: money(l.refunded_amount),
    skus: skus
      .filter((s) => s.order_line_id === l.id)
      .map((s) => ({ skuId: s.sku_id, revenueShare: money(s.revenue_share) })),
  }))
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
): Promise<void> {
  const refunds = await db
    .selectFrom('order_refunds')
    .select(['id', 'amount', 'platform_updated_at', 'refund_lines'])
    .where('merchant_id', '=', merchantId)
    .where('order_id', '=', o.id)
    .where('status', '=', 'refunded')
    .orderBy('id')
    .execute()
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
  // Channels whose order payload carries the refund (no separate refund records): post the refunded line amounts.
  for (const l of lines) {
    // The payload carries the line's cumulative refund: post only what is new since the last posting.
    const amount = l.refunded
    const posted = await db
      .selectFrom('journal_lines as jl')
      .innerJoin('journal_entries as je', 'je.id', 'jl.entry_id')
      .select(sql<string>`COALESCE(SUM(jl.debit) - SUM(jl.credit), 0)`.as('net'))
      .where('je.merchant_id', '=', merchantId)
      .where('je.posting_key', 'like', `refund.line.${l.id}.%`)
      .where('jl.account', '=', 'refunds')
      .executeTakeFirstOrThrow()
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

export async function handleLedgerEvent(db: Db, e: OrderEvent): Promise<string> {
  return withTx(db, async (tx) => {
    const o = await loadOrder(tx, e.merchantId, e.orderId)
    if (!o) return 'unknown_order'
    const recognition = hubSettings(o.settings).revenueRecognition === 'payment' ? 'paid' : 'shipped'
    const at = (e.kind === 'shipped' ? o.shipped_at : o.paid_at) ?? eventTime(e, o)
    const out: string[] = []
    if (e.kind === recognition) {
      // A prepaid order's revenue takes the rate of its payment date (IFRIC 22), whenever it is recognised.
      const rateAt = o.paid_at && o.paid_at.getTime() < at.getTime() ? o.paid_at : null
      out.push(
        await postEntry(
          tx,
          { ...head(o, e.merchantId, 'sale', `sale.${o.id}`, at), rateAt },
          postingsForSale(await saleInput(tx, e.merchantId, o)),
        ),
      )
      faultPoint('ledger.sale.posted')
      // The fees the shop's plan expects, owed to the platform until its bill trues them up.
      if ((await saleTime(tx, e.merchantId, o.id)) !== null)
        await accrueFees(tx, e.merchantId, o.id, at, o.timezone, rateAt)
      await postRefunds(tx, e.merchantId, o, at, (await saleTime(tx, e.merchantId, o.id)) ?? at)
      await refundFees(tx, e.merchantId, o.id, o.timezone)
    }
    if (e.kind === 'shipped' && e.shipmentId) {
      const moves = await tx
        .selectFrom('stock_movements')
        .select(['sku_id', 'quantity', 'unit_cost', 'currency'])
        .where('merchant_id', '=', e.merchantId)
        .where('ref_type', '=', 'order')
        .where('ref_id', '=', o.id)
        .where('kind', '=', 'shipment')
        .execute()
      // COGS is what the order's shipment movements cost, less what earlier shipments of the same
      // order (split parcels) already posted: a shipment never counts another's goods twice.
      const posted = await tx
        .selectFrom('journal_lines')
        .select(['sku_id', 'currency', sql<string>`SUM(debit) - SUM(credit)`.as('net')])
        .where('merchant_id', '=', e.merchantId)
        .where('order_id', '=', o.id)
        .where('account', '=', 'cogs')
        .groupBy(['sku_id', 'currency'])
        .execute()
      const already = new Map(posted.map((p) => [`${p.sku_id}|${p.currency}`, money(p.net)]))
      const lines = moves
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
      out.push(
        await postEntry(
          tx,
          head(o, e.merchantId, 'cogs', `cogs.${e.shipmentId}`, at),
          postingsForCogs(due.filter((d) => !d.unitCost.isZero())),
        ),
      )
      faultPoint('ledger.cogs.posted')
    }
    const saleAt =
      e.kind === 'refunded' || e.kind === 'changed' || e.kind === 'cancelled'
        ? await saleTime(tx, e.merchantId, o.id)
        : null
    if ((e.kind === 'refunded' || e.kind === 'changed') && saleAt) {
      await postRefunds(tx, e.merchantId, o, eventTime(e, o), saleAt)
      await refundFees(tx, e.merchantId, o.id, o.timezone)
    }
    if (e.kind === 'cancelled' && saleAt) {
      out.push(
        await postEntry(
          tx,
          head(o, e.merchantId, 'reversal', `reverse.sale.${o.id}`, notBefore(eventTime(e, o), saleAt)),
          reverse(postingsForSale(await saleInput(tx, e.merchantId, o))),
        ),
      )
      await reverseFees(tx, e.merchantId, o.id, notBefore(eventTime(e, o), saleAt))
    }
    return out.join(',') || 'nothing'
  })
}
