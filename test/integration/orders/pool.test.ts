import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { RawOrder } from '../../../connectors/types.js'
import { CONNECTORS } from '../../../connectors/index.js'
import { ingestRawOrders } from '../../../src/orders/ingest.js'
import { reprocess } from '../../../src/orders/reprocess.js'
import { createShop, type Shop } from '../../../src/shops/repo.js'
import { upsertSkus } from '../../../src/skus/repo.js'
import { bearer, seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'
import { selfstoreOrder } from '../../fixtures/selfstore/orders.js'

let env: TestEnv
let m: TestMerchant
let shop: Shop
const raw = (o: ReturnType<typeof selfstoreOrder>): RawOrder => ({
  externalId: o.id,
  platformUpdatedAt: new Date(o.updated_at),
  payload: o,
})
const ingest = (...orders: ReturnType<typeof selfstoreOrder>[]) =>
  ingestRawOrders(env.ctx, shop, orders.map(raw), 'pull')
const order = (externalId: string) =>
  env.ctx.db
    .selectFrom('orders')
    .selectAll()
    .where('merchant_id', '=', m.id)
    .where('external_id', '=', externalId)
    .executeTakeFirst()
const lines = (orderId: string) =>
  env.ctx.db
    .selectFrom('order_lines')
    .selectAll()
    .where('order_id', '=', orderId)
    .orderBy('line_no')
    .execute()
const events = async (queue: 'inventory-order-event' | 'ledger-order-event') =>
  (await env.ctx.queues[queue].getJobs(['waiting', 'delayed', 'prioritized'])).map((j) => j.data)

beforeAll(async () => {
  env = await testEnv()
  m = await seedMerchant(env.ctx)
  shop = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
    channel: 'selfstore',
    name: '官网',
    settings: { baseUrl: 'https://shop.example/api' },
  })
  await upsertSkus(env.ctx, m.id, [
    { code: 'CUP-500', name: '保温杯 500ml' },
    { code: 'TEA-01', name: 'Organic Green Tea 100g' },
    { code: 'GIFT-SET', name: '礼盒装' },
  ])
})
afterAll(() => env.close())
beforeEach(async () => {
  await env.ctx.queues['inventory-order-event'].obliterate({ force: true })
  await env.ctx.queues['ledger-order-event'].obliterate({ force: true })
})

