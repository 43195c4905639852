/**
 * POST /stock/returns: goods come back against a shipped order line, never more than shipped less
 * what came back before; every refusal names the field and writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { allocateOrder } from '../../../src/inventory/allocate.js'
import { checkInventory } from '../../../src/inventory/check.js'
import { receive } from '../../../src/inventory/operations.js'
import { shipOrder } from '../../../src/fulfillment/ship.js'
import { newId } from '../../../src/lib/ids.js'
import { createShop, type Shop } from '../../../src/shops/repo.js'
import { upsertSkus } from '../../../src/skus/repo.js'
import { createWarehouse, type Warehouse } from '../../../src/warehouses/repo.js'
import { bearer, seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'
import { seedOrder } from '../../helpers/orders.js'

let env: TestEnv
let m: TestMerchant
let shop: Shop
let wh: Warehouse
const sku: Record<string, string> = {}
/** A shipped order: line 1 one CUP; line 2 a gift box (bundle of 1 CUP + 2 TEA). */
let shipped = { orderId: '', cupLine: '', boxLine: '' }
let unshipped = { orderId: '', line: '' }

const lineIds = async (orderId: string) =>
  (
    await env.ctx.db
      .selectFrom('order_lines')
      .select('id')
      .where('order_id', '=', orderId)
      .orderBy('line_no')
      .execute()
  ).map((l) => l.id)

const returnGoods = (body: Record<string, unknown>) =>
  env.app.inject({
    method: 'POST',
    url: '/stock/returns',
    headers: bearer(m.keys.warehouse),
    payload: { warehouseId: wh.id, ...body },
  })

/** What a refusal must leave untouched. */
const snapshot = async () => ({
  stock: await env.ctx.db
    .selectFrom('stock')
    .select(['sku_id', 'on_hand', 'reserved'])
    .where('merchant_id', '=', m.id)
    .orderBy('sku_id')
    .execute(),
  movements: (
    await env.ctx.db
      .selectFrom('stock_movements')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('merchant_id', '=', m.id)
      .executeTakeFirstOrThrow()
  ).n,
})

beforeAll(async () => {
  env = await testEnv()
  m = await seedMerchant(env.ctx)
  shop = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
    channel: 'selfstore',
    name: 'web',
    settings: { baseUrl: 'https://own.example', defaultCarrier: 'SF' },
    credentials: { apiKey: 'k' },
  })
  wh = await createWarehouse(env.ctx.db, m.id, { code: 'HZ1', name: '杭州一仓' })
  await upsertSkus(
    env.ctx,
    m.id,
    ['CUP', 'TEA', 'MUG'].map((code) => ({ code, name: code })),
  )
  for (const r of await env.ctx.db
    .selectFrom('skus')
    .select(['id', 'code'])
    .where('merchant_id', '=', m.id)
    .execute())
    sku[r.code] = r.id
  for (const code of ['CUP', 'TEA'])
    await receive(
      env.ctx.db,
      m.id,
      { warehouseId: wh.id, skuId: sku[code]!, quantity: 20, unitCost: '5.00', currency: 'CNY' },
      { actor: 't' },
    )
  const { orderId } = await seedOrder(env.ctx.db, m.id, shop.id, [
    { skuId: sku.CUP!, quantity: 1 },
    { skuId: sku.CUP!, quantity: 1 },
  ])
  const [cupLine, boxLine] = await lineIds(orderId)
  // Line 2 becomes a bundle: its stock view is its components.
  await env.ctx.db
    .updateTable('order_lines')
    .set({ sku_id: null, is_bundle: 1 })
    .where('id', '=', boxLine!)
    .execute()
  await env.ctx.db.deleteFrom('order_line_skus').where('order_line_id', '=', boxLine!).execute()
  await env.ctx.db
    .insertInto('order_line_skus')
    .values(
      (
        [
          ['CUP', 1, '6.00'],
          ['TEA', 2, '4.00'],
        ] as const
      ).map(([code, quantity, share]) => ({
        id: newId(),
        merchant_id: m.id,
        order_id: orderId,
        order_line_id: boxLine!,
        sku_id: sku[code]!,
        quantity,
        revenue_share: share,
      })),
    )
    .execute()
  expect(await allocateOrder(env.ctx, m.id, orderId)).toBe('allocated')
  await shipOrder(
    env.ctx.db,
    m.id,
    orderId,
    [{ carrier: 'SF', carrierName: null, trackingNumber: 'SF1', lineExternalIds: [] }],
    `ship.${orderId}`,
    null,
    undefined,
    env.ctx.clock.now(),
  )
  shipped = { orderId, cupLine: cupLine!, boxLine: boxLine! }
  const other = await seedOrder(env.ctx.db, m.id, shop.id, [{ skuId: sku.CUP!, quantity: 1 }])
  expect(await allocateOrder(env.ctx, m.id, other.orderId)).toBe('allocated')
  unshipped = { orderId: other.orderId, line: (await lineIds(other.orderId))[0]! }
})
afterAll(() => env.close())

