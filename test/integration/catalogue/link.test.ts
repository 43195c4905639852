/**
 * When catalogue pulls are queued and how a failing one ends: on an OAuth callback (not before the
 * shop has its token), on new credentials, with the daily resync for every linked shop (once per
 * slot), and a pull that fails is recorded with its reason, keeps what earlier pulls stored and is
 * not retried when the failure is permanent.
 */
import type { Job } from 'bullmq'
import nock from 'nock'
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import type { JobPayloads } from '../../../jobs/queues.js'
import { cataloguePull } from '../../../jobs/workers/catalogue-pull.js'
import { syncTick } from '../../../jobs/workers/sync-tick.js'
import { createShop } from '../../../src/shops/repo.js'
import {
  bearer,
  fixedClock,
  seedMerchant,
  testEnv,
  type TestEnv,
  type TestMerchant,
} from '../../helpers/app.js'

let env: TestEnv
let m: TestMerchant
let oauthShopId: string
const clock = fixedClock('2026-11-20T12:00:00Z')
beforeAll(async () => {
  env = await testEnv({ clock })
  m = await seedMerchant(env.ctx)
})
afterAll(() => env.close())
beforeEach(() => nock.cleanAll())

const queued = async () =>
  (await env.ctx.queues['catalogue-pull'].getJobs(['waiting', 'delayed', 'prioritized'])).map((j) => ({
    id: j.id,
    ...j.data,
  }))
const run = (data: JobPayloads['catalogue-pull']) =>
  cataloguePull(env.ctx)({ data, id: 'test' } as Job<JobPayloads['catalogue-pull']>)
const lastPull = (shopId: string) =>
  env.ctx.db
    .selectFrom('catalogue_pulls')
    .selectAll()
    .where('shop_id', '=', shopId)
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow()

it('an OAuth shop is pulled once its callback stores the token, not when it is saved', async () => {
  const created = await env.app.inject({
    method: 'POST',
    url: '/shops',
    headers: bearer(m.keys.admin),
    payload: { channel: 'taobao', name: 'tb', credentials: { appKey: '12345678', appSecret: 'top-secret' } },
  })
  const shopId = created.json<{ id: string }>().id
  oauthShopId = shopId
  expect((await queued()).filter((j) => j.shopId === shopId)).toEqual([])
  // Before the token arrives a pull has nothing to call with: it ends recorded, not retried.
  await expect(run({ merchantId: m.id, shopId, reason: 'manual' })).resolves.toMatchObject({
    status: 'failed',
  })
  expect(await lastPull(shopId)).toMatchObject({
    status: 'failed',
    error: `shop ${shopId} is not linked yet`,
  })

  const start = await env.app.inject({
    method: 'POST',
    url: `/shops/${shopId}/oauth/authorize`,
    headers: bearer(m.keys.admin),
  })
  const state = new URL(start.json<{ authorizeUrl: string }>().authorizeUrl).searchParams.get('state')!
  nock('https://oauth.taobao.com').post('/token').reply(200, {
    access_token: '6201d2770dbcc1f9aa6ZZ',
    token_type: 'Bearer',
    expires_in: 86400,
    refresh_token: '6202f1a9aa3ZZ',
    re_expires_in: 2592000,
    taobao_user_id: '2200755781234',
    taobao_user_nick: '茶具旗舰店',
  })
  const cb = await env.app.inject({ method: 'GET', url: `/oauth/taobao/callback?code=abc&state=${state}` })
  expect(cb.statusCode, cb.body).toBe(200)
  expect((await queued()).filter((j) => j.shopId === shopId)).toEqual([
    { id: `catalogue.${shopId}.link.2026-11-20T12_00`, merchantId: m.id, shopId, reason: 'link' },
  ])
})

