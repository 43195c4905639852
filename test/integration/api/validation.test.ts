import { afterAll, beforeAll, expect, it } from 'vitest'
import { bearer, seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'

let env: TestEnv
let m: TestMerchant
beforeAll(async () => {
  env = await testEnv()
  m = await seedMerchant(env.ctx)
})
afterAll(() => env.close())

const count = async (table: 'shops' | 'warehouses' | 'skus') =>
  Number(
    (
      await env.ctx.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  )

it.each([
  ['/shops', { channel: 'ebay', name: 'x' }, 'body/channel'],
  ['/shops', { channel: 'shopify' }, 'body/name'],
  ['/shops', { channel: 'shopify', name: 'x', extra: 1 }, 'body'],
  ['/warehouses', { code: 'has space', name: 'x' }, 'body/code'],
  ['/warehouses', { code: 'W1', name: 'x', priority: 'high' }, 'body/priority'],
  ['/skus/bulk', { items: [] }, 'body/items'],
  ['/skus/bulk', { items: [{ code: 'A', name: 'ok' }, { code: 'B' }] }, 'body/items/1/name'],
  [
    '/skus/bulk',
    {
      items: [
        { code: 'A', name: 'a' },
        { code: 'A', name: 'b' },
      ],
    },
    'body/items/1/code',
  ],
] as const)('POST %s with %j → 400 naming %s, nothing written', async (url, payload, field) => {
  const before = {
    shops: await count('shops'),
    warehouses: await count('warehouses'),
    skus: await count('skus'),
  }
  const res = await env.app.inject({ method: 'POST', url, headers: bearer(m.keys.admin), payload })
  expect(res.statusCode).toBe(400)
  const body = res.json<{ error: { code: string; message: string; details: unknown } }>()
  expect(body.error.code).toBe('validation_failed')
  expect(body.error.message).toContain(field)
  expect({
    shops: await count('shops'),
    warehouses: await count('warehouses'),
    skus: await count('skus'),
  }).toEqual(before)
})

it('rejects a body that is not JSON with 400', async () => {
  const res = await env.app.inject({
    method: 'POST',
    url: '/warehouses',
    headers: { ...bearer(m.keys.admin), 'content-type': 'application/json' },
    payload: '{"code": ',
  })
  expect(res.statusCode).toBe(400)
  expect(res.json()).toHaveProperty('error.code')
})

it('bulk-upserts 1,000 SKUs and pages through them with a cursor', async () => {
  const items = Array.from({ length: 1000 }, (_, i) => ({
    code: `P-${String(i).padStart(4, '0')}`,
    name: `商品 ${i}`,
    barcode: `69${String(i).padStart(11, '0')}`,
  }))
  const first = await env.app.inject({
    method: 'POST',
    url: '/skus/bulk',
    headers: bearer(m.keys.admin),
    payload: { items },
  })
  expect(first.json()).toEqual({ created: 1000, updated: 0 })
  const again = await env.app.inject({
    method: 'POST',
    url: '/skus/bulk',
    headers: bearer(m.keys.admin),
    payload: { items: items.slice(0, 10).map((s) => ({ ...s, name: `${s.name} v2` })) },
  })
  expect(again.json()).toEqual({ created: 0, updated: 10 })
  const seen: string[] = []
  let cursor: string | null = null
  do {
    const url: string = `/skus?limit=300${cursor ? `&cursor=${cursor}` : ''}`
    const page = (await env.app.inject({ method: 'GET', url, headers: bearer(m.keys.warehouse) })).json<{
      items: { code: string }[]
      next: string | null
    }>()
    seen.push(...page.items.map((s) => s.code))
    cursor = page.next
  } while (cursor)
  expect(seen).toEqual(items.map((s) => s.code))
  const byBarcode = (
    await env.app.inject({ method: 'GET', url: '/skus?q=6900000000042', headers: bearer(m.keys.warehouse) })
  ).json<{ items: { code: string; name: string }[] }>()
  expect(byBarcode.items.map((s) => s.code)).toEqual(['P-0042'])
  const byName = (
    await env.app.inject({
      method: 'GET',
      url: `/skus?q=${encodeURIComponent('商品 99')}`,
      headers: bearer(m.keys.warehouse),
    })
  ).json<{ items: { code: string }[] }>()
  expect(byName.items.map((s) => s.code)).toContain('P-0099')
  const sixOhSeven = (
    await env.app.inject({ method: 'GET', url: '/skus?q=P-0007', headers: bearer(m.keys.warehouse) })
  ).json<{ items: { name: string }[] }>()
  expect(sixOhSeven.items[0]?.name).toBe('商品 7 v2')
})
