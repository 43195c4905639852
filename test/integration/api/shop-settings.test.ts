/**
 * Shop settings through the API: PATCH merges and validates like POST, stock sync rules are
 * checked, and a stored row whose settings cannot work loads, says so in its sync health and in
 * its pull errors, and never takes a worker down.
 */
import nock from 'nock'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { shopPull } from '../../../jobs/workers/shop-pull.js'
import { createShop, getShop, listActiveShops, type Shop } from '../../../src/shops/repo.js'
import { pullStream } from '../../../src/sync/pull.js'
import { createWarehouse } from '../../../src/warehouses/repo.js'
import { signWebhook } from '../../../connectors/selfstore/index.js'
import { bearer, seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'

const BASE = 'https://settings-store.example'
let env: TestEnv
let m: TestMerchant
beforeAll(async () => {
  env = await testEnv({ config: { STOCK_VIRTUAL_MAX: '10' } })
  m = await seedMerchant(env.ctx)
})
afterAll(() => env.close())

const patch = (id: string, body: Record<string, unknown>) =>
  env.app.inject({ method: 'PATCH', url: `/shops/${id}`, headers: bearer(m.keys.admin), payload: body })
const post = (settings: Record<string, unknown>) => {
  nock(BASE).get('/api/orders').query(true).reply(200, { orders: [], next_cursor: null })
  return env.app.inject({
    method: 'POST',
    url: '/shops',
    headers: bearer(m.keys.admin),
    payload: {
      channel: 'selfstore',
      name: 'own',
      settings,
      credentials: { apiKey: 'k', webhookSecret: 'w' },
    },
  })
}
const stored = async (id: string) => (await getShop(env.ctx.db, m.id, id))!.settings
type Problems = { error: { code: string; details: { problems: { path: string; code: string }[] } } }
const problemsOf = (res: { json: <T>() => T }) =>
  res.json<Problems>().error.details.problems.map((p) => `${p.path} ${p.code}`)

function selfstore(settings: Record<string, unknown>): Promise<Shop> {
  return createShop(env.ctx, env.ctx.config.secretKey, m.id, {
    channel: 'selfstore',
    name: 'own',
    settings,
    credentials: { apiKey: 'k', webhookSecret: 'w' },
  })
}

describe('PATCH /shops/:id', () => {
  it('merges: sending only stockSync keeps allowSplit, defaultCarrier and baseUrl', async () => {
    const shop = await selfstore({ baseUrl: `${BASE}/api`, allowSplit: true, defaultCarrier: 'SF' })
    const res = await patch(shop.id, { settings: { stockSync: { ratio: '0.8', safetyStock: 2 } } })
    expect(res.statusCode).toBe(200)
    expect(await stored(shop.id)).toEqual({
      baseUrl: `${BASE}/api`,
      allowSplit: true,
      defaultCarrier: 'SF',
      stockSync: { ratio: '0.8', safetyStock: 2 },
    })
  })

  it('deep-merges objects, replaces arrays, and null removes a key', async () => {
    const w1 = await createWarehouse(env.ctx.db, m.id, { code: 'M1', name: 'M1' })
    const w2 = await createWarehouse(env.ctx.db, m.id, { code: 'M2', name: 'M2' })
    const shop = await selfstore({
      baseUrl: `${BASE}/api`,
      warehouseIds: [w1.id, w2.id],
      defaultCarrier: 'SF',
      stockSync: { ratio: '0.5', overrides: { A: { fixed: 3 }, B: { ratio: '1' } } },
    })
    const res = await patch(shop.id, {
      settings: {
        warehouseIds: [w2.id],
        defaultCarrier: null,
        stockSync: { safetyStock: 1, overrides: { A: null, C: { safetyStock: 0 } } },
      },
    })
    expect(res.statusCode).toBe(200)
    expect(await stored(shop.id)).toEqual({
      baseUrl: `${BASE}/api`,
      warehouseIds: [w2.id],
      stockSync: { ratio: '0.5', safetyStock: 1, overrides: { B: { ratio: '1' }, C: { safetyStock: 0 } } },
    })
  })

  it('validates the merged result like POST, and keeps the stored settings on a refusal', async () => {
    const shop = await selfstore({ baseUrl: `${BASE}/api`, allowSplit: true })
    const before = await stored(shop.id)
    const cases: [unknown, number, string[]][] = [
      [{ baseUrl: null }, 400, ['/baseUrl required']],
      [{ baseUrl: 'ftp://files.example' }, 400, ['/baseUrl pattern']],
      [{ stockSync: { ratio: 1.7 } }, 400, ['/stockSync/ratio invalid']],
      [{ stockSync: { ratio: '0' } }, 400, ['/stockSync/ratio invalid']],
      [{ stockSync: { ratio: -0.5 } }, 400, ['/stockSync/ratio invalid']],
      [{ stockSync: { safetyStock: -1 } }, 400, ['/stockSync/safetyStock minimum']],
      [{ stockSync: { overrides: { X: { ratio: '2' } } } }, 400, ['/stockSync/overrides/X/ratio invalid']],
      [{ stockSync: { overrides: { X: { bogus: 1 } } } }, 400, ['/stockSync/overrides/X/bogus unknown']],
      [{ allowsplit: true }, 400, ['/allowsplit unknown']],
      [{ stockSync: { virtualStock: 11 } }, 422, ['/stockSync/virtualStock over_cap']],
      [
        { stockSync: { overrides: { X: { virtualStock: 50 } } } },
        422,
        ['/stockSync/overrides/X/virtualStock over_cap'],
      ],
      [{ warehouseIds: ['01NOSUCHWAREHOUSE00000000'] }, 422, ['/warehouseIds/0 unknown_warehouse']],
    ]
    for (const [settings, status, expected] of cases) {
      const res = await patch(shop.id, { settings })
      expect({ settings, status: res.statusCode }).toEqual({ settings, status })
      expect(res.json<Problems>().error.code).toBe('validation_failed')
      expect(problemsOf(res)).toEqual(expected)
    }
    expect(await stored(shop.id)).toEqual(before)
    // Within the cap it is accepted.
    expect((await patch(shop.id, { settings: { stockSync: { virtualStock: 10 } } })).statusCode).toBe(200)
  })

  it('renames without touching the settings, and answers 404 for another merchant’s shop', async () => {
    const shop = await selfstore({ baseUrl: `${BASE}/api` })
    expect((await patch(shop.id, { name: 'renamed' })).statusCode).toBe(200)
    expect(await stored(shop.id)).toEqual({ baseUrl: `${BASE}/api` })
    const other = await seedMerchant(env.ctx, 'Other')
    const res = await env.app.inject({
      method: 'PATCH',
      url: `/shops/${shop.id}`,
      headers: bearer(other.keys.admin),
      payload: { settings: { allowSplit: true } },
    })
    expect(res.statusCode).toBe(404)
  })
})

describe('POST /shops', () => {
  it('refuses stock sync rules that would oversell or make no sense', async () => {
    for (const [stockSync, expected] of [
      [{ ratio: 1.7 }, '/stockSync/ratio invalid'],
      [{ ratio: '-1' }, '/stockSync/ratio invalid'],
      [{ safetyStock: -5 }, '/stockSync/safetyStock minimum'],
      [{ virtualStock: -1 }, '/stockSync/virtualStock minimum'],
    ] as const) {
      const res = await post({ baseUrl: `${BASE}/api`, stockSync })
      expect(res.statusCode).toBe(400)
      expect(problemsOf(res)).toEqual([expected])
    }
    const over = await post({ baseUrl: `${BASE}/api`, stockSync: { virtualStock: 11 } })
    expect(over.statusCode).toBe(422)
    nock.cleanAll()
    expect(
      (await post({ baseUrl: `${BASE}/api`, stockSync: { ratio: 0.9, virtualStock: 3 } })).statusCode,
    ).toBe(201)
  })
})

describe('a stored shop whose settings cannot work', () => {
  it('loads, shows its problems in sync health, fails its pulls with them, and never calls out', async () => {
    // Written before validation existed: no baseUrl, a ratio that oversells, an unknown key.
    const shop = await selfstore({ stockSync: { ratio: 1.7 }, allowsplit: true })
    expect((await listActiveShops(env.ctx.db)).map((s) => s.id)).toContain(shop.id)
    const got = await env.app.inject({
      method: 'GET',
      url: `/shops/${shop.id}`,
      headers: bearer(m.keys.admin),
    })
    expect(got.statusCode).toBe(200)

    // No interceptor: a call out would fail with a network error, not with the settings problem.
    const err = await pullStream(env.ctx, m.id, shop.id, 'orders').catch((e: unknown) => e)
    expect(err).toMatchObject({ kind: 'permanent', message: expect.stringContaining('baseUrl is required') })
    // The worker does not retry it and does not crash: BullMQ's UnrecoverableError.
    await expect(
      shopPull(env.ctx)({ data: { merchantId: m.id, shopId: shop.id, stream: 'orders' } } as never),
    ).rejects.toMatchObject({ name: 'UnrecoverableError' })

    const health = await env.app.inject({
      method: 'GET',
      url: `/shops/${shop.id}/sync`,
      headers: bearer(m.keys.warehouse),
    })
    expect(health.statusCode).toBe(200)
    const body = health.json<{
      settingsUsable: boolean
      settingsProblems: { path: string; code: string }[]
      errors: { kind: string; message: string }[]
    }>()
    expect(body.settingsUsable).toBe(false)
    expect(body.settingsProblems.map((p) => `${p.path} ${p.code}`).sort()).toEqual([
      '/allowsplit unknown',
      '/baseUrl required',
      '/stockSync/ratio invalid',
    ])
    expect(body.errors[0]).toMatchObject({ kind: 'permanent', message: expect.stringContaining('baseUrl') })

    // A webhook for it is refused with the reason, not a 500.
    const raw = '{"event":"order.updated","order_id":"1"}'
    const t = Math.floor(Date.now() / 1000)
    const hook = await env.app.inject({
      method: 'POST',
      url: `/webhooks/selfstore/${shop.id}`,
      headers: {
        'content-type': 'application/json',
        'x-entrepot-signature': `t=${t},v1=${signWebhook('w', t, raw)}`,
      },
      payload: raw,
    })
    expect(hook.statusCode).toBe(409)
    expect(hook.json<{ error: { message: string } }>().error.message).toContain('baseUrl')

    // Fixing it with PATCH makes it usable.
    expect(
      (
        await patch(shop.id, {
          settings: { baseUrl: `${BASE}/api`, allowsplit: null, stockSync: { ratio: 1 } },
        })
      ).statusCode,
    ).toBe(200)
    const fixed = await env.app.inject({
      method: 'GET',
      url: `/shops/${shop.id}/sync`,
      headers: bearer(m.keys.admin),
    })
    expect(fixed.json()).toMatchObject({ settingsUsable: true, settingsProblems: [] })
  })

  it('keeps the shop usable when only hub rules are invalid: they take their default and are reported', async () => {
    const shop = await selfstore({ baseUrl: `${BASE}/api`, stockSync: { ratio: 1.7, virtualStock: 500 } })
    const loaded = (await getShop(env.ctx.db, m.id, shop.id))!
    expect(loaded.parsed.channel).not.toBeNull()
    expect(loaded.parsed.hub.stockSync.ratio).toBe(1)
    const health = await env.app.inject({
      method: 'GET',
      url: `/shops/${shop.id}/sync`,
      headers: bearer(m.keys.admin),
    })
    // The ratio is dropped to its default; the virtual stock is valid for the schema but over the cap.
    expect(health.json<{ settingsProblems: { path: string; code: string }[] }>().settingsProblems).toEqual([
      expect.objectContaining({ path: '/stockSync/ratio', code: 'invalid' }),
      expect.objectContaining({ path: '/stockSync/virtualStock', code: 'over_cap' }),
    ])
  })
})

describe('GET /channels', () => {
  it('gives each channel its settings schema to render the link form from', async () => {
    const res = await env.app.inject({ method: 'GET', url: '/channels', headers: bearer(m.keys.warehouse) })
    expect(res.statusCode).toBe(200)
    type Schema = {
      required?: string[]
      properties: Record<string, { title?: string; properties?: Record<string, { title?: string }> }>
    }
    const items = res.json<{ items: { channel: string; oauth: boolean; settingsSchema: Schema }[] }>().items
    expect(items.map((i) => i.channel).sort()).toEqual(
      ['douyin', 'jd', 'pdd', 'selfstore', 'shopify', 'taobao', 'woocommerce'].sort(),
    )
    const selfstore = items.find((i) => i.channel === 'selfstore')!
    expect(selfstore.oauth).toBe(false)
    expect(selfstore.settingsSchema.required).toEqual(['baseUrl'])
    expect(selfstore.settingsSchema.properties.stockSync?.properties?.ratio?.title).toBe('Ratio')
    expect(items.find((i) => i.channel === 'shopify')!).toMatchObject({
      oauth: true,
      settingsSchema: { required: ['shopDomain'] },
    })
  })
})
