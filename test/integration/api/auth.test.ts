import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'

let env: TestEnv
let m: TestMerchant

beforeAll(async () => {
  env = await testEnv()
  m = await seedMerchant(env.ctx)
})
afterAll(() => env.close())

describe('authentication', () => {
  it('rejects no key, a malformed header and an unknown key with 401', async () => {
    for (const headers of [{}, { authorization: 'Basic abc' }, bearer('ep_not-a-real-key')]) {
      const res = await env.app.inject({ method: 'GET', url: '/shops', headers })
      expect(res.statusCode).toBe(401)
      expect(res.json()).toMatchObject({ error: { code: 'unauthorized' } })
    }
  })

  it('rejects a revoked key with 401', async () => {
    const created = await env.app.inject({
      method: 'POST',
      url: '/api-keys',
      headers: bearer(m.keys.admin),
      payload: { role: 'accountant', name: 'temp' },
    })
    expect(created.statusCode).toBe(201)
    const { key, token } = created.json<{ key: { id: string }; token: string }>()
    expect((await env.app.inject({ method: 'GET', url: '/me', headers: bearer(token) })).statusCode).toBe(200)
    const revoked = await env.app.inject({
      method: 'DELETE',
      url: `/api-keys/${key.id}`,
      headers: bearer(m.keys.admin),
    })
    expect(revoked.statusCode).toBe(204)
    const after = await env.app.inject({ method: 'GET', url: '/me', headers: bearer(token) })
    expect(after.statusCode).toBe(401)
  })

  it('stores only the hash of a key', async () => {
    const rows = await env.ctx.db
      .selectFrom('api_keys')
      .select(['key_hash', 'key_prefix'])
      .where('merchant_id', '=', m.id)
      .execute()
    for (const row of rows) {
      expect(Object.values(m.keys)).not.toContain(row.key_hash)
      expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/)
    }
  })
})

describe('roles', () => {
  it('a warehouse key cannot create shops, change them or set credentials', async () => {
    const create = await env.app.inject({
      method: 'POST',
      url: '/shops',
      headers: bearer(m.keys.warehouse),
      payload: { channel: 'jd', name: 'x' },
    })
    expect(create.statusCode).toBe(403)
    expect(create.json()).toMatchObject({ error: { code: 'forbidden' } })
    const shop = await env.app.inject({
      method: 'POST',
      url: '/shops',
      headers: bearer(m.keys.admin),
      payload: { channel: 'jd', name: 'Real', credentials: { consumerKey: 'ck_1', consumerSecret: 'cs_1' } },
    })
    const id = shop.json<{ id: string }>().id
    const put = await env.app.inject({
      method: 'PUT',
      url: `/shops/${id}/credentials`,
      headers: bearer(m.keys.warehouse),
      payload: { consumerKey: 'x' },
    })
    expect(put.statusCode).toBe(403)
    const patch = await env.app.inject({
      method: 'PATCH',
      url: `/shops/${id}`,
      headers: bearer(m.keys.warehouse),
      payload: { name: 'y' },
    })
    expect(patch.statusCode).toBe(403)
    const keys = await env.app.inject({
      method: 'POST',
      url: '/api-keys',
      headers: bearer(m.keys.warehouse),
      payload: { role: 'admin' },
    })
    expect(keys.statusCode).toBe(403)
  })

  it('a warehouse key reads shops without any credential material', async () => {
    const res = await env.app.inject({ method: 'GET', url: '/shops', headers: bearer(m.keys.warehouse) })
    expect(res.statusCode).toBe(200)
    for (const shop of res.json<{ items: Record<string, unknown>[] }>().items) {
      expect(shop).not.toHaveProperty('credentials')
      expect(shop).not.toHaveProperty('credentials_enc')
    }
  })

  it('an accountant key cannot write SKUs or warehouses', async () => {
    const sku = await env.app.inject({
      method: 'POST',
      url: '/skus/bulk',
      headers: bearer(m.keys.accountant),
      payload: { items: [{ code: 'X', name: 'x' }] },
    })
    expect(sku.statusCode).toBe(403)
    const wh = await env.app.inject({
      method: 'POST',
      url: '/warehouses',
      headers: bearer(m.keys.accountant),
      payload: { code: 'W', name: 'w' },
    })
    expect(wh.statusCode).toBe(403)
  })
})
