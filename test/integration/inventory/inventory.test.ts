import { execFile } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { allocateOrder } from '../../../src/inventory/allocate.js'
import { checkInventory } from '../../../src/inventory/check.js'
import { handleInventoryEvent } from '../../../src/inventory/events.js'
import { movingAverage, receive, stocktake, transfer, StockError } from '../../../src/inventory/operations.js'
import { money } from '../../../src/money/index.js'
import { createShop, type Shop } from '../../../src/shops/repo.js'
import { upsertSkus } from '../../../src/skus/repo.js'
import { createWarehouse, type Warehouse } from '../../../src/warehouses/repo.js'
import { seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'
import { seedOrder } from '../../helpers/orders.js'

let env: TestEnv
let m: TestMerchant
let shop: Shop
let hz: Warehouse
let sz: Warehouse
const sku: Record<string, string> = {}
const by = { actor: 'test' }

const stockOf = async (skuId: string) =>
  env.ctx.db
    .selectFrom('stock')
    .select(['warehouse_id', 'on_hand', 'reserved'])
    .where('merchant_id', '=', m.id)
    .where('sku_id', '=', skuId)
    .orderBy('warehouse_id')
    .execute()
const status = async (orderId: string) =>
  (await env.ctx.db.selectFrom('orders').select('status').where('id', '=', orderId).executeTakeFirstOrThrow())
    .status

beforeAll(async () => {
  env = await testEnv()
  m = await seedMerchant(env.ctx)
  shop = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
    channel: 'selfstore',
    name: 'store',
    settings: { baseUrl: 'https://s.example' },
  })
  hz = await createWarehouse(env.ctx.db, m.id, {
    code: 'HZ',
    name: '杭州仓',
    priority: 10,
    regions: ['浙江省', '上海市'],
  })
  sz = await createWarehouse(env.ctx.db, m.id, {
    code: 'SZ',
    name: '深圳仓',
    priority: 20,
    regions: ['广东省'],
  })
  await upsertSkus(
    env.ctx,
    m.id,
    ['HOT', 'A', 'B', 'COST'].map((code) => ({ code, name: code })),
  )
  for (const r of await env.ctx.db
    .selectFrom('skus')
    .select(['id', 'code'])
    .where('merchant_id', '=', m.id)
    .execute())
    sku[r.code] = r.id
})
afterAll(() => env.close())

