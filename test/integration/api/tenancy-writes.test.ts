/**
 * Writes to another merchant's ids answer 404 like reads do, and change nothing: merchant B's admin
 * key is sent at every route that takes an id, with merchant A's ids in the path, the query and the
 * body. The issue saw allocate, thresholds, auto mapping and the stock push answer 200.
 */
import { sql } from 'kysely'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { classicStatement } from '../../fixtures/taobao/alipay.js'
import { newId } from '../../../src/lib/ids.js'
import { raiseException } from '../../../src/orders/exceptions.js'
import { createShop } from '../../../src/shops/repo.js'
import { bearer, seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'
import { openApi, operations, opName, type Operation, type Schema } from '../../helpers/openapi.js'
import { seedOrder } from '../../helpers/orders.js'

let env: TestEnv
let a: TestMerchant
let b: TestMerchant
let ops: Operation[]
const ids: Record<string, string> = {}

const as = (m: TestMerchant, method: Operation['method'], url: string, payload?: unknown) =>
  env.app.inject({
    method,
    url,
    headers: bearer(m.keys.admin),
    ...(payload === undefined ? {} : { payload: payload as object }),
  })

beforeAll(async () => {
  env = await testEnv()
  a = await seedMerchant(env.ctx, 'A')
  b = await seedMerchant(env.ctx, 'B')
  ops = operations(await openApi(env.app))
  const { db } = env.ctx
  const shop = await createShop(db, env.ctx.config.secretKey, a.id, {
    channel: 'taobao',
    name: 'A 天猫',
    settings: {},
  })
  ids.shop = shop.id
  ids.warehouse = (await as(a, 'POST', '/warehouses', { code: 'W1', name: 'A 仓' })).json<{ id: string }>().id
  ids.warehouse2 = (await as(a, 'POST', '/warehouses', { code: 'W2', name: 'A 仓 2' })).json<{
    id: string
  }>().id
  await as(a, 'POST', '/skus/bulk', {
    items: [
      { code: 'A-1', name: 'a1' },
      { code: 'A-2', name: 'a2' },
    ],
  })
  const skus = (await as(a, 'GET', '/skus')).json<{ items: { id: string; code: string }[] }>().items
  ids.sku = skus[0]!.id
  ids.sku2 = skus[1]!.id
  await as(a, 'POST', '/stock/receipts', {
    warehouseId: ids.warehouse,
    skuId: ids.sku,
    quantity: 10,
    unitCost: '1.00',
    currency: 'CNY',
  })
  const o1 = await seedOrder(db, a.id, shop.id, [{ skuId: ids.sku, quantity: 1 }], { channel: 'taobao' })
  const o2 = await seedOrder(db, a.id, shop.id, [{ skuId: ids.sku, quantity: 1 }], { channel: 'taobao' })
  ids.order = o1.orderId
  ids.order2 = o2.orderId
  ids.line = (
    await db
      .selectFrom('order_lines')
      .select('id')
      .where('order_id', '=', o1.orderId)
      .executeTakeFirstOrThrow()
  ).id
  expect((await as(a, 'POST', `/orders/${ids.order}/allocate`)).json()).toEqual({ outcome: 'allocated' })
  ids.allocation = (
    await db
      .selectFrom('stock_allocations')
      .select('id')
      .where('order_id', '=', o1.orderId)
      .executeTakeFirstOrThrow()
  ).id
  const wave = await as(a, 'POST', '/waves', { warehouseId: ids.warehouse })
  expect(wave.statusCode).toBe(201)
  ids.wave = wave.json<{ waveId: string }>().waveId
  await raiseException(db, a.id, { shopId: shop.id, orderId: o2.orderId, reason: 'buyer_note', detail: {} })
  ids.exception = (
    await db
      .selectFrom('order_exceptions')
      .select('id')
      .where('merchant_id', '=', a.id)
      .executeTakeFirstOrThrow()
  ).id
  await as(a, 'POST', '/sku-mappings/bulk', {
    items: [{ shopId: shop.id, platformSkuId: 'P1', skuCode: 'A-1' }],
  })
  ids.mapping = (
    await db.selectFrom('sku_mappings').select('id').where('merchant_id', '=', a.id).executeTakeFirstOrThrow()
  ).id
  ids.writeback = newId()
  await db
    .insertInto('shipment_writebacks')
    .values({
      id: ids.writeback,
      merchant_id: a.id,
      shipment_id: newId(),
      order_id: o1.orderId,
      shop_id: shop.id,
      parcel_no: 1,
      status: 'failed',
      attempts: 1,
      last_error: 'x',
      note: null,
    })
    .execute()
  ids.apiKey = (
    await db.selectFrom('api_keys').select('id').where('merchant_id', '=', a.id).executeTakeFirstOrThrow()
  ).id
  // B has a SKU of the same code, so that only the id is foreign.
  await as(b, 'POST', '/skus/bulk', { items: [{ code: 'A-1', name: 'b1' }] })
  ids.bSku = (await as(b, 'GET', '/skus')).json<{ items: { id: string }[] }>().items[0]!.id
  ids.bWarehouse = (await as(b, 'POST', '/warehouses', { code: 'W1', name: 'B 仓' })).json<{
    id: string
  }>().id
})
afterAll(() => env.close())

/** Merchant B's request at each route that takes an id, carrying merchant A's ids. */
const attempts = (): Record<string, { url: string; payload?: unknown; type?: string }> => ({
  'DELETE /api-keys/:id': { url: `/api-keys/${ids.apiKey}` },
  'GET /shops/:id': { url: `/shops/${ids.shop}` },
  'PATCH /shops/:id': { url: `/shops/${ids.shop}`, payload: { name: 'hijacked' } },
  'PUT /shops/:id/credentials': { url: `/shops/${ids.shop}/credentials`, payload: { session: 'x' } },
  'POST /shops/:id/disable': { url: `/shops/${ids.shop}/disable` },
  'POST /shops/:id/enable': { url: `/shops/${ids.shop}/enable` },
  'GET /shops/:id/sync': { url: `/shops/${ids.shop}/sync` },
  'POST /shops/:id/sync': { url: `/shops/${ids.shop}/sync`, payload: {} },
  'POST /shops/:id/oauth/authorize': { url: `/shops/${ids.shop}/oauth/authorize` },
  'GET /warehouses/:id': { url: `/warehouses/${ids.warehouse}` },
  'PATCH /warehouses/:id': { url: `/warehouses/${ids.warehouse}`, payload: { name: 'hijacked' } },
  'DELETE /warehouses/:id': { url: `/warehouses/${ids.warehouse}` },
  'GET /skus/:id': { url: `/skus/${ids.sku}` },
  'PUT /skus/:id/bundle': { url: `/skus/${ids.sku}/bundle`, payload: { components: [] } },
  'POST /sku-mappings/bulk': {
    url: '/sku-mappings/bulk',
    payload: { items: [{ shopId: ids.shop, platformSkuId: 'P9', skuCode: 'A-1' }] },
  },
  'POST /sku-mappings/auto': { url: '/sku-mappings/auto', payload: { shopId: ids.shop } },
  'DELETE /sku-mappings/:id': { url: `/sku-mappings/${ids.mapping}` },
  'GET /orders/:id': { url: `/orders/${ids.order}` },
  'PATCH /orders/:id/receiver': { url: `/orders/${ids.order2}/receiver`, payload: { name: 'x' } },
  'POST /orders/:id/rerun': { url: `/orders/${ids.order}/rerun` },
  'POST /orders/merge': { url: '/orders/merge', payload: { orderIds: [ids.order, ids.order2] } },
  'DELETE /orders/:id/merge': { url: `/orders/${ids.order}/merge` },
  'POST /orders/:id/split': { url: `/orders/${ids.order2}/split`, payload: { lineIds: [ids.line] } },
  'DELETE /orders/:id/split': { url: `/orders/${ids.order2}/split` },
  'POST /exceptions/:id/resolve': { url: `/exceptions/${ids.exception}/resolve`, payload: {} },
  'POST /stock/receipts': {
    url: '/stock/receipts',
    payload: { warehouseId: ids.warehouse, skuId: ids.sku, quantity: 1, unitCost: '1', currency: 'CNY' },
  },
  'POST /stock/stocktakes': {
    url: '/stock/stocktakes',
    payload: { warehouseId: ids.warehouse, skuId: ids.sku, counted: 0, expectedOnHand: 10 },
  },
  'POST /stock/transfers': {
    url: '/stock/transfers',
    payload: { fromWarehouseId: ids.warehouse, toWarehouseId: ids.warehouse2, skuId: ids.sku, quantity: 1 },
  },
  'POST /stock/returns': {
    url: '/stock/returns',
    payload: { warehouseId: ids.bWarehouse, skuId: ids.sku, quantity: 1 },
  },
  'POST /stock/returns #order': {
    url: '/stock/returns',
    payload: { warehouseId: ids.bWarehouse, skuId: ids.bSku, quantity: 1, orderId: ids.order },
  },
  'PUT /stock/bins': {
    url: '/stock/bins',
    payload: { items: [{ warehouseId: ids.warehouse, skuId: ids.sku, bin: 'X' }] },
  },
  'PUT /stock/thresholds': {
    url: '/stock/thresholds',
    payload: { items: [{ skuId: ids.sku, threshold: 5 }] },
  },
  'POST /orders/:id/allocate': { url: `/orders/${ids.order2}/allocate` },
  'POST /shops/:id/stock-push': { url: `/shops/${ids.shop}/stock-push` },
  'POST /waves': { url: '/waves', payload: { warehouseId: ids.warehouse } },
  'POST /waves #shop': { url: '/waves', payload: { warehouseId: ids.bWarehouse, shopId: ids.shop } },
  'GET /waves/:id/picklist': { url: `/waves/${ids.wave}/picklist` },
  'POST /waves/:id/picks': {
    url: `/waves/${ids.wave}/picks`,
    payload: { allocationId: ids.allocation, picked: 0 },
  },
  'POST /orders/:id/ship': {
    url: `/orders/${ids.order}/ship`,
    payload: { parcels: [{ carrier: 'SF', trackingNumber: 'SF0000001' }] },
  },
  'POST /writebacks/:id/retry': { url: `/writebacks/${ids.writeback}/retry` },
  'POST /settlements/import': {
    url: `/settlements/import?shopId=${ids.shop}`,
    payload: classicStatement(),
    type: 'text/csv',
  },
  'GET /shops/:id/commission-plans': { url: `/shops/${ids.shop}/commission-plans` },
  'POST /shops/:id/commission-plans': {
    url: `/shops/${ids.shop}/commission-plans`,
    payload: { name: 'x', effectiveFrom: '2025-01-01', rules: { rate: '0.05' } },
  },
  'POST /shops/:id/commission-plans/defaults': { url: `/shops/${ids.shop}/commission-plans/defaults` },
})

/** Routes that take ids but answer to no merchant key: the platform signs its webhooks. */
const NOT_MERCHANT = new Set(['POST /webhooks/:channel/:shopId'])

const ULID = '^[0-9A-HJKMNP-TV-Z]{26}$'
const takesId = (s: Schema | null | undefined): boolean =>
  !!s &&
  (s.pattern === ULID ||
    takesId(s.items) ||
    Object.values(s.properties ?? {}).some(takesId) ||
    (s.anyOf ?? []).some(takesId))

async function rowCounts(): Promise<Record<string, number>> {
  const tables = await sql<Record<string, string>>`SHOW TABLES`.execute(env.ctx.db)
  const counts: Record<string, number> = {}
  for (const row of tables.rows) {
    const t = Object.values(row)[0]!
    const r = await sql<{ n: string | number }>`SELECT COUNT(*) AS n FROM ${sql.table(t)}`.execute(env.ctx.db)
    counts[t] = Number(r.rows[0]!.n)
  }
  return counts
}

it('covers every route that takes an id', () => {
  const withIds = ops
    .filter((op) => op.parameters.some((p) => takesId(p.schema)) || takesId(op.body))
    .filter((op) => op.method !== 'GET' || op.parameters.some((p) => p.in === 'path'))
    .map(opName)
    .filter((n) => !NOT_MERCHANT.has(n))
  expect(withIds.sort()).toEqual([...new Set(Object.keys(attempts()).map((k) => k.split(' #')[0]!))].sort())
})

it("answers 404 to merchant B at every route given merchant A's ids, and changes nothing", async () => {
  const before = await rowCounts()
  const wrong: string[] = []
  for (const [route, req] of Object.entries(attempts())) {
    const method = route.split(' ')[0] as Operation['method'] // 'POST /waves #shop': a second case
    const res = await env.app.inject({
      method,
      url: req.url,
      headers: { ...bearer(b.keys.admin), ...(req.type ? { 'content-type': req.type } : {}) },
      ...(req.payload === undefined ? {} : { payload: req.payload as string }),
    })
    if (res.statusCode !== 404 || res.json<{ error: { code: string } }>().error.code !== 'not_found')
      wrong.push(`${route}: ${res.statusCode} ${res.body.slice(0, 160)}`)
  }
  expect(wrong).toEqual([])
  expect(await rowCounts()).toEqual(before)
  // A's own key still reaches every one of them.
  expect((await as(a, 'GET', `/shops/${ids.shop}`)).json()).toMatchObject({
    name: 'A 天猫',
    status: 'active',
  })
})
