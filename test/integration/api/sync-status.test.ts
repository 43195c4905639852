/** A shop's sync health through the API, and pulling a stream now. */
import nock from 'nock'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createShop, type Shop } from '../../../src/shops/repo.js'
import { pullStream } from '../../../src/sync/pull.js'
import { bearer, seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'

let env: TestEnv
let m: TestMerchant
let other: TestMerchant
let shop: Shop
beforeAll(async () => {
  env = await testEnv()
  m = await seedMerchant(env.ctx)
  other = await seedMerchant(env.ctx, 'Other')
  shop = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
    channel: 'selfstore',
    name: 'own',
    settings: { baseUrl: 'https://sync-status.example/api', timeoutMs: 500 },
    credentials: { apiKey: 'sk_live_secret_123', webhookSecret: 'w' },
  })
})
afterAll(() => env.close())

it('shows each stream with its last run and error, and the errors as the platform answered', async () => {
  nock('https://sync-status.example').get('/api/orders').query(true).reply(401, { error: 'invalid api key' })
  await expect(pullStream(env.ctx, m.id, shop.id, 'orders')).rejects.toThrow()
  const res = await env.app.inject({
    method: 'GET',
    url: `/shops/${shop.id}/sync`,
    headers: bearer(m.keys.warehouse),
  })
  expect(res.statusCode).toBe(200)
  const body = res.json<{
    streams: { stream: string; lastError: string | null; lastRunAt: string | null }[]
    errors: { stream: string; kind: string; httpStatus: number | null }[]
  }>()
  expect(body.streams).toEqual([
    expect.objectContaining({ stream: 'orders', lastError: expect.stringContaining('401') }),
  ])
  expect(body.errors[0]).toMatchObject({ stream: 'orders', kind: 'auth_expired', httpStatus: 401 })
  expect(res.body).not.toContain('sk_live_secret_123')
  expect(
    (
      await env.app.inject({
        method: 'GET',
        url: `/shops/${shop.id}/sync`,
        headers: bearer(other.keys.admin),
      })
    ).statusCode,
  ).toBe(404)
})

it('queues a pull now for an admin, not for warehouse staff', async () => {
  const res = await env.app.inject({
    method: 'POST',
    url: `/shops/${shop.id}/sync`,
    headers: bearer(m.keys.admin),
    payload: { stream: 'refunds' },
  })
  expect(res.statusCode).toBe(202)
  const job = await env.ctx.queues['shop-pull'].getJob(res.json<{ queued: string }>().queued)
  expect(job?.data).toEqual({ merchantId: m.id, shopId: shop.id, stream: 'refunds' })
  expect(
    (
      await env.app.inject({
        method: 'POST',
        url: `/shops/${shop.id}/sync`,
        headers: bearer(m.keys.warehouse),
        payload: {},
      })
    ).statusCode,
  ).toBe(403)
})
