/**
 * What the console's shop screens need from the API: the credential fields per channel, a shop's
 * link state (waiting for its OAuth callback, token expiry), an OAuth round trip through the TOP
 * sandbox's authorize page that lands a browser on the console's page (linked, refused, expired
 * state), the stock-rule preview (the push's own numbers, before saving) and the per-SKU push log
 * with the platform's answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pushShopStock } from '../../../src/inventory/push.js'
import { startSelfstoreSandbox, type SelfstoreSandbox } from '../../../src/sandbox/selfstore-server.js'
import { startTopSandbox, type TopSandbox } from '../../../src/sandbox/top-server.js'
import { bearer, seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'

let env: TestEnv
let m: TestMerchant
let top: TopSandbox
let store: SelfstoreSandbox

const CATALOGUE = [
  { skuCode: 'CUP-1', title: '保温杯 黑色', price: '89.00' },
  { skuCode: 'CUP-2', title: '保温杯 白色', price: '89.00' },
]

beforeAll(async () => {
  env = await testEnv()
  m = await seedMerchant(env.ctx)
  top = await startTopSandbox({
    seed: 1,
    catalogue: CATALOGUE,
    appKey: '12345678',
    appSecret: 'top-secret',
    session: 'sandbox-session',
    sellerNick: '好物天猫旗舰店',
  })
  store = await startSelfstoreSandbox({ seed: 2, catalogue: CATALOGUE, apiKey: 'sk', webhookSecret: 'wh' })
})
afterAll(async () => {
  await top?.close()
  await store?.close()
  await env?.close()
})

const as = (key: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
  env.app.inject({ method, url, headers: bearer(key), ...(payload ? { payload } : {}) })
const admin = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
  as(m.keys.admin, method, url, payload)

describe('GET /channels', () => {
  it('names the credentials each channel asks for; an OAuth channel only its app key and secret', async () => {
    const items = (await admin('GET', '/channels')).json<{
      items: {
        channel: string
        oauth: boolean
        channelSettings: string[]
        credentials: { name: string; required: boolean }[]
      }[]
    }>().items
    const of = (c: string) => items.find((i) => i.channel === c)!
    expect(of('taobao')).toMatchObject({
      oauth: true,
      credentials: [
        { name: 'appKey', required: true, secret: false },
        { name: 'appSecret', required: true, secret: true },
      ],
    })
    expect(of('woocommerce')).toMatchObject({ oauth: false, channelSettings: ['baseUrl'] })
    expect(of('taobao').channelSettings).toContain('oauthUrl')
    expect(of('taobao').channelSettings).not.toContain('stockSync')
    expect(of('woocommerce').credentials.map((f) => [f.name, f.required])).toEqual([
      ['consumerKey', true],
      ['consumerSecret', true],
      ['webhookSecret', false],
    ])
  })
})

describe('linking Taobao through the sandbox authorize page', () => {
  let shopId = ''
  const sync = async () =>
    (await admin('GET', `/shops/${shopId}/sync`)).json<{
      link: { oauth: boolean; linked: boolean; waitingForCallback: boolean; tokenExpiresAt: string | null }
    }>().link
  const authorize = async () => {
    const res = await admin('POST', `/shops/${shopId}/oauth/authorize`)
    expect(res.statusCode).toBe(200)
    return new URL(res.json<{ authorizeUrl: string }>().authorizeUrl)
  }
  /** The seller's click on the sandbox page: where the platform sends the browser back. */
  const decide = async (url: URL, decision: 'allow' | 'deny') => {
    const page = await fetch(url)
    expect(await page.text()).toContain('授权')
    const to = new URL(url)
    to.searchParams.set('decision', decision)
    const res = await fetch(to, { redirect: 'manual' })
    expect(res.status).toBe(302)
    return new URL(res.headers.get('location')!)
  }
  const callback = (back: URL) =>
    env.app.inject({ method: 'GET', url: back.pathname + back.search, headers: { accept: 'text/html' } })

  beforeAll(async () => {
    const res = await admin('POST', '/shops', {
      channel: 'taobao',
      name: '好物天猫旗舰店',
      settings: { baseUrl: top.url, oauthUrl: top.oauthUrl },
      credentials: { appKey: '12345678', appSecret: 'top-secret' },
    })
    expect(res.statusCode).toBe(201)
    shopId = res.json<{ id: string }>().id
  })

  it('says the shop waits for its callback until the token arrives', async () => {
    expect(await sync()).toMatchObject({ oauth: true, linked: false, waitingForCallback: true })
  })

  it('sends a browser that refused on the platform to the console page with the reason', async () => {
    const back = await decide(await authorize(), 'deny')
    const res = await callback(back)
    expect(res.statusCode).toBe(302)
    const to = new URL(res.headers.location as string, 'http://x')
    expect(to.pathname).toBe('/app/shops/linked')
    expect(Object.fromEntries(to.searchParams)).toMatchObject({ shop: shopId, error: 'credentials_rejected' })
    expect(to.searchParams.get('message')).toContain('用户拒绝授权')
    expect((await sync()).waitingForCallback).toBe(true)
  })

  it('links on approval: the browser lands on the console page, the token and its expiry are kept', async () => {
    const back = await decide(await authorize(), 'allow')
    const res = await callback(back)
    expect(res.statusCode).toBe(302)
    expect(res.headers.location).toBe(`/app/shops/linked?shop=${shopId}`)
    expect(top.oauthGranted).toBe(1)
    const link = await sync()
    expect(link).toMatchObject({ linked: true, waitingForCallback: false })
    expect(Date.parse(link.tokenExpiresAt!)).toBeGreaterThan(Date.now())
    // The same callback again: the state was used once.
    const again = await callback(back)
    const to = new URL(again.headers.location as string, 'http://x')
    expect(Object.fromEntries(to.searchParams)).toMatchObject({
      error: 'validation_failed',
      reason: 'oauth_state',
    })
    // An integration (no text/html) still gets JSON.
    const json = await env.app.inject({ method: 'GET', url: back.pathname + back.search })
    expect(json.statusCode).toBe(400)
  })
})

