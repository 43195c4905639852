import { createHmac } from 'node:crypto'
import nock from 'nock'
import { afterEach, describe, expect, it } from 'vitest'
import type { balanceTransactionLines } from '../../../../connectors/shopify/index.js'
import {
  idempotencyKey,
  shopify,
  shopifyQueryMessage,
  signShopifyQuery,
  signShopifyWebhook,
} from '../../../../connectors/shopify/index.js'
import { FINANCIAL_STATUS, shopifyStatus } from '../../../../connectors/shopify/map.js'
import { isConnectorError } from '../../../../connectors/errors.js'
import type { ShopContext } from '../../../../connectors/types.js'
import { fixedClock } from '../../../../src/lib/clock.js'
import { createLogger } from '../../../../src/lib/logger.js'
import { sum } from '../../../../src/money/index.js'
import {
  bothShapes,
  graphqlNode,
  shopifyCancelled,
  shopifyMultiLine,
  shopifyRefunded,
} from '../../../fixtures/shopify/orders.js'
import { drain as collect } from '../../../helpers/connectors.js'

const ORIGIN = 'https://acme.myshopify.com'
const GQL = '/admin/api/2026-07/graphql.json'
const shop = (over: Partial<ShopContext> = {}): ShopContext => ({
  id: `shop-shopify-${Math.random()}`,
  merchantId: 'm',
  channel: 'shopify',
  settings: { shopDomain: 'acme.myshopify.com', timeoutMs: 300, locations: { 'wh-1': '655441491' } },
  credentials: {
    accessToken: 'shpat_secret_token',
    clientId: 'client-1',
    clientSecret: 'hush',
    refreshToken: 'shprt_refresh',
  },
  clock: fixedClock('2026-11-20T12:00:00Z'),
  log: createLogger('silent'),
  saveCredentials: async () => undefined,
  ...over,
})
const ok = <T>(r: { ok: boolean; value?: T }) => {
  if (!r.ok) throw new Error(JSON.stringify(r))
  return r.value!
}
const ordersAnswer = (nodes: unknown[], next: string | null) => ({
  data: { orders: { pageInfo: { hasNextPage: next !== null, endCursor: next }, nodes } },
})
const window = { from: new Date('2026-11-20T00:00:00Z'), to: new Date('2026-11-20T12:00:00Z') }

afterEach(() => nock.cleanAll())

