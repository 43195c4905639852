import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'

let env: TestEnv
let a: TestMerchant
let b: TestMerchant
const ids = { shop: '', warehouse: '', sku: '' }

beforeAll(async () => {
  env = await testEnv()
  a = await seedMerchant(env.ctx, 'Merchant A')
  b = await seedMerchant(env.ctx, 'Merchant B')
  const shop = await env.app.inject({
    method: 'POST',
    url: '/shops',
    headers: bearer(a.keys.admin),
    payload: { channel: 'jd', name: 'A shop', settings: { baseUrl: 'https://a.example' } },
  })
  ids.shop = shop.json<{ id: string }>().id
  const wh = await env.app.inject({
    method: 'POST',
    url: '/warehouses',
    headers: bearer(a.keys.admin),
    payload: { code: 'HZ1', name: '杭州仓', regions: ['浙江省'] },
  })
  ids.warehouse = wh.json<{ id: string }>().id
  await env.app.inject({
    method: 'POST',
    url: '/skus/bulk',
    headers: bearer(a.keys.admin),
    payload: { items: [{ code: 'A-1', name: '保温杯 500ml' }] },
  })
  const skus = await env.app.inject({ method: 'GET', url: '/skus', headers: bearer(a.keys.admin) })
  ids.sku = skus.json<{ items: { id: string }[] }>().items[0]!.id
})
afterAll(() => env.close())

describe('tenant isolation', () => {
  it("merchant A's own key sees its rows", async () => {
    for (const [path, id] of [
      ['shops', ids.shop],
      ['warehouses', ids.warehouse],
      ['skus', ids.sku],
    ] as const) {
      const res = await env.app.inject({
        method: 'GET',
        url: `/${path}/${id}`,
        headers: bearer(a.keys.admin),
      })
      expect(res.statusCode, path).toBe(200)
    }
  })

  it('gives merchant B 404 for every shop, warehouse and SKU of merchant A', async () => {
    for (const [path, id] of [
      ['shops', ids.shop],
      ['warehouses', ids.warehouse],
      ['skus', ids.sku],
    ] as const) {
      const res = await env.app.inject({
        method: 'GET',
        url: `/${path}/${id}`,
        headers: bearer(b.keys.admin),
      })
      expect(res.statusCode, path).toBe(404)
      expect(res.json()).toMatchObject({ error: { code: 'not_found' } })
    }
    const patches = [
      { url: `/shops/${ids.shop}`, payload: { name: 'hijacked' } },
      { url: `/warehouses/${ids.warehouse}`, payload: { name: 'hijacked' } },
    ]
    for (const p of patches) {
      const res = await env.app.inject({ method: 'PATCH', headers: bearer(b.keys.admin), ...p })
      expect(res.statusCode, p.url).toBe(404)
    }
    const disable = await env.app.inject({
      method: 'POST',
      url: `/shops/${ids.shop}/disable`,
      headers: bearer(b.keys.admin),
    })
    expect(disable.statusCode).toBe(404)
    const shop = await env.app.inject({
      method: 'GET',
      url: `/shops/${ids.shop}`,
      headers: bearer(a.keys.admin),
    })
    expect(shop.json()).toMatchObject({ name: 'A shop', status: 'active' })
  })

  it('never lists merchant A rows to merchant B', async () => {
    for (const path of ['shops', 'warehouses', 'skus']) {
      const res = await env.app.inject({ method: 'GET', url: `/${path}`, headers: bearer(b.keys.admin) })
      expect(res.statusCode).toBe(200)
      expect(res.json<{ items: unknown[] }>().items, path).toEqual([])
    }
    const search = await env.app.inject({
      method: 'GET',
      url: '/skus?q=A-1',
      headers: bearer(b.keys.warehouse),
    })
    expect(search.json<{ items: unknown[] }>().items).toEqual([])
  })
})