describe('returns against a shipped order line', () => {
  it.each([
    [
      'a SKU that was not on the line',
      () => ({ orderLineId: shipped.cupLine, skuId: sku.MUG, quantity: 1 }),
      422,
      'body/skuId',
    ],
    [
      '500 units of a 1-unit line',
      () => ({ orderLineId: shipped.cupLine, quantity: 500 }),
      422,
      'body/quantity',
    ],
    [
      'a line of another order',
      () => ({ orderLineId: unshipped.line, quantity: 1 }),
      422,
      'body/orderLineId',
    ],
    [
      'an unknown order',
      () => ({ orderId: newId(), orderLineId: shipped.cupLine, quantity: 1 }),
      404,
      'body/orderId',
    ],
    [
      'a bundle line without the component',
      () => ({ orderLineId: shipped.boxLine, quantity: 1 }),
      422,
      'body/skuId',
    ],
    [
      'more of a component than the bundle shipped',
      () => ({ orderLineId: shipped.boxLine, skuId: sku.TEA, quantity: 3 }),
      422,
      'body/quantity',
    ],
  ])('refuses %s, naming the field, and writes nothing', async (_what, body, status, field) => {
    const before = await snapshot()
    const res = await returnGoods({ orderId: shipped.orderId, ...body() })
    expect(res.statusCode).toBe(status)
    const error = res.json<{ error: { message: string; details: { field: string } } }>().error
    expect(error.details.field).toBe(field)
    expect(error.message).toContain(field)
    expect(await snapshot()).toEqual(before)
  })

  it('refuses a line that has not shipped, and a request without the line', async () => {
    const before = await snapshot()
    const res = await returnGoods({ orderId: unshipped.orderId, orderLineId: unshipped.line, quantity: 1 })
    expect(res.statusCode).toBe(409)
    expect(res.json<{ error: { details: { field: string } } }>().error.details.field).toBe('body/orderLineId')
    const missing = await returnGoods({ orderId: shipped.orderId, skuId: sku.CUP, quantity: 1 })
    expect(missing.statusCode).toBe(400)
    expect(missing.json<{ error: { message: string } }>().error.message).toContain('orderLineId')
    expect(await snapshot()).toEqual(before)
  })

  it('restocks what shipped, once, and no more than shipped less what came back before', async () => {
    const onHand = async (code: string) =>
      (
        await env.ctx.db
          .selectFrom('stock')
          .select('on_hand')
          .where('merchant_id', '=', m.id)
          .where('sku_id', '=', sku[code]!)
          .executeTakeFirstOrThrow()
      ).on_hand
    const cup = await onHand('CUP')
    const tea = await onHand('TEA')
    const once = {
      orderId: shipped.orderId,
      orderLineId: shipped.cupLine,
      quantity: 1,
      idempotencyKey: 'ret-1',
    }
    expect((await returnGoods(once)).statusCode).toBe(204)
    expect((await returnGoods(once)).statusCode).toBe(204) // the same request again changes nothing
    expect(await onHand('CUP')).toBe(cup + 1)
    const again = await returnGoods({ orderId: shipped.orderId, orderLineId: shipped.cupLine, quantity: 1 })
    expect(again.statusCode).toBe(422)
    expect(again.json<{ error: { details: Record<string, unknown> } }>().error.details).toMatchObject({
      field: 'body/quantity',
      shipped: 1,
      returned: 1,
      returnable: 0,
    })
    // The gift box: 2 teas back in two returns, a third refused; its cup is counted on its own line.
    const box = { orderId: shipped.orderId, orderLineId: shipped.boxLine, skuId: sku.TEA }
    expect((await returnGoods({ ...box, quantity: 1 })).statusCode).toBe(204)
    expect((await returnGoods({ ...box, quantity: 1 })).statusCode).toBe(204)
    expect((await returnGoods({ ...box, quantity: 1 })).statusCode).toBe(422)
    expect((await returnGoods({ ...box, skuId: sku.CUP, quantity: 1 })).statusCode).toBe(204)
    expect(await onHand('TEA')).toBe(tea + 2)
    expect(await onHand('CUP')).toBe(cup + 2)
    expect(await checkInventory(env.ctx.db, m.id)).toEqual([])
  })
})

describe('low stock', () => {
  it('counts the last 30 days of shipments on the clock that stamped them', async () => {
    await env.app.inject({
      method: 'PUT',
      url: '/stock/thresholds',
      headers: bearer(m.keys.warehouse),
      payload: { items: [{ skuId: sku.TEA!, threshold: 100 }] },
    })
    const low = await env.app.inject({ method: 'GET', url: '/stock/low', headers: bearer(m.keys.warehouse) })
    // The gift box shipped 2 teas (whatever came back since).
    expect(low.json<{ items: Record<string, unknown>[] }>().items).toMatchObject([
      { skuId: sku.TEA!, threshold: 100, shippedLast30Days: 2 },
    ])
  })
})
