/**
 * Linking Taobao/Tmall, JD, Pinduoduo and Douyin shops through OAuth, through the API: the shop is
 * saved with its app's key and secret, the authorize URL carries a one-time state, and the
 * callback's code is exchanged at each platform's token endpoint (mocked with nock, answers as the
 * reference documents them); the token lands sealed in the shop's credentials.
 */
import nock from 'nock'
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import { loadShopCredentials } from '../../../src/shops/repo.js'
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
beforeAll(async () => {
  env = await testEnv({ clock: fixedClock('2026-11-20T12:00:00Z') })
  m = await seedMerchant(env.ctx)
})
afterAll(() => env.close())
beforeEach(() => nock.cleanAll())

async function startLink(
  channel: string,
  settings: Record<string, unknown>,
  credentials: Record<string, unknown>,
) {
  const created = await env.app.inject({
    method: 'POST',
    url: '/shops',
    headers: bearer(m.keys.admin),
    payload: { channel, name: channel, settings, credentials },
  })
  expect(created.statusCode).toBe(201)
  const shopId = created.json<{ id: string }>().id
  const start = await env.app.inject({
    method: 'POST',
    url: `/shops/${shopId}/oauth/authorize`,
    headers: bearer(m.keys.admin),
  })
  expect(start.statusCode).toBe(200)
  const url = new URL(start.json<{ authorizeUrl: string }>().authorizeUrl)
  return { shopId, url, state: url.searchParams.get('state')! }
}
const callback = (channel: string, query: Record<string, string>) =>
  env.app.inject({
    method: 'GET',
    url: `/oauth/${channel}/callback?${new URLSearchParams(query).toString()}`,
  })
const creds = (shopId: string) => loadShopCredentials(env.ctx.db, env.ctx.config.secretKey, m.id, shopId)

it('Taobao/Tmall: oauth.taobao.com authorize and token', async () => {
  const { shopId, url, state } = await startLink(
    'taobao',
    {},
    { appKey: '12345678', appSecret: 'top-secret' },
  )
  expect(url.origin + url.pathname).toBe('https://oauth.taobao.com/authorize')
  expect(Object.fromEntries(url.searchParams)).toMatchObject({
    response_type: 'code',
    client_id: '12345678',
    view: 'web',
    redirect_uri: `${env.ctx.config.api.publicUrl}/oauth/taobao/callback`,
  })
  let form = ''
  nock('https://oauth.taobao.com')
    .post('/token', (b: string) => ((form = b), true))
    .reply(200, {
      access_token: '6201d2770dbcc1f9aa6ZZ',
      token_type: 'Bearer',
      expires_in: 86400,
      refresh_token: '6202f1a9aa3ZZ',
      re_expires_in: 2592000,
      taobao_user_id: '2200755781234',
      taobao_user_nick: '茶具旗舰店',
    })
  const done = await callback('taobao', { code: 'OxlukWofLrB1Db1M6aJGF8x', state })
  expect(done.statusCode).toBe(200)
  expect(new URLSearchParams(form).get('grant_type')).toBe('authorization_code')
  expect(new URLSearchParams(form).get('client_secret')).toBe('top-secret')
  expect(await creds(shopId)).toMatchObject({
    session: '6201d2770dbcc1f9aa6ZZ',
    refreshToken: '6202f1a9aa3ZZ',
    expiresAt: '2026-11-21T12:00:00.000Z',
    sellerNick: '茶具旗舰店',
  })
  expect((await callback('taobao', { code: 'again', state })).statusCode).toBe(400) // the state is used up
})