describe('ingest and normalize', () => {
  it('stores the payload verbatim, maps SKUs by seller code, apportions discounts exactly and emits paid', async () => {
    const o = selfstoreOrder({ id: 'SO-1', updated_at: '2026-11-11T00:00:40+08:00' })
    expect(await ingest(o)).toEqual({ stored: 1, duplicates: 0 })
    const row = (await order('SO-1'))!
    expect(row).toMatchObject({
      status: 'paid',
      currency: 'CNY',
      goods_amount: '213.5000',
      merchant_discount: '15.0000',
      platform_discount: '0.0000',
      shipping_amount: '8.0000',
      buyer_paid: '206.5000',
      receiver_province: '浙江省',
    })
    const ls = await lines(row.id)
    // order_discount 10.00 over line values 173.00 and 35.50: 8.29 / 1.71; shipping 8.00 over goods 178.00 / 35.50: 6.66 / 1.34 (remainder to the last line)
    expect(ls.map((l) => [l.external_line_id, l.merchant_discount, l.paid_amount, l.shipping_share])).toEqual(
      [
        ['L1', '13.2900', '164.7100', '6.6600'],
        ['L2', '1.7100', '33.7900', '1.3400'],
      ],
    )
    expect(ls.every((l) => l.sku_id !== null)).toBe(true)
    const inbox = await env.ctx.db
      .selectFrom('raw_inbox')
      .select(['payload', 'outcome', 'kind'])
      .where('external_id', '=', 'SO-1')
      .execute()
    expect(inbox).toHaveLength(1)
    expect(JSON.parse(inbox[0]!.payload)).toEqual(o)
    expect(inbox[0]!.outcome).toBe('applied')
    const inv = await events('inventory-order-event')
    // The event carries the business time of the version that caused it: the platform's modified time.
    expect(inv).toEqual([
      {
        merchantId: m.id,
        orderId: row.id,
        kind: 'paid',
        key: `${row.id}.paid`,
        at: '2026-11-10T16:00:40.000Z',
      },
    ])
    expect(await events('ledger-order-event')).toHaveLength(1)
  })

  it('stores the same payload once and lets out-of-order and duplicate updates converge to the newest', async () => {
    const v1 = selfstoreOrder({
      id: 'SO-2',
      status: 'pending',
      paid_at: null,
      updated_at: '2026-11-11T00:00:05+08:00',
    })
    const v2 = selfstoreOrder({ id: 'SO-2', updated_at: '2026-11-11T00:00:40+08:00' })
    const v3 = selfstoreOrder({ id: 'SO-2', status: 'cancelled', updated_at: '2026-11-11T00:10:00+08:00' })
    expect(await ingest(v3, v1, v2, v3, v1)).toEqual({ stored: 3, duplicates: 2 })
    const row = (await order('SO-2'))!
    expect(row.status).toBe('cancelled')
    expect(row.platform_updated_at.toISOString()).toBe('2026-11-10T16:10:00.000Z')
    const outcomes = await env.ctx.db
      .selectFrom('raw_inbox')
      .select('outcome')
      .where('external_id', '=', 'SO-2')
      .orderBy('id')
      .execute()
    expect(outcomes.map((x) => x.outcome)).toEqual(['applied', 'stale', 'stale'])
    expect((await events('inventory-order-event')).map((e) => e.kind)).not.toContain('paid')
  })

  it('keeps a payload the mapper cannot read and shows it as an exception', async () => {
    const bad = { ...selfstoreOrder({ id: 'SO-BAD', updated_at: '2026-11-11T01:00:00Z' }), lines: 'oops' }
    const throwing = {
      ...selfstoreOrder({ id: 'SO-THROW', updated_at: '2026-11-11T01:00:00Z' }),
      refunds: [{ status: 'refunded', amount: 'x', lines: [] }],
    }
    await ingestRawOrders(
      env.ctx,
      shop,
      [
        { externalId: 'SO-BAD', platformUpdatedAt: new Date('2026-11-11T01:00:00Z'), payload: bad },
        { externalId: 'SO-THROW', platformUpdatedAt: new Date('2026-11-11T01:00:00Z'), payload: throwing },
      ],
      'webhook',
    )
    expect(await order('SO-BAD')).toBeUndefined()
    const kept = await env.ctx.db
      .selectFrom('raw_inbox')
      .select(['id', 'payload', 'outcome', 'error'])
      .where('external_id', 'in', ['SO-BAD', 'SO-THROW'])
      .orderBy('external_id')
      .execute()
    expect(kept.map((k) => k.outcome)).toEqual(['failed', 'failed'])
    expect(JSON.parse(kept[0]!.payload)).toEqual(bad)
    const res = await env.app.inject({
      method: 'GET',
      url: '/exceptions?reason=mapping_failed',
      headers: bearer(m.keys.admin),
    })
    const items = res.json<{ items: { rawInboxId: string; detail: { error: string } }[] }>().items
    expect(items.map((i) => i.rawInboxId).sort()).toEqual(kept.map((k) => k.id).sort())
    expect(items.find((i) => i.rawInboxId === kept[0]!.id)!.detail.error).toContain(
      'lines must be a non-empty array',
    )
  })

  it('holds an order with an unmapped SKU as an exception until it is mapped, then re-runs it', async () => {
    const o = selfstoreOrder({
      id: 'SO-3',
      updated_at: '2026-11-11T02:00:00Z',
      lines: [{ id: 'L1', sku: 'NEW-SKU', title: '新品', quantity: 1, unit_price: '50.00' }],
      order_discount: '0.00',
      shipping_fee: '0.00',
      total: '50.00',
    })
    await ingest(o)
    const row = (await order('SO-3'))!
    expect(row.open_exceptions).toBe(1)
    expect((await events('inventory-order-event')).filter((e) => e.orderId === row.id)).toEqual([])
    const map = await env.app.inject({
      method: 'POST',
      url: '/sku-mappings/bulk',
      headers: bearer(m.keys.admin),
      payload: { items: [{ shopId: shop.id, platformSkuId: 'NEW-SKU', skuCode: 'TEA-01' }] },
    })
    expect(map.json()).toMatchObject({ saved: 1, rerun: 1 })
    expect((await order('SO-3'))!.open_exceptions).toBe(0)
    expect((await lines(row.id))[0]!.sku_id).not.toBeNull()
    expect(
      (await events('inventory-order-event')).filter((e) => e.orderId === row.id).map((e) => e.kind),
    ).toEqual(['paid'])
  })

  it('expands a bundle into components and splits its revenue by component value', async () => {
    const [set, cup, tea] = await Promise.all(
      ['GIFT-SET', 'CUP-500', 'TEA-01'].map((c) =>
        env.ctx.db.selectFrom('skus').select('id').where('code', '=', c).executeTakeFirstOrThrow(),
      ),
    )
    await env.ctx.db
      .insertInto('sku_bundle_components')
      .values([
        {
          merchant_id: m.id,
          bundle_sku_id: set!.id,
          component_sku_id: cup!.id,
          quantity: 1,
          unit_value: '89.0000',
        },
        {
          merchant_id: m.id,
          bundle_sku_id: set!.id,
          component_sku_id: tea!.id,
          quantity: 2,
          unit_value: '35.5000',
        },
      ])
      .execute()
    await ingest(
      selfstoreOrder({
        id: 'SO-4',
        updated_at: '2026-11-11T03:00:00Z',
        lines: [{ id: 'L1', sku: 'GIFT-SET', title: '礼盒', quantity: 2, unit_price: '150.00' }],
        order_discount: '0.00',
        shipping_fee: '0.00',
        total: '300.00',
      }),
    )
    const row = (await order('SO-4'))!
    const ls = await env.ctx.db
      .selectFrom('order_line_skus')
      .select(['sku_id', 'quantity', 'revenue_share'])
      .where('order_id', '=', row.id)
      .orderBy('quantity')
      .execute()
    // 300.00 split 89 : 71 → 166.87 / 133.13
    expect(ls).toEqual(
      expect.arrayContaining([
        { sku_id: cup!.id, quantity: 2, revenue_share: expect.any(String) },
        { sku_id: tea!.id, quantity: 4, revenue_share: expect.any(String) },
      ]),
    )
    const total = ls.reduce((s, l) => s + Math.round(Number(l.revenue_share) * 100), 0)
    expect(total).toBe(30000)
    expect(ls.find((l) => l.sku_id === cup!.id)!.revenue_share).toBe('166.8700')
    expect((await lines(row.id))[0]!.is_bundle).toBe(1)
  })

  it('a pull and a webhook racing on one new order end as one order', async () => {
    const a = selfstoreOrder({ id: 'SO-RACE', updated_at: '2026-11-11T04:00:00Z' })
    const b = selfstoreOrder({ id: 'SO-RACE', updated_at: '2026-11-11T04:00:01Z', note: '加急' })
    await Promise.all([
      ingestRawOrders(env.ctx, shop, [raw(a)], 'pull'),
      ingestRawOrders(env.ctx, shop, [raw(b)], 'webhook'),
      ingestRawOrders(env.ctx, shop, [raw(a)], 'webhook'),
    ])
    const rows = await env.ctx.db
      .selectFrom('orders')
      .select(['id', 'buyer_note'])
      .where('external_id', '=', 'SO-RACE')
      .execute()
    expect(rows).toHaveLength(1)
    expect(rows[0]!.buyer_note).toBe('加急')
    expect(await lines(rows[0]!.id)).toHaveLength(2)
  })

  it('replaying the whole raw inbox into an empty pool gives the same pool, and a second replay changes nothing', async () => {
    const snapshot = async () => {
      const os = await env.ctx.db
        .selectFrom('orders')
        .select([
          'external_id',
          'status',
          'refund_state',
          'goods_amount',
          'buyer_paid',
          'merchant_discount',
          'platform_updated_at',
          'buyer_note',
        ])
        .where('merchant_id', '=', m.id)
        .orderBy('external_id')
        .execute()
      const ls = await env.ctx.db
        .selectFrom('order_lines as l')
        .innerJoin('orders as o', 'o.id', 'l.order_id')
        .select([
          'o.external_id',
          'l.external_line_id',
          'l.paid_amount',
          'l.merchant_discount',
          'l.sku_id',
          'l.is_bundle',
        ])
        .where('l.merchant_id', '=', m.id)
        .orderBy('o.external_id')
        .orderBy('l.line_no')
        .execute()
      return { os, ls }
    }
    const before = await snapshot()
    expect(before.os.length).toBeGreaterThanOrEqual(5)
    for (const t of ['order_line_skus', 'order_lines', 'order_status_history', 'orders'] as const)
      await env.ctx.db.deleteFrom(t).where('merchant_id', '=', m.id).execute()
    await reprocess(env.ctx, m.id, shop.id, new Date(0))
    expect(await snapshot()).toEqual(before)
    const history = await env.ctx.db
      .selectFrom('order_status_history')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('merchant_id', '=', m.id)
      .executeTakeFirstOrThrow()
    await reprocess(env.ctx, m.id, shop.id, new Date(0))
    expect(await snapshot()).toEqual(before)
    const history2 = await env.ctx.db
      .selectFrom('order_status_history')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('merchant_id', '=', m.id)
      .executeTakeFirstOrThrow()
    expect(history2.n).toBe(history.n)
  })

  it('rolls refunds up to line and order refund state', async () => {
    await ingest(
      selfstoreOrder({
        id: 'SO-5',
        updated_at: '2026-11-11T05:00:00Z',
        refunds: [
          {
            id: 'R-1',
            status: 'refunded',
            amount: '33.79',
            lines: [{ line_id: 'L2', quantity: 1, amount: '33.79' }],
          },
        ],
      }),
    )
    const row = (await order('SO-5'))!
    expect(row.refund_state).toBe('partial')
    const ls = await lines(row.id)
    expect(
      ls.map((l) => [l.external_line_id, l.refund_state, l.refunded_quantity, l.refunded_amount]),
    ).toEqual([
      ['L1', 'none', 0, '0.0000'],
      ['L2', 'refunded', 1, '33.7900'],
    ])
  })
})