describe('mapping', () => {
  it('maps a multi-line order with a discount code, shipping and tax, to the cent, in shop money', () => {
    const d = ok(shopify.mapOrder(shopifyMultiLine))
    expect(d).toMatchObject({
      externalId: '5923848749187',
      status: 'paid',
      platformStatus: 'paid/unfulfilled',
      currency: 'USD',
      refundState: 'none',
      buyerNote: 'Gift wrap please',
    })
    expect(d.platformUpdatedAt.toISOString()).toBe('2026-11-20T15:05:00.000Z')
    expect(d.paidAt?.toISOString()).toBe('2026-11-20T14:59:30.000Z')
    expect(
      d.lines.map((l) => [
        l.externalLineId,
        l.platformItemId,
        l.platformSkuId,
        l.outerCode,
        l.skuProperties,
        l.quantity,
        l.unitPrice.toFixed(2),
        l.goodsAmount.toFixed(2),
        l.merchantDiscount.toFixed(2),
        l.platformDiscount.toFixed(2),
        l.tax.toFixed(2),
      ]),
    ).toEqual([
      [
        '14678245016707',
        '8012345678901',
        '44012345678901',
        'MUG-BLUE',
        'Blue',
        2,
        '25.00',
        '50.00',
        '5.00',
        '0.00',
        '3.60',
      ],
      [
        '14678245049475',
        '8012345678902',
        '44012345678902',
        'TEA-01',
        null,
        1,
        '30.00',
        '30.00',
        '3.00',
        '0.00',
        '2.58',
      ],
    ])
    const t = d.totals
    expect(
      [t.goods, t.merchantDiscount, t.platformDiscount, t.shipping, t.tax, t.buyerPaid].map((x) =>
        x.toFixed(2),
      ),
    ).toEqual(['80.00', '8.00', '0.00', '7.50', '6.18', '85.68'])
    // Equal to the order's own total_price (shop money, not the EUR presentment amount).
    expect(t.buyerPaid.toFixed(2)).toBe(shopifyMultiLine.total_price)
    expect(d.receiver).toMatchObject({
      name: 'Ana Silva',
      country: 'FR',
      city: 'Paris',
      address: '1 Rue de Rivoli, Apt 4',
      postcode: '75001',
      masked: false,
    })
    expect(d.buyer).toEqual({ id: '207119551', nick: 'Ana Silva', email: 'ana@example.com' })
  })

  it('maps the same order identically from the GraphQL node it is pulled as', () => {
    const rest = ok(shopify.mapOrder(shopifyMultiLine))
    const gql = ok(shopify.mapOrder(graphqlNode()))
    expect(JSON.parse(JSON.stringify(gql))).toEqual(JSON.parse(JSON.stringify(rest)))
  })

  it.each(Object.entries(bothShapes))(
    'maps the %s order identically from its webhook body and its GraphQL node, line fulfilment included',
    (_state, { rest, graphql }) => {
      const viaHook = ok(shopify.mapOrder(rest))
      const viaPull = ok(shopify.mapOrder(graphql))
      expect(JSON.parse(JSON.stringify(viaPull))).toEqual(JSON.parse(JSON.stringify(viaHook)))
    },
  )

  it('reads line fulfilment from either shape: fulfilled, partial, or not yet', () => {
    const lines = (raw: unknown) => ok(shopify.mapOrder(raw)).lines.map((l) => l.platformStatus)
    for (const shape of ['rest', 'graphql'] as const) {
      expect(lines(bothShapes.unfulfilled![shape])).toEqual([null, null])
      expect(lines(bothShapes.fulfilled![shape])).toEqual(['fulfilled', 'fulfilled'])
      expect(lines(bothShapes['partly fulfilled']![shape])).toEqual(['partial', 'fulfilled'])
      expect(lines(bothShapes['refunded after shipment']![shape])).toEqual(['fulfilled', 'fulfilled'])
    }
    expect(ok(shopify.mapOrder(bothShapes['partly fulfilled']!.graphql)).status).toBe('paid')
    expect(ok(shopify.mapOrder(bothShapes.fulfilled!.graphql)).status).toBe('shipped')
  })

  it('maps a cancelled order', () => {
    const d = ok(shopify.mapOrder(shopifyCancelled))
    expect(d).toMatchObject({
      externalId: '5923848749188',
      status: 'cancelled',
      paidAt: null,
      refundState: 'none',
    })
    expect(d.platformStatus).toBe('voided/unfulfilled/cancelled')
    expect(d.totals.buyerPaid.toFixed(2)).toBe(shopifyCancelled.total_price) // 30 − 3 + 7.50 shipping + 2.58 tax
  })

  it('maps a shipped order refunded in part after shipment: line refund state and money returned', () => {
    const d = ok(shopify.mapOrder(shopifyRefunded))
    expect(d).toMatchObject({ status: 'completed', refundState: 'partial' })
    expect(d.shippedAt?.toISOString()).toBe('2026-11-21T10:00:00.000Z')
    expect(
      d.lines.map((l) => [l.externalLineId, l.refundState, l.refundedQuantity, l.refundedAmount.toFixed(2)]),
    ).toEqual([
      ['14678245016707', 'partial', 1, '22.50'],
      ['14678245049475', 'none', 0, '0.00'],
    ])
  })

  it('rejects malformed orders with a reason instead of throwing', () => {
    expect(shopify.mapOrder({ ...shopifyMultiLine, currency: 'dollars' })).toMatchObject({
      ok: false,
      reason: 'malformed_payload',
    })
    expect(shopify.mapOrder({ ...shopifyMultiLine, financial_status: 'sort_of_paid' })).toMatchObject({
      ok: false,
      detail: expect.stringContaining('financial_status'),
    })
    expect(
      shopify.mapOrder({
        ...shopifyMultiLine,
        line_items: [{ ...shopifyMultiLine.line_items[0], price: 25, price_set: undefined }],
      }),
    ).toMatchObject({ ok: false, detail: expect.stringContaining('price') })
    expect(shopify.mapOrder('not an order')).toMatchObject({ ok: false })
  })

  it.each([
    ['pending', null, null, null, 'pending_payment'],
    ['authorized', null, null, null, 'paid'],
    ['partially_paid', null, null, null, 'pending_payment'],
    ['paid', null, null, null, 'paid'],
    ['paid', 'partial', null, null, 'paid'],
    ['paid', 'fulfilled', null, null, 'shipped'],
    ['paid', 'fulfilled', '2026-11-22T00:00:00Z', null, 'completed'],
    ['partially_refunded', 'fulfilled', null, null, 'shipped'],
    ['refunded', null, null, null, 'paid'],
    ['voided', null, null, null, 'cancelled'],
    ['paid', null, null, '2026-11-20T00:00:00Z', 'cancelled'],
  ])(
    'financial %s × fulfillment %s (closed %s, cancelled %s) → %s',
    (financial, fulfillment, closed, cancelled, expected) => {
      expect(
        shopifyStatus({
          financial_status: financial,
          fulfillment_status: fulfillment,
          closed_at: closed,
          cancelled_at: cancelled,
        }),
      ).toBe(expected)
    },
  )

  it('has a row for every documented financial status', () => {
    expect(Object.keys(FINANCIAL_STATUS).sort()).toEqual([
      'authorized',
      'paid',
      'partially_paid',
      'partially_refunded',
      'pending',
      'refunded',
      'voided',
    ])
  })
})

