/**
 * A Shopify shop end to end against the real database and Redis, with Shopify itself mocked by nock:
 * linking through OAuth and with a custom-app token, webhooks through the HTTP API, and stock pushed
 * per location from the warehouses mapped to each.
 */
import { createHmac } from 'node:crypto'
import nock from 'nock'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { signShopifyQuery, signShopifyWebhook } from '../../../connectors/shopify/index.js'
import { receive } from '../../../src/inventory/operations.js'
import { pushShopStock } from '../../../src/inventory/push.js'
import { upsertMappings } from '../../../src/orders/mappings.js'
import { createShop, loadShopCredentials, setShopCredentials } from '../../../src/shops/repo.js'
import { pullStream, withFreshToken } from '../../../src/sync/pull.js'
import { upsertSkus } from '../../../src/skus/repo.js'
import { createWarehouse } from '../../../src/warehouses/repo.js'
import { processDelivery } from '../../../src/webhooks/service.js'
import { ingestRawOrders } from '../../../src/orders/ingest.js'
import {
  bearer,
  fixedClock,
  seedMerchant,
  testEnv,
  type TestEnv,
  type TestMerchant,
} from '../../helpers/app.js'
import { graphqlNode, shopifyMultiLine } from '../../fixtures/shopify/orders.js'

const ORIGIN = 'https://acme.myshopify.com'
const GQL = '/admin/api/2026-07/graphql.json'
let env: TestEnv
let m: TestMerchant

beforeAll(async () => {
  env = await testEnv({ clock: fixedClock('2026-11-20T12:00:00Z') })
  m = await seedMerchant(env.ctx)
})
afterAll(() => env.close())
beforeEach(() => nock.cleanAll())

const createShopify = (credentials: Record<string, unknown>, settings: Record<string, unknown> = {}) =>
  env.app.inject({
    method: 'POST',
    url: '/shops',
    headers: bearer(m.keys.admin),
    payload: {
      channel: 'shopify',
      name: 'Acme',
      settings: { shopDomain: 'acme.myshopify.com', ...settings },
      credentials,
    },
  })

