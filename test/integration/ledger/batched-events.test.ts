/**
 * Ledger events handled at the same time share a transaction (handleLedgerEvent batches them):
 * each still gets its own outcome, a replay posts nothing twice, and one event that cannot be
 * posted fails alone while the others post.
 */
import { sql } from 'kysely'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { handleLedgerEvent } from '../../../src/ledger/events.js'
import { createDb } from '../../../src/db/connect.js'
import { closePeriod, IdempotencyConflict } from '../../../src/ledger/journal.js'
import { statement, statementBySku } from '../../../src/ledger/statements.js'
import { systemClock } from '../../../src/lib/clock.js'
import { newId } from '../../../src/lib/ids.js'
import { money } from '../../../src/money/index.js'
import { createMerchant } from '../../../src/merchants/repo.js'
import type { OrderEvent } from '../../../src/orders/events.js'
import { createShop } from '../../../src/shops/repo.js'
import { createWarehouse } from '../../../src/warehouses/repo.js'
import { makeOrders, seed } from '../../bench/posting.bench.js'
import { freshDb, type TestDb } from '../../helpers/db.js'

let t: TestDb
let merchantId: string
let shopId: string
let warehouseId: string
const skus = Array.from({ length: 7 }, () => newId())

beforeAll(async () => {
  t = await freshDb()
  merchantId = (await createMerchant(t.db, { name: 'm', timezone: 'Asia/Shanghai' })).id
  shopId = (
    await createShop({ db: t.db, clock: systemClock }, Buffer.alloc(32), merchantId, {
      channel: 'selfstore',
      name: 'web',
    })
  ).id
  warehouseId = (await createWarehouse(t.db, merchantId, { code: 'W', name: 'W' })).id
})
afterAll(() => t.drop())

const shipped = (o: { id: string; shipmentId: string }): OrderEvent => ({
  merchantId,
  orderId: o.id,
  kind: 'shipped',
  key: `${o.id}.shipped`,
  shipmentId: o.shipmentId,
})

it('posts concurrent events together, each with its own outcome, balanced and in the totals', async () => {
  const orders = makeOrders(40, skus, 1)
  await seed(t.db, merchantId, shopId, warehouseId, orders)
  // Every event twice at once: one of each pair posts, the other is a replay (its COGS a replay
  // too, or nothing owed once the shipment's cost is posted), whichever batch each lands in.
  const outcomes = await Promise.all([...orders, ...orders].map((o) => handleLedgerEvent(t.db, shipped(o))))
  for (let i = 0; i < 40; i++)
    expect(['posted,posted | replayed,empty', 'posted,posted | replayed,replayed'], orders[i]!.id).toContain(
      [outcomes[i], outcomes[i + 40]].sort().join(' | '),
    )
  const entries = await t.db
    .selectFrom('journal_entries')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('merchant_id', '=', merchantId)
    .executeTakeFirstOrThrow()
  expect(Number(entries.n)).toBe(80)
  const unbalanced = await sql`SELECT entry_id FROM journal_lines WHERE merchant_id = ${merchantId}
    GROUP BY entry_id, currency HAVING SUM(debit) <> SUM(credit)`.execute(t.db)
  expect(unbalanced.rows).toEqual([])
  const q = { from: '2026-11-01', to: '2026-12-01', timezone: 'Asia/Shanghai' }
  expect(await statement(t.db, merchantId, q)).toEqual(await statement(t.db, merchantId, q, 'lines'))
  expect(await statementBySku(t.db, merchantId, q)).toEqual(
    await statementBySku(t.db, merchantId, q, 'lines'),
  )
})

it('fails the one event that cannot be posted, and posts the others of its batch', async () => {
  const orders = makeOrders(12, skus, 2)
  await seed(t.db, merchantId, shopId, warehouseId, orders)
  const bad = orders[5]!
  // Its sale key was taken with other amounts: posting it is an idempotency conflict.
  await t.db
    .insertInto('journal_entries')
    .values({
      id: newId(),
      merchant_id: merchantId,
      posting_key: `sale.${bad.id}`,
      kind: 'sale',
      order_id: null,
      shop_id: shopId,
      channel: 'selfstore',
      currency: 'CNY',
      event_at: new Date('2026-11-02T00:00:00Z'),
      input_hash: 'x'.repeat(64),
    })
    .execute()
  const results = await Promise.allSettled(orders.map((o) => handleLedgerEvent(t.db, shipped(o))))
  results.forEach((r, i) => {
    if (i === 5) {
      expect(r.status).toBe('rejected')
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(IdempotencyConflict)
    } else expect(r, orders[i]!.id).toEqual({ status: 'fulfilled', value: 'posted,posted' })
  })
  const cogs = await t.db
    .selectFrom('journal_entries')
    .select('posting_key')
    .where('merchant_id', '=', merchantId)
    .where('posting_key', '=', `cogs.${bad.shipmentId}`)
    .execute()
  expect(cogs).toEqual([]) // its COGS rolled back with its sale
})

