/**
 * The real PDD connector against the PDD sandbox over real HTTP (no nock): 30-minute pieces walked
 * last page first, exact yuan numbers, mapping against the sold record, stock and shipment writes,
 * after-sales records, the daily 货款 bill (URL + BOM CSV) summing to what was sold, signature /
 * token errors and injected faults.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildForm, pddClient } from '../../../connectors/pdd/client.js'
import { pdd } from '../../../connectors/pdd/index.js'
import { fromShanghai, toShanghai } from '../../../connectors/cn/time.js'
import type { RawOrder, SettlementLineDraft, ShopContext, TimeWindow } from '../../../connectors/types.js'
import { systemClock } from '../../../src/lib/clock.js'
import { createLogger } from '../../../src/lib/logger.js'
import { Decimal, money, sum } from '../../../src/money/index.js'
import { PRODUCT_NAMES, type CatalogueItem } from '../../../src/sandbox/generator.js'
import { startPddSandbox, type PddSandbox } from '../../../src/sandbox/pdd-server.js'
import { connectorFailure, items } from '../../helpers/connectors.js'

const DAY = 86_400_000
const MIN = 60_000
const CLIENT_ID = 'pdd-sandbox-client'
const SECRET = 'pdd-sandbox-secret-51c0'
const TOKEN = 'pdd-sandbox-token-aa01'
const FEE_RATE = '0.006'
const catalogue: CatalogueItem[] = PRODUCT_NAMES.map(([title, price], i) => ({
  skuCode: `PDD-${Math.floor(i / 4) + 1}-${i + 1}`,
  title,
  price,
}))

let sandbox: PddSandbox
const now = systemClock.now()
const today = fromShanghai(`${toShanghai(now).slice(0, 10)} 00:00:00`)!
const base = new Date(today.getTime() - 2 * DAY + 2 * 3600_000)
const window: TimeWindow = {
  from: new Date(base.getTime() - 10 * MIN),
  to: new Date(base.getTime() + 3 * 3600_000 + 10 * MIN),
}

function shopWith(credentials: Record<string, unknown> = {}): ShopContext {
  return {
    id: 'shop-pdd-sandbox',
    merchantId: 'm-pdd-sandbox',
    channel: 'pdd',
    settings: { baseUrl: sandbox.url, timeoutMs: 1000 },
    credentials: { clientId: CLIENT_ID, clientSecret: SECRET, accessToken: TOKEN, ...credentials },
    clock: systemClock,
    log: createLogger('silent'),
    saveCredentials: async () => undefined,
  }
}

beforeAll(async () => {
  sandbox = await startPddSandbox({
    seed: 7,
    catalogue,
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    accessToken: TOKEN,
    slowMs: 2500,
    serviceFeeRate: FEE_RATE,
  })
  sandbox.generate(60, base, 3 * 3600_000)
  // 150 orders inside one 30-minute piece: two pages of 100.
  sandbox.generate(150, new Date(window.from.getTime() + 35 * MIN), 5 * MIN)
})
afterAll(async () => {
  await sandbox.close()
})

describe('PDD sandbox ↔ PDD connector', () => {
  let pulled: RawOrder[] = []

  it('pulls a window longer than 30 minutes, every order exactly once, over several pages', async () => {
    pulled = await items(pdd.pullOrders(shopWith(), window))
    const ids = pulled.map((o) => o.externalId)
    expect(new Set(ids).size).toBe(ids.length)
    expect(new Set(ids)).toEqual(new Set(sandbox.sold.map((s) => s.orderId)))
    const searches = sandbox.calls.filter((c) => c.type === 'pdd.order.number.list.increment.get')
    expect(
      searches.every((c) => Number(c.params.end_updated_at) - Number(c.params.start_updated_at) <= 1800),
    ).toBe(true)
    expect(searches.some((c) => c.params.page === '2')).toBe(true)
  })

  it('maps every order without a failure; amounts match the sold record to the cent', () => {
    const byId = new Map(sandbox.sold.map((s) => [s.orderId, s]))
    for (const raw of pulled) {
      const r = pdd.mapOrder(raw.payload)
      if (!r.ok) throw new Error(`${raw.externalId}: ${r.reason} ${r.detail}`)
      const s = byId.get(raw.externalId)!
      expect(r.value.totals.goods.toFixed(2)).toBe(s.goods)
      expect(r.value.totals.platformDiscount.toFixed(2)).toBe(s.platformDiscount)
      expect(r.value.totals.merchantDiscount.toFixed(2)).toBe(s.merchantDiscount)
      expect(r.value.totals.shipping.toFixed(2)).toBe(s.shipping)
      expect(r.value.totals.buyerPaid.toFixed(2)).toBe(s.paid)
      expect(r.value.status).toBe(s.status === 'cancelled' ? 'cancelled' : 'paid')
      expect(r.value.receiver.masked).toBe(true)
      expect(r.value.lines.map((l) => l.platformSkuId)).toEqual(s.lines.map((l) => l.skuId))
    }
    const total = sum(
      pulled.map(
        (raw) =>
          (pdd.mapOrder(raw.payload) as { value: { totals: { buyerPaid: Decimal } } }).value.totals.buyerPaid,
      ),
    )
    expect(total.toFixed(2)).toBe(sum(sandbox.sold.map((s) => money(s.paid))).toFixed(2))
    // Fractional yuan travel as bare JSON numbers (19.9, not "19.90").
    expect(sandbox.sold.some((s) => s.lines.length > 1 && !money(s.platformDiscount).isZero())).toBe(true)
  })

  it('writes fractional yuan as bare JSON numbers in the answer text', async () => {
    const target = sandbox.sold.find((s) => !money(s.paid).isInteger())!
    const form = buildForm(
      'pdd.order.information.get',
      { order_sn: target.orderId },
      { clientId: CLIENT_ID, clientSecret: SECRET, accessToken: TOKEN, refreshToken: null },
      systemClock.now(),
    )
    const text = await (await fetch(sandbox.url, { method: 'POST', body: new URLSearchParams(form) })).text()
    expect(text).toContain(`"pay_amount":${money(target.paid).toFixed()},`)
    const order = await pdd.fetchOrder(shopWith(), target.orderId)
    expect((order.payload as { pay_amount: unknown }).pay_amount).toBe(money(target.paid).toFixed())
  })

  it('pushes absolute stock (update_type 1) and the sandbox remembers it', async () => {
    const [a, b] = [catalogue[0]!.skuCode, catalogue[5]!.skuCode]
    const out = await pdd.pushStock(shopWith(), [
      { platformSkuId: sandbox.skuIdOf(a), platformItemId: sandbox.goodsIdOf(a), quantity: 9 },
      { platformSkuId: sandbox.skuIdOf(b), platformItemId: sandbox.goodsIdOf(b), quantity: 0 },
      { platformSkuId: '1234567999999', platformItemId: '345678999999', quantity: 3 },
    ])
    expect(out.map((o) => o.ok)).toEqual([true, true, false])
    expect(out[2]!.kind).toBe('permanent')
    await pdd.pushStock(shopWith(), [
      { platformSkuId: sandbox.skuIdOf(a), platformItemId: sandbox.goodsIdOf(a), quantity: 4 },
    ])
    expect(sandbox.stock.get(sandbox.skuIdOf(a))).toBe(4)
    expect(sandbox.stock.get(sandbox.skuIdOf(b))).toBe(0)
  })

  it('pushes a shipment and remembers order, logistics_id and tracking number', async () => {
    const target = sandbox.sold.find(
      (s) => s.status === 'paid' && !sandbox.shipments.some((x) => x.orderId === s.orderId),
    )!
    const shipment = {
      orderExternalId: target.orderId,
      lineExternalIds: [],
      carrier: 'ZTO' as const,
      trackingNumber: '75312345678901',
      shippedAt: systemClock.now(),
    }
    await pdd.pushShipment(shopWith(), shipment)
    expect(sandbox.shipments).toContainEqual(
      expect.objectContaining({
        orderId: target.orderId,
        carrierCode: '115',
        trackingNumber: '75312345678901',
      }),
    )
    expect((await connectorFailure(pdd.pushShipment(shopWith(), shipment))).kind).toBe('permanent')
    const mapped = pdd.mapOrder((await pdd.fetchOrder(shopWith(), target.orderId)).payload)
    expect(mapped.ok && mapped.value.status).toBe('shipped')
  })

  it('pulls after-sales records, each once, with the sold record’s refunded amounts', async () => {
    const target = sandbox.sold.find(
      (s) =>
        s.status === 'paid' && s.lines.length > 1 && !sandbox.shipments.some((x) => x.orderId === s.orderId),
    )!
    expect(sandbox.refund(target.orderId, new Date(base.getTime() + 3 * 3600_000))).toBe(true)
    const raws = await items(pdd.pullRefunds!(shopWith(), window))
    const expected = sandbox.sold.flatMap((s) => s.refunds.map((r) => ({ ...r, orderId: s.orderId })))
    expect(raws.map((r) => r.externalRefundId).sort()).toEqual(expected.map((r) => r.refundId).sort())
    for (const raw of raws) {
      const r = pdd.mapRefund!(raw.payload)
      if (!r.ok) throw new Error(`${raw.externalRefundId}: ${r.detail}`)
      const e = expected.find((x) => x.refundId === r.value.externalRefundId)!
      expect(r.value.amount.toFixed(2)).toBe(e.amount)
      expect(r.value.status).toBe('refunded')
    }
    const perOrder = sum(target.refunds.map((r) => money(r.amount)))
    expect(perOrder.toFixed(2)).toBe(target.paid)
  })

  it('pulls the daily 货款 bills; their lines sum to the sold record', async () => {
    const settle: TimeWindow = { from: new Date(today.getTime() - 2 * DAY), to: today }
    const lines: SettlementLineDraft[] = []
    for await (const batch of pdd.pullSettlements!(shopWith(), settle)) lines.push(...batch)
    const fee = (paid: string) => money(paid).mul(FEE_RATE).toDecimalPlaces(2, Decimal.ROUND_HALF_UP)
    const of = (type: string) => sum(lines.filter((l) => l.type === type).map((l) => l.amount)).toFixed(2)
    expect(of('sale')).toBe(sum(sandbox.sold.map((s) => money(s.paid))).toFixed(2))
    expect(of('subsidy')).toBe(sum(sandbox.sold.map((s) => money(s.platformDiscount))).toFixed(2))
    expect(of('commission')).toBe(
      sum(sandbox.sold.map((s) => fee(s.paid)))
        .neg()
        .toFixed(2),
    )
    expect(of('refund')).toBe(
      sum(sandbox.sold.flatMap((s) => s.refunds.map((r) => money(r.amount))))
        .neg()
        .toFixed(2),
    )
    const net = sum(
      sandbox.sold.map((s) =>
        money(s.paid)
          .plus(s.platformDiscount)
          .minus(fee(s.paid))
          .minus(sum(s.refunds.map((r) => money(r.amount)))),
      ),
    )
    expect(sum(lines.map((l) => l.amount)).toFixed(2)).toBe(net.toFixed(2))
    expect(
      lines
        .filter((l) => l.type === 'sale')
        .map((l) => l.orderExternalId)
        .sort(),
    ).toEqual(sandbox.sold.map((s) => s.orderId).sort())
  })

  it('does not ask for the bill of a day that has not ended yet', async () => {
    const before = sandbox.calls.filter((c) => c.type === 'pdd.finance.balance.daily.bill.url.get').length
    const batches: unknown[] = []
    for await (const batch of pdd.pullSettlements!(shopWith(), { from: today, to: now })) batches.push(batch)
    expect(batches).toEqual([])
    expect(sandbox.calls.filter((c) => c.type === 'pdd.finance.balance.daily.bill.url.get')).toHaveLength(
      before,
    )
  })

  it('refuses a wrong secret with 20004 签名sign校验失败, classified permanent', async () => {
    const err = await connectorFailure(pdd.verifyCredentials(shopWith({ clientSecret: 'wrong-secret' })))
    expect(err.kind).toBe('permanent')
    expect(err.detail.platformCode).toBe('20004')
  })

  it('answers an expired token with 10019, classified auth_expired; an unknown one is permanent', async () => {
    sandbox.rotateToken('pdd-sandbox-token-next')
    try {
      const expired = await connectorFailure(pdd.verifyCredentials(shopWith()))
      expect(expired.kind).toBe('auth_expired')
      expect(expired.detail.platformCode).toBe('10019')
      const unknown = await connectorFailure(pdd.verifyCredentials(shopWith({ accessToken: 'never-issued' })))
      expect(unknown.kind).toBe('permanent')
    } finally {
      sandbox.rotateToken(TOKEN)
    }
  })

  it('enforces the 30-minute window and page_size ≤ 100 with 10000 参数错误', async () => {
    const client = pddClient(shopWith())
    const s = Math.floor(window.from.getTime() / 1000)
    const long = await connectorFailure(
      client.call('pdd.order.number.list.increment.get', 'order_sn_increment_get_response', {
        start_updated_at: s,
        end_updated_at: s + 1801,
        page: 1,
        page_size: 100,
      }),
    )
    expect(long.detail.platformCode).toBe('10000')
    const wide = await connectorFailure(
      client.call('pdd.order.number.list.increment.get', 'order_sn_increment_get_response', {
        start_updated_at: s,
        end_updated_at: s + 60,
        page: 1,
        page_size: 101,
      }),
    )
    expect(wide.kind).toBe('permanent')
  })

  it('recovers from a rate limit, a system error and a slow answer inside the call', async () => {
    const short: TimeWindow = { from: window.from, to: new Date(window.from.getTime() + 30 * MIN) }
    const expected = await items(pdd.pullOrders(shopWith(), short))
    sandbox.injectFault('rate_limit')
    sandbox.injectFault('system_error')
    sandbox.injectFault('slow')
    const got = await items(pdd.pullOrders(shopWith(), short))
    expect(got.map((o) => o.externalId)).toEqual(expected.map((o) => o.externalId))
    sandbox.injectFault('http_5xx')
    expect((await items(pdd.pullOrders(shopWith(), short))).length).toBe(expected.length)
  })

  it('reports a malformed body as permanent, then serves the next call', async () => {
    sandbox.injectFault('malformed')
    expect((await connectorFailure(pdd.verifyCredentials(shopWith()))).kind).toBe('permanent')
    await pdd.verifyCredentials(shopWith())
  })
})