describe('linking', () => {
  it('links through OAuth: authorize URL with a one-time state, signed callback, code exchanged, token sealed', async () => {
    const created = await createShopify({ clientId: 'client-1', clientSecret: 'hush' })
    expect(created.statusCode).toBe(201)
    const shopId = created.json<{ id: string }>().id
    const start = await env.app.inject({
      method: 'POST',
      url: `/shops/${shopId}/oauth/authorize`,
      headers: bearer(m.keys.admin),
    })
    expect(start.statusCode).toBe(200)
    const url = new URL(start.json<{ authorizeUrl: string }>().authorizeUrl)
    expect(url.host).toBe('acme.myshopify.com')
    const state = url.searchParams.get('state')!
    expect(url.searchParams.get('redirect_uri')).toBe(
      `${env.ctx.config.api.publicUrl}/oauth/shopify/callback`,
    )

    const query = { code: 'auth-code', shop: 'acme.myshopify.com', state, timestamp: '1763640000' }
    const callback = (q: Record<string, string>) =>
      env.app.inject({ method: 'GET', url: `/oauth/shopify/callback?${new URLSearchParams(q).toString()}` })
    nock(ORIGIN)
      .post('/admin/oauth/access_token', {
        client_id: 'client-1',
        client_secret: 'hush',
        code: 'auth-code',
        expiring: '1',
      })
      .reply(200, {
        access_token: 'shpat_linked',
        expires_in: 3600,
        refresh_token: 'shprt_1',
        scope: 'read_orders,write_inventory',
      })
    const done = await callback({ ...query, hmac: signShopifyQuery('hush', query) })
    expect(done.statusCode).toBe(200)
    expect(done.json()).toEqual({ linked: true, shopId })
    const creds = await loadShopCredentials(env.ctx.db, env.ctx.config.secretKey, m.id, shopId)
    expect(creds).toMatchObject({
      accessToken: 'shpat_linked',
      refreshToken: 'shprt_1',
      clientSecret: 'hush',
      expiresAt: '2026-11-20T13:00:00.000Z',
    })
    // The token is sealed at rest.
    const row = await env.ctx.db
      .selectFrom('shops')
      .selectAll()
      .where('id', '=', shopId)
      .executeTakeFirstOrThrow()
    expect(JSON.stringify(row)).not.toContain('shpat_linked')

    // The state works once.
    const replay = await callback({ ...query, hmac: signShopifyQuery('hush', query) })
    expect(replay.statusCode).toBe(400)
  })

  it('refuses a callback with a forged hmac, and keeps the shop without a token', async () => {
    const shopId = (await createShopify({ clientId: 'client-1', clientSecret: 'hush' })).json<{
      id: string
    }>().id
    const state = new URL(
      (
        await env.app.inject({
          method: 'POST',
          url: `/shops/${shopId}/oauth/authorize`,
          headers: bearer(m.keys.admin),
        })
      ).json<{ authorizeUrl: string }>().authorizeUrl,
    ).searchParams.get('state')!
    const query = { code: 'auth-code', shop: 'acme.myshopify.com', state, timestamp: '1763640000' }
    const res = await env.app.inject({
      method: 'GET',
      url: `/oauth/shopify/callback?${new URLSearchParams({ ...query, hmac: signShopifyQuery('not-the-secret', query) }).toString()}`,
    })
    expect(res.statusCode).toBe(422)
    expect(await loadShopCredentials(env.ctx.db, env.ctx.config.secretKey, m.id, shopId)).not.toHaveProperty(
      'accessToken',
    )
  })

  it('takes a callback exactly as Shopify signs it: padded host, escaped state, repeated array-style names', async () => {
    const shopId = (await createShopify({ clientId: 'client-1', clientSecret: 'hush' })).json<{
      id: string
    }>().id
    const state = new URL(
      (
        await env.app.inject({
          method: 'POST',
          url: `/shops/${shopId}/oauth/authorize`,
          headers: bearer(m.keys.admin),
        })
      ).json<{ authorizeUrl: string }>().authorizeUrl,
    ).searchParams.get('state')!
    // What Shopify signs: the parameters sorted and form-encoded; the browser brings them as it likes.
    const message = `code=auth-code&host=YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvYWNtZQ%3D%3D&ids%5B%5D=2&ids%5B%5D=1&locale=en+US&shop=acme.myshopify.com&state=${encodeURIComponent(state)}&timestamp=1763640000`
    const hmac = createHmac('sha256', 'hush').update(message).digest('hex')
    const sent = `shop=acme.myshopify.com&ids[]=2&host=YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvYWNtZQ==&hmac=${hmac}&ids[]=1&code=auth-code&locale=en%20US&state=${encodeURIComponent(state)}&timestamp=1763640000`
    nock(ORIGIN)
      .post('/admin/oauth/access_token')
      .reply(200, { access_token: 'shpat_padded', scope: 'read_orders' })
    const res = await env.app.inject({ method: 'GET', url: `/oauth/shopify/callback?${sent}` })
    expect(res.json()).toEqual({ linked: true, shopId })
    expect(await loadShopCredentials(env.ctx.db, env.ctx.config.secretKey, m.id, shopId)).toMatchObject({
      accessToken: 'shpat_padded',
    })
  })

  it('checks a custom app token with one call before saving, and refuses a wrong one', async () => {
    nock(ORIGIN)
      .post(GQL)
      .matchHeader('x-shopify-access-token', 'shpat_good')
      .reply(200, { data: { shop: { id: 'gid://shopify/Shop/1', name: 'Acme', currencyCode: 'USD' } } })
    expect((await createShopify({ accessToken: 'shpat_good', webhookSecret: 'hush' })).statusCode).toBe(201)
    nock(ORIGIN)
      .post(GQL)
      .reply(401, { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' })
    const bad = await createShopify({ accessToken: 'shpat_bad' })
    expect(bad.statusCode).toBe(422)
    expect(bad.body).not.toContain('shpat_bad')
    expect((await createShopify({ accessToken: 'x' }, { shopDomain: 'not a domain' })).statusCode).toBe(400)
    expect((await createShopify({ clientId: 'only-the-id' })).statusCode).toBe(400)
  })
})

describe('webhooks through the API', () => {
  it('rejects a wrong signature with 401 and stores nothing; stores a good one once and turns it into one order', async () => {
    const shop = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
      channel: 'shopify',
      name: 'hooks',
      settings: { shopDomain: 'acme.myshopify.com' },
      credentials: { accessToken: 'shpat_hooks', clientSecret: 'app-secret' },
    })
    const body = JSON.stringify(shopifyMultiLine)
    const post = (hmac: string, id: string) =>
      env.app.inject({
        method: 'POST',
        url: `/webhooks/shopify/${shop.id}`,
        headers: {
          'content-type': 'application/json',
          'x-shopify-topic': 'orders/updated',
          'x-shopify-webhook-id': id,
          'x-shopify-hmac-sha256': hmac,
        },
        payload: body,
      })
    const forged = await post(signShopifyWebhook('wrong', body), 'w-1')
    expect(forged.statusCode).toBe(401)
    const stored = () =>
      env.ctx.db.selectFrom('webhook_deliveries').select(['id']).where('shop_id', '=', shop.id).execute()
    expect(await stored()).toHaveLength(0)

    const good = await post(signShopifyWebhook('app-secret', body), 'w-2')
    expect(good.json()).toEqual({ ok: true, duplicate: false })
    const again = await post(signShopifyWebhook('app-secret', body), 'w-2')
    expect(again.json()).toEqual({ ok: true, duplicate: true })
    const deliveries = await stored()
    expect(deliveries).toHaveLength(1)
    await processDelivery(env.ctx, m.id, shop.id, deliveries[0]!.id)
    const orders = await env.ctx.db
      .selectFrom('orders')
      .select(['external_id', 'buyer_paid', 'currency'])
      .where('shop_id', '=', shop.id)
      .execute()
    expect(orders).toEqual([{ external_id: '5923848749187', buyer_paid: '85.6800', currency: 'USD' }])

    // The same version pulled as a GraphQL node: another shape, the same order — no conflict.
    await ingestRawOrders(
      env.ctx,
      { id: shop.id, merchantId: m.id, channel: 'shopify' },
      [
        {
          externalId: '5923848749187',
          platformUpdatedAt: new Date('2026-11-20T15:05:00Z'),
          payload: graphqlNode(),
        },
      ],
      'pull',
    )
    expect(
      await env.ctx.db.selectFrom('orders').select('id').where('shop_id', '=', shop.id).execute(),
    ).toHaveLength(1)
    const conflicts = await env.ctx.db
      .selectFrom('order_exceptions')
      .select('reason')
      .where('shop_id', '=', shop.id)
      .where('reason', '=', 'conflicting_update')
      .execute()
    expect(conflicts).toEqual([])
  })
})