describe('pulling orders through GraphQL', () => {
  it('pages by cursor over the updated_at window, keeping [from, to) exactly', async () => {
    const atFrom = graphqlNode({
      id: 'gid://shopify/Order/1',
      legacyResourceId: '1',
      updatedAt: '2026-11-20T00:00:00Z',
    })
    const mid = graphqlNode({
      id: 'gid://shopify/Order/2',
      legacyResourceId: '2',
      updatedAt: '2026-11-20T06:00:00Z',
    })
    const atTo = graphqlNode({
      id: 'gid://shopify/Order/3',
      legacyResourceId: '3',
      updatedAt: '2026-11-20T12:00:00Z',
    })
    const bodies: { variables: Record<string, unknown> }[] = []
    nock(ORIGIN)
      .post(GQL, (b: { variables: Record<string, unknown> }) => (bodies.push(b), !b.variables.after))
      .reply(200, ordersAnswer([atFrom], 'c1'))
      .post(GQL, (b: { variables: Record<string, unknown> }) => (bodies.push(b), b.variables.after === 'c1'))
      .reply(200, ordersAnswer([mid], 'c2'))
      .post(GQL, (b: { variables: Record<string, unknown> }) => (bodies.push(b), b.variables.after === 'c2'))
      .reply(200, ordersAnswer([atTo], null))
    const pages = await collect(shopify.pullOrders(shop(), window))
    expect(pages.map((p) => p.items.map((i) => i.externalId))).toEqual([['1'], ['2'], []])
    expect(pages.map((p) => p.coveredUntil.toISOString())).toEqual([
      '2026-11-20T00:00:00.000Z',
      '2026-11-20T06:00:00.000Z',
      '2026-11-20T12:00:00.000Z',
    ])
    expect(bodies[0]!.variables.query).toBe(
      "updated_at:>='2026-11-20T00:00:00.000Z' AND updated_at:<'2026-11-20T12:00:00.000Z'",
    )
    expect(nock.isDone()).toBe(true)
  })

  it('waits out a 429 with Retry-After, then succeeds', async () => {
    nock(ORIGIN)
      .post(GQL)
      .reply(429, { errors: 'Exceeded 2 calls per second' }, { 'Retry-After': '0.05' })
      .post(GQL)
      .reply(200, ordersAnswer([graphqlNode({ updatedAt: '2026-11-20T11:00:00Z' })], null))
    const pages = await collect(shopify.pullOrders(shop(), window))
    expect(pages[0]!.items).toHaveLength(1)
  })

  it('treats a THROTTLED answer in a 200 body as a rate limit with the wait its cost implies', async () => {
    nock(ORIGIN)
      .post(GQL)
      .reply(200, {
        errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED' } }],
        extensions: {
          cost: {
            requestedQueryCost: 900,
            actualQueryCost: null,
            throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 0, restoreRate: 50 },
          },
        },
      })
    const err = await collect(shopify.pullOrders(shop(), window)).catch((e: unknown) => e)
    expect(isConnectorError(err, 'rate_limited')).toBe(true)
    expect((err as { detail: { retryAfterMs: number } }).detail.retryAfterMs).toBe(18_000)
  })

  it('retries a 5xx, then succeeds', async () => {
    nock(ORIGIN)
      .post(GQL)
      .reply(502, 'Bad gateway')
      .post(GQL)
      .reply(200, ordersAnswer([graphqlNode({ updatedAt: '2026-11-20T11:00:00Z' })], null))
    expect((await collect(shopify.pullOrders(shop(), window)))[0]!.items).toHaveLength(1)
  })

  it('reports a timeout as transient once the retries are spent', async () => {
    nock(ORIGIN).post(GQL).times(4).delay(1000).reply(200, ordersAnswer([], null))
    const err = await collect(shopify.pullOrders(shop(), window)).catch((e: unknown) => e)
    expect(isConnectorError(err, 'transient')).toBe(true)
  })

  it('keeps a malformed body verbatim in the error instead of crashing', async () => {
    nock(ORIGIN)
      .post(GQL)
      .reply(200, '{"data":{"orders":{"nodes":[{"id":', { 'content-type': 'application/json' })
    const err = await collect(shopify.pullOrders(shop(), window)).catch((e: unknown) => e)
    expect(isConnectorError(err, 'permanent')).toBe(true)
    expect((err as { detail: { body: string } }).detail.body).toBe('{"data":{"orders":{"nodes":[{"id":')
  })

  it('classifies a rejected token as auth_expired and never puts the token in the message', async () => {
    nock(ORIGIN)
      .post(GQL)
      .reply(401, { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' })
    const err = await collect(shopify.pullOrders(shop(), window)).catch((e: unknown) => e)
    expect(isConnectorError(err, 'auth_expired')).toBe(true)
    expect(JSON.stringify(err) + String(err)).not.toContain('shpat_secret_token')
  })
})

describe('tokens and OAuth', () => {
  it('refreshes an expiring offline token and stores when it expires', async () => {
    let sent: Record<string, unknown> = {}
    nock(ORIGIN)
      .post('/admin/oauth/access_token', (b: Record<string, unknown>) => ((sent = b), true))
      .reply(200, {
        access_token: 'shpat_new',
        expires_in: 3600,
        refresh_token: 'shprt_new',
        refresh_token_expires_in: 7776000,
        scope: 'read_orders',
      })
    const next = await shopify.refreshToken!(shop())
    expect(sent).toEqual({
      client_id: 'client-1',
      client_secret: 'hush',
      grant_type: 'refresh_token',
      refresh_token: 'shprt_refresh',
    })
    expect(next).toMatchObject({
      accessToken: 'shpat_new',
      refreshToken: 'shprt_new',
      expiresAt: '2026-11-20T13:00:00.000Z',
      clientSecret: 'hush',
    })
  })

  it('builds the authorize URL and exchanges a correctly signed callback code', async () => {
    const s = shop({ credentials: { clientId: 'client-1', clientSecret: 'hush' } })
    const url = new URL(
      shopify.oauth!.authorizeUrl(s, 'state-1', 'https://hub.example/oauth/shopify/callback'),
    )
    expect(url.origin + url.pathname).toBe(`${ORIGIN}/admin/oauth/authorize`)
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: 'client-1',
      state: 'state-1',
      redirect_uri: 'https://hub.example/oauth/shopify/callback',
    })
    const query = { code: 'code-1', shop: 'acme.myshopify.com', state: 'state-1', timestamp: '1763640000' }
    nock(ORIGIN)
      .post('/admin/oauth/access_token', {
        client_id: 'client-1',
        client_secret: 'hush',
        code: 'code-1',
        expiring: '1',
      })
      .reply(200, { access_token: 'shpat_x', scope: 'read_orders', expires_in: 3600, refresh_token: 'r' })
    const creds = await shopify.oauth!.exchangeCode(
      s,
      { ...query, hmac: signShopifyQuery('hush', query) },
      '',
    )
    expect(creds).toMatchObject({
      accessToken: 'shpat_x',
      refreshToken: 'r',
      expiresAt: '2026-11-20T13:00:00.000Z',
    })
  })

  it('refuses a callback whose hmac does not match, or that names another shop, without calling Shopify', async () => {
    const s = shop({ credentials: { clientId: 'client-1', clientSecret: 'hush' } })
    const query = { code: 'code-1', shop: 'acme.myshopify.com', state: 'state-1', timestamp: '1763640000' }
    await expect(
      shopify.oauth!.exchangeCode(s, { ...query, hmac: signShopifyQuery('other', query) }, ''),
    ).rejects.toThrow(/hmac/)
    const evil = { ...query, shop: 'evil.myshopify.com' }
    await expect(
      shopify.oauth!.exchangeCode(s, { ...evil, hmac: signShopifyQuery('hush', evil) }, ''),
    ).rejects.toThrow(/not this shop/)
  })
})