describe('stock rules: preview and push log', () => {
  let shopId = ''
  let warehouseId = ''
  const preview = (payload: object, query = '') =>
    admin('POST', `/shops/${shopId}/stock-rules/preview${query}`, payload)

  beforeAll(async () => {
    shopId = (
      await admin('POST', '/shops', {
        channel: 'selfstore',
        name: '自营商城',
        settings: { baseUrl: store.url },
        credentials: { apiKey: 'sk', webhookSecret: 'wh' },
      })
    ).json<{ id: string }>().id
    warehouseId = (await admin('POST', '/warehouses', { code: 'HZ', name: '杭州仓' })).json<{ id: string }>()
      .id
    await admin('POST', '/skus/bulk', {
      items: [
        { code: 'CUP-1', name: '保温杯 黑色' },
        { code: 'CUP-2', name: '保温杯 白色' },
        { code: 'GONE-1', name: '下架商品' },
      ],
    })
    const skus = (await admin('GET', '/skus')).json<{ items: { id: string; code: string }[] }>().items
    for (const [code, quantity] of [
      ['CUP-1', 20],
      ['CUP-2', 7],
      ['GONE-1', 4],
    ] as const)
      expect(
        (
          await admin('POST', '/stock/receipts', {
            warehouseId,
            skuId: skus.find((s) => s.code === code)!.id,
            quantity,
            unitCost: '10.00',
            currency: 'CNY',
          })
        ).statusCode,
      ).toBe(201)
    const mapped = await admin('POST', '/sku-mappings/bulk', {
      items: ['CUP-1', 'CUP-2', 'GONE-1'].map((code) => ({ shopId, platformSkuId: code, skuCode: code })),
    })
    expect(mapped.statusCode).toBe(200)
  })

  type Item = {
    skuCode: string
    available: number
    rule: string
    savedQuantity: number
    quantity: number
    lastPush: { quantity: number; ok: boolean; error: string | null } | null
  }
  const byCode = (items: Item[]) => Object.fromEntries(items.map((i) => [i.skuCode, i]))

  it('shows what each rule would push now, beside the saved rules, and saves nothing', async () => {
    const res = await preview({
      stockSync: { ratio: '0.5', safetyStock: 2, overrides: { 'CUP-2': { fixed: 3 } } },
    })
    expect(res.statusCode).toBe(200)
    const items = byCode(res.json<{ items: Item[] }>().items)
    expect(items['CUP-1']).toMatchObject({ available: 20, rule: 'shop', savedQuantity: 20, quantity: 9 })
    expect(items['CUP-2']).toMatchObject({ available: 7, rule: 'sku', savedQuantity: 7, quantity: 3 })
    expect(items['GONE-1']).toMatchObject({ available: 4, quantity: 1, lastPush: null })
    const shop = (await admin('GET', `/shops/${shopId}`)).json<{ settings: Record<string, unknown> }>()
    expect(shop.settings.stockSync).toBeUndefined()
  })

  it('pages and searches by SKU code', async () => {
    const first = (await preview({}, '?limit=2')).json<{ items: Item[]; next: string }>()
    expect(first.items).toHaveLength(2)
    const rest = (await preview({}, `?limit=2&cursor=${first.next}`)).json<{ items: Item[]; next: null }>()
    expect([...first.items, ...rest.items].map((i) => i.skuCode).sort()).toEqual(['CUP-1', 'CUP-2', 'GONE-1'])
    expect(rest.next).toBeNull()
    const found = (await preview({}, '?q=GONE')).json<{ items: Item[] }>().items
    expect(found.map((i) => i.skuCode)).toEqual(['GONE-1'])
  })

  it('refuses rules that cannot be saved, naming the field; a warehouse user may not preview', async () => {
    const bad = await preview({ stockSync: { ratio: '1.5' } })
    expect(bad.statusCode).toBe(400)
    expect(bad.json<{ error: { details: { field: string } } }>().error.details.field).toBe('body/settings')
    expect(bad.json<{ error: { message: string } }>().error.message).toContain('stockSync/ratio')
    expect((await as(m.keys.warehouse, 'POST', `/shops/${shopId}/stock-rules/preview`, {})).statusCode).toBe(
      403,
    )
  })

  it('pushes what the preview showed once saved, and logs each push with the platform answer', async () => {
    const rules = { ratio: '0.5', safetyStock: 2, overrides: { 'CUP-2': { fixed: 3 } } }
    const shown = byCode((await preview({ stockSync: rules })).json<{ items: Item[] }>().items)
    expect((await admin('PATCH', `/shops/${shopId}`, { settings: { stockSync: rules } })).statusCode).toBe(
      200,
    )
    const report = await pushShopStock(env.ctx, m.id, shopId, true)
    expect(report).toMatchObject({ sent: 2, failed: 1 })
    expect(store.stock.get('CUP-1')?.quantity).toBe(shown['CUP-1']!.quantity)
    expect(store.stock.get('CUP-2')?.quantity).toBe(shown['CUP-2']!.quantity)

    await admin('PATCH', `/shops/${shopId}`, { settings: { stockSync: { ratio: '1' } } })
    await pushShopStock(env.ctx, m.id, shopId)
    const log = (
      await as(m.keys.warehouse, 'GET', `/shops/${shopId}/stock-pushes?platformSkuKey=CUP-1`)
    ).json<{
      items: { quantity: number; ok: boolean; error: string | null }[]
    }>().items
    expect(log.map((l) => [l.quantity, l.ok])).toEqual([
      [18, true],
      [9, true],
    ])
    const gone = (await admin('GET', `/shops/${shopId}/stock-pushes?platformSkuKey=GONE-1`)).json<{
      items: { ok: boolean; error: string | null }[]
    }>().items
    expect(gone[0]).toMatchObject({ ok: false, error: expect.stringContaining('unknown sku') })
    // The preview now shows the last push beside each SKU.
    const after = byCode((await preview({})).json<{ items: Item[] }>().items)
    expect(after['CUP-1']!.lastPush).toMatchObject({ quantity: 18, ok: true })
    expect(after['GONE-1']!.lastPush).toMatchObject({ ok: false })
  })
})
