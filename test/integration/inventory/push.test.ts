import nock from 'nock'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { receive } from '../../../src/inventory/operations.js'
import { endPushTurn, takePushTurn } from '../../../src/inventory/push-gate.js'
import { PushBusy, pushShopNow, pushShopStock } from '../../../src/inventory/push.js'
import { schedulePush } from '../../../src/inventory/schedule-push.js'
import { upsertMappings } from '../../../src/orders/mappings.js'
import { createShop, type Shop } from '../../../src/shops/repo.js'
import { upsertSkus } from '../../../src/skus/repo.js'
import { createWarehouse } from '../../../src/warehouses/repo.js'
import { seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'

const BASE = 'https://shop.example'
let env: TestEnv
let m: TestMerchant
let shop: Shop
const sku: Record<string, string> = {}

beforeAll(async () => {
  env = await testEnv({ config: { STOCK_PUSH_DEBOUNCE_MS: '60000', STOCK_VIRTUAL_MAX: '5' } })
  m = await seedMerchant(env.ctx)
  shop = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
    channel: 'selfstore',
    name: 'own store',
    settings: {
      baseUrl: `${BASE}/api`,
      stockSync: { ratio: '0.5', safetyStock: 2, virtualStock: 1, overrides: { SPECIAL: { fixed: 7 } } },
    },
    credentials: { apiKey: 'k-123', webhookSecret: 's' },
  })
  const wh = await createWarehouse(env.ctx.db, m.id, { code: 'W1', name: 'W1' })
  await upsertSkus(
    env.ctx,
    m.id,
    ['CUP', 'LID', 'SET', 'SPECIAL'].map((code) => ({ code, name: code })),
  )
  for (const r of await env.ctx.db
    .selectFrom('skus')
    .select(['id', 'code'])
    .where('merchant_id', '=', m.id)
    .execute())
    sku[r.code] = r.id
  await env.ctx.db
    .insertInto('sku_bundle_components')
    .values([
      {
        merchant_id: m.id,
        bundle_sku_id: sku.SET!,
        component_sku_id: sku.CUP!,
        quantity: 1,
        unit_value: '10',
      },
      {
        merchant_id: m.id,
        bundle_sku_id: sku.SET!,
        component_sku_id: sku.LID!,
        quantity: 2,
        unit_value: '1',
      },
    ])
    .execute()
  await upsertMappings(
    env.ctx.db,
    m.id,
    ['CUP', 'SET', 'SPECIAL'].map((c) => ({ shopId: shop.id, platformSkuId: `P-${c}`, skuCode: c })),
    'bulk',
  )
  await receive(
    env.ctx.db,
    m.id,
    { warehouseId: wh.id, skuId: sku.CUP!, quantity: 20, unitCost: '5', currency: 'CNY' },
    { actor: 't' },
  )
  await receive(
    env.ctx.db,
    m.id,
    { warehouseId: wh.id, skuId: sku.LID!, quantity: 9, unitCost: '1', currency: 'CNY' },
    { actor: 't' },
  )
})
afterAll(() => env.close())

it('pushes ratio, safety and virtual stock, bundle minimums and overrides, then only what changed', async () => {
  const bodies: unknown[] = []
  const ok = (_uri: string, raw: nock.Body): [number, nock.Body] => {
    const body = raw as { items: { sku: string }[] }
    bodies.push(body)
    return [200, { results: body.items.map((i) => ({ sku: i.sku, ok: true })) }]
  }
  nock(BASE).put('/api/stock').matchHeader('authorization', 'Bearer k-123').reply(ok)
  const first = await pushShopStock(env.ctx, m.id, shop.id)
  expect(first).toMatchObject({ sent: 3, failed: 0 })
  // CUP: floor((20 − 2) × 0.5) + 1 = 10; SET: min(20/1, 9/2) = 4 → floor((4 − 2) × 0.5) + 1 = 2;
  // SPECIAL: fixed 7, but never more than available (none) + virtual stock 1
  expect(bodies[0]).toEqual({
    items: expect.arrayContaining([
      { sku: 'P-CUP', quantity: 10 },
      { sku: 'P-SET', quantity: 2 },
      { sku: 'P-SPECIAL', quantity: 1 },
    ]),
  })
  expect(await pushShopStock(env.ctx, m.id, shop.id)).toMatchObject({ sent: 0 })
  await receive(
    env.ctx.db,
    m.id,
    {
      warehouseId: (await env.ctx.db.selectFrom('warehouses').select('id').executeTakeFirstOrThrow()).id,
      skuId: sku.CUP!,
      quantity: 4,
      unitCost: '5',
      currency: 'CNY',
    },
    { actor: 't' },
  )
  nock(BASE).put('/api/stock').reply(ok)
  expect(await pushShopStock(env.ctx, m.id, shop.id)).toMatchObject({ sent: 1 })
  expect(bodies[1]).toEqual({ items: [{ sku: 'P-CUP', quantity: 12 }] })
  const state = await env.ctx.db
    .selectFrom('stock_push_state')
    .select(['platform_sku_key', 'quantity', 'ok'])
    .where('shop_id', '=', shop.id)
    .orderBy('platform_sku_key')
    .execute()
  expect(state).toEqual([
    { platform_sku_key: 'P-CUP', quantity: 12, ok: 1 },
    { platform_sku_key: 'P-SET', quantity: 2, ok: 1 },
    { platform_sku_key: 'P-SPECIAL', quantity: 1, ok: 1 },
  ])
})

