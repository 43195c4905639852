import nock from 'nock'
import { describe, expect, it } from 'vitest'
import { signWooWebhook, woocommerce } from '../../../../connectors/woocommerce/index.js'
import { STATUS } from '../../../../connectors/woocommerce/map.js'
import type { ShopContext } from '../../../../connectors/types.js'
import { fixedClock } from '../../../../src/lib/clock.js'
import { createLogger } from '../../../../src/lib/logger.js'
import { wooCancelled, wooMultiLine, wooRefunded } from '../../../fixtures/woocommerce/orders.js'

const SITE = 'https://woo.example'
const shop: ShopContext = {
  id: 'shop-woo',
  merchantId: 'm',
  channel: 'woocommerce',
  settings: { baseUrl: SITE, timeoutMs: 1000 },
  credentials: { consumerKey: 'ck_key', consumerSecret: 'cs_secret', webhookSecret: 'wc_secret_123' },
  clock: fixedClock('2026-11-20T12:00:00Z'),
  log: createLogger('silent'),
  saveCredentials: async () => undefined,
}
const ok = <T>(r: { ok: boolean; value?: T }) => {
  if (!r.ok) throw new Error(JSON.stringify(r))
  return r.value!
}

describe('mapping', () => {
  it('maps a multi-line order with a coupon to the cent', () => {
    const d = ok(woocommerce.mapOrder(wooMultiLine))
    expect(d).toMatchObject({
      externalId: '727',
      status: 'paid',
      currency: 'USD',
      refundState: 'none',
      buyerNote: 'Leave at the door',
    })
    expect(d.platformUpdatedAt.toISOString()).toBe('2026-11-20T10:05:00.000Z')
    expect(
      d.lines.map((l) => [
        l.externalLineId,
        l.platformSkuId,
        l.outerCode,
        l.quantity,
        l.unitPrice.toFixed(2),
        l.goodsAmount.toFixed(2),
        l.merchantDiscount.toFixed(2),
      ]),
    ).toEqual([
      ['315', '93', 'WOO-1', 2, '20.00', '40.00', '8.00'],
      ['316', '22:23', 'IDEA-BL', 1, '10.00', '10.00', '2.00'],
    ])
    expect(
      [
        d.totals.goods,
        d.totals.merchantDiscount,
        d.totals.platformDiscount,
        d.totals.shipping,
        d.totals.buyerPaid,
      ].map((x) => x.toFixed(2)),
    ).toEqual(['50.00', '10.00', '0.00', '5.00', '45.00'])
    expect(d.receiver).toMatchObject({
      name: 'John Doe',
      province: 'CA',
      city: 'San Francisco',
      address: '969 Market, Apt 2',
      masked: false,
    })
  })

  it('maps a cancelled and a partly refunded order', () => {
    expect(ok(woocommerce.mapOrder(wooCancelled))).toMatchObject({ status: 'cancelled', paidAt: null })
    const r = ok(woocommerce.mapOrder(wooRefunded))
    expect(r).toMatchObject({ status: 'completed', refundState: 'partial' })
    expect(r.shippedAt?.toISOString()).toBe('2026-11-21T09:00:00.000Z')
  })

  it.each(Object.entries(STATUS))('status %s → %s', (wc, unified) => {
    expect(ok(woocommerce.mapOrder({ ...wooMultiLine, status: wc })).status).toBe(unified)
  })

  it('reports a malformed order instead of throwing', () => {
    expect(woocommerce.mapOrder({ ...wooMultiLine, total: 45.5 })).toMatchObject({
      ok: false,
      reason: 'malformed_payload',
    })
    expect(woocommerce.mapOrder({ ...wooMultiLine, status: 'weird' })).toMatchObject({ ok: false })
  })
})

