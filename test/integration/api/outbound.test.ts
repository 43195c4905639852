/**
 * A shared deployment (OUTBOUND_ALLOW_PRIVATE=false): a merchant cannot point a shop at loopback,
 * the private network or the cloud metadata service — refused with a 422 when saved, and refused
 * at connection time for a row stored before.
 */
import nock from 'nock'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createShop, getShop } from '../../../src/shops/repo.js'
import { pullStream } from '../../../src/sync/pull.js'
import { bearer, seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'

let env: TestEnv
let m: TestMerchant
beforeAll(async () => {
  env = await testEnv({ config: { OUTBOUND_ALLOW_PRIVATE: 'false' } })
  m = await seedMerchant(env.ctx)
})
afterAll(() => env.close())

const post = (channel: string, settings: Record<string, unknown>, credentials: Record<string, unknown>) =>
  env.app.inject({
    method: 'POST',
    url: '/shops',
    headers: bearer(m.keys.admin),
    payload: { channel, name: 'shop', settings, credentials },
  })
type Refusal = {
  error: { code: string; details: { problems: { path: string; code: string; message: string }[] } }
}

it('refuses non-public addresses when a shop is linked or changed, with a 422 naming the field', async () => {
  const key = { apiKey: 'k', webhookSecret: 'w' }
  for (const [channel, settings, path] of [
    ['selfstore', { baseUrl: 'http://169.254.169.254/latest/meta-data' }, '/baseUrl'],
    ['selfstore', { baseUrl: 'http://localhost:8080/api' }, '/baseUrl'],
    ['selfstore', { baseUrl: 'http://[::ffff:10.0.0.1]/api' }, '/baseUrl'],
    ['woocommerce', { baseUrl: 'http://192.168.1.20' }, '/baseUrl'],
    ['taobao', { oauthUrl: 'http://[fd00::1]:8080' }, '/oauthUrl'],
    ['pdd', { authorizeUrl: 'http://0.0.0.0/' }, '/authorizeUrl'],
  ] as const) {
    const res = await post(channel, settings, key)
    expect({ channel, settings, status: res.statusCode }).toEqual({ channel, settings, status: 422 })
    expect(res.json<Refusal>().error.details.problems).toEqual([
      expect.objectContaining({
        path,
        code: 'forbidden_address',
        message: expect.stringContaining('not a public'),
      }),
    ])
  }
  expect(await env.ctx.db.selectFrom('shops').select('id').where('merchant_id', '=', m.id).execute()).toEqual(
    [],
  )

  nock('https://93.184.216.34').get('/api/orders').query(true).reply(200, { orders: [], next_cursor: null })
  const ok = await post('selfstore', { baseUrl: 'https://93.184.216.34/api' }, key)
  expect(ok.statusCode).toBe(201)
  const id = ok.json<{ id: string }>().id
  const patched = await env.app.inject({
    method: 'PATCH',
    url: `/shops/${id}`,
    headers: bearer(m.keys.admin),
    payload: { settings: { baseUrl: 'http://127.0.0.1:9/api' } },
  })
  expect(patched.statusCode).toBe(422)
  expect((await getShop(env.ctx.db, m.id, id))!.settings).toEqual({ baseUrl: 'https://93.184.216.34/api' })
})

it('refuses to connect for a stored row pointing at a private address, and says so in the pull errors', async () => {
  const shop = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
    channel: 'selfstore',
    name: 'stored before the check',
    settings: { baseUrl: 'http://127.0.0.1:1/api' },
    credentials: { apiKey: 'k', webhookSecret: 'w' },
  })
  await expect(pullStream(env.ctx, m.id, shop.id, 'orders')).rejects.toMatchObject({ kind: 'permanent' })
  const health = await env.app.inject({
    method: 'GET',
    url: `/shops/${shop.id}/sync`,
    headers: bearer(m.keys.admin),
  })
  expect(health.json<{ errors: { kind: string; message: string }[] }>().errors[0]).toMatchObject({
    kind: 'permanent',
    message: expect.stringContaining('127.0.0.1 is not a public address'),
  })
})
