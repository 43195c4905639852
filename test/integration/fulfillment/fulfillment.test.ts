import nock from 'nock'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { allocateOrder } from '../../../src/inventory/allocate.js'
import { systemClock } from '../../../src/lib/clock.js'
import { checkInventory } from '../../../src/inventory/check.js'
import { handleInventoryEvent } from '../../../src/inventory/events.js'
import { receive } from '../../../src/inventory/operations.js'
import { runWriteback } from '../../../src/fulfillment/writeback.js'
import { createShop, type Shop } from '../../../src/shops/repo.js'
import { upsertSkus } from '../../../src/skus/repo.js'
import { createWarehouse, type Warehouse } from '../../../src/warehouses/repo.js'
import { bearer, seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'
import { seedOrder } from '../../helpers/orders.js'

const BASE = 'https://own.example'
let env: TestEnv
let m: TestMerchant
let shopA: Shop
let shopB: Shop
let wh: Warehouse
const sku: Record<string, string> = {}

async function paidAndAllocated(
  shop: Shop,
  lines: { code: string; quantity: number }[],
  opts: { channel?: string } = {},
) {
  const { orderId } = await seedOrder(
    env.ctx.db,
    m.id,
    shop.id,
    lines.map((l) => ({ skuId: sku[l.code]!, quantity: l.quantity })),
    { channel: opts.channel ?? shop.channel },
  )
  expect(await allocateOrder(env.ctx, m.id, orderId)).toBe('allocated')
  return orderId
}
const wave = (body: Record<string, unknown>) =>
  env.app.inject({
    method: 'POST',
    url: '/waves',
    headers: bearer(m.keys.warehouse),
    payload: { warehouseId: wh.id, ...body },
  })
const waveOrders = async (waveId: string) =>
  (await env.ctx.db.selectFrom('wave_orders').select('order_id').where('wave_id', '=', waveId).execute())
    .map((r) => r.order_id)
    .sort()

beforeAll(async () => {
  env = await testEnv()
  m = await seedMerchant(env.ctx)
  shopA = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
    channel: 'selfstore',
    name: 'A',
    settings: { baseUrl: `${BASE}/a`, defaultCarrier: 'SF', timeoutMs: 1000 },
    credentials: { apiKey: 'ka' },
  })
  shopB = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
    channel: 'selfstore',
    name: 'B',
    settings: { baseUrl: `${BASE}/b`, defaultCarrier: 'ZTO' },
    credentials: { apiKey: 'kb' },
  })
  wh = await createWarehouse(env.ctx.db, m.id, { code: 'HZ1', name: '杭州一仓' })
  await upsertSkus(
    env.ctx,
    m.id,
    ['CUP', 'TEA', 'MUG'].map((code) => ({ code, name: `${code} 商品` })),
  )
  for (const r of await env.ctx.db
    .selectFrom('skus')
    .select(['id', 'code'])
    .where('merchant_id', '=', m.id)
    .execute())
    sku[r.code] = r.id
  await receive(
    env.ctx.db,
    m.id,
    { warehouseId: wh.id, skuId: sku.CUP!, quantity: 50, unitCost: '12.50', currency: 'CNY' },
    { actor: 't' },
  )
  await receive(
    env.ctx.db,
    m.id,
    { warehouseId: wh.id, skuId: sku.TEA!, quantity: 50, unitCost: '3.20', currency: 'CNY' },
    { actor: 't' },
  )
  await receive(
    env.ctx.db,
    m.id,
    { warehouseId: wh.id, skuId: sku.MUG!, quantity: 2, unitCost: '20', currency: 'CNY' },
    { actor: 't' },
  )
  await env.app.inject({
    method: 'PUT',
    url: '/stock/bins',
    headers: bearer(m.keys.warehouse),
    payload: {
      items: [
        { warehouseId: wh.id, skuId: sku.CUP!, bin: 'A-10-01' },
        { warehouseId: wh.id, skuId: sku.TEA!, bin: 'A-2-03' },
        { warehouseId: wh.id, skuId: sku.MUG!, bin: 'B-1-1' },
      ],
    },
  })
})
afterAll(() => env.close())