describe('HTTP', () => {
  it('pages with X-WP-TotalPages, Basic auth, and keeps [from, to)', async () => {
    const o = (id: number, at: string) => ({ ...wooMultiLine, id, date_modified_gmt: at })
    nock(SITE)
      .get('/wp-json/wc/v3/orders')
      .query(
        (q) =>
          q.page === '1' &&
          q.modified_after === '2026-11-20T09:59:59' &&
          q.dates_are_gmt === 'true' &&
          q.status === 'any',
      )
      .basicAuth({ user: 'ck_key', pass: 'cs_secret' })
      .reply(200, [o(1, '2026-11-20T09:59:59'), o(2, '2026-11-20T10:00:00')], {
        'X-WP-TotalPages': '2',
        'X-WP-Total': '3',
      })
      .get('/wp-json/wc/v3/orders')
      .query((q) => q.page === '2')
      .reply(200, [o(3, '2026-11-20T11:00:00')], { 'X-WP-TotalPages': '2' })
    const pages = []
    for await (const p of woocommerce.pullOrders(shop, {
      from: new Date('2026-11-20T10:00:00Z'),
      to: new Date('2026-11-20T11:00:00Z'),
    }))
      pages.push(p)
    expect(pages.flatMap((p) => p.items.map((i) => i.externalId))).toEqual(['2']) // 1 is before the window, 3 at its exclusive end
    expect(pages.at(-1)!.coveredUntil.toISOString()).toBe('2026-11-20T11:00:00.000Z')
    expect(nock.isDone()).toBe(true)
  })

  it('retries a 429 with Retry-After and a 503, and keeps a malformed body as a permanent error', async () => {
    nock(SITE)
      .get('/wp-json/wc/v3/orders/727')
      .reply(429, {}, { 'Retry-After': '1' })
      .get('/wp-json/wc/v3/orders/727')
      .reply(503)
      .get('/wp-json/wc/v3/orders/727')
      .reply(200, wooMultiLine)
    expect((await woocommerce.fetchOrder(shop, '727')).externalId).toBe('727')
    nock(SITE)
      .get('/wp-json/wc/v3/orders/728')
      .reply(200, '{"id": 728, ', { 'content-type': 'application/json' })
    await expect(woocommerce.fetchOrder(shop, '728')).rejects.toMatchObject({
      kind: 'permanent',
      detail: { body: '{"id": 728, ' },
    })
  })

  it('pushes stock in batches per product and per variation parent', async () => {
    const bodies: Record<string, unknown> = {}
    nock(SITE)
      .post('/wp-json/wc/v3/products/batch', (b: Record<string, unknown>) => ((bodies.simple = b), true))
      .reply(200, { update: [{ id: 93 }] })
      .post(
        '/wp-json/wc/v3/products/22/variations/batch',
        (b: Record<string, unknown>) => ((bodies.variations = b), true),
      )
      .reply(200, { update: [{ id: 23, error: { message: 'Invalid ID.' } }] })
    const out = await woocommerce.pushStock(shop, [
      { platformSkuId: '93', quantity: 7 },
      { platformSkuId: '22:23', quantity: 0 },
    ])
    expect(bodies).toEqual({
      simple: { update: [{ id: 93, manage_stock: true, stock_quantity: 7 }] },
      variations: { update: [{ id: 23, manage_stock: true, stock_quantity: 0 }] },
    })
    expect(out.map((o) => [o.platformSkuId, o.ok, o.error ?? null])).toEqual([
      ['93', true, null],
      ['22:23', false, 'Invalid ID.'],
    ])
  })

  it('writes a shipment back as a customer note and completes the order', async () => {
    let note: unknown
    nock(SITE)
      .post('/wp-json/wc/v3/orders/727/notes', (b: unknown) => ((note = b), true))
      .reply(201, {})
      .put('/wp-json/wc/v3/orders/727', { status: 'completed' })
      .reply(200, {})
    await woocommerce.pushShipment(shop, {
      orderExternalId: '727',
      lineExternalIds: [],
      carrier: 'UPS',
      trackingNumber: '1Z999',
      shippedAt: new Date(),
    })
    expect(note).toEqual({ note: 'Shipped with UPS, tracking number 1Z999', customer_note: true })
    expect(nock.isDone()).toBe(true)
  })
})

describe('webhooks', () => {
  const body =
    '{"id":727,"status":"processing","total":"29.35","currency":"USD","date_modified_gmt":"2017-03-22T19:28:08"}'
  it('matches the documented signature vector and rejects a wrong one', () => {
    expect(signWooWebhook('wc_secret_123', body)).toBe('SJ2147/2w65qxPzJVhTevIusrt+GTEZxFbk1UFr7yp4=')
    const req = (sig: string) => ({
      headers: {
        'x-wc-webhook-signature': sig,
        'x-wc-webhook-delivery-id': 'd1',
        'x-wc-webhook-topic': 'order.updated',
      },
      rawBody: Buffer.from(body),
      query: {},
    })
    expect(woocommerce.verifyWebhook!(req('SJ2147/2w65qxPzJVhTevIusrt+GTEZxFbk1UFr7yp4='), shop)).toBe(true)
    expect(woocommerce.verifyWebhook!(req('AAAA'), shop)).toBe(false)
    const event = woocommerce.parseWebhook!(req(''))
    expect(event).toMatchObject({ deliveryId: 'd1', topic: 'order.updated' })
    expect(event.orders[0]!.externalId).toBe('727')
  })

  it('answers the unsigned activation ping and processes nothing', () => {
    const ping = { headers: {}, rawBody: Buffer.from('webhook_id=15'), query: {} }
    expect(woocommerce.verifyWebhook!(ping, shop)).toBe(true)
    expect(woocommerce.parseWebhook!(ping)).toMatchObject({ ping: true, orders: [] })
  })
})
