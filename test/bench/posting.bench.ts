/**
 * Posting throughput: order events → balanced journal entries with their daily totals, through
 * handleLedgerEvent — what the ledger worker runs for each 'shipped' event (the sale, recognised at
 * shipment by default, and its COGS from the shipment movements; entries, lines, and the totals per
 * day, per SKU and day and per SKU and month, in one transaction) — against a raw multi-row INSERT
 * of the same journal lines per event, with the same number of concurrent workers (the default
 * WORKER_CONCURRENCY, 8), in paired rounds. After each round every order's entries balance and the
 * statements from the totals equal the sums of the lines.
 */
import { sql } from 'kysely'
import type { Db } from '../../src/db/connect.js'
import { handleLedgerEvent } from '../../src/ledger/events.js'
import { postingsForCogs, postingsForSale, type Posting } from '../../src/ledger/postings.js'
import { statement, statementBySku } from '../../src/ledger/statements.js'
import { chunk } from '../../src/lib/collections.js'
import { systemClock } from '../../src/lib/clock.js'
import { newId } from '../../src/lib/ids.js'
import { createMerchant } from '../../src/merchants/repo.js'
import { money, toDb } from '../../src/money/index.js'
import { createShop } from '../../src/shops/repo.js'
import { createWarehouse } from '../../src/warehouses/repo.js'
import { freshDb } from '../helpers/db.js'
import { fmt, pairedRounds, type BenchResult, timed } from './harness.js'

const ROUNDS = Number(process.env.BENCH_POSTING_ROUNDS ?? 5)
const ORDERS = Number(process.env.BENCH_POSTING_ORDERS ?? 400) // per round
const WORKERS = 8

interface Order {
  id: string
  shipmentId: string
  shippedAt: Date
  shipping: string
  lines: { id: string; skuId: string; quantity: number; goods: string; discount: string; cost: string }[]
}

export function makeOrders(count: number, skus: readonly string[], round: number): Order[] {
  return Array.from({ length: count }, (_, i) => {
    const n = 1 + ((i * 7 + round) % 3)
    return {
      id: newId(),
      shipmentId: newId(),
      // Spread over a few days of November (Asia/Shanghai days).
      shippedAt: new Date(Date.UTC(2026, 10, 1 + (i % 5), (i * 5) % 24, i % 60)),
      shipping: i % 4 === 0 ? '8.00' : '0.00',
      lines: Array.from({ length: n }, (_, k) => ({
        id: newId(),
        skuId: skus[(i * 3 + k * 11 + round) % skus.length]!,
        quantity: 1 + (k % 2),
        goods: `${20 + ((i * 13 + k) % 180)}.${String((i * 7) % 100).padStart(2, '0')}`,
        discount: i % 3 === 0 ? '1.50' : '0.00',
        cost: `${5 + ((i + k) % 9)}.2500`,
      })),
    }
  })
}

/** Shipped orders with their lines and shipment movements at a known cost. */
export async function seed(
  db: Db,
  merchantId: string,
  shopId: string,
  warehouseId: string,
  orders: readonly Order[],
) {
  for (const part of chunk(orders, 300)) {
    await db
      .insertInto('orders')
      .values(
        part.map((o) => {
          const goods = o.lines.reduce((s, l) => s.plus(l.goods), money(0))
          const discount = o.lines.reduce((s, l) => s.plus(l.discount), money(0))
          return {
            id: o.id,
            merchant_id: merchantId,
            shop_id: shopId,
            channel: 'selfstore',
            external_id: o.id,
            status: 'shipped',
            platform_status: 'shipped',
            refund_state: 'none',
            currency: 'CNY',
            paid_at: o.shippedAt,
            shipped_at: o.shippedAt,
            platform_updated_at: o.shippedAt,
            receiver: '{}',
            goods_amount: toDb(goods),
            platform_discount: '0',
            merchant_discount: toDb(discount),
            shipping_amount: o.shipping,
            tax_amount: '0',
            buyer_paid: toDb(goods.minus(discount).plus(o.shipping)),
            open_exceptions: 0,
          }
        }),
      )
      .execute()
    const lines = part.flatMap((o) => o.lines.map((l, n) => ({ o, l, n })))
    await db
      .insertInto('order_lines')
      .values(
        lines.map(({ o, l, n }) => ({
          id: l.id,
          merchant_id: merchantId,
          order_id: o.id,
          line_no: n + 1,
          external_line_id: `L${n + 1}`,
          title: 'item',
          quantity: l.quantity,
          unit_price: l.goods,
          goods_amount: l.goods,
          platform_discount: '0',
          merchant_discount: l.discount,
          shipping_share: '0',
          tax_amount: '0',
          paid_amount: toDb(money(l.goods).minus(l.discount)),
          sku_id: l.skuId,
          is_bundle: 0,
          refund_state: 'none',
          refunded_quantity: 0,
          refunded_amount: '0',
        })),
      )
      .execute()
    await db
      .insertInto('stock_movements')
      .values(
        lines.map(({ o, l }) => ({
          id: newId(),
          merchant_id: merchantId,
          warehouse_id: warehouseId,
          sku_id: l.skuId,
          kind: 'shipment' as const,
          quantity: -l.quantity,
          unit_cost: l.cost,
          currency: 'CNY',
          ref_type: 'order',
          ref_id: o.id,
        })),
      )
      .execute()
  }
}