it('books a batch dated in closed months at the first instant of the next open one, keeping the date', async () => {
  const other = (await createMerchant(t.db, { name: 'closed', timezone: 'Asia/Shanghai' })).id
  const shop = (
    await createShop({ db: t.db, clock: systemClock }, Buffer.alloc(32), other, {
      channel: 'selfstore',
      name: 'web',
    })
  ).id
  const wh = (await createWarehouse(t.db, other, { code: 'W', name: 'W' })).id
  const orders = makeOrders(10, skus, 3) // shipped in November 2026
  await seed(t.db, other, shop, wh, orders)
  for (const period of ['2026-10', '2026-11'])
    await closePeriod(t.db, other, period, 'accountant', new Date('2026-12-05T00:00:00Z'))
  const outcomes = await Promise.all(
    orders.map((o) => handleLedgerEvent(t.db, { ...shipped(o), merchantId: other })),
  )
  expect(outcomes).toEqual(orders.map(() => 'posted,posted'))
  const entries = await t.db
    .selectFrom('journal_entries')
    .select(['order_id', 'event_at', 'original_event_at'])
    .where('merchant_id', '=', other)
    .execute()
  expect(entries).toHaveLength(20)
  for (const e of entries) {
    expect(e.event_at).toEqual(new Date('2026-11-30T16:00:00Z')) // 1 December, Asia/Shanghai
    expect(e.original_event_at).toEqual(orders.find((o) => o.id === e.order_id)!.shippedAt)
  }
})

it('posts concurrent events through a pool of one connection (a transaction never waits for reads it holds the connection of)', async () => {
  const small = createDb({ url: t.url, poolSize: 1 })
  try {
    const orders = makeOrders(12, skus, 4)
    await seed(t.db, merchantId, shopId, warehouseId, orders)
    const outcomes = await Promise.all(orders.map((o) => handleLedgerEvent(small, shipped(o))))
    expect(outcomes).toEqual(orders.map(() => 'posted,posted'))
  } finally {
    await small.destroy()
  }
})

it('in a batch, posts a second parcel’s COGS net of the first and a refund settled before shipment', async () => {
  const orders = makeOrders(8, skus, 5)
  await seed(t.db, merchantId, shopId, warehouseId, orders)
  // Order 0 shipped a first parcel (its movements so far); a second parcel ships 2 more of its first SKU.
  const split = orders[0]!
  expect(await handleLedgerEvent(t.db, shipped(split))).toBe('posted,posted')
  const line = split.lines[0]!
  await t.db
    .insertInto('stock_movements')
    .values({
      id: newId(),
      merchant_id: merchantId,
      warehouse_id: warehouseId,
      sku_id: line.skuId,
      kind: 'shipment',
      quantity: -2,
      unit_cost: line.cost,
      currency: 'CNY',
      ref_type: 'order',
      ref_id: split.id,
    })
    .execute()
  const second = newId()
  // Order 1 was refunded 5.00 on its first line before it shipped.
  const refunded = orders[1]!
  const refundId = newId()
  await t.db
    .insertInto('order_refunds')
    .values({
      id: refundId,
      merchant_id: merchantId,
      shop_id: shopId,
      order_id: refunded.id,
      external_refund_id: `R-${refunded.id}`,
      order_external_id: refunded.id,
      status: 'refunded',
      platform_status: 'refunded',
      amount: '5.00',
      currency: 'CNY',
      reason: null,
      return_goods: 0,
      refund_lines: JSON.stringify([{ externalLineId: 'L1', quantity: 0, amount: '5.00' }]),
      platform_updated_at: refunded.shippedAt,
      created_at: refunded.shippedAt,
    })
    .execute()
  const outcomes = await Promise.all([
    handleLedgerEvent(t.db, { ...shipped(split), key: `${split.id}.shipped.2`, shipmentId: second }),
    ...orders.slice(1).map((o) => handleLedgerEvent(t.db, shipped(o))),
  ])
  expect(outcomes).toEqual(['replayed,posted', ...orders.slice(1).map(() => 'posted,posted')])
  const amounts = async (key: string, account: string) =>
    (
      await t.db
        .selectFrom('journal_lines as l')
        .innerJoin('journal_entries as e', 'e.id', 'l.entry_id')
        .select(['l.debit', 'l.credit'])
        .where('e.merchant_id', '=', merchantId)
        .where('e.posting_key', '=', key)
        .where('l.account', '=', account)
        .execute()
    ).map((r) => [r.debit, r.credit])
  expect(await amounts(`cogs.${second}`, 'cogs')).toEqual([[money(line.cost).mul(2).toFixed(4), '0.0000']])
  expect(await amounts(`refund.${refundId}`, 'refunds')).toEqual([['5.0000', '0.0000']])
})