describe('waves', () => {
  it('filters by shop, carrier, single-item, cut-off and maximum; an order joins one open wave only', async () => {
    const a1 = await paidAndAllocated(shopA, [{ code: 'CUP', quantity: 1 }])
    const a2 = await paidAndAllocated(shopA, [
      { code: 'CUP', quantity: 1 },
      { code: 'TEA', quantity: 2 },
    ])
    const b1 = await paidAndAllocated(shopB, [{ code: 'TEA', quantity: 1 }])
    const cutoff = new Date(systemClock.now().getTime() + 60_000).toISOString()
    expect((await wave({ paidBefore: '2000-01-01T00:00:00Z' })).statusCode).toBe(422)
    const single = await wave({ shopId: shopA.id, singleItemOnly: true })
    expect(await waveOrders(single.json<{ waveId: string }>().waveId)).toEqual([a1])
    const zto = await wave({ carrier: 'ZTO', paidBefore: cutoff })
    expect(await waveOrders(zto.json<{ waveId: string }>().waveId)).toEqual([b1])
    const rest = await wave({ maxOrders: 5 })
    expect(await waveOrders(rest.json<{ waveId: string }>().waveId)).toEqual([a2])
    expect((await wave({})).statusCode).toBe(422) // everything is in an open wave already
    const statuses = await env.ctx.db
      .selectFrom('orders')
      .select('status')
      .where('id', 'in', [a1, a2, b1])
      .execute()
    expect(statuses.every((s) => s.status === 'picking')).toBe(true)
  })
})

