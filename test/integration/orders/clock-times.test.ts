/**
 * The times an order, its picks, its exceptions, the merchant's API keys, shops and SKUs show are
 * the application clock's (ctx.clock), or the business time of the event that caused them — never
 * the server's: with the clock pinned years away from the real date and moved a minute before
 * each step, every record names the minute of the step that wrote it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { allocateOrder } from '../../../src/inventory/allocate.js'
import { handleInventoryEvent } from '../../../src/inventory/events.js'
import { createShop, type Shop } from '../../../src/shops/repo.js'
import { createWarehouse, type Warehouse } from '../../../src/warehouses/repo.js'
import {
  bearer,
  fixedClock,
  seedMerchant,
  seedSkus,
  testEnv,
  type TestEnv,
  type TestMerchant,
} from '../../helpers/app.js'
import { seedOrder } from '../../helpers/orders.js'

const clock = fixedClock('2031-03-14T09:26:53.000Z')

let env: TestEnv
let m: TestMerchant
let shop: Shop
let hz: Warehouse
let sku: Record<string, string>

/** The next step happens a minute later; returns its time. */
const step = () => {
  clock.advance(60_000)
  return clock.now()
}

const call = async (
  method: 'POST' | 'GET' | 'DELETE',
  url: string,
  payload?: object,
  token = m.keys.admin,
) => {
  const res = await env.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) })
  expect(res.statusCode, `${url}: ${res.body}`).toBeLessThan(300)
  return res.body ? res.json<Record<string, unknown>>() : {}
}

const orderTimes = (id: string) =>
  env.ctx.db
    .selectFrom('orders')
    .select(['status', 'updated_at', 'shipped_at'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow()

const allocationOf = async (orderId: string) =>
  (
    await env.ctx.db
      .selectFrom('stock_allocations')
      .select('id')
      .where('order_id', '=', orderId)
      .executeTakeFirstOrThrow()
  ).id

const confirmedAt = async (allocationId: string) =>
  (
    await env.ctx.db
      .selectFrom('pick_confirmations')
      .select('confirmed_at')
      .where('allocation_id', '=', allocationId)
      .executeTakeFirstOrThrow()
  ).confirmed_at

const paidOrder = async (code: string, quantity: number) =>
  (await seedOrder(env.ctx.db, m.id, shop.id, [{ skuId: sku[code]!, quantity }])).orderId

beforeAll(async () => {
  env = await testEnv({ clock })
  m = await seedMerchant(env.ctx)
  shop = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
    channel: 'selfstore',
    name: 'Own store',
    settings: { baseUrl: 'https://own.example', defaultCarrier: 'SF', timeoutMs: 1000 },
    credentials: { apiKey: 'k' },
  })
  hz = await createWarehouse(env.ctx.db, m.id, { code: 'HZ', name: '杭州仓' })
  sku = await seedSkus(env.ctx, m.id, [{ code: 'CUP', name: 'cup' }, 'TEA', 'MUG'])
  await env.ctx.db.updateTable('skus').set({ barcode: '6901234567892' }).where('id', '=', sku.MUG!).execute()
  for (const code of ['CUP', 'TEA', 'MUG'])
    await call('POST', '/stock/receipts', {
      warehouseId: hz.id,
      skuId: sku[code],
      quantity: 10,
      unitCost: '10.00',
      currency: 'CNY',
    })
})
afterAll(() => env.close())

