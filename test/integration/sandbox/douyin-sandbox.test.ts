/**
 * The real Douyin connector against the Douyin sandbox over real HTTP (no nock): day pieces walked
 * last page first, fen amounts and 19-digit ids, mapping against the sold record, sku.syncStock and
 * order.logisticsAdd, afterSale.List, order.getSettleBillDetailV3 summing to what was sold, signed
 * push messages verified by the connector, signature / token errors and injected faults.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDouyinClient } from '../../../connectors/douyin/client.js'
import { douyin } from '../../../connectors/douyin/index.js'
import type {
  RawOrder,
  SettlementLineDraft,
  ShopContext,
  TimeWindow,
  WebhookEvent,
} from '../../../connectors/types.js'
import { systemClock } from '../../../src/lib/clock.js'
import { createLogger } from '../../../src/lib/logger.js'
import { Decimal, money, sum } from '../../../src/money/index.js'
import { startDouyinSandbox, type DouyinSandbox } from '../../../src/sandbox/douyin-server.js'
import { PRODUCT_NAMES, type CatalogueItem } from '../../../src/sandbox/generator.js'
import { connectorFailure, items } from '../../helpers/connectors.js'

const DAY = 86_400_000
const APP_KEY = '7000000000000000042'
const SECRET = 'douyin-sandbox-secret-c0de'
const TOKEN = 'douyin-sandbox-token-0001'
const FEE_RATE = '0.02'
const catalogue: CatalogueItem[] = PRODUCT_NAMES.map(([title, price], i) => ({
  skuCode: `DY-${i + 1}`,
  title,
  price,
}))

let sandbox: DouyinSandbox
let receiver: Server
const received: { verified: boolean; event: WebhookEvent }[] = []
const now = systemClock.now()
const window: TimeWindow = { from: new Date(now.getTime() - 3 * DAY), to: now }

function shopWith(
  credentials: Record<string, unknown> = {},
  settings: Record<string, unknown> = {},
): ShopContext {
  return {
    id: 'shop-douyin-sandbox',
    merchantId: 'm-douyin-sandbox',
    channel: 'douyin',
    settings: { baseUrl: sandbox.url, timeoutMs: 1000, ...settings },
    credentials: { appKey: APP_KEY, appSecret: SECRET, accessToken: TOKEN, ...credentials },
    clock: systemClock,
    log: createLogger('silent'),
    saveCredentials: async () => undefined,
  }
}

beforeAll(async () => {
  sandbox = await startDouyinSandbox({
    seed: 23,
    catalogue,
    appKey: APP_KEY,
    appSecret: SECRET,
    accessToken: TOKEN,
    slowMs: 2500,
    serviceFeeRate: FEE_RATE,
  })
  sandbox.generate(80, new Date(window.from.getTime() + 3600_000), 2.5 * DAY)
  // 230 orders in one hour of one day piece: three pages of 100.
  sandbox.generate(230, new Date(window.from.getTime() + 1.2 * DAY), 3600_000)
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = []
    req
      .on('data', (d: Buffer) => chunks.push(d))
      .on('end', () => {
        const raw = {
          headers: req.headers as Record<string, string>,
          rawBody: Buffer.concat(chunks),
          query: {},
        }
        const verified = douyin.verifyWebhook!(raw, shopWith())
        received.push({ verified, event: douyin.parseWebhook!(raw) })
        res
          .writeHead(verified ? 200 : 401, { 'content-type': 'application/json' })
          .end(JSON.stringify({ code: verified ? 0 : 1, msg: verified ? 'success' : 'bad sign' }))
      })
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
})
afterAll(async () => {
  await sandbox.close()
  await new Promise<void>((resolve) => receiver.close(() => resolve()))
})

describe('Douyin sandbox ↔ Douyin connector', () => {
  let pulled: RawOrder[] = []

  it('pulls a three-day window, every order exactly once, over several pages', async () => {
    pulled = await items(douyin.pullOrders(shopWith(), window))
    const ids = pulled.map((o) => o.externalId)
    expect(new Set(ids).size).toBe(ids.length)
    expect(new Set(ids)).toEqual(new Set(sandbox.sold.map((s) => s.orderId)))
    expect(ids.every((id) => /^\d{19}$/.test(id))).toBe(true)
    const searches = sandbox.calls.filter((c) => c.method === 'order.searchList')
    expect(searches.some((c) => c.params.page === 2)).toBe(true)
    expect(searches.every((c) => Number(c.params.size) <= 100)).toBe(true)
  })

  it('maps every order without a failure; fen amounts match the sold record to the cent', () => {
    const byId = new Map(sandbox.sold.map((s) => [s.orderId, s]))
    for (const raw of pulled) {
      const r = douyin.mapOrder(raw.payload)
      if (!r.ok) throw new Error(`${raw.externalId}: ${r.reason} ${r.detail}`)
      const s = byId.get(raw.externalId)!
      expect(r.value.totals.goods.toFixed(2)).toBe(s.goods)
      expect(r.value.totals.platformDiscount.toFixed(2)).toBe(s.platformDiscount)
      expect(r.value.totals.merchantDiscount.toFixed(2)).toBe(s.merchantDiscount)
      expect(r.value.totals.shipping.toFixed(2)).toBe(s.shipping)
      expect(r.value.totals.buyerPaid.toFixed(2)).toBe(s.paid)
      expect(r.value.status).toBe(s.status)
      expect(r.value.lines.map((l) => [l.externalLineId, l.platformSkuId])).toEqual(
        s.lines.map((l) => [l.lineId, l.skuId]),
      )
      expect(r.value.receiver.masked).toBe(true)
    }
    expect(new Set(sandbox.sold.map((s) => s.status))).toEqual(
      new Set(['paid', 'cancelled', 'pending_payment']),
    )
  })

  it('sets absolute stock with sku.syncStock and the sandbox remembers it', async () => {
    const a = 'DY-3'
    const out = await douyin.pushStock(shopWith(), [
      { platformSkuId: sandbox.skuIdOf(a), platformItemId: sandbox.productIdOf(a), quantity: 25 },
      { platformSkuId: '1700000000000009999', quantity: 1 },
    ])
    expect(out.map((o) => o.ok)).toEqual([true, false])
    expect(out[1]!.kind).toBe('permanent')
    await douyin.pushStock(shopWith(), [{ platformSkuId: sandbox.skuIdOf(a), quantity: 0 }])
    expect(sandbox.stock.get(sandbox.skuIdOf(a))).toBe(0)
  })

  it('ships with order.logisticsAdd and remembers the company code and tracking number', async () => {
    const target = sandbox.sold.find(
      (s) => s.status === 'paid' && !sandbox.shipments.some((x) => x.orderId === s.orderId),
    )!
    const shipment = {
      orderExternalId: target.orderId,
      lineExternalIds: [],
      carrier: 'YTO' as const,
      trackingNumber: 'YT7000000000123',
      shippedAt: systemClock.now(),
    }
    await douyin.pushShipment(shopWith(), shipment)
    expect(sandbox.shipments).toContainEqual(
      expect.objectContaining({
        orderId: target.orderId,
        carrierCode: 'yuantong',
        trackingNumber: 'YT7000000000123',
      }),
    )
    expect((await connectorFailure(douyin.pushShipment(shopWith(), shipment))).kind).toBe('permanent')
    const mapped = douyin.mapOrder((await douyin.fetchOrder(shopWith(), target.orderId)).payload)
    expect(mapped.ok && mapped.value.status).toBe('shipped')
  })

  it('pulls after-sales, each once, with the amounts of the sold record', async () => {
    const paid = sandbox.sold.filter((s) => s.status === 'paid')
    expect(sandbox.refund(paid[3]!.orderId)).toBe(true)
    expect(sandbox.refund(paid[7]!.orderId)).toBe(true)
    const raws = await items(
      douyin.pullRefunds!(shopWith(), {
        from: window.from,
        to: new Date(systemClock.now().getTime() + 2000),
      }),
    )
    const expected = sandbox.sold.flatMap((s) => s.refunds.map((r) => ({ ...r, orderId: s.orderId })))
    expect(raws.map((r) => r.externalRefundId).sort()).toEqual(expected.map((r) => r.refundId).sort())
    for (const raw of raws) {
      const r = douyin.mapRefund!(raw.payload)
      if (!r.ok) throw new Error(`${raw.externalRefundId}: ${r.detail}`)
      const e = expected.find((x) => x.refundId === r.value.externalRefundId)!
      expect(r.value.orderExternalId).toBe(e.orderId)
      expect(r.value.amount.toFixed(2)).toBe(e.amount)
      expect(r.value.status).toBe('refunded')
    }
  })

  it('pulls settle rows that sum to the sold record', async () => {
    const lines: SettlementLineDraft[] = []
    for await (const batch of douyin.pullSettlements!(shopWith(), {
      from: new Date(now.getTime() - 4 * DAY),
      to: new Date(systemClock.now().getTime() + 60_000),
    }))
      lines.push(...batch)
    expect(lines.some((l) => l.platformType.startsWith('差额'))).toBe(false)
    const fee = (amount: Decimal) => amount.mul(FEE_RATE).toDecimalPlaces(2, Decimal.ROUND_HALF_UP)
    const settled = sandbox.sold.filter((s) => s.status === 'paid' || s.refunds.length > 0)
    const lineIncome = (s: (typeof settled)[number]) =>
      s.lines.map((l, i) => money(l.paid).plus(i === 0 ? s.shipping : 0))
    const of = (type: string) => sum(lines.filter((l) => l.type === type).map((l) => l.amount)).toFixed(2)
    expect(of('sale')).toBe(sum(settled.map((s) => money(s.paid))).toFixed(2))
    expect(of('subsidy')).toBe(sum(settled.map((s) => money(s.platformDiscount))).toFixed(2))
    expect(of('commission')).toBe(
      sum(settled.flatMap((s) => lineIncome(s).map(fee)))
        .neg()
        .toFixed(2),
    )
    expect(of('refund')).toBe(
      sum(settled.flatMap((s) => s.refunds.map((r) => money(r.amount))))
        .neg()
        .toFixed(2),
    )
    const net = sum(
      settled.map((s) =>
        money(s.paid)
          .plus(s.platformDiscount)
          .minus(sum(lineIncome(s).map(fee)))
          .minus(sum(s.refunds.map((r) => money(r.amount)))),
      ),
    )
    expect(sum(lines.map((l) => l.amount)).toFixed(2)).toBe(net.toFixed(2))
    expect(sandbox.calls.filter((c) => c.method === 'order.getSettleBillDetailV3').length).toBeGreaterThan(3)
  })

  it('POSTs signed push messages that the connector verifies and parses', async () => {
    const target = sandbox.sold[0]!
    const answer = await sandbox.push(
      `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/douyin`,
      [{ tag: '101', orderId: target.orderId }],
    )
    expect(answer.status).toBe(200)
    const last = received.at(-1)!
    expect(last.verified).toBe(true)
    expect(last.event.orderIdsToFetch).toEqual([target.orderId])
  })

  it('refuses a wrong secret with 40003 isv.signature-invalid, classified permanent', async () => {
    const err = await connectorFailure(
      douyin.verifyCredentials(shopWith({ appSecret: 'wrong-secret-value' })),
    )
    expect(err.kind).toBe('permanent')
    expect(err.detail.platformCode).toBe('40003:isv.signature-invalid')
    const md5 = await connectorFailure(
      douyin.verifyCredentials(shopWith({ appSecret: 'wrong-secret-value' }, { signMethod: 'md5' })),
    )
    expect(md5.kind).toBe('permanent')
    await douyin.verifyCredentials(shopWith({}, { signMethod: 'md5' }))
  })

  it('answers an expired token with isv.access-token-expired, classified auth_expired', async () => {
    sandbox.rotateToken('douyin-sandbox-token-0002')
    try {
      const err = await connectorFailure(douyin.verifyCredentials(shopWith()))
      expect(err.kind).toBe('auth_expired')
      expect(err.detail.platformCode).toBe('40003:isv.access-token-expired')
    } finally {
      sandbox.rotateToken(TOKEN)
    }
  })

  it('enforces size ≤ 100 and page × size ≤ 50 000 with isv.parameter-invalid', async () => {
    const client = createDouyinClient(shopWith())
    const start = Math.floor(window.from.getTime() / 1000)
    const big = await connectorFailure(
      client.call('order.searchList', {
        update_time_start: start,
        update_time_end: start + 60,
        page: 0,
        size: 101,
      }),
    )
    expect(big.detail.platformCode).toBe('40004:isv.parameter-invalid:20008')
    const deep = await connectorFailure(
      client.call('order.searchList', {
        update_time_start: start,
        update_time_end: start + 60,
        page: 500,
        size: 100,
      }),
    )
    expect(deep.detail.platformCode).toBe('40004:isv.parameter-invalid:20013')
  })

  it('recovers from a rate limit, a system error and a slow answer inside the call', async () => {
    const short: TimeWindow = { from: window.from, to: new Date(window.from.getTime() + DAY) }
    const expected = await items(douyin.pullOrders(shopWith(), short))
    sandbox.injectFault('rate_limit')
    sandbox.injectFault('system_error')
    sandbox.injectFault('slow')
    const got = await items(douyin.pullOrders(shopWith(), short))
    expect(got.map((o) => o.externalId)).toEqual(expected.map((o) => o.externalId))
    sandbox.injectFault('http_5xx')
    expect((await items(douyin.pullOrders(shopWith(), short))).length).toBe(expected.length)
    sandbox.injectFault('malformed')
    expect((await connectorFailure(douyin.verifyCredentials(shopWith()))).kind).toBe('permanent')
    await douyin.verifyCredentials(shopWith())
  })
})