describe('the OAuth callback hmac (Shopify signs its parameters sorted and form-encoded)', () => {
  const hex = (secret: string, message: string) => createHmac('sha256', secret).update(message).digest('hex')

  it("matches Shopify's documented example", () => {
    const query = {
      code: '0907a61c0c8d55e99db179b68161bc00',
      shop: 'some-shop.myshopify.com',
      state: '0.6784241404160823',
      timestamp: '1337178173',
    }
    expect(signShopifyQuery('hush', query)).toBe(
      '700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf',
    )
    expect(
      signShopifyQuery(
        'hush',
        'code=0907a61c0c8d55e99db179b68161bc00&hmac=x&shop=some-shop.myshopify.com&timestamp=1337178173',
      ),
    ).toBe('4712bf92ffc2917d15a2f5a273e39f0116667419aa4b6ac0b3baaf26fa3c4d20')
  })

  it('escapes base64 padding, &, %, + and spaces as a form does, however the browser sent them', () => {
    const message =
      'code=c1&host=YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvYWNtZQ%3D%3D&shop=acme.myshopify.com&state=a%26b%25c+d%2Be&timestamp=1763640000'
    // The same parameters, written two ways on the wire, in any order, hmac among them.
    for (const raw of [
      'timestamp=1763640000&hmac=ff&state=a%26b%25c+d%2Be&shop=acme.myshopify.com&host=YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvYWNtZQ%3D%3D&code=c1',
      '?code=c1&host=YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvYWNtZQ==&shop=acme.myshopify.com&state=a%26b%25c%20d%2Be&timestamp=1763640000',
    ])
      expect(shopifyQueryMessage(raw)).toBe(message)
    const parsed = {
      timestamp: '1763640000',
      state: 'a&b%c d+e',
      host: 'YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvYWNtZQ==',
      shop: 'acme.myshopify.com',
      code: 'c1',
      hmac: 'ff',
      signature: 'gg',
    }
    expect(shopifyQueryMessage(parsed)).toBe(message)
    expect(signShopifyQuery('hush', parsed)).toBe(hex('hush', message))
  })

  it('signs array-style parameters as repeated escaped names, in the order they came', () => {
    const message = 'ids%5B%5D=20&ids%5B%5D=3&ids%5B%5D=100&shop=acme.myshopify.com&timestamp=1763640000'
    expect(
      shopifyQueryMessage(
        'shop=acme.myshopify.com&ids[]=20&hmac=ff&ids%5B%5D=3&timestamp=1763640000&ids[]=100',
      ),
    ).toBe(message)
    expect(
      shopifyQueryMessage({
        timestamp: '1763640000',
        'ids[]': ['20', '3', '100'],
        shop: 'acme.myshopify.com',
      }),
    ).toBe(message)
  })

  it('accepts a callback Shopify signed over a padded host and an escaped state, from the raw query', async () => {
    const s = shop({ credentials: { clientId: 'client-1', clientSecret: 'hush' } })
    const message =
      'code=code-1&host=YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvYWNtZQ%3D%3D&shop=acme.myshopify.com&state=s%2F1+%26%25&timestamp=1763640000'
    const raw = `${message}&hmac=${hex('hush', message)}`
    const parsed = Object.fromEntries(new URLSearchParams(raw))
    nock(ORIGIN)
      .post('/admin/oauth/access_token')
      .reply(200, { access_token: 'shpat_x', scope: 'read_orders' })
    await expect(shopify.oauth!.exchangeCode(s, parsed, '', raw)).resolves.toMatchObject({
      accessToken: 'shpat_x',
    })
    // One byte changed in a signed value is refused.
    await expect(
      shopify.oauth!.exchangeCode(s, parsed, '', raw.replace('state=s%2F1', 'state=s%2F2')),
    ).rejects.toThrow(/hmac/)
  })
})