describe('orders API', () => {
  it('lists, filters and shows orders with lines, versions and timeline', async () => {
    const list = await env.app.inject({
      method: 'GET',
      url: '/orders?limit=2',
      headers: bearer(m.keys.warehouse),
    })
    expect(list.statusCode).toBe(200)
    const page = list.json<{ items: { id: string }[]; next: string }>()
    expect(page.items).toHaveLength(2)
    const next = await env.app.inject({
      method: 'GET',
      url: `/orders?limit=2&cursor=${page.next}`,
      headers: bearer(m.keys.warehouse),
    })
    expect(next.json<{ items: { id: string }[] }>().items[0]!.id < page.items[1]!.id).toBe(true)
    const byText = await env.app.inject({
      method: 'GET',
      url: '/orders?q=TEA-01&status=paid',
      headers: bearer(m.keys.accountant),
    })
    expect(byText.json<{ items: { externalId: string }[] }>().items.map((o) => o.externalId)).toContain(
      'SO-1',
    )
    const id = (await order('SO-2'))!.id
    const detail = (
      await env.app.inject({ method: 'GET', url: `/orders/${id}`, headers: bearer(m.keys.admin) })
    ).json<{ lines: unknown[]; versions: unknown[]; timeline: { toStatus: string }[] }>()
    expect(detail.lines).toHaveLength(2)
    expect(detail.versions).toHaveLength(3)
    expect(detail.timeline.map((t) => t.toStatus)).toEqual(['cancelled'])
  })

  it('isolates tenants on every orders and exceptions route', async () => {
    const other = await seedMerchant(env.ctx, 'Other')
    const id = (await order('SO-1'))!.id
    const ex = await env.ctx.db
      .selectFrom('order_exceptions')
      .select('id')
      .where('merchant_id', '=', m.id)
      .executeTakeFirstOrThrow()
    const h = bearer(other.keys.admin)
    expect((await env.app.inject({ method: 'GET', url: `/orders/${id}`, headers: h })).statusCode).toBe(404)
    expect(
      (await env.app.inject({ method: 'GET', url: '/orders', headers: h })).json<{ items: unknown[] }>()
        .items,
    ).toEqual([])
    expect(
      (await env.app.inject({ method: 'GET', url: '/orders?q=SO-1', headers: h })).json<{
        items: unknown[]
      }>().items,
    ).toEqual([])
    expect(
      (await env.app.inject({ method: 'GET', url: '/exceptions', headers: h })).json<{ items: unknown[] }>()
        .items,
    ).toEqual([])
    expect(
      (await env.app.inject({ method: 'POST', url: `/exceptions/${ex.id}/resolve`, headers: h, payload: {} }))
        .statusCode,
    ).toBe(404)
    expect(
      (await env.app.inject({ method: 'GET', url: '/sku-mappings', headers: h })).json<{ items: unknown[] }>()
        .items,
    ).toEqual([])
    const foreign = await env.app.inject({
      method: 'POST',
      url: '/sku-mappings/bulk',
      headers: h,
      payload: { items: [{ shopId: shop.id, platformSkuId: 'X', skuCode: 'CUP-500' }] },
    })
    expect(foreign.statusCode).toBe(404)
    expect(foreign.json()).toMatchObject({ error: { code: 'not_found', details: { unknown: [shop.id] } } })
  })
})