describe('oversell protection', () => {
  it('two worker processes allocating 300 concurrent orders for 100 units allocate exactly 100', async () => {
    await receive(
      env.ctx.db,
      m.id,
      { warehouseId: hz.id, skuId: sku.HOT!, quantity: 60, unitCost: '10', currency: 'CNY' },
      by,
    )
    await receive(
      env.ctx.db,
      m.id,
      { warehouseId: sz.id, skuId: sku.HOT!, quantity: 40, unitCost: '10', currency: 'CNY' },
      by,
    )
    const ids: string[] = []
    for (let i = 0; i < 300; i++)
      ids.push(
        (
          await seedOrder(env.ctx.db, m.id, shop.id, [{ skuId: sku.HOT!, quantity: 1 }], {
            province: i % 2 ? '广东省' : '浙江省',
          })
        ).orderId,
      )
    const run = (orderIds: string[]) =>
      new Promise<Record<string, number>>((resolve, reject) => {
        const child = execFile(
          process.execPath,
          ['--import', 'tsx', 'test/integration/inventory/reserver.ts'],
          (err, stdout, stderr) =>
            err
              ? reject(new Error(`${err.message}\n${stderr}`))
              : resolve(JSON.parse(stdout) as Record<string, number>),
        )
        child.stdin!.end(JSON.stringify({ url: env.testDb.url, merchantId: m.id, orderIds, concurrency: 16 }))
      })
    // Both processes get every order, interleaved differently: each order is contended too.
    const results = await Promise.all([run(ids), run([...ids].reverse())])
    const allocatedByProcesses = results.reduce((n, r) => n + (r.allocated ?? 0), 0)
    expect(allocatedByProcesses).toBe(100)
    const statuses = await env.ctx.db
      .selectFrom('orders')
      .select(['status', (eb) => eb.fn.countAll().as('n')])
      .where('merchant_id', '=', m.id)
      .where('id', 'in', ids)
      .groupBy('status')
      .execute()
    expect(Object.fromEntries(statuses.map((s) => [s.status, Number(s.n)]))).toEqual({
      allocated: 100,
      paid: 200,
    })
    const exceptions = await env.ctx.db
      .selectFrom('order_exceptions')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('merchant_id', '=', m.id)
      .where('reason', '=', 'no_stock')
      .where('status', '=', 'open')
      .executeTakeFirstOrThrow()
    expect(Number(exceptions.n)).toBe(200)
    expect(await stockOf(sku.HOT!)).toEqual(
      expect.arrayContaining([
        { warehouse_id: hz.id, on_hand: 60, reserved: 60 },
        { warehouse_id: sz.id, on_hand: 40, reserved: 40 },
      ]),
    )
    expect(await checkInventory(env.ctx.db, m.id)).toEqual([])
  })

  it('a multi-line order never ends half reserved when one line fails', async () => {
    await receive(
      env.ctx.db,
      m.id,
      { warehouseId: hz.id, skuId: sku.A!, quantity: 5, unitCost: '1', currency: 'CNY' },
      by,
    )
    const { orderId } = await seedOrder(env.ctx.db, m.id, shop.id, [
      { skuId: sku.A!, quantity: 2 },
      { skuId: sku.B!, quantity: 1 },
    ])
    expect(await allocateOrder(env.ctx, m.id, orderId)).toBe('no_stock')
    expect(await stockOf(sku.A!)).toEqual([{ warehouse_id: hz.id, on_hand: 5, reserved: 0 }])
    expect(
      await env.ctx.db.selectFrom('stock_allocations').selectAll().where('order_id', '=', orderId).execute(),
    ).toEqual([])
    // Stock for B arrives: the order is allocated in full.
    await receive(
      env.ctx.db,
      m.id,
      { warehouseId: hz.id, skuId: sku.B!, quantity: 1, unitCost: '1', currency: 'CNY' },
      by,
    )
    expect(await allocateOrder(env.ctx, m.id, orderId)).toBe('allocated')
    expect(await stockOf(sku.A!)).toEqual([{ warehouse_id: hz.id, on_hand: 5, reserved: 2 }])
    const open = await env.ctx.db
      .selectFrom('order_exceptions')
      .select('status')
      .where('order_id', '=', orderId)
      .execute()
    expect(open.map((o) => o.status)).toEqual(['resolved'])
  })

  it('splits across warehouses only when the shop allows it, preferring the region', async () => {
    await receive(
      env.ctx.db,
      m.id,
      { warehouseId: sz.id, skuId: sku.A!, quantity: 2, unitCost: '1', currency: 'CNY' },
      by,
    )
    const big = await seedOrder(env.ctx.db, m.id, shop.id, [{ skuId: sku.A!, quantity: 4 }], {
      province: '广东省',
    })
    expect(await allocateOrder(env.ctx, m.id, big.orderId)).toBe('no_stock') // HZ has 3 free, SZ 2
    await env.ctx.db
      .updateTable('shops')
      .set({ settings: JSON.stringify({ baseUrl: 'https://s.example', allowSplit: true }) })
      .where('id', '=', shop.id)
      .execute()
    expect(await allocateOrder(env.ctx, m.id, big.orderId)).toBe('allocated')
    const allocs = await env.ctx.db
      .selectFrom('stock_allocations')
      .select(['warehouse_id', 'quantity'])
      .where('order_id', '=', big.orderId)
      .execute()
    expect(allocs).toEqual(
      expect.arrayContaining([
        { warehouse_id: sz.id, quantity: 2 },
        { warehouse_id: hz.id, quantity: 2 },
      ]),
    )
    expect(await checkInventory(env.ctx.db, m.id)).toEqual([])
  })

  it('cancel after allocation releases exactly what was reserved, once, even if the event arrives twice', async () => {
    const before = await stockOf(sku.A!)
    const { orderId } = await seedOrder(env.ctx.db, m.id, shop.id, [{ skuId: sku.A!, quantity: 1 }])
    expect(
      await handleInventoryEvent(env.ctx, {
        merchantId: m.id,
        orderId,
        kind: 'paid',
        key: `${orderId}.paid`,
      }),
    ).toBe('allocated')
    expect(
      await handleInventoryEvent(env.ctx, {
        merchantId: m.id,
        orderId,
        kind: 'paid',
        key: `${orderId}.paid`,
      }),
    ).toBe('already_done')
    await env.ctx.db.updateTable('orders').set({ status: 'cancelled' }).where('id', '=', orderId).execute()
    const cancel = { merchantId: m.id, orderId, kind: 'cancelled' as const, key: `${orderId}.cancelled` }
    const [a, b] = await Promise.all([
      handleInventoryEvent(env.ctx, cancel),
      handleInventoryEvent(env.ctx, cancel),
    ])
    expect([a, b].sort()).toEqual(['already_done', 'released'])
    expect(await stockOf(sku.A!)).toEqual(before)
    expect(await checkInventory(env.ctx.db, m.id)).toEqual([])
  })

  it('a refund requested before shipment releases and puts the order on hold', async () => {
    const { orderId } = await seedOrder(env.ctx.db, m.id, shop.id, [{ skuId: sku.A!, quantity: 1 }])
    await allocateOrder(env.ctx, m.id, orderId)
    expect(
      await handleInventoryEvent(env.ctx, {
        merchantId: m.id,
        orderId,
        kind: 'refund_requested',
        key: `${orderId}.rr`,
      }),
    ).toBe('released')
    expect(await status(orderId)).toBe('on_hold')
  })
})

