import nock from 'nock'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { bearer, seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'

let env: TestEnv
let m: TestMerchant
beforeAll(async () => {
  env = await testEnv()
  m = await seedMerchant(env.ctx)
})
afterAll(() => env.close())

const link = (settings: Record<string, unknown>, credentials: Record<string, unknown>) =>
  env.app.inject({
    method: 'POST',
    url: '/shops',
    headers: bearer(m.keys.admin),
    payload: { channel: 'selfstore', name: 'own', settings, credentials },
  })

it('checks the keys with one authenticated call before saving a key-based shop', async () => {
  nock('https://good.example')
    .get('/api/orders')
    .query(true)
    .matchHeader('authorization', 'Bearer right')
    .reply(200, { orders: [], next_cursor: null })
  expect(
    (await link({ baseUrl: 'https://good.example/api' }, { apiKey: 'right', webhookSecret: 'x' })).statusCode,
  ).toBe(201)
  nock('https://good.example').get('/api/orders').query(true).reply(401, { error: 'invalid api key' })
  const bad = await link({ baseUrl: 'https://good.example/api' }, { apiKey: 'wrong' })
  expect(bad.statusCode).toBe(422)
  expect(bad.json()).toMatchObject({ error: { code: 'credentials_rejected' } })
  expect(bad.body).not.toContain('wrong')
  const missing = await link({}, { apiKey: 'right' })
  expect(missing.statusCode).toBe(400)
  expect(missing.json<{ error: { message: string } }>().error.message).toContain('baseUrl')
  const shops = await env.ctx.db.selectFrom('shops').select('id').where('merchant_id', '=', m.id).execute()
  expect(shops).toHaveLength(1)
})