describe('webhooks', () => {
  const body = Buffer.from(
    '{"id":820982911946154508,"name":"#9999","financial_status":"paid","total_price":"403.00","currency":"USD"}',
  )

  it('verifies X-Shopify-Hmac-Sha256 against the reference vector, and the old secret during a rotation', () => {
    expect(signShopifyWebhook('hush', body)).toBe('kVYtWUiTzzPG9uU+iZ3Mz/j1EWV4SfzNe1LsCG6OQyc=')
    const req = {
      headers: { 'x-shopify-hmac-sha256': 'kVYtWUiTzzPG9uU+iZ3Mz/j1EWV4SfzNe1LsCG6OQyc=' },
      rawBody: body,
      query: {},
    }
    expect(shopify.verifyWebhook!(req, shop())).toBe(true)
    expect(
      shopify.verifyWebhook!(
        req,
        shop({ credentials: { clientSecret: 'new-secret', previousClientSecret: 'hush' } }),
      ),
    ).toBe(true)
    expect(
      shopify.verifyWebhook!(
        { ...req, rawBody: Buffer.from(body.toString().replace('403.00', '1.00')) },
        shop(),
      ),
    ).toBe(false)
    expect(shopify.verifyWebhook!({ ...req, headers: {} }, shop())).toBe(false)
  })

  it('parses orders/updated with the 18-digit id intact, and turns refunds/create into a fetch of its order', () => {
    const e = shopify.parseWebhook!({
      headers: {
        'x-shopify-topic': 'orders/updated',
        'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
      },
      rawBody: body,
      query: {},
    })
    expect(e).toMatchObject({ deliveryId: 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043', topic: 'orders/updated' })
    expect(e.orders[0]!.externalId).toBe('820982911946154508')
    const r = shopify.parseWebhook!({
      headers: { 'x-shopify-topic': 'refunds/create' },
      rawBody: Buffer.from('{"id":929361465,"order_id":5923848749189,"refund_line_items":[]}'),
      query: {},
    })
    expect(r.orderIdsToFetch).toEqual(['5923848749189'])
  })
})

describe('stock push per location with compare-and-set', () => {
  const levels = (available: number | null) => ({
    data: {
      nodes: [
        {
          id: 'gid://shopify/ProductVariant/44012345678901',
          inventoryItem: {
            id: 'gid://shopify/InventoryItem/808950810',
            inventoryLevel:
              available === null ? null : { quantities: [{ name: 'available', quantity: available }] },
          },
        },
      ],
    },
  })

  it('reads the current quantity, sets the new one with changeFromQuantity and a deterministic idempotency key', async () => {
    let mutation: { query: string; variables: { input: { quantities: unknown[] }; key: string } } | undefined
    nock(ORIGIN)
      .post(GQL, (b: { query: string }) => b.query.includes('query Levels'))
      .reply(200, levels(7))
      .post(
        GQL,
        (b: { query: string; variables: { input: { quantities: unknown[] }; key: string } }) => (
          (mutation = b),
          b.query.includes('inventorySetQuantities')
        ),
      )
      .reply(200, {
        data: {
          inventorySetQuantities: {
            inventoryAdjustmentGroup: { id: 'gid://shopify/InventoryAdjustmentGroup/1' },
            userErrors: [],
          },
        },
      })
    const s = shop()
    const out = await shopify.pushStock(s, [
      { platformSkuId: '44012345678901', locationId: '655441491', quantity: 42 },
    ])
    expect(out).toEqual([
      { platformSkuId: '44012345678901', locationId: '655441491', ok: true, quantity: 42 },
    ])
    expect(mutation!.query).toContain('@idempotent(key: $key)')
    expect(mutation!.variables.input).toMatchObject({
      name: 'available',
      quantities: [
        {
          inventoryItemId: 'gid://shopify/InventoryItem/808950810',
          locationId: 'gid://shopify/Location/655441491',
          quantity: 42,
          changeFromQuantity: 7,
        },
      ],
    })
    expect(mutation!.variables.key).toBe(
      idempotencyKey(s.id, '655441491', 'gid://shopify/InventoryItem/808950810:7>42'),
    )
  })

  it('re-reads and retries once when the quantity changed in between (CHANGE_FROM_QUANTITY_STALE)', async () => {
    const stale = {
      data: {
        inventorySetQuantities: {
          inventoryAdjustmentGroup: null,
          userErrors: [
            {
              field: ['input', 'quantities', '0', 'changeFromQuantity'],
              message: 'stale',
              code: 'CHANGE_FROM_QUANTITY_STALE',
            },
          ],
        },
      },
    }
    const sent: number[] = []
    nock(ORIGIN)
      .post(GQL, (b: { query: string }) => b.query.includes('query Levels'))
      .reply(200, levels(7))
      .post(
        GQL,
        (b: { query: string; variables: { input: { quantities: { changeFromQuantity: number }[] } } }) =>
          b.query.includes('inventorySetQuantities') &&
          (sent.push(b.variables.input.quantities[0]!.changeFromQuantity), true),
      )
      .reply(200, stale)
      .post(GQL, (b: { query: string }) => b.query.includes('query Levels'))
      .reply(200, levels(6))
      .post(
        GQL,
        (b: { query: string; variables: { input: { quantities: { changeFromQuantity: number }[] } } }) =>
          b.query.includes('inventorySetQuantities') &&
          (sent.push(b.variables.input.quantities[0]!.changeFromQuantity), true),
      )
      .reply(200, {
        data: { inventorySetQuantities: { inventoryAdjustmentGroup: { id: 'x' }, userErrors: [] } },
      })
    const out = await shopify.pushStock(shop(), [
      { platformSkuId: '44012345678901', locationId: '655441491', quantity: 42 },
    ])
    expect(out[0]).toMatchObject({ ok: true })
    expect(sent).toEqual([7, 6])
  })

  it('re-sends the good quantities alone when one item of the batch is refused (a mutation with userErrors applies nothing)', async () => {
    const two = {
      data: {
        nodes: [0, 1].map((i) => ({
          id: `gid://shopify/ProductVariant/4401234567890${i}`,
          inventoryItem: {
            id: `gid://shopify/InventoryItem/80895081${i}`,
            inventoryLevel: { quantities: [{ name: 'available', quantity: 1 }] },
          },
        })),
      },
    }
    const one = { data: { nodes: [two.data.nodes[0]] } }
    const batches: number[][] = []
    nock(ORIGIN)
      .post(GQL, (b: { query: string }) => b.query.includes('query Levels'))
      .reply(200, two)
      .post(
        GQL,
        (b: { query: string; variables: { input: { quantities: { quantity: number }[] } } }) =>
          b.query.includes('inventorySetQuantities') &&
          (batches.push(b.variables.input.quantities.map((q) => q.quantity)), true),
      )
      .reply(200, {
        data: {
          inventorySetQuantities: {
            inventoryAdjustmentGroup: null,
            userErrors: [
              {
                field: ['input', 'quantities', '1', 'quantity'],
                message: 'too high',
                code: 'INVALID_QUANTITY_TOO_HIGH',
              },
            ],
          },
        },
      })
      .post(GQL, (b: { query: string }) => b.query.includes('query Levels'))
      .reply(200, one)
      .post(
        GQL,
        (b: { query: string; variables: { input: { quantities: { quantity: number }[] } } }) =>
          b.query.includes('inventorySetQuantities') &&
          (batches.push(b.variables.input.quantities.map((q) => q.quantity)), true),
      )
      .reply(200, {
        data: { inventorySetQuantities: { inventoryAdjustmentGroup: { id: 'g' }, userErrors: [] } },
      })
    const out = await shopify.pushStock(shop(), [
      { platformSkuId: '44012345678900', locationId: '655441491', quantity: 5 },
      { platformSkuId: '44012345678901', locationId: '655441491', quantity: 2_000_000_000 },
    ])
    expect(batches).toEqual([[5, 2_000_000_000], [5]])
    expect(out.map((o) => [o.platformSkuId, o.ok, o.kind ?? null])).toEqual([
      ['44012345678901', false, 'permanent'],
      ['44012345678900', true, null],
    ])
  })

  it('sends nothing for a quantity Shopify already shows, and fails clearly without a location or where the item is not stocked', async () => {
    nock(ORIGIN).post(GQL).reply(200, levels(42))
    expect(
      await shopify.pushStock(shop(), [
        { platformSkuId: '44012345678901', locationId: '655441491', quantity: 42 },
      ]),
    ).toEqual([{ platformSkuId: '44012345678901', locationId: '655441491', ok: true, quantity: 42 }])
    nock(ORIGIN).post(GQL).reply(200, levels(null))
    expect(
      (
        await shopify.pushStock(shop(), [
          { platformSkuId: '44012345678901', locationId: '655441491', quantity: 1 },
        ])
      )[0],
    ).toMatchObject({ ok: false, kind: 'permanent', error: expect.stringContaining('not stocked') })
    const noLoc = await shopify.pushStock(shop({ settings: { shopDomain: 'acme.myshopify.com' } }), [
      { platformSkuId: '1', quantity: 1 },
    ])
    expect(noLoc[0]).toMatchObject({ ok: false, error: expect.stringContaining('location') })
  })
})

describe('shipment writeback', () => {
  const fos = (remaining: number) => ({
    data: {
      order: {
        fulfillmentOrders: {
          nodes: [
            {
              id: 'gid://shopify/FulfillmentOrder/1046000798',
              status: remaining > 0 ? 'OPEN' : 'CLOSED',
              lineItems: {
                nodes: [
                  {
                    id: 'gid://shopify/FulfillmentOrderLineItem/1058737525',
                    remainingQuantity: remaining,
                    lineItem: { id: 'gid://shopify/LineItem/14678245016707' },
                  },
                  {
                    id: 'gid://shopify/FulfillmentOrderLineItem/1058737526',
                    remainingQuantity: remaining,
                    lineItem: { id: 'gid://shopify/LineItem/14678245049475' },
                  },
                ],
              },
            },
          ],
        },
      },
    },
  })

  it("fulfils the parcel's lines with carrier and tracking number", async () => {
    let fulfillment: Record<string, unknown> | undefined
    nock(ORIGIN)
      .post(GQL, (b: { query: string }) => b.query.includes('fulfillmentOrders'))
      .reply(200, fos(2))
      .post(
        GQL,
        (b: { query: string; variables: { fulfillment: Record<string, unknown> } }) => (
          (fulfillment = b.variables.fulfillment),
          b.query.includes('fulfillmentCreate')
        ),
      )
      .reply(200, {
        data: {
          fulfillmentCreate: {
            fulfillment: { id: 'gid://shopify/Fulfillment/1', status: 'SUCCESS' },
            userErrors: [],
          },
        },
      })
    await shopify.pushShipment(shop(), {
      orderExternalId: '5923848749187',
      lineExternalIds: ['14678245016707'],
      carrier: 'SF',
      trackingNumber: 'SF1234567890',
      shippedAt: new Date(),
    })
    expect(fulfillment).toEqual({
      notifyCustomer: true,
      trackingInfo: { company: 'SF Express', number: 'SF1234567890' },
      lineItemsByFulfillmentOrder: [
        {
          fulfillmentOrderId: 'gid://shopify/FulfillmentOrder/1046000798',
          fulfillmentOrderLineItems: [
            { id: 'gid://shopify/FulfillmentOrderLineItem/1058737525', quantity: 2 },
          ],
        },
      ],
    })
  })

  it('does nothing when the lines are already fulfilled (a replayed writeback)', async () => {
    nock(ORIGIN).post(GQL).reply(200, fos(0))
    await shopify.pushShipment(shop(), {
      orderExternalId: '5923848749187',
      lineExternalIds: [],
      carrier: 'UPS',
      trackingNumber: '1Z',
      shippedAt: new Date(),
    })
    expect(nock.isDone()).toBe(true)
  })
})

describe('payouts → settlement lines', () => {
  it('splits balance transactions into gross and fee lines whose sum is the payout', async () => {
    const base = '/admin/api/2026-07/shopify_payments'
    nock(ORIGIN)
      .get(`${base}/payouts.json`)
      .query({ status: 'paid', date_min: '2026-11-20', date_max: '2026-11-20', limit: '250' })
      .reply(200, {
        payouts: [{ id: 512467833, status: 'paid', date: '2026-11-20', currency: 'USD', amount: '103.82' }],
      })
      .get(`${base}/balance/transactions.json`)
      .query({ payout_id: '512467833', limit: '250' })
      .reply(
        200,
        {
          transactions: [
            {
              id: 1,
              type: 'charge',
              currency: 'USD',
              amount: '85.68',
              fee: '2.78',
              net: '82.90',
              source_order_id: 5923848749187,
              processed_at: '2026-11-20T15:06:00Z',
            },
            {
              id: 2,
              type: 'charge',
              currency: 'USD',
              amount: '24.30',
              fee: '0.99',
              net: '23.31',
              source_order_id: 5923848749189,
              processed_at: '2026-11-20T16:00:00Z',
            },
          ],
        },
        {
          link: `<${ORIGIN}${base}/balance/transactions.json?payout_id=512467833&limit=250&page_info=p2>; rel="next"`,
        },
      )
      .get(`${base}/balance/transactions.json`)
      .query({ payout_id: '512467833', limit: '250', page_info: 'p2' })
      .reply(200, {
        transactions: [
          {
            id: 3,
            type: 'refund',
            currency: 'USD',
            amount: '-2.39',
            fee: '0.00',
            net: '-2.39',
            source_order_id: 5923848749189,
            processed_at: '2026-11-20T17:00:00Z',
          },
        ],
      })
    const batches: Awaited<ReturnType<typeof balanceTransactionLines>>[] = []
    for await (const b of shopify.pullSettlements!(shop(), {
      from: new Date('2026-11-20T00:00:00Z'),
      to: new Date('2026-11-21T00:00:00Z'),
    }))
      batches.push(b)
    const lines = batches.flat()
    expect(lines.map((l) => [l.externalLineId, l.type, l.amount.toFixed(2), l.orderExternalId])).toEqual([
      ['bt:1', 'sale', '85.68', '5923848749187'],
      ['bt:1:fee', 'payment_fee', '-2.78', '5923848749187'],
      ['bt:2', 'sale', '24.30', '5923848749189'],
      ['bt:2:fee', 'payment_fee', '-0.99', '5923848749189'],
      ['bt:3', 'refund', '-2.39', '5923848749189'],
      ['payout:512467833', 'payout', '-103.82', null],
    ])
    // Everything the platform owed was paid out: the lines of a payout sum to zero.
    expect(sum(lines.map((l) => l.amount)).toFixed(2)).toBe('0.00')
  })
})