/** The journal lines the ledger posts for an order's shipment (pure, the same functions). */
function linesOf(o: Order, shopId: string): Posting[] {
  return [
    ...postingsForSale({
      shopId,
      currency: 'CNY',
      shipping: money(o.shipping),
      tax: money(0),
      lines: o.lines.map((l) => ({
        skuId: l.skuId,
        goods: money(l.goods),
        merchantDiscount: money(l.discount),
        platformDiscount: money(0),
      })),
    }),
    ...postingsForCogs(
      o.lines.map((l) => ({
        skuId: l.skuId,
        quantity: l.quantity,
        unitCost: money(l.cost),
        currency: 'CNY',
      })),
    ),
  ]
}

async function parallel(n: number, tasks: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: n }, async () => {
      for (let i = next++; i < tasks; i = next++) await fn(i)
    }),
  )
}

export async function run(): Promise<BenchResult> {
  const t = await freshDb()
  const db = t.db
  try {
    const m = await createMerchant(db, { name: 'bench' })
    const shop = await createShop({ db, clock: systemClock }, Buffer.alloc(32), m.id, {
      channel: 'selfstore',
      name: 'web',
    })
    const raw = await createShop({ db, clock: systemClock }, Buffer.alloc(32), m.id, {
      channel: 'selfstore',
      name: 'raw',
    })
    const wh = await createWarehouse(db, m.id, { code: 'W', name: 'W' })
    const skus = Array.from({ length: 200 }, () => newId())
    let lines = 0
    const r = await pairedRounds(ROUNDS, async (round) => {
      const orders = makeOrders(ORDERS, skus, round)
      await seed(db, m.id, shop.id, wh.id, orders)
      const rows = orders.map((o) => linesOf(o, raw.id))
      const rawOrderIds = orders.map(() => newId()) // the raw lines belong to other orders than the engine's
      lines += rows.reduce((n, ls) => n + ls.length, 0)
      const a = await timed(() =>
        parallel(WORKERS, orders.length, (i) => {
          const o = orders[i]!
          return db
            .insertInto('journal_lines')
            .values(
              rows[i]!.map((p) => ({
                id: newId(),
                merchant_id: m.id,
                entry_id: o.shipmentId,
                account: p.account,
                debit: p.side === 'debit' ? toDb(p.amount) : '0',
                credit: p.side === 'credit' ? toDb(p.amount) : '0',
                currency: p.currency,
                event_at: o.shippedAt,
                channel: 'selfstore',
                shop_id: raw.id,
                order_id: rawOrderIds[i]!,
                sku_id: p.skuId ?? null,
              })),
            )
            .execute()
        }),
      )
      const b = await timed(() =>
        parallel(WORKERS, orders.length, (i) => {
          const o = orders[i]!
          return handleLedgerEvent(db, {
            merchantId: m.id,
            orderId: o.id,
            kind: 'shipped',
            key: `${o.id}.shipped`,
            shipmentId: o.shipmentId,
          })
        }),
      )
      return { baselineMs: a.ms, engineMs: b.ms }
    })
    // Every entry balances, the engine posted as many lines as the baseline inserted, and the
    // statements from the totals equal the sums of the lines.
    const unbalanced = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM (
        SELECT entry_id FROM journal_lines WHERE merchant_id = ${m.id} AND shop_id = ${shop.id}
        GROUP BY entry_id, currency HAVING SUM(debit) <> SUM(credit)) t`.execute(db)
    if (Number(unbalanced.rows[0]!.n) !== 0) throw new Error(`${unbalanced.rows[0]!.n} unbalanced entries`)
    const posted = await db
      .selectFrom('journal_lines')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('shop_id', '=', shop.id)
      .executeTakeFirstOrThrow()
    if (Number(posted.n) !== lines) throw new Error(`posted ${posted.n} lines, expected ${lines}`)
    const q = { from: '2026-11-01', to: '2026-12-01', timezone: 'Asia/Shanghai', shopId: shop.id }
    if (
      JSON.stringify(await statement(db, m.id, q)) !==
        JSON.stringify(await statement(db, m.id, q, 'lines')) ||
      JSON.stringify(await statementBySku(db, m.id, q)) !==
        JSON.stringify(await statementBySku(db, m.id, q, 'lines'))
    )
      throw new Error('the totals disagree with the journal lines')
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)
    const events = ROUNDS * ORDERS
    const rate = (events / sum(r.engineMs)) * 1000
    const base = (events / sum(r.baselineMs)) * 1000
    return {
      name: `posting ${fmt(events)} shipped-order events (sale + COGS, ${fmt(lines / events, 1)} lines each) with their daily totals, ${WORKERS} concurrent workers`,
      figure: `${fmt(rate)} events/s vs raw INSERT of the same lines ${fmt(base)} events/s (${fmt((lines / sum(r.baselineMs)) * 1000)} lines/s); ${ROUNDS} paired rounds`,
      ratio: r.ratio,
      target: '≥ 0.3',
      ok: r.ratio >= 0.3,
    }
  } finally {
    await t.drop()
  }
}