it('records a failed push per SKU and sends it again next time', async () => {
  nock(BASE)
    .put('/api/stock')
    .reply(200, { results: [{ sku: 'P-SPECIAL', ok: false, error: 'item delisted' }] })
  const r = await pushShopStock(env.ctx, m.id, shop.id, true)
  expect(r.failed).toBe(3)
  const special = await env.ctx.db
    .selectFrom('stock_push_state')
    .select(['ok', 'error'])
    .where('platform_sku_key', '=', 'P-SPECIAL')
    .executeTakeFirstOrThrow()
  expect(special).toEqual({ ok: 0, error: 'item delisted' })
})

it('coalesces many stock changes into one pending push per shop', async () => {
  await env.ctx.queues['stock-push'].obliterate({ force: true })
  for (let i = 0; i < 25; i++) await schedulePush(env.ctx, m.id)
  const jobs = await env.ctx.queues['stock-push'].getJobs(['delayed', 'waiting'])
  expect(jobs).toHaveLength(1)
  expect(jobs[0]!.data).toEqual({ merchantId: m.id, shopId: shop.id, full: false })
})

it('a full resync asked for by a person waits for the running push of the shop, never beside it', async () => {
  const ok = (_uri: string, raw: nock.Body): [number, nock.Body] => [
    200,
    { results: (raw as { items: { sku: string }[] }).items.map((i) => ({ sku: i.sku, ok: true })) },
  ]
  // A worker's push holds the shop's turn; the interval (60 s here) does not hold a person back.
  expect(await takePushTurn(env.ctx, shop.id, 'worker-job', { spaced: false })).toBe(0)
  let pushed = false
  nock(BASE)
    .put('/api/stock')
    .reply((uri, body) => {
      pushed = true
      return ok(uri, body)
    })
  const manual = pushShopNow(env.ctx, m.id, shop.id)
  await new Promise((r) => setTimeout(r, 300))
  expect(pushed).toBe(false)
  await endPushTurn(env.ctx, shop.id, 'worker-job')
  expect(await manual).toMatchObject({ sent: 3, failed: 0 })
  expect(pushed).toBe(true)
  // A push that keeps the turn past the wait: the person is told to try again, nothing is sent.
  expect(await takePushTurn(env.ctx, shop.id, 'stuck-job', { spaced: false })).toBe(0)
  await expect(pushShopNow(env.ctx, m.id, shop.id, 300)).rejects.toBeInstanceOf(PushBusy)
  const res = await env.app.inject({
    method: 'POST',
    url: `/shops/${shop.id}/stock-push`,
    headers: { authorization: `Bearer ${m.keys.warehouse}` },
  })
  expect(res.statusCode).toBe(409)
  expect(res.json()).toMatchObject({ error: { details: { reason: 'push_running' } } })
  await endPushTurn(env.ctx, shop.id, 'stuck-job')
})

it('lists SKUs at or under their low-stock threshold with days of cover', async () => {
  const h = { authorization: `Bearer ${m.keys.warehouse}` }
  const set = await env.app.inject({
    method: 'PUT',
    url: '/stock/thresholds',
    headers: h,
    payload: {
      items: [
        { skuId: sku.LID!, threshold: 10 },
        { skuId: sku.CUP!, threshold: 5 },
      ],
    },
  })
  expect(set.json()).toEqual({ saved: 2 })
  const low = await env.app.inject({ method: 'GET', url: '/stock/low', headers: h })
  expect(
    low.json<{ items: { code: string; available: number; daysOfCover: number | null }[] }>().items,
  ).toEqual([
    { skuId: sku.LID!, code: 'LID', available: 9, threshold: 10, shippedLast30Days: 0, daysOfCover: null },
  ])
})
