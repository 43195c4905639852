/**
 * The real JD connector against the JD sandbox over real HTTP (no nock): window splitting past the
 * platform cap, backward paging, mapping against the sandbox's sold record, stock and shipment
 * writes, refund applications, signature / timestamp / token errors and injected faults.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jdApi } from '../../../connectors/jd/client.js'
import { jd } from '../../../connectors/jd/index.js'
import type { RawOrder, RawRefund, ShopContext, TimeWindow } from '../../../connectors/types.js'
import { systemClock, type Clock } from '../../../src/lib/clock.js'
import { createLogger } from '../../../src/lib/logger.js'
import { money, sum } from '../../../src/money/index.js'
import { PRODUCT_NAMES, type CatalogueItem } from '../../../src/sandbox/generator.js'
import { startJdSandbox, type JdSandbox } from '../../../src/sandbox/jd-server.js'
import { connectorFailure, items } from '../../helpers/connectors.js'

const DAY = 86_400_000
const APP_KEY = 'jd-sandbox-app-key'
const APP_SECRET = 'jd-sandbox-app-secret-7f3a'
const TOKEN = 'jd-sandbox-access-token-19aa'
const catalogue: CatalogueItem[] = PRODUCT_NAMES.map(([title, price], i) => ({
  skuCode: `JD-${i + 1}`,
  title,
  price,
}))

let sandbox: JdSandbox
const now = systemClock.now()

function shopWith(
  over: { credentials?: Record<string, unknown>; clock?: Clock; id?: string } = {},
): ShopContext {
  return {
    id: over.id ?? 'shop-jd-sandbox',
    merchantId: 'm-jd-sandbox',
    channel: 'jd',
    settings: { baseUrl: sandbox.url, timeoutMs: 1000 },
    credentials: { appKey: APP_KEY, appSecret: APP_SECRET, accessToken: TOKEN, ...over.credentials },
    clock: over.clock ?? systemClock,
    log: createLogger('silent'),
    saveCredentials: async () => undefined,
  }
}

const window: TimeWindow = { from: new Date(now.getTime() - 37 * DAY), to: new Date(now.getTime() + 60_000) }

beforeAll(async () => {
  sandbox = await startJdSandbox({
    seed: 41,
    catalogue,
    appKey: APP_KEY,
    appSecret: APP_SECRET,
    accessToken: TOKEN,
    slowMs: 2500,
  })
  // 40 orders over 35 days, then a burst of 130 in two hours: three pages of 50 inside one day piece.
  sandbox.generate(40, new Date(now.getTime() - 36 * DAY), 35 * DAY)
  sandbox.generate(130, new Date(now.getTime() - 10 * DAY), 2 * 3600_000)
})
afterAll(async () => {
  await sandbox.close()
})

describe('JD sandbox ↔ JD connector', () => {
  let pulled: RawOrder[] = []

  it('pulls a window longer than the platform cap, every order exactly once, over several pages', async () => {
    expect(window.to.getTime() - window.from.getTime()).toBeGreaterThan(31 * DAY)
    pulled = await items(jd.pullOrders(shopWith(), window))
    const ids = pulled.map((o) => o.externalId)
    expect(new Set(ids).size).toBe(ids.length)
    expect(new Set(ids)).toEqual(new Set(sandbox.sold.map((s) => s.orderId)))
    expect(ids.every((id) => /^\d{19}$/.test(id))).toBe(true)
    const searches = sandbox.calls.filter((c) => c.method === 'jingdong.pop.order.enSearch')
    expect(searches.some((c) => Number(c.params.page) >= 3)).toBe(true)
    expect(searches.every((c) => Number(c.params.page_size) <= 50)).toBe(true)
  })

  it('maps every order without a failure, and the figures match the sold record to the cent', () => {
    const byId = new Map(sandbox.sold.map((s) => [s.orderId, s]))
    let paid = money(0)
    for (const raw of pulled) {
      const r = jd.mapOrder(raw.payload)
      if (!r.ok) throw new Error(`${raw.externalId}: ${r.reason} ${r.detail ?? ''}`)
      const s = byId.get(raw.externalId)!
      expect(r.value.totals.goods.toFixed(2)).toBe(s.goods)
      expect(r.value.totals.platformDiscount.toFixed(2)).toBe(s.platformDiscount)
      expect(r.value.totals.merchantDiscount.toFixed(2)).toBe(s.merchantDiscount)
      expect(r.value.totals.shipping.toFixed(2)).toBe(s.shipping)
      expect(r.value.totals.buyerPaid.toFixed(2)).toBe(s.paid)
      expect(r.value.lines.map((l) => [l.platformSkuId, l.quantity])).toEqual(
        s.lines.map((l) => [l.skuId, l.quantity]),
      )
      expect(r.value.status).toBe(s.status === 'cancelled' ? 'cancelled' : 'paid')
      expect(r.value.receiver.masked).toBe(true)
      paid = paid.plus(r.value.totals.buyerPaid)
    }
    expect(paid.toFixed(2)).toBe(sum(sandbox.sold.map((s) => money(s.paid))).toFixed(2))
    expect(
      sandbox.sold.some(
        (s) =>
          s.lines.length > 1 && !money(s.platformDiscount).isZero() && !money(s.merchantDiscount).isZero(),
      ),
    ).toBe(true)
    expect(sandbox.sold.some((s) => s.status === 'cancelled')).toBe(true)
  })

  it('pushes absolute stock per SKU and the sandbox remembers it', async () => {
    const a = sandbox.skuIdOf('JD-1')
    const b = sandbox.skuIdOf('JD-2')
    const out = await jd.pushStock(shopWith(), [
      { platformSkuId: a, quantity: 17 },
      { platformSkuId: b, quantity: 0 },
      { platformSkuId: '999999999999', quantity: 5 },
    ])
    expect(out.map((o) => o.ok)).toEqual([true, true, false])
    expect(out[2]!.kind).toBe('permanent')
    await jd.pushStock(shopWith(), [{ platformSkuId: a, quantity: 12 }])
    expect(sandbox.stock.get(a)).toBe(12)
    expect(sandbox.stock.get(b)).toBe(0)
    expect(sandbox.stock.has('999999999999')).toBe(false)
  })

  it('pushes a shipment, remembers it, and refuses a second one for the same order', async () => {
    const target = sandbox.sold.find(
      (s) => s.status === 'paid' && !sandbox.shipments.some((x) => x.orderId === s.orderId),
    )!
    const shipment = {
      orderExternalId: target.orderId,
      lineExternalIds: [],
      carrier: 'SF' as const,
      trackingNumber: 'SF1400012345678',
      shippedAt: systemClock.now(),
    }
    await jd.pushShipment(shopWith(), shipment)
    expect(sandbox.shipments).toContainEqual(
      expect.objectContaining({
        orderId: target.orderId,
        carrierCode: '467',
        trackingNumber: 'SF1400012345678',
      }),
    )
    const again = await connectorFailure(jd.pushShipment(shopWith(), shipment))
    expect(again.kind).toBe('permanent')
    const fetched = await jd.fetchOrder(shopWith(), target.orderId)
    expect((fetched.payload as { orderState: string }).orderState).toBe('WAIT_GOODS_RECEIVE_CONFIRM')
  })

  it('pulls refund applications, each once, with the refunded amounts of the sold record', async () => {
    const target = sandbox.sold.find(
      (s) => s.status === 'paid' && !sandbox.shipments.some((x) => x.orderId === s.orderId),
    )!
    expect(sandbox.refund(target.orderId)).toBe(true)
    const refunds: RawRefund[] = await items(jd.pullRefunds!(shopWith(), window))
    const expected = sandbox.sold.flatMap((s) => s.refunds.map((r) => ({ ...r, orderId: s.orderId })))
    expect(refunds.map((r) => r.externalRefundId).sort()).toEqual(expected.map((r) => r.refundId).sort())
    for (const raw of refunds) {
      const r = jd.mapRefund!(raw.payload)
      if (!r.ok) throw new Error(`${raw.externalRefundId}: ${r.reason}`)
      const e = expected.find((x) => x.refundId === r.value.externalRefundId)!
      expect(r.value.orderExternalId).toBe(e.orderId)
      expect(r.value.amount.toFixed(2)).toBe(e.amount)
      expect(r.value.status).toBe('refunded')
    }
    const order = await jd.fetchOrder(shopWith(), target.orderId)
    const mapped = jd.mapOrder(order.payload)
    expect(mapped.ok && mapped.value.status).toBe('cancelled')
  })

  it('refuses a wrong secret with JD 无效签名, classified permanent', async () => {
    const err = await connectorFailure(
      jd.verifyCredentials(shopWith({ credentials: { appSecret: 'not-the-secret' } })),
    )
    expect(err.kind).toBe('permanent')
    expect(err.detail.platformCode).toBe('10')
    expect(err.message).not.toContain('not-the-secret')
  })

  it('refuses a timestamp outside ±10 minutes', async () => {
    const skewed = { now: () => new Date(systemClock.now().getTime() - 20 * 60_000) }
    const err = await connectorFailure(jd.verifyCredentials(shopWith({ clock: skewed })))
    expect(err.kind).toBe('permanent')
    expect(err.detail.platformCode).toBe('8')
  })

  it('answers an expired token with 无效access_token, classified auth_expired', async () => {
    sandbox.rotateToken('jd-sandbox-access-token-next')
    try {
      const err = await connectorFailure(jd.verifyCredentials(shopWith()))
      expect(err.kind).toBe('auth_expired')
      expect(err.detail.platformCode).toBe('19')
      await jd.verifyCredentials(shopWith({ credentials: { accessToken: 'jd-sandbox-access-token-next' } }))
    } finally {
      sandbox.rotateToken(TOKEN)
    }
  })

  it('enforces the window cap and the page size with a business failure', async () => {
    const api = jdApi(shopWith())
    const base = { order_state: 'WAIT_SELLER_STOCK_OUT', optional_fields: 'orderId', page: '1' }
    const long = await connectorFailure(
      api.call('jingdong.pop.order.enSearch', {
        ...base,
        start_date: '2026-01-01 00:00:00',
        end_date: '2026-02-15 00:00:00',
        page_size: '50',
      }),
    )
    expect(long.kind).toBe('permanent')
    expect(long.message).toContain('一个月')
    const deep = await connectorFailure(
      api.call('jingdong.pop.order.enSearch', {
        ...base,
        start_date: '2026-01-01 00:00:00',
        end_date: '2026-01-02 00:00:00',
        page_size: '100',
      }),
    )
    expect(deep.kind).toBe('permanent')
  })

  it('recovers from injected faults: a system error, a slow answer and a 502 are retried inside the call', async () => {
    const short: TimeWindow = {
      from: new Date(now.getTime() - 36 * DAY),
      to: new Date(now.getTime() - 35 * DAY),
    }
    const expected = await items(jd.pullOrders(shopWith(), short))
    // The JD client retries twice inside a call: two faults in a row are absorbed.
    sandbox.injectFault('system_error')
    sandbox.injectFault('slow')
    const got = await items(jd.pullOrders(shopWith(), short))
    expect(got.map((o) => o.externalId)).toEqual(expected.map((o) => o.externalId))
    sandbox.injectFault('http_5xx')
    expect((await items(jd.pullOrders(shopWith(), short))).length).toBe(expected.length)
  })

  it('surfaces a rate limit and a malformed body to the job layer, then serves the next call', async () => {
    sandbox.injectFault('rate_limit')
    const limited = await connectorFailure(jd.verifyCredentials(shopWith()))
    expect(limited.kind).toBe('rate_limited')
    expect(limited.detail.retryAfterMs).toBeGreaterThan(0)
    sandbox.injectFault('malformed')
    const broken = await connectorFailure(jd.verifyCredentials(shopWith()))
    expect(broken.kind).toBe('permanent')
    await jd.verifyCredentials(shopWith())
  })
})
