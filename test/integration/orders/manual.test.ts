/**
 * What people do to orders through the API: fix a receiver, split lines (拆单), re-run, map SKUs;
 * roles; and tenant isolation on every orders, exceptions and mapping route.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ingestRawOrders } from '../../../src/orders/ingest.js'
import { createShop, type Shop } from '../../../src/shops/repo.js'
import { upsertSkus } from '../../../src/skus/repo.js'
import { bearer, seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'
import { installTestConnector, testOrder, TEST_CHANNEL, type TestPayload } from './test-connector.js'

let env: TestEnv
let m: TestMerchant
let other: TestMerchant
let shop: Shop
let restore: () => void
const L3 = [
  { id: 'L1', sku: 'A', qty: 1, price: '10.00' },
  { id: 'L2', sku: 'B', qty: 1, price: '20.00' },
  { id: 'L3', sku: 'C', qty: 1, price: '30.00' },
]
const ingest = (...ps: TestPayload[]) => ingestRawOrders(env.ctx, shop, ps.map(testOrder), 'pull')
const order = (externalId: string) =>
  env.ctx.db
    .selectFrom('orders')
    .selectAll()
    .where('merchant_id', '=', m.id)
    .where('external_id', '=', externalId)
    .executeTakeFirstOrThrow()
const api = (
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  url: string,
  key: string,
  payload?: object,
) => env.app.inject({ method, url, headers: bearer(key), ...(payload ? { payload } : {}) })
type Detail = {
  receiver: { address: string; masked: boolean }
  lines: { id: string; externalLineId: string; shipmentGroupId: string | null }[]
  exceptions: { reason: string; status: string }[]
}

beforeAll(async () => {
  restore = installTestConnector()
  env = await testEnv()
  m = await seedMerchant(env.ctx)
  other = await seedMerchant(env.ctx, 'Other')
  shop = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
    channel: TEST_CHANNEL,
    name: 'pdd',
    settings: {},
  })
  await upsertSkus(env.ctx, m.id, [
    { code: 'A', name: 'A' },
    { code: 'B', name: 'B' },
    { code: 'C', name: 'C' },
  ])
  await ingest(
    { id: 'NOADDR', at: '2026-11-12T01:00:00Z', lines: L3, addr: null },
    { id: 'SPLIT', at: '2026-11-12T01:00:00Z', lines: L3 },
    { id: 'SHIPPED', at: '2026-11-12T01:00:00Z', status: 'shipped', lines: L3 },
  )
})
afterAll(async () => {
  restore()
  await env.close()
})

describe('receiver fixed by hand', () => {
  it('clears address_unusable, and survives re-runs and newer platform versions', async () => {
    const o = await order('NOADDR')
    expect(o.open_exceptions).toBe(1)
    expect(
      (await api('PATCH', `/orders/${o.id}/receiver`, m.keys.warehouse, { address: 'x' })).statusCode,
    ).toBe(403)
    const res = await api('PATCH', `/orders/${o.id}/receiver`, m.keys.admin, {
      address: '文一西路 969 号',
      postcode: '311121',
    })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({
      receiver: { address: '文一西路 969 号', postcode: '311121', province: '浙江省', masked: false },
      rerun: 'applied',
    })
    expect((await order('NOADDR')).open_exceptions).toBe(0)
    await ingest({ id: 'NOADDR', at: '2026-11-12T02:00:00Z', lines: L3, addr: null, note: 'newer' })
    const d = (await api('GET', `/orders/${o.id}`, m.keys.admin)).json<Detail>()
    expect(d.receiver.address).toBe('文一西路 969 号')
    expect(d.exceptions.map((e) => [e.reason, e.status])).toEqual([['address_unusable', 'resolved']])
    expect((await api('POST', `/orders/${o.id}/rerun`, m.keys.admin)).json()).toEqual({
      outcome: 'unchanged',
    })
  })

  it('refuses a shipped order (409)', async () => {
    const o = await order('SHIPPED')
    expect((await api('PATCH', `/orders/${o.id}/receiver`, m.keys.admin, { address: 'y' })).statusCode).toBe(
      409,
    )
  })
})

describe('split (拆单)', () => {
  it('moves lines to new shipment groups, keeps one line with the order, and undoes', async () => {
    const o = await order('SPLIT')
    const lines = (await api('GET', `/orders/${o.id}`, m.keys.warehouse)).json<Detail>().lines
    expect(lines.map((l) => l.shipmentGroupId)).toEqual([null, null, null])
    const res = await api('POST', `/orders/${o.id}/split`, m.keys.warehouse, { lineIds: [lines[2]!.id] })
    expect(res.statusCode).toBe(200)
    const group = res.json<{ shipmentGroupId: string }>().shipmentGroupId
    const second = await api('POST', `/orders/${o.id}/split`, m.keys.warehouse, { lineIds: [lines[1]!.id] })
    const after = (await api('GET', `/orders/${o.id}`, m.keys.warehouse)).json<Detail>().lines
    expect(after.map((l) => l.shipmentGroupId)).toEqual([
      null,
      second.json<{ shipmentGroupId: string }>().shipmentGroupId,
      group,
    ])
    const all = await api('POST', `/orders/${o.id}/split`, m.keys.warehouse, { lineIds: [lines[0]!.id] })
    expect(all.statusCode).toBe(409)
    expect(all.json<{ error: { message: string } }>().error.message).toContain('at least one line')
    const foreignLine = (
      await api('GET', `/orders/${(await order('NOADDR')).id}`, m.keys.admin)
    ).json<Detail>().lines[0]!.id
    expect(
      (await api('POST', `/orders/${o.id}/split`, m.keys.admin, { lineIds: [foreignLine] })).statusCode,
    ).toBe(409)
    expect(
      (await api('POST', `/orders/${o.id}/split`, m.keys.accountant, { lineIds: [lines[0]!.id] })).statusCode,
    ).toBe(403)
    expect((await api('DELETE', `/orders/${o.id}/split`, m.keys.warehouse)).statusCode).toBe(204)
    expect(
      (await api('GET', `/orders/${o.id}`, m.keys.warehouse))
        .json<Detail>()
        .lines.every((l) => l.shipmentGroupId === null),
    ).toBe(true)
  })

  it('refuses a shipped order (409)', async () => {
    const o = await order('SHIPPED')
    const line = (await api('GET', `/orders/${o.id}`, m.keys.admin)).json<Detail>().lines[0]!
    expect(
      (await api('POST', `/orders/${o.id}/split`, m.keys.admin, { lineIds: [line.id] })).statusCode,
    ).toBe(409)
  })
})

describe('SKU mappings', () => {
  it('lists, deletes (404 for an unknown id) and re-creates mappings', async () => {
    const list = (await api('GET', `/sku-mappings?shopId=${shop.id}`, m.keys.accountant)).json<{
      items: { id: string; platformSkuKey: string; source: string }[]
    }>().items
    expect(list.map((x) => [x.platformSkuKey, x.source]).sort()).toEqual([
      ['code:A', 'auto'],
      ['code:B', 'auto'],
      ['code:C', 'auto'],
    ])
    expect((await api('DELETE', `/sku-mappings/${list[0]!.id}`, m.keys.admin)).statusCode).toBe(204)
    expect((await api('DELETE', `/sku-mappings/${list[0]!.id}`, m.keys.admin)).statusCode).toBe(404)
  })
})

describe('tenant isolation', () => {
  it('gives merchant B 404 or empty lists on every orders, exceptions and mapping route of merchant A', async () => {
    const o = await order('SPLIT')
    const ex = await env.ctx.db
      .selectFrom('order_exceptions')
      .select(['id', 'status', 'resolved_by'])
      .where('merchant_id', '=', m.id)
      .executeTakeFirstOrThrow()
    const mapping = await env.ctx.db
      .selectFrom('sku_mappings')
      .select('id')
      .where('merchant_id', '=', m.id)
      .executeTakeFirstOrThrow()
    const sku = await env.ctx.db
      .selectFrom('skus')
      .select('id')
      .where('merchant_id', '=', m.id)
      .executeTakeFirstOrThrow()
    const line = await env.ctx.db
      .selectFrom('order_lines')
      .select('id')
      .where('order_id', '=', o.id)
      .executeTakeFirstOrThrow()
    const k = other.keys.admin
    const notFound = [
      await api('GET', `/orders/${o.id}`, k),
      await api('PATCH', `/orders/${o.id}/receiver`, k, { address: 'stolen' }),
      await api('POST', `/orders/${o.id}/split`, k, { lineIds: [line.id] }),
      await api('DELETE', `/orders/${o.id}/split`, k),
      await api('POST', `/orders/${o.id}/rerun`, k),
      await api('DELETE', `/orders/${o.id}/merge`, k),
      await api('POST', `/exceptions/${ex.id}/resolve`, k, {}),
      await api('DELETE', `/sku-mappings/${mapping.id}`, k),
      await api('PUT', `/skus/${sku.id}/bundle`, k, { components: [] }),
    ]
    expect(notFound.map((r) => r.statusCode)).toEqual(notFound.map(() => 404))
    for (const url of [
      '/orders',
      `/orders?q=SPLIT`,
      `/orders?shopId=${shop.id}`,
      '/exceptions',
      `/exceptions?orderId=${o.id}`,
      '/sku-mappings',
      `/sku-mappings?shopId=${shop.id}`,
    ]) {
      const res = await api('GET', url, k)
      expect([url, res.statusCode, res.json<{ items: unknown[] }>().items]).toEqual([url, 200, []])
    }
    expect(
      (await api('POST', '/orders/merge', k, { orderIds: [o.id, (await order('NOADDR')).id] })).statusCode,
    ).toBe(404)
    expect((await api('POST', '/sku-mappings/auto', k, { shopId: shop.id })).statusCode).toBe(404)
    // Nothing of A changed.
    expect((await order('SPLIT')).merge_group_id).toBeNull()
    expect(JSON.stringify((await order('SPLIT')).receiver)).not.toContain('stolen')
    expect(
      await env.ctx.db
        .selectFrom('order_exceptions')
        .select(['id', 'status', 'resolved_by'])
        .where('id', '=', ex.id)
        .executeTakeFirstOrThrow(),
    ).toEqual(ex)
    expect(
      await env.ctx.db
        .selectFrom('sku_mappings')
        .select('id')
        .where('id', '=', mapping.id)
        .executeTakeFirst(),
    ).toBeDefined()
  })
})