describe('an order through the warehouse', () => {
  it('is allocated, waved, picked (by hand and by scan) and shipped at the clock’s times', async () => {
    const cup = await paidOrder('CUP', 1)
    const mug = await paidOrder('MUG', 1)
    const allocated = step()
    expect(await allocateOrder(env.ctx, m.id, cup)).toBe('allocated')
    expect(await allocateOrder(env.ctx, m.id, mug)).toBe('allocated')
    expect(await orderTimes(cup)).toEqual({ status: 'allocated', updated_at: allocated, shipped_at: null })

    const waved = step()
    const wave = await call('POST', '/waves', { warehouseId: hz.id, shopId: shop.id })
    const waveId = String(wave.waveId)
    expect(await orderTimes(cup)).toEqual({ status: 'picking', updated_at: waved, shipped_at: null })
    const waveRow = await env.ctx.db
      .selectFrom('waves')
      .select('created_at')
      .where('id', '=', waveId)
      .executeTakeFirstOrThrow()
    expect(waveRow.created_at).toEqual(waved)

    const picked = step()
    const cupAllocation = await allocationOf(cup)
    await call('POST', `/waves/${waveId}/picks`, { allocationId: cupAllocation, picked: 1 }, m.keys.warehouse)
    expect(await confirmedAt(cupAllocation)).toEqual(picked)
    const scanned = step()
    await call('POST', `/waves/${waveId}/scans`, { code: '6901234567892' }, m.keys.warehouse)
    expect(await confirmedAt(await allocationOf(mug))).toEqual(scanned)

    const shipped = step()
    await call(
      'POST',
      `/orders/${cup}/ship`,
      { parcels: [{ carrier: 'SF', trackingNumber: 'SF2031031401' }] },
      m.keys.warehouse,
    )
    expect(await orderTimes(cup)).toEqual({ status: 'shipped', updated_at: shipped, shipped_at: shipped })
  })

  it('is sent back by a pick shortage, and its exception resolved by hand, at the clock’s times', async () => {
    // No TEA is left to allocate the order again from once the shelf turns out short.
    await call('POST', '/stock/stocktakes', {
      warehouseId: hz.id,
      skuId: sku.TEA,
      counted: 2,
      expectedOnHand: 10,
    })
    const tea = await paidOrder('TEA', 2)
    expect(await allocateOrder(env.ctx, m.id, tea)).toBe('allocated')
    const wave = await call('POST', '/waves', { warehouseId: hz.id, shopId: shop.id })
    const short = step()
    const res = await call(
      'POST',
      `/waves/${String(wave.waveId)}/picks`,
      { allocationId: await allocationOf(tea), picked: 1 },
      m.keys.warehouse,
    )
    expect(res).toEqual({ shortage: 1, reallocation: 'no_stock' })
    expect(await orderTimes(tea)).toEqual({ status: 'paid', updated_at: short, shipped_at: null })

    const exceptions = () =>
      env.ctx.db
        .selectFrom('order_exceptions')
        .select(['id', 'reason', 'status', 'resolved_at'])
        .where('order_id', '=', tea)
        .orderBy('reason')
        .execute()
    const open = await exceptions()
    expect(open.map((e) => [e.reason, e.status])).toEqual([
      ['no_stock', 'open'],
      ['pick_shortage', 'open'],
    ])
    const resolved = step()
    await call('POST', '/exceptions/resolve', { ids: open.map((e) => e.id), note: 'counted again' })
    expect(await exceptions()).toEqual(open.map((e) => ({ ...e, status: 'resolved', resolved_at: resolved })))
  })

  it('is held by a refund before shipment at the refund’s own time', async () => {
    const cup = await paidOrder('CUP', 1)
    expect(await allocateOrder(env.ctx, m.id, cup)).toBe('allocated')
    step()
    const refundedAt = new Date('2031-03-01T02:03:04.000Z')
    await handleInventoryEvent(env.ctx, {
      merchantId: m.id,
      orderId: cup,
      kind: 'refund_requested',
      key: `${cup}.refund_requested.1`,
      at: refundedAt.toISOString(),
    })
    expect(await orderTimes(cup)).toEqual({ status: 'on_hold', updated_at: refundedAt, shipped_at: null })
  })
})

describe('API keys', () => {
  it('are created, used and revoked at the clock’s times', async () => {
    const created = step()
    const { key, token } = (await call('POST', '/api-keys', { role: 'admin', name: 'export script' })) as {
      key: { id: string; createdAt: string }
      token: string
    }
    expect(key.createdAt).toBe(created.toISOString())
    const used = step()
    await call('GET', '/api-keys', undefined, token)
    const revoked = step()
    await call('DELETE', `/api-keys/${key.id}`)
    const listed = (await call('GET', '/api-keys?limit=100')) as {
      items: { id: string; createdAt: string; lastUsedAt: string | null; revokedAt: string | null }[]
    }
    expect(listed.items.find((k) => k.id === key.id)).toMatchObject({
      createdAt: created.toISOString(),
      lastUsedAt: used.toISOString(),
      revokedAt: revoked.toISOString(),
    })
  })
})

describe('the catalogue', () => {
  it('a shop linked and SKUs added, then changed, carry the clock’s times', async () => {
    const linked = step()
    const shop = await call('POST', '/shops', {
      channel: 'jd',
      name: 'JD shop',
      settings: { baseUrl: 'https://jd.example' },
    })
    expect(shop.createdAt).toBe(linked.toISOString())

    const added = step()
    await call('POST', '/skus/bulk', { items: [{ code: 'PEN', name: 'pen' }] })
    const changed = step()
    await call('POST', '/skus/bulk', { items: [{ code: 'PEN', name: 'black pen' }] })
    const listed = (await call('GET', '/skus?q=PEN')) as {
      items: { code: string; createdAt: string; updatedAt: string }[]
    }
    expect(listed.items.find((s) => s.code === 'PEN')).toMatchObject({
      createdAt: added.toISOString(),
      updatedAt: changed.toISOString(),
    })
  })
})