it('new credentials queue a pull; the daily resync queues one per linked shop, once per slot', async () => {
  const key = env.ctx.config.secretKey
  const own = await createShop(env.ctx, key, m.id, {
    channel: 'selfstore',
    name: 'own',
    settings: { baseUrl: 'https://store.example/api' },
  })
  const put = await env.app.inject({
    method: 'PUT',
    url: `/shops/${own.id}/credentials`,
    headers: bearer(m.keys.admin),
    payload: { apiKey: 'k2', webhookSecret: 's2' },
  })
  expect(put.statusCode).toBe(204)
  expect((await queued()).filter((j) => j.shopId === own.id).map((j) => j.reason)).toEqual(['link'])

  const woo = await createShop(env.ctx, key, m.id, {
    channel: 'woocommerce',
    name: 'woo',
    settings: { baseUrl: 'https://woo.example' },
    credentials: { consumerKey: 'k', consumerSecret: 's' },
  })
  await createShop(env.ctx, key, m.id, { channel: 'woocommerce', name: 'no keys' })
  const tick = syncTick(env.ctx)
  const job = { data: { slot: '2026-11-21T03.17', kind: 'stock-resync' } } as Job<JobPayloads['sync-tick']>
  await tick(job)
  await tick(job)
  // Every active shop with credentials (the OAuth one linked above too); not the one without keys.
  const scheduled = (await queued()).filter((j) => j.reason === 'schedule').map((j) => j.id)
  expect(scheduled.sort()).toEqual(
    [oauthShopId, own.id, woo.id].map((id) => `catalogue.${id}.schedule.2026-11-21T03.17`).sort(),
  )
})

it('a pull that fails keeps what an earlier pull stored, records why, and a permanent failure is not retried', async () => {
  const shop = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
    channel: 'selfstore',
    name: 'store',
    settings: { baseUrl: 'https://shop2.example/api' },
    credentials: { apiKey: 'k3' },
  })
  const product = {
    id: 'P-1',
    title: '保温杯',
    status: 'active',
    updated_at: '2026-11-20T10:00:00Z',
    variants: [{ sku: 'CUP-1', price: '89.00', stock: 3 }],
  }
  nock('https://shop2.example')
    .get('/api/products')
    .query(true)
    .reply(200, { products: [product], next_cursor: null })
  await expect(run({ merchantId: m.id, shopId: shop.id, reason: 'manual' })).resolves.toMatchObject({
    status: 'done',
    skus: 1,
  })
  nock('https://shop2.example').get('/api/products').query(true).reply(404, { error: 'no route' })
  await expect(run({ merchantId: m.id, shopId: shop.id, reason: 'manual' })).rejects.toMatchObject({
    name: 'UnrecoverableError',
    message: expect.stringMatching(/does not implement GET \/products/),
  })
  expect(await lastPull(shop.id)).toMatchObject({
    status: 'failed',
    error: expect.stringMatching(/GET \/products/),
  })
  const listed = await env.app.inject({
    method: 'GET',
    url: `/shops/${shop.id}/listings`,
    headers: bearer(m.keys.admin),
  })
  expect(listed.json()).toMatchObject({
    items: [{ code: 'CUP-1', state: 'unmapped', issue: 'unknown_code' }],
    next: null,
  })
})

it('runs one pull of a shop at a time: a second one while the first holds the shop is skipped', async () => {
  const shop = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
    channel: 'selfstore',
    name: 'busy',
    settings: { baseUrl: 'https://shop3.example/api' },
    credentials: { apiKey: 'k4' },
  })
  const key = `${env.ctx.config.redis.prefix}:catalogue-lock:${shop.id}`
  await env.ctx.redis.set(key, 'another-pull', 'PX', 60_000)
  await expect(run({ merchantId: m.id, shopId: shop.id, reason: 'schedule' })).resolves.toMatchObject({
    status: 'skipped',
  })
  expect(await env.ctx.redis.get(key)).toBe('another-pull') // not released by the one that skipped
  await env.ctx.redis.del(key)
  nock('https://shop3.example')
    .get('/api/products')
    .query(true)
    .reply(200, { products: [], next_cursor: null })
  await expect(run({ merchantId: m.id, shopId: shop.id, reason: 'schedule' })).resolves.toMatchObject({
    status: 'done',
  })
  expect(await env.ctx.redis.exists(key)).toBe(0)
})