describe('stock operations', () => {
  it('computes the moving-average cost by hand-checked examples', async () => {
    expect(movingAverage(0, money(0), 10, money('12.50')).toFixed(4)).toBe('12.5000')
    // 10 @ 12.50 + 30 @ 14.10 → (125 + 423) / 40 = 13.70
    expect(movingAverage(10, money('12.5'), 30, money('14.10')).toFixed(4)).toBe('13.7000')
    // 40 @ 13.70 + 3 @ 9.99 → (548 + 29.97) / 43 = 13.44116… → 13.4412
    expect(movingAverage(40, money('13.7'), 3, money('9.99')).toFixed(4)).toBe('13.4412')
    await receive(
      env.ctx.db,
      m.id,
      { warehouseId: hz.id, skuId: sku.COST!, quantity: 10, unitCost: '12.50', currency: 'CNY' },
      by,
    )
    await receive(
      env.ctx.db,
      m.id,
      { warehouseId: sz.id, skuId: sku.COST!, quantity: 30, unitCost: '14.10', currency: 'CNY' },
      by,
    )
    const r = await receive(
      env.ctx.db,
      m.id,
      { warehouseId: hz.id, skuId: sku.COST!, quantity: 3, unitCost: '9.99', currency: 'CNY' },
      { actor: 'test', idempotencyKey: 'rcpt-1' },
    )
    expect(r.avgCost).toBe('13.4412')
    await receive(
      env.ctx.db,
      m.id,
      { warehouseId: hz.id, skuId: sku.COST!, quantity: 3, unitCost: '9.99', currency: 'CNY' },
      { actor: 'test', idempotencyKey: 'rcpt-1' },
    )
    expect(await stockOf(sku.COST!)).toEqual(
      expect.arrayContaining([{ warehouse_id: hz.id, on_hand: 13, reserved: 0 }]),
    )
  })

  it('stocktake and transfers keep the invariants and refuse stale or impossible changes', async () => {
    await stocktake(
      env.ctx.db,
      m.id,
      { warehouseId: hz.id, skuId: sku.COST!, counted: 11, expectedOnHand: 13 },
      by,
    )
    await expect(
      stocktake(
        env.ctx.db,
        m.id,
        { warehouseId: hz.id, skuId: sku.COST!, counted: 9, expectedOnHand: 13 },
        by,
      ),
    ).rejects.toThrow(StockError)
    await transfer(
      env.ctx.db,
      m.id,
      { fromWarehouseId: sz.id, toWarehouseId: hz.id, skuId: sku.COST!, quantity: 5 },
      by,
    )
    await expect(
      transfer(
        env.ctx.db,
        m.id,
        { fromWarehouseId: sz.id, toWarehouseId: hz.id, skuId: sku.COST!, quantity: 26 },
        by,
      ),
    ).rejects.toThrow(StockError)
    expect(await stockOf(sku.COST!)).toEqual(
      expect.arrayContaining([
        { warehouse_id: hz.id, on_hand: 16, reserved: 0 },
        { warehouse_id: sz.id, on_hand: 25, reserved: 0 },
      ]),
    )
    expect(await checkInventory(env.ctx.db, m.id)).toEqual([])
  })

  it('the database itself refuses to over-reserve', async () => {
    await expect(
      env.ctx.db.updateTable('stock').set({ reserved: 1000 }).where('sku_id', '=', sku.COST!).execute(),
    ).rejects.toThrow(/CONSTRAINT|check/i)
  })
})