it('JD: open-oauth.jd.com to_login and access_token', async () => {
  const { shopId, url, state } = await startLink('jd', {}, { appKey: 'jd-app', appSecret: 'jd-secret' })
  expect(url.origin + url.pathname).toBe('https://open-oauth.jd.com/oauth2/to_login')
  expect(url.searchParams.get('app_key')).toBe('jd-app')
  nock('https://open-oauth.jd.com')
    .get('/oauth2/access_token')
    .query({ app_key: 'jd-app', app_secret: 'jd-secret', grant_type: 'authorization_code', code: 'jd-code' })
    .reply(200, {
      access_token: 'jd-token',
      expires_in: 31536000,
      refresh_token: 'jd-refresh',
      scope: 'snsapi_base',
      open_id: 'o-1',
      uid: '1',
      time: 1795608000000,
      token_type: 'bearer',
      code: 0,
    })
  expect((await callback('jd', { code: 'jd-code', state })).statusCode).toBe(200)
  expect(await creds(shopId)).toMatchObject({
    accessToken: 'jd-token',
    refreshToken: 'jd-refresh',
    expiresAt: new Date(1795608000000 + 31536000_000).toISOString(),
  })
})

it('Pinduoduo: service-market authorise page and pdd.pop.auth.token.create', async () => {
  const { shopId, url, state } = await startLink(
    'pdd',
    {},
    { clientId: 'pdd-client', clientSecret: 'pdd-secret' },
  )
  expect(url.origin + url.pathname).toBe('https://fuwu.pinduoduo.com/service-market/auth')
  expect(url.searchParams.get('client_id')).toBe('pdd-client')
  let form = ''
  nock('https://gw-api.pinduoduo.com')
    .post(
      '/api/router',
      (b: string) => (
        (form = typeof b === 'string' ? b : new URLSearchParams(b as Record<string, string>).toString()),
        true
      ),
    )
    .reply(200, {
      pop_auth_token_create_response: {
        access_token: 'pdd-token',
        expires_in: 86400,
        expires_at: 1795694400,
        refresh_token: 'pdd-refresh',
        refresh_token_expires_at: 1798200000,
        owner_id: '123456',
        owner_name: '拼多多店',
        scope: ['pdd.order.information.get'],
      },
    })
  expect((await callback('pdd', { code: 'pdd-code', state })).statusCode).toBe(200)
  const sent = new URLSearchParams(form)
  expect([sent.get('type'), sent.get('code'), sent.get('access_token')]).toEqual([
    'pdd.pop.auth.token.create',
    'pdd-code',
    null,
  ])
  expect(await creds(shopId)).toMatchObject({
    accessToken: 'pdd-token',
    refreshToken: 'pdd-refresh',
    expiresAt: new Date(1795694400_000).toISOString(),
  })
})

it("Douyin: the app's service-market link and token.create", async () => {
  // Without the app's service-market link in the settings: a clear refusal, not a broken URL.
  const bare = (
    await env.app.inject({
      method: 'POST',
      url: '/shops',
      headers: bearer(m.keys.admin),
      payload: {
        channel: 'douyin',
        name: 'no link',
        credentials: { appKey: 'dy-app', appSecret: 'dy-secret' },
      },
    })
  ).json<{ id: string }>().id
  const refused = await env.app.inject({
    method: 'POST',
    url: `/shops/${bare}/oauth/authorize`,
    headers: bearer(m.keys.admin),
  })
  expect(refused.statusCode).toBe(400)
  expect(refused.json<{ error: { message: string } }>().error.message).toContain('authorizeUrl')
  const { shopId, url, state } = await startLink(
    'douyin',
    { authorizeUrl: 'https://fuwu.jinritemai.com/authorize?service_id=123' },
    { appKey: 'dy-app', appSecret: 'dy-secret' },
  )
  expect(url.searchParams.get('service_id')).toBe('123')
  nock('https://openapi-fxg.jinritemai.com')
    .post('/token/create')
    .query((q) => q.method === 'token.create' && q.access_token === undefined)
    .reply(200, {
      code: 10000,
      msg: 'success',
      data: {
        access_token: 'dy-token',
        expires_in: 604800,
        refresh_token: 'dy-refresh',
        scope: 'SCOPE',
        shop_id: 4463798,
        shop_name: '抖音小店',
      },
    })
  expect((await callback('douyin', { code: 'dy-code', state })).statusCode).toBe(200)
  expect(await creds(shopId)).toMatchObject({
    accessToken: 'dy-token',
    refreshToken: 'dy-refresh',
    expiresAt: '2026-11-27T12:00:00.000Z',
    shopId: '4463798',
  })
})