describe('stock per location', () => {
  it('pushes each location the stock of the warehouses mapped to it', async () => {
    const w1 = await createWarehouse(env.ctx.db, m.id, { code: 'NY', name: 'New York' })
    const w2 = await createWarehouse(env.ctx.db, m.id, { code: 'LA', name: 'Los Angeles' })
    const shop = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
      channel: 'shopify',
      name: 'locations',
      settings: {
        shopDomain: 'acme.myshopify.com',
        locations: { [w1.id]: '111', [w2.id]: 'gid://shopify/Location/222' },
      },
      credentials: { accessToken: 'shpat_stock' },
    })
    await upsertSkus(env.ctx, m.id, [{ code: 'MUG-BLUE', name: 'mug' }])
    const skuId = (
      await env.ctx.db
        .selectFrom('skus')
        .select('id')
        .where('merchant_id', '=', m.id)
        .where('code', '=', 'MUG-BLUE')
        .executeTakeFirstOrThrow()
    ).id
    await upsertMappings(
      env.ctx.db,
      m.id,
      [{ shopId: shop.id, platformSkuId: '44012345678901', skuCode: 'MUG-BLUE' }],
      'bulk',
    )
    await receive(
      env.ctx.db,
      m.id,
      { warehouseId: w1.id, skuId, quantity: 12, unitCost: '4', currency: 'USD' },
      { actor: 't' },
    )
    await receive(
      env.ctx.db,
      m.id,
      { warehouseId: w2.id, skuId, quantity: 5, unitCost: '4', currency: 'USD' },
      { actor: 't' },
    )

    const sets: { location: string; quantity: number }[] = []
    nock(ORIGIN)
      .post(GQL, (b: { query: string }) => b.query.includes('query Levels'))
      .times(2)
      .reply(200, (_uri, b) => ({
        data: {
          nodes: [
            {
              id: 'gid://shopify/ProductVariant/44012345678901',
              inventoryItem: {
                id: 'gid://shopify/InventoryItem/9',
                inventoryLevel: { quantities: [{ name: 'available', quantity: 0 }] },
              },
            },
          ],
        },
        _location: (b as { variables: { location: string } }).variables.location,
      }))
      .post(GQL, (b: { query: string }) => b.query.includes('inventorySetQuantities'))
      .times(2)
      .reply(200, (_uri, b) => {
        const q = (b as { variables: { input: { quantities: { locationId: string; quantity: number }[] } } })
          .variables.input.quantities[0]!
        sets.push({ location: q.locationId, quantity: q.quantity })
        return { data: { inventorySetQuantities: { inventoryAdjustmentGroup: { id: 'g' }, userErrors: [] } } }
      })
    const report = await pushShopStock(env.ctx, m.id, shop.id)
    expect(report).toMatchObject({ sent: 2, failed: 0 })
    expect(sets.sort((a, b) => a.location.localeCompare(b.location))).toEqual([
      { location: 'gid://shopify/Location/111', quantity: 12 },
      { location: 'gid://shopify/Location/222', quantity: 5 },
    ])
    const state = await env.ctx.db
      .selectFrom('stock_push_state')
      .select(['location_id', 'quantity', 'ok'])
      .where('shop_id', '=', shop.id)
      .orderBy('location_id')
      .execute()
    expect(state).toEqual([
      { location_id: '111', quantity: 12, ok: 1 },
      { location_id: '222', quantity: 5, ok: 1 },
    ])
    // Nothing changed: nothing is sent again.
    expect(await pushShopStock(env.ctx, m.id, shop.id)).toMatchObject({ sent: 0 })
  })
})

