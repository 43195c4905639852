/**
 * What the ledger posts for order events: the sale at the recognition point the shop chooses
 * (`settings.revenueRecognition`: "shipment", the default, or "payment"), COGS at shipment from the
 * shipment movements' moving-average cost, refunds once the sale is recognised, and a reversal of
 * the sale when a recognised order is cancelled. Every entry has a deterministic posting key.
 */
import { sql } from 'kysely'
import type { Db, Executor } from '../db/connect.js'
import { withTx } from '../db/tx.js'
import { groupBy } from '../lib/collections.js'
import { money, sum } from '../money/index.js'
import type { OrderEvent } from '../orders/events.js'
import { postEntry } from './journal.js'
import { postingsForCogs, postingsForRefund, postingsForSale, reverse } from './postings.js'
import { hubSettings } from '../../connectors/settings.js'

async function loadOrder(db: Executor, merchantId: string, orderId: string) {
  return db
    .selectFrom('orders as o')
    .innerJoin('shops as s', 's.id', 'o.shop_id')
    .select([
      'o.id',
      'o.shop_id',
      'o.channel',
      'o.currency',
      'o.status',
      'o.paid_at',
      'o.shipped_at',
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

async function saleRecognised(db: Executor, merchantId: string, orderId: string): Promise<boolean> {
  const rows = await db
    .selectFrom('journal_entries')
    .select('posting_key')
    .where('merchant_id', '=', merchantId)
    .where('posting_key', 'in', [`sale.${orderId}`, `reverse.sale.${orderId}`])
    .execute()
  return (
    rows.some((r) => r.posting_key === `sale.${orderId}`) &&
    !rows.some((r) => r.posting_key === `reverse.sale.${orderId}`)
  )
}

async function saleInput(db: Executor, merchantId: string, o: Order) {
  const lines = await db
    .selectFrom('order_lines')
    .select(['sku_id', 'goods_amount', 'merchant_discount', 'platform_discount'])
    .where('merchant_id', '=', merchantId)
    .where('order_id', '=', o.id)
    .orderBy('line_no')
    .execute()
  return {
    shopId: o.shop_id,
    currency: o.currency,
    shipping: money(o.shipping_amount),
    tax: money(o.tax_amount),
    lines: lines.map((l) => ({
      skuId: l.sku_id,
      goods: money(l.goods_amount),
      merchantDiscount: money(l.merchant_discount),
      platformDiscount: money(l.platform_discount),
    })),
  }
}

async function postRefunds(db: Executor, merchantId: string, o: Order, at: Date): Promise<void> {
  const refunds = await db
    .selectFrom('order_refunds')
    .select(['id', 'amount', 'platform_updated_at'])
    .where('merchant_id', '=', merchantId)
    .where('order_id', '=', o.id)
    .where('status', '=', 'refunded')
    .execute()
  for (const r of refunds)
    await postEntry(
      db,
      head(o, merchantId, 'refund', `refund.${r.id}`, r.platform_updated_at ?? at),
      postingsForRefund({ shopId: o.shop_id, currency: o.currency, amount: money(r.amount) }),
    )
  if (refunds.length > 0) return
  // Channels whose order payload carries the refund (no separate refund records): post the refunded line amounts.
  const lines = await db
    .selectFrom('order_lines')
    .select(['id', 'sku_id', 'refunded_amount'])
    .where('merchant_id', '=', merchantId)
    .where('order_id', '=', o.id)
    .execute()
  for (const l of lines) {
    // The payload carries the line's cumulative refund: post only what is new since the last posting.
    const amount = money(l.refunded_amount)
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
          at,
        ),
        postingsForRefund({ shopId: o.shop_id, currency: o.currency, amount: delta, skuId: l.sku_id }),
      )
  }
}

export async function handleLedgerEvent(db: Db, e: OrderEvent): Promise<string> {
  return withTx(db, async (tx) => {
    const o = await loadOrder(tx, e.merchantId, e.orderId)
    if (!o) return 'unknown_order'
    const recognition = hubSettings(o.settings).revenueRecognition === 'payment' ? 'paid' : 'shipped'
    const at = (e.kind === 'shipped' ? o.shipped_at : o.paid_at) ?? new Date()
    const out: string[] = []
    if (e.kind === recognition) {
      out.push(
        await postEntry(
          tx,
          head(o, e.merchantId, 'sale', `sale.${o.id}`, at),
          postingsForSale(await saleInput(tx, e.merchantId, o)),
        ),
      )
      await postRefunds(tx, e.merchantId, o, at)
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
    }
    if ((e.kind === 'refunded' || e.kind === 'changed') && (await saleRecognised(tx, e.merchantId, o.id)))
      await postRefunds(tx, e.merchantId, o, new Date())
    if (e.kind === 'cancelled' && (await saleRecognised(tx, e.merchantId, o.id))) {
      out.push(
        await postEntry(
          tx,
          head(o, e.merchantId, 'reversal', `reverse.sale.${o.id}`, new Date()),
          reverse(postingsForSale(await saleInput(tx, e.merchantId, o))),
        ),
      )
    }
    return out.join(',') || 'nothing'
  })
}
