/**
 * Orders allocated at the same time in one process share one transaction (allocate-batch.ts): each
 * still gets its own outcome, the stock is never over-reserved, and a batch whose transaction dies
 * leaves nothing behind — its orders are then allocated one by one.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { allocateOrder } from '../../../src/inventory/allocate.js'
import { checkInventory } from '../../../src/inventory/check.js'
import { handleInventoryEvent } from '../../../src/inventory/events.js'
import { receive } from '../../../src/inventory/operations.js'
import { reserveAll, unreserve } from '../../../src/inventory/stock-repo.js'
import { withTx } from '../../../src/db/tx.js'
import { InjectedFault, setFaultHook } from '../../../src/lib/fault.js'
import { createShop, type Shop } from '../../../src/shops/repo.js'
import { upsertSkus } from '../../../src/skus/repo.js'
import { createWarehouse, type Warehouse } from '../../../src/warehouses/repo.js'
import { seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'
import { seedOrder } from '../../helpers/orders.js'

let env: TestEnv
let m: TestMerchant
let shop: Shop
let hz: Warehouse
const sku: Record<string, string> = {}

beforeAll(async () => {
  env = await testEnv()
  m = await seedMerchant(env.ctx)
  shop = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
    channel: 'selfstore',
    name: 'store',
    settings: { baseUrl: 'https://s.example' },
  })
  hz = await createWarehouse(env.ctx.db, m.id, { code: 'HZ', name: '杭州仓', priority: 10 })
  await upsertSkus(
    env.ctx,
    m.id,
    ['X', 'Y'].map((code) => ({ code, name: code })),
  )
  for (const r of await env.ctx.db
    .selectFrom('skus')
    .select(['id', 'code'])
    .where('merchant_id', '=', m.id)
    .execute())
    sku[r.code] = r.id
})
afterEach(() => setFaultHook(null))
afterAll(() => env.close())

const reservedOf = async (skuId: string) =>
  (
    await env.ctx.db
      .selectFrom('stock')
      .select('reserved')
      .where('merchant_id', '=', m.id)
      .where('sku_id', '=', skuId)
      .executeTakeFirstOrThrow()
  ).reserved
const history = async (orderId: string) =>
  env.ctx.db
    .selectFrom('order_status_history')
    .select(['from_status', 'to_status', 'source'])
    .where('order_id', '=', orderId)
    .where('source', '=', 'inventory')
    .execute()

it('orders allocated at once share one transaction, and each gets its own outcome', async () => {
  await receive(
    env.ctx.db,
    m.id,
    { warehouseId: hz.id, skuId: sku.X!, quantity: 5, unitCost: '1', currency: 'CNY' },
    { actor: 'test' },
  )
  const one = async () =>
    (await seedOrder(env.ctx.db, m.id, shop.id, [{ skuId: sku.X!, quantity: 1 }])).orderId
  const fits = [await one(), await one(), await one(), await one()]
  const tooBig = (await seedOrder(env.ctx.db, m.id, shop.id, [{ skuId: sku.X!, quantity: 2 }])).orderId
  const done = (
    await seedOrder(env.ctx.db, m.id, shop.id, [{ skuId: sku.X!, quantity: 1 }], { status: 'allocated' })
  ).orderId
  const cancelled = (
    await seedOrder(env.ctx.db, m.id, shop.id, [{ skuId: sku.X!, quantity: 1 }], { status: 'cancelled' })
  ).orderId
  const points: string[] = []
  setFaultHook((p) => void points.push(p))
  const outcomes = await Promise.all(
    [...fits, tooBig, done, cancelled].map((id) =>
      handleInventoryEvent(env.ctx, { merchantId: m.id, orderId: id, kind: 'paid', key: `${id}.paid` }),
    ),
  )
  expect(outcomes).toEqual([
    'allocated',
    'allocated',
    'allocated',
    'allocated',
    'no_stock',
    'already_done',
    'not_allocatable',
  ])
  // One transaction reserved for the four.
  expect(points.filter((p) => p === 'inventory.allocate.reserved')).toHaveLength(1)
  expect(await reservedOf(sku.X!)).toBe(4)
  for (const id of fits)
    expect(await history(id)).toEqual([{ from_status: 'paid', to_status: 'allocated', source: 'inventory' }])
  // The same events again: each is already done, nothing moves.
  const again = await Promise.all(
    fits.map((id) =>
      handleInventoryEvent(env.ctx, { merchantId: m.id, orderId: id, kind: 'paid', key: `${id}.paid` }),
    ),
  )
  expect(again).toEqual(['already_done', 'already_done', 'already_done', 'already_done'])
  expect(await reservedOf(sku.X!)).toBe(4)
  expect(await checkInventory(env.ctx.db, m.id)).toEqual([])
})

it('a batch whose transaction dies leaves nothing, and its orders are then allocated one by one', async () => {
  await receive(
    env.ctx.db,
    m.id,
    { warehouseId: hz.id, skuId: sku.Y!, quantity: 10, unitCost: '1', currency: 'CNY' },
    { actor: 'test' },
  )
  const ids: string[] = []
  for (let i = 0; i < 5; i++)
    ids.push((await seedOrder(env.ctx.db, m.id, shop.id, [{ skuId: sku.Y!, quantity: 2 }])).orderId)
  let failed = false
  const points: string[] = []
  setFaultHook((p) => {
    points.push(p)
    if (p === 'inventory.allocate.reserved' && !failed) {
      failed = true
      throw new InjectedFault(p)
    }
  })
  const outcomes = await Promise.all(ids.map((id) => allocateOrder(env.ctx, m.id, id, `${id}.paid`)))
  expect(outcomes).toEqual(['allocated', 'allocated', 'allocated', 'allocated', 'allocated'])
  // The batch (one point, rolled back), then each order on its own.
  expect(points.filter((p) => p === 'inventory.allocate.reserved')).toHaveLength(1 + 5)
  expect(await reservedOf(sku.Y!)).toBe(10)
  const allocations = await env.ctx.db
    .selectFrom('stock_allocations')
    .select(['order_id', 'quantity'])
    .where('sku_id', '=', sku.Y!)
    .where('status', '=', 'open')
    .execute()
  expect(allocations.map((a) => a.order_id).sort()).toEqual([...ids].sort())
  expect(await checkInventory(env.ctx.db, m.id)).toEqual([])
})

it('reserving several rows in one statement is all or nothing: one row short and the caller rolls back', async () => {
  await receive(
    env.ctx.db,
    m.id,
    { warehouseId: hz.id, skuId: sku.Y!, quantity: 1, unitCost: '1', currency: 'CNY' },
    { actor: 'test' },
  )
  const before = await reservedOf(sku.X!)
  class Short extends Error {}
  const rows = [
    { warehouseId: hz.id, skuId: sku.X!, quantity: 1 },
    { warehouseId: hz.id, skuId: sku.Y!, quantity: 1000 },
  ].sort((a, b) => (a.skuId < b.skuId ? -1 : 1))
  await expect(
    withTx(env.ctx.db, async (tx) => {
      if (!(await reserveAll(tx, m.id, rows))) throw new Short()
    }),
  ).rejects.toBeInstanceOf(Short)
  expect(await reservedOf(sku.X!)).toBe(before)
  const fits = rows.map((r) => ({ ...r, quantity: 1 }))
  expect(await withTx(env.ctx.db, (tx) => reserveAll(tx, m.id, fits))).toBe(true)
  expect(await reservedOf(sku.X!)).toBe(before + 1)
  await withTx(env.ctx.db, async (tx) => {
    for (const r of fits) await unreserve(tx, { merchantId: m.id, ...r }, 1)
  })
  expect(await checkInventory(env.ctx.db, m.id)).toEqual([])
})