describe('tokens', () => {
  it('refreshes a rejected token once and pulls with the new one; refreshes ahead of expiry next time', async () => {
    const shop = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
      channel: 'shopify',
      name: 'tokens',
      settings: { shopDomain: 'acme.myshopify.com' },
      credentials: {
        clientId: 'c',
        clientSecret: 'hush',
        accessToken: 'shpat_old',
        refreshToken: 'shprt_1',
        expiresAt: '2026-11-20T18:00:00.000Z',
      },
    })
    const empty = { data: { orders: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] } } }
    nock(ORIGIN)
      .post(GQL)
      .matchHeader('x-shopify-access-token', 'shpat_old')
      .reply(401, { errors: '[API] Invalid API key or access token' })
      .post('/admin/oauth/access_token', {
        client_id: 'c',
        client_secret: 'hush',
        grant_type: 'refresh_token',
        refresh_token: 'shprt_1',
      })
      .reply(200, {
        access_token: 'shpat_new',
        expires_in: 3600,
        refresh_token: 'shprt_2',
        scope: 'read_orders',
      })
      .post(GQL)
      .matchHeader('x-shopify-access-token', 'shpat_new')
      .reply(200, empty)
    await pullStream(env.ctx, m.id, shop.id, 'orders')
    expect(nock.isDone()).toBe(true)
    expect(await loadShopCredentials(env.ctx.db, env.ctx.config.secretKey, m.id, shop.id)).toMatchObject({
      accessToken: 'shpat_new',
      refreshToken: 'shprt_2',
      expiresAt: '2026-11-20T13:00:00.000Z',
    })

    // The stored token now expires within five minutes of the (fixed) clock's next reading: refreshed before the call.
    await env.ctx.db
      .updateTable('sync_cursors')
      .set({ cursor_at: null })
      .where('shop_id', '=', shop.id)
      .execute()
    const creds = await loadShopCredentials(env.ctx.db, env.ctx.config.secretKey, m.id, shop.id)
    await setShopCredentials(env.ctx.db, env.ctx.config.secretKey, m.id, shop.id, {
      ...creds,
      expiresAt: '2026-11-20T12:03:00.000Z',
    })
    nock(ORIGIN)
      .post('/admin/oauth/access_token', {
        client_id: 'c',
        client_secret: 'hush',
        grant_type: 'refresh_token',
        refresh_token: 'shprt_2',
      })
      .reply(200, { access_token: 'shpat_newer', expires_in: 3600, refresh_token: 'shprt_3' })
      .post(GQL)
      .matchHeader('x-shopify-access-token', 'shpat_newer')
      .reply(200, empty)
    await pullStream(env.ctx, m.id, shop.id, 'orders')
    expect(nock.isDone()).toBe(true)
  })
})