describe('pick list, shortage, ship, writeback, intercept', () => {
  let waveId = ''
  let o1 = ''
  let o2 = ''
  let held = ''
  it('aggregates by bin in walking order, with per-order slots, as JSON, CSV and HTML', async () => {
    o1 = await paidAndAllocated(shopA, [
      { code: 'CUP', quantity: 2 },
      { code: 'TEA', quantity: 1 },
    ])
    o2 = await paidAndAllocated(shopA, [{ code: 'CUP', quantity: 1 }])
    held = await paidAndAllocated(shopA, [{ code: 'TEA', quantity: 4 }])
    waveId = (await wave({ shopId: shopA.id })).json<{ waveId: string }>().waveId
    // A refund requested before shipment: the order is held and leaves the wave, but stays visible.
    await handleInventoryEvent(env.ctx, {
      merchantId: m.id,
      orderId: held,
      kind: 'refund_requested',
      key: `${held}.rr`,
    })
    const list = (
      await env.app.inject({
        method: 'GET',
        url: `/waves/${waveId}/picklist`,
        headers: bearer(m.keys.warehouse),
      })
    ).json<{
      items: {
        bin: string
        skuCode: string
        totalQuantity: number
        slots: { slot: number; quantity: number; onHold: boolean }[]
      }[]
      heldOrders: number
    }>()
    expect(list.items.map((i) => [i.bin, i.skuCode, i.totalQuantity])).toEqual([
      ['A-2-03', 'TEA', 1],
      ['A-10-01', 'CUP', 3],
    ])
    expect(list.items[0]!.slots.map((s) => [s.quantity, s.onHold])).toEqual([
      [1, false],
      [4, true],
    ])
    expect(list.heldOrders).toBe(1)
    const csv = await env.app.inject({
      method: 'GET',
      url: `/waves/${waveId}/picklist?format=csv`,
      headers: bearer(m.keys.warehouse),
    })
    expect(csv.headers['content-type']).toContain('text/csv')
    expect(csv.body).toContain('A-10-01,CUP,CUP 商品,,3,')
    const html = await env.app.inject({
      method: 'GET',
      url: `/waves/${waveId}/picklist?format=html`,
      headers: bearer(m.keys.warehouse),
    })
    expect(html.body).toContain('<div class="sku">CUP</div>')
    expect(html.body).toContain('HOLD')
    expect(html.body.indexOf('A-2-03')).toBeLessThan(html.body.indexOf('A-10-01'))
    expect(
      (
        await env.app.inject({
          method: 'GET',
          url: `/waves/${waveId}/picklist`,
          headers: bearer(m.keys.accountant),
        })
      ).statusCode,
    ).toBe(403)
  })

  it('a shortage at the shelf becomes an adjustment, an exception and a re-allocation, not a partial shipment', async () => {
    const short = await paidAndAllocated(shopB, [{ code: 'MUG', quantity: 2 }])
    const w = (await wave({ shopId: shopB.id })).json<{ waveId: string }>().waveId
    const alloc = await env.ctx.db
      .selectFrom('stock_allocations')
      .select('id')
      .where('order_id', '=', short)
      .executeTakeFirstOrThrow()
    const res = await env.app.inject({
      method: 'POST',
      url: `/waves/${w}/picks`,
      headers: bearer(m.keys.warehouse),
      payload: { allocationId: alloc.id, picked: 1 },
    })
    expect(res.json()).toEqual({ shortage: 1, reallocation: 'no_stock' })
    const mug = await env.ctx.db
      .selectFrom('stock')
      .select(['on_hand', 'reserved'])
      .where('sku_id', '=', sku.MUG!)
      .executeTakeFirstOrThrow()
    expect(mug).toEqual({ on_hand: 1, reserved: 0 })
    const ex = await env.ctx.db
      .selectFrom('order_exceptions')
      .select('reason')
      .where('order_id', '=', short)
      .where('status', '=', 'open')
      .execute()
    expect(ex.map((e) => e.reason).sort()).toEqual(['no_stock', 'pick_shortage'])
    expect(
      (
        await env.ctx.db
          .selectFrom('orders')
          .select('status')
          .where('id', '=', short)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe('paid')
    expect(await checkInventory(env.ctx.db, m.id)).toEqual([])
  })

  it('ships: shipment movements at moving-average cost, status shipped, one writeback even if submitted twice', async () => {
    const ship = () =>
      env.app.inject({
        method: 'POST',
        url: `/orders/${o1}/ship`,
        headers: { ...bearer(m.keys.warehouse), 'idempotency-key': 'pkg-1' },
        payload: { parcels: [{ carrier: 'SF', trackingNumber: 'SF1234567890' }] },
      })
    const [first, second] = [await ship(), await ship()]
    expect(first.statusCode).toBe(200)
    expect(first.json()).toMatchObject({
      repeated: false,
      shipments: [{ orderId: o1, cogs: '28.2000', currency: 'CNY' }],
    }) // 2 × 12.50 + 1 × 3.20
    expect(second.json()).toMatchObject({ repeated: true })
    const moves = await env.ctx.db
      .selectFrom('stock_movements')
      .select(['sku_id', 'quantity', 'unit_cost'])
      .where('ref_id', '=', o1)
      .where('kind', '=', 'shipment')
      .orderBy('quantity')
      .execute()
    expect(moves).toEqual([
      { sku_id: sku.CUP!, quantity: -2, unit_cost: '12.5000' },
      { sku_id: sku.TEA!, quantity: -1, unit_cost: '3.2000' },
    ])
    expect(
      (await env.ctx.db.selectFrom('orders').select('status').where('id', '=', o1).executeTakeFirstOrThrow())
        .status,
    ).toBe('shipped')
    const jobs = await env.ctx.queues['shipment-writeback'].getJobs(['waiting'])
    expect(jobs.filter((j) => j.data.merchantId === m.id)).toHaveLength(1)
    const shippedEvents = (await env.ctx.queues['ledger-order-event'].getJobs(['waiting'])).filter(
      (j) => j.data.kind === 'shipped',
    )
    expect(shippedEvents).toHaveLength(1)
    const heldShip = await env.app.inject({
      method: 'POST',
      url: `/orders/${held}/ship`,
      headers: bearer(m.keys.warehouse),
      payload: { parcels: [{ carrier: 'SF', trackingNumber: 'SF999999' }] },
    })
    expect(heldShip.statusCode).toBe(409)
    expect(await checkInventory(env.ctx.db, m.id)).toEqual([])
  })

  it('records a failed writeback, lists it, and retries it by hand', async () => {
    const wb = await env.ctx.db
      .selectFrom('shipment_writebacks')
      .select('id')
      .where('order_id', '=', o1)
      .executeTakeFirstOrThrow()
    nock(BASE).post(`/a/orders/${o1}/shipments`).reply(400, { error: 'order not found' })
    expect(await runWriteback(env.ctx, m.id, wb.id, false)).toBe('failed_permanently')
    const failed = (
      await env.app.inject({ method: 'GET', url: '/writebacks?status=failed', headers: bearer(m.keys.admin) })
    ).json<{ items: { id: string; lastError: string }[] }>()
    expect(failed.items.map((i) => i.id)).toEqual([wb.id])
    expect(failed.items[0]!.lastError).toContain('400')
    const retry = await env.app.inject({
      method: 'POST',
      url: `/writebacks/${wb.id}/retry`,
      headers: bearer(m.keys.warehouse),
    })
    expect(retry.json()).toEqual({ queued: true })
    let body: unknown
    nock(BASE)
      .post(`/a/orders/${o1}/shipments`, (b: unknown) => ((body = b), true))
      .reply(201, {})
    expect(await runWriteback(env.ctx, m.id, wb.id, false)).toBe('done')
    expect(body).toMatchObject({ carrier: 'SF', tracking_number: 'SF1234567890', line_ids: [] })
    expect(await runWriteback(env.ctx, m.id, wb.id, false)).toBe('already_done')
    expect(o2).not.toBe('')
  })
})
