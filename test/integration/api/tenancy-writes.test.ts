/**
 * Writes to another merchant's ids answer 404 like reads do, and change nothing: merchant B's admin
 * key is sent at every route that takes an id, with merchant A's ids in the path, the query and the
 * body. The issue saw allocate, thresholds, auto mapping and the stock push answer 200.
 */
import { sql } from 'kysely'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { classicStatement } from '../../fixtures/taobao/alipay.js'
import { newId } from '../../../src/lib/ids.js'
import { storeListings } from '../../../src/catalogue/store.js'
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
  const shop = await createShop(env.ctx, env.ctx.config.secretKey, a.id, {
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
  ids.shipment = newId()
  await db
    .insertInto('shipments')
    .values({
      id: ids.shipment,
      merchant_id: a.id,
      order_id: o1.orderId,
      shipment_group_id: '',
      warehouse_id: ids.warehouse,
      idempotency_key: 'tenancy',
      parcels: JSON.stringify([
        { carrier: 'SF', carrierName: null, trackingNumber: 'SF0000009', lineExternalIds: [] },
      ]),
      cogs_amount: '0',
      cogs_currency: 'CNY',
      shipped_by: null,
      shipped_at: new Date(),
    })
    .execute()
  await db
    .insertInto('shipment_writebacks')
    .values({
      id: ids.writeback,
      merchant_id: a.id,
      shipment_id: ids.shipment,
      order_id: o1.orderId,
      shop_id: shop.id,
      parcel_no: 1,
      status: 'failed',
      attempts: 1,
      last_error: 'x',
      note: null,
    })
    .execute()
  const acct = await as(a, 'POST', '/waybill-accounts', {
    provider: 'cainiao',
    name: 'A 菜鸟',
    shopId: shop.id,
  })
  expect(acct.statusCode, acct.body).toBe(201)
  ids.waybillAccount = acct.json<{ id: string }>().id
  ids.waybill = newId()
  await db
    .insertInto('waybills')
    .values({
      id: ids.waybill,
      merchant_id: a.id,
      order_id: o1.orderId,
      account_id: ids.waybillAccount,
      provider: 'cainiao',
      status: 'issued',
      cp_code: 'YTO',
      carrier: 'YTO',
      waybill_code: 'YT0000000001',
      package_id: '1',
      parcel_no: 0,
      shipment_group_id: '',
      print_kind: 'component',
      print_data: '{}',
      attempts: 1,
      print_count: 0,
    })
    .execute()
  ids.apiKey = (
    await db.selectFrom('api_keys').select('id').where('merchant_id', '=', a.id).executeTakeFirstOrThrow()
  ).id
  await storeListings(
    db,
    a.id,
    shop.id,
    newId(),
    [
      {
        raw: { platformItemId: '9001', platformUpdatedAt: null, payload: { num_iid: 9001 } },
        mapped: {
          ok: true,
          value: {
            platformItemId: '9001',
            title: 'A 的商品',
            itemCode: null,
            status: 'on_sale',
            platformStatus: 'onsale',
            currency: 'CNY',
            platformUpdatedAt: null,
            skus: [
              {
                platformSkuKey: '90011',
                platformSkuId: '90011',
                inventoryItemId: null,
                code: 'A-2',
                barcode: null,
                specText: null,
                price: null,
                quantity: 1,
                heldQuantity: null,
                status: 'on_sale',
                platformStatus: null,
                stockMode: 'normal',
                platformUpdatedAt: null,
              },
            ],
          },
        },
      },
    ],
    env.ctx.clock.now(),
  )
  ids.listing = (
    await db
      .selectFrom('channel_listings')
      .select('id')
      .where('merchant_id', '=', a.id)
      .executeTakeFirstOrThrow()
  ).id
  ids.listingSku = (
    await db
      .selectFrom('channel_listing_skus')
      .select('id')
      .where('merchant_id', '=', a.id)
      .executeTakeFirstOrThrow()
  ).id
  const user = await as(a, 'POST', '/users', {
    email: 'packer@a.example',
    name: 'A 打包员',
    role: 'warehouse',
  })
  expect(user.statusCode, user.body).toBe(201)
  ids.user = user.json<{ user: { id: string } }>().user.id
  ids.receipt = (
    await as(a, 'POST', '/receipts', {
      warehouseId: ids.warehouse,
      currency: 'CNY',
      lines: [{ skuId: ids.sku, quantity: 1, unitCost: '1' }],
    })
  ).json<{ id: string }>().id
  ids.count = (await as(a, 'POST', '/stock-counts', { warehouseId: ids.warehouse, skuIds: [ids.sku] })).json<{
    id: string
  }>().id
  ids.transfer = (
    await as(a, 'POST', '/transfers', {
      fromWarehouseId: ids.warehouse,
      toWarehouseId: ids.warehouse2,
      lines: [{ skuId: ids.sku, quantity: 1 }],
    })
  ).json<{ id: string }>().id
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
  'GET /skus/:id/bundle': { url: `/skus/${ids.sku}/bundle` },
  'PUT /skus/:id/barcodes': {
    url: `/skus/${ids.sku}/barcodes`,
    payload: { items: [{ code: 'X1', kind: 'code128' }] },
  },
  'POST /receipts': {
    url: '/receipts',
    payload: {
      warehouseId: ids.warehouse,
      currency: 'CNY',
      lines: [{ skuId: ids.sku, quantity: 1, unitCost: '1' }],
    },
  },
  'GET /receipts/:id': { url: `/receipts/${ids.receipt}` },
  'PUT /receipts/:id': {
    url: `/receipts/${ids.receipt}`,
    payload: {
      warehouseId: ids.bWarehouse,
      currency: 'CNY',
      lines: [{ skuId: ids.bSku, quantity: 1, unitCost: '1' }],
    },
  },
  'POST /receipts/:id/post': { url: `/receipts/${ids.receipt}/post` },
  'POST /stock-counts': { url: '/stock-counts', payload: { warehouseId: ids.warehouse, skuIds: [ids.sku] } },
  'GET /stock-counts/:id': { url: `/stock-counts/${ids.count}` },
  'POST /stock-counts/:id/counts': {
    url: `/stock-counts/${ids.count}/counts`,
    payload: { items: [{ skuId: ids.bSku, quantity: 1, mode: 'add' }] },
  },
  'POST /stock-counts/:id/submit': { url: `/stock-counts/${ids.count}/submit` },
  'POST /stock-counts/:id/approve': { url: `/stock-counts/${ids.count}/approve` },
  'POST /stock-counts/:id/reject': { url: `/stock-counts/${ids.count}/reject` },
  'POST /transfers': {
    url: '/transfers',
    payload: {
      fromWarehouseId: ids.warehouse,
      toWarehouseId: ids.bWarehouse,
      lines: [{ skuId: ids.bSku, quantity: 1 }],
    },
  },
  'GET /transfers/:id': { url: `/transfers/${ids.transfer}` },
  'POST /transfers/:id/ship': { url: `/transfers/${ids.transfer}/ship` },
  'POST /transfers/:id/receive': {
    url: `/transfers/${ids.transfer}/receive`,
    payload: { lines: [{ lineNo: 1, quantity: 1 }] },
  },
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
  'PATCH /exceptions/:id': { url: `/exceptions/${ids.exception}`, payload: { assigneeId: null } },
  'POST /exceptions/resolve': { url: '/exceptions/resolve', payload: { ids: [ids.exception] } },
  'POST /orders/:id/pick-version': {
    url: `/orders/${ids.order}/pick-version`,
    payload: { versionId: ids.order },
  },
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
    payload: {
      warehouseId: ids.bWarehouse,
      skuId: ids.sku,
      quantity: 1,
      orderId: ids.order,
      orderLineId: ids.line,
    },
  },
  'POST /stock/returns #warehouse': {
    url: '/stock/returns',
    payload: {
      warehouseId: ids.warehouse,
      skuId: ids.bSku,
      quantity: 1,
      orderId: ids.order,
      orderLineId: ids.line,
    },
  },
  'GET /shops/:id/catalogue': { url: `/shops/${ids.shop}/catalogue` },
  'POST /shops/:id/catalogue/pull': { url: `/shops/${ids.shop}/catalogue/pull`, payload: {} },
  'GET /shops/:id/listings': { url: `/shops/${ids.shop}/listings` },
  'GET /listings/:id': { url: `/listings/${ids.listing}` },
  'PUT /listings/:id/mapping': { url: `/listings/${ids.listingSku}/mapping`, payload: { skuCode: 'A-1' } },
  'DELETE /listings/:id/mapping': { url: `/listings/${ids.listingSku}/mapping` },
  'GET /users/:id': { url: `/users/${ids.user}` },
  'PATCH /users/:id': { url: `/users/${ids.user}`, payload: { name: 'hijacked' } },
  'POST /users/:id/password-reset': { url: `/users/${ids.user}/password-reset` },
  'POST /users': {
    url: '/users',
    payload: { email: 'spy@b.example', name: 'spy', role: 'warehouse', warehouseIds: [ids.warehouse] },
  },
  'POST /users #shop': {
    url: '/users',
    payload: { email: 'spy2@b.example', name: 'spy', role: 'admin', shopIds: [ids.shop] },
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
  'POST /shops/:id/stock-rules/preview': {
    url: `/shops/${ids.shop}/stock-rules/preview`,
    payload: { stockSync: { ratio: '0.5' } },
  },
  'GET /shops/:id/stock-pushes': { url: `/shops/${ids.shop}/stock-pushes` },
  'POST /waves': { url: '/waves', payload: { warehouseId: ids.warehouse } },
  'POST /waves #shop': { url: '/waves', payload: { warehouseId: ids.bWarehouse, shopId: ids.shop } },
  'POST /waves/preview': { url: '/waves/preview', payload: { warehouseId: ids.warehouse } },
  'POST /waves/preview #shop': {
    url: '/waves/preview',
    payload: { warehouseId: ids.bWarehouse, shopId: ids.shop },
  },
  'POST /waves/:id/scans': { url: `/waves/${ids.wave}/scans`, payload: { code: 'A-1' } },
  'POST /waves/:id/shorts': { url: `/waves/${ids.wave}/shorts`, payload: { skuId: ids.sku } },
  'GET /orders/:id/verification': { url: `/orders/${ids.order}/verification` },
  'POST /orders/:id/verification/scans': {
    url: `/orders/${ids.order}/verification/scans`,
    payload: { code: 'A-1' },
  },
  'POST /orders/:id/verification/reset': { url: `/orders/${ids.order}/verification/reset`, payload: {} },
  'POST /orders/:id/pack': { url: `/orders/${ids.order}/pack`, payload: {} },
  'POST /shipments/:id/tracking': {
    url: `/shipments/${ids.shipment}/tracking`,
    payload: { trackingNumber: 'SF0000010', reason: 'typo' },
  },
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
  'POST /waybill-accounts': {
    url: '/waybill-accounts',
    payload: { provider: 'cainiao', name: 'x', shopId: ids.shop },
  },
  'GET /waybill-accounts/:id': { url: `/waybill-accounts/${ids.waybillAccount}` },
  'PATCH /waybill-accounts/:id': {
    url: `/waybill-accounts/${ids.waybillAccount}`,
    payload: { name: 'hijacked' },
  },
  'PUT /waybill-accounts/:id/credentials': {
    url: `/waybill-accounts/${ids.waybillAccount}/credentials`,
    payload: { apiKey: 'x' },
  },
  'POST /waybill-accounts/:id/refresh': { url: `/waybill-accounts/${ids.waybillAccount}/refresh` },
  'PUT /waybill-defaults': {
    url: '/waybill-defaults',
    payload: { shopId: ids.shop, accountId: ids.waybillAccount, cpCode: 'YTO' },
  },
  'PUT /waybill-defaults #warehouse': {
    url: '/waybill-defaults',
    payload: { warehouseId: ids.bWarehouse, accountId: ids.waybillAccount, cpCode: 'YTO' },
  },
  'PUT /orders/:id/waybill-choice': {
    url: `/orders/${ids.order}/waybill-choice`,
    payload: { accountId: null },
  },
  'POST /shipments/waybills': { url: '/shipments/waybills', payload: { parcels: [{ orderId: ids.order }] } },
  'POST /shipments/waybills #wave': { url: '/shipments/waybills', payload: { waveId: ids.wave } },
  'GET /waybills/:id': { url: `/waybills/${ids.waybill}` },
  'POST /waybills/:id/cancel': { url: `/waybills/${ids.waybill}/cancel` },
  'POST /waybills/print-tasks': { url: '/waybills/print-tasks', payload: { waybillIds: [ids.waybill] } },
  'GET /waybills/:id/label': { url: `/waybills/${ids.waybill}/label` },
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