describe('concurrent refresh', () => {
  it('refreshes a rotating token once when several workers find it expiring together', async () => {
    const shop = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
      channel: 'shopify',
      name: 'rotating',
      settings: { shopDomain: 'acme.myshopify.com' },
      credentials: {
        clientId: 'c',
        clientSecret: 'hush',
        accessToken: 'shpat_a',
        refreshToken: 'shprt_a',
        expiresAt: '2026-11-20T12:01:00.000Z',
      },
    })
    let refreshes = 0
    nock(ORIGIN)
      .post('/admin/oauth/access_token', {
        client_id: 'c',
        client_secret: 'hush',
        grant_type: 'refresh_token',
        refresh_token: 'shprt_a',
      })
      .delay(50)
      .reply(
        200,
        () => (refreshes++, { access_token: 'shpat_b', expires_in: 3600, refresh_token: 'shprt_b' }),
      )
    const used = await Promise.all(
      [1, 2, 3].map(() => withFreshToken(env.ctx, m.id, shop.id, async (sc) => sc.credentials.accessToken)),
    )
    expect(used).toEqual(['shpat_b', 'shpat_b', 'shpat_b'])
    expect(refreshes).toBe(1)
  })
})

describe('a shop waiting for OAuth', () => {
  it('is neither pulled nor pushed, and records no sync error, until its token arrives', async () => {
    const shop = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
      channel: 'shopify',
      name: 'pending',
      settings: { shopDomain: 'acme.myshopify.com' },
      credentials: { clientId: 'c', clientSecret: 'hush' },
    })
    nock.disableNetConnect()
    try {
      expect(await pullStream(env.ctx, m.id, shop.id, 'orders')).toMatchObject({ pages: 0, stored: 0 })
      expect(
        await env.ctx.db.selectFrom('sync_errors').select('id').where('shop_id', '=', shop.id).execute(),
      ).toEqual([])
      await createWarehouse(env.ctx.db, m.id, { code: 'PEND', name: 'pending' })
      await upsertSkus(env.ctx, m.id, [{ code: 'PEND-1', name: 'pending sku' }])
      await upsertMappings(
        env.ctx.db,
        m.id,
        [{ shopId: shop.id, platformSkuId: '44012345678999', skuCode: 'PEND-1' }],
        'bulk',
      )
      expect((await pushShopStock(env.ctx, m.id, shop.id)).skipped).toBe('not_linked')
    } finally {
      nock.enableNetConnect()
    }
  })
})