it('the self-run store connector is registered', () => {
  expect(CONNECTORS.selfstore).toBeDefined()
})

describe('merge (合单) and bundles API', () => {
  it('merges paid orders of one shop for the same receiver, refuses others, and unmerges', async () => {
    await ingest(
      selfstoreOrder({ id: 'M-1', updated_at: '2026-11-11T06:00:00Z' }),
      selfstoreOrder({ id: 'M-2', updated_at: '2026-11-11T06:00:00Z' }),
    )
    await ingest(
      selfstoreOrder({
        id: 'M-3',
        updated_at: '2026-11-11T06:00:00Z',
        shipping_address: {
          name: '李雷',
          phone: '13900000000',
          country: 'CN',
          province: '广东省',
          city: '深圳市',
          district: '南山区',
          address: '科技园南路 1 号',
          postcode: '518052',
        },
      }),
    )
    const [a, b, c] = await Promise.all(['M-1', 'M-2', 'M-3'].map(async (x) => (await order(x))!.id))
    const h = bearer(m.keys.warehouse)
    const ok = await env.app.inject({
      method: 'POST',
      url: '/orders/merge',
      headers: h,
      payload: { orderIds: [a, b] },
    })
    expect(ok.statusCode).toBe(200)
    const group = ok.json<{ mergeGroupId: string }>().mergeGroupId
    expect((await order('M-1'))!.merge_group_id).toBe(group)
    expect((await order('M-2'))!.merge_group_id).toBe(group)
    const other = await env.app.inject({
      method: 'POST',
      url: '/orders/merge',
      headers: h,
      payload: { orderIds: [a, c] },
    })
    expect(other.statusCode).toBe(409)
    expect(other.json<{ error: { message: string } }>().error.message).toContain(
      'different buyers or addresses',
    )
    expect(
      (await env.app.inject({ method: 'DELETE', url: `/orders/${b}/merge`, headers: h })).statusCode,
    ).toBe(204)
    expect((await order('M-2'))!.merge_group_id).toBeNull()
  })

  it('merges automatically when the shop asks for it', async () => {
    await env.ctx.db
      .updateTable('shops')
      .set({ settings: JSON.stringify({ baseUrl: 'https://shop.example/api', autoMerge: true }) })
      .where('id', '=', shop.id)
      .execute()
    await ingest(selfstoreOrder({ id: 'AM-1', updated_at: '2026-11-11T07:00:00Z' }))
    await ingest(selfstoreOrder({ id: 'AM-2', updated_at: '2026-11-11T07:01:00Z' }))
    await env.ctx.db
      .updateTable('shops')
      .set({ settings: JSON.stringify({ baseUrl: 'https://shop.example/api' }) })
      .where('id', '=', shop.id)
      .execute()
    const [x, y] = [(await order('AM-1'))!, (await order('AM-2'))!]
    expect(x.merge_group_id).not.toBeNull()
    expect(y.merge_group_id).toBe(x.merge_group_id)
  })

  it('defines a bundle by component codes and refuses unknown ones', async () => {
    const set = await env.ctx.db
      .selectFrom('skus')
      .select('id')
      .where('merchant_id', '=', m.id)
      .where('code', '=', 'GIFT-SET')
      .executeTakeFirstOrThrow()
    const h = bearer(m.keys.admin)
    const bad = await env.app.inject({
      method: 'PUT',
      url: `/skus/${set.id}/bundle`,
      headers: h,
      payload: { components: [{ skuCode: 'NOPE', quantity: 1, unitValue: '1' }] },
    })
    expect(bad.statusCode).toBe(400)
    const good = await env.app.inject({
      method: 'PUT',
      url: `/skus/${set.id}/bundle`,
      headers: h,
      payload: {
        components: [
          { skuCode: 'CUP-500', quantity: 1, unitValue: '89.00' },
          { skuCode: 'TEA-01', quantity: 3, unitValue: '35.50' },
        ],
      },
    })
    expect(good.json()).toEqual({ components: 2 })
    const rows = await env.ctx.db
      .selectFrom('sku_bundle_components')
      .select(['quantity', 'unit_value'])
      .where('bundle_sku_id', '=', set.id)
      .orderBy('quantity')
      .execute()
    expect(rows).toEqual([
      { quantity: 1, unit_value: '89.0000' },
      { quantity: 3, unit_value: '35.5000' },
    ])
  })
})
