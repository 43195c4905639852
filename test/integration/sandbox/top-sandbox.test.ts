/**
 * The real Taobao connector against the sandbox TOP gateway over real HTTP (no nock): a window of
 * several pages pulled and every trade mapped, identities checked against the sandbox's own record,
 * stock and shipments remembered, signature / session / timestamp / window errors classified as
 * TOP's, and faults injected and recovered from.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { taobao, TRADES } from '../../../connectors/taobao/index.js'
import { signTop, topCaller } from '../../../connectors/taobao/top.js'
import { parseJsonExact } from '../../../connectors/json.js'
import { toShanghai } from '../../../connectors/cn/time.js'
import type { RawOrder, ShopContext } from '../../../connectors/types.js'
import { systemClock, type Clock } from '../../../src/lib/clock.js'
import { createLogger } from '../../../src/lib/logger.js'
import { money, sum } from '../../../src/money/index.js'
import { startTopSandbox, type TopSandbox } from '../../../src/sandbox/top-server.js'
import { connectorFailure } from '../../helpers/connectors.js'

const catalogue = [
  { skuCode: 'CUP-1', title: '保温杯 500ml 不锈钢 黑色', price: '89.00' },
  { skuCode: 'CUP-2', title: '保温杯 500ml 不锈钢 白色', price: '89.00' },
  { skuCode: 'TEA-1', title: '西湖龙井 明前特级 250g', price: '128.00' },
  { skuCode: 'SOAP-1', title: '手工皂 玫瑰精油', price: '28.00' },
  { skuCode: 'SCARF-1', title: '羊毛围巾 格纹', price: '158.00' },
]
const cred = { appKey: '12345678', appSecret: 'sandbox-secret', session: '6100e2a…session' }
let top: TopSandbox

function shop(
  over: { settings?: Record<string, unknown>; credentials?: Record<string, unknown>; clock?: Clock } = {},
): ShopContext {
  return {
    id: `tb-${randomBytes(4).toString('hex')}`,
    merchantId: 'm',
    channel: 'taobao',
    settings: { baseUrl: top.url, ratePerSecond: 1000, ...over.settings },
    credentials: { ...cred, ...over.credentials },
    clock: over.clock ?? systemClock,
    log: createLogger('silent'),
    saveCredentials: async () => undefined,
  }
}

async function pullAll(
  sc: ShopContext,
  from: Date,
  to: Date,
): Promise<{ orders: RawOrder[]; pages: number }> {
  const orders: RawOrder[] = []
  let pages = 0
  for await (const page of taobao.pullOrders(sc, { from, to })) {
    pages++
    orders.push(...page.items)
  }
  return { orders, pages }
}

beforeAll(async () => {
  top = await startTopSandbox({ seed: 11, catalogue, ...cred, refundRate: 0.1, slowMs: 1000 })
})
afterAll(() => top.close())

describe('pull', () => {
  it('pulls a window of several pages, maps every trade, and the figures equal what the sandbox sold', async () => {
    const at = new Date(systemClock.now().getTime() - 5 * 60_000)
    top.generate(230, at)
    const { orders, pages } = await pullAll(shop(), new Date(at.getTime() - 60_000), systemClock.now())
    expect(pages).toBe(3) // 230 trades at 100 a page, walked from the last page back
    expect(orders).toHaveLength(230)
    expect(new Set(orders.map((o) => o.externalId)).size).toBe(230)
    expect(top.calls.get('taobao.trade.fullinfo.get')).toBe(230)

    const bySold = new Map(top.sold.map((g) => [g.externalId, g]))
    const statuses = new Set<string>()
    for (const raw of orders) {
      expect(raw.externalId).toMatch(/^\d{19}$/)
      const r = taobao.mapOrder(raw.payload)
      if (!r.ok) throw new Error(`${raw.externalId}: ${r.reason} ${r.detail}`)
      const d = r.value
      const g = bySold.get(raw.externalId)!
      statuses.add(d.platformStatus)
      expect(d.totals.goods.toFixed(2)).toBe(g.goods)
      expect(d.totals.merchantDiscount.toFixed(2)).toBe(g.merchantDiscount)
      expect(d.totals.platformDiscount.toFixed(2)).toBe(g.platformDiscount)
      expect(d.totals.shipping.toFixed(2)).toBe(g.shipping)
      expect(d.totals.buyerPaid.toFixed(2)).toBe(g.paid)
      expect(d.receiver.masked).toBe(true)
      expect(d.receiver.privacyRef).toMatchObject({ oaid: expect.any(String) })
      expect(d.receiver.name).toMatch(/^\S\*\*$/)
      expect(d.receiver.phone).toMatch(/^1\d\d\*{4}\d{4}$/)
      expect(d.lines.map((l) => l.outerCode)).toEqual(g.lines.map((l) => l.skuCode))
      for (const l of d.lines) expect(l.externalLineId).toMatch(/^\d{19}$/)
    }
    // The generated mix: paid, unpaid, closed before payment and refunded (closed after payment).
    expect([...statuses].sort()).toEqual(
      expect.arrayContaining([
        'TRADE_CLOSED',
        'TRADE_CLOSED_BY_TAOBAO',
        'WAIT_BUYER_PAY',
        'WAIT_SELLER_SEND_GOODS',
      ]),
    )
    expect(orders.some((o) => (o.payload as { orders: unknown[] }).orders.length > 1)).toBe(true)
    // Seller line tools (限时打折, manual price change) and platform subsidy all occur.
    const lines = orders.flatMap(
      (o) => (o.payload as { orders: { discount_fee: string; adjust_fee: string }[] }).orders,
    )
    expect(lines.some((l) => money(l.discount_fee).gt(0))).toBe(true)
    expect(lines.some((l) => money(l.adjust_fee).lt(0))).toBe(true)
    expect(sum(top.sold.map((g) => money(g.platformDiscount))).gt(0)).toBe(true)

    // Refunds are pulled through taobao.refunds.receive.get and map too.
    const refunds = []
    for await (const page of taobao.pullRefunds!(shop(), {
      from: new Date(at.getTime() - 60_000),
      to: systemClock.now(),
    }))
      refunds.push(...page.items)
    expect(refunds.length).toBe(top.refunds.size)
    expect(refunds.length).toBeGreaterThan(0)
    for (const r of refunds)
      expect(taobao.mapRefund!(r.payload)).toMatchObject({
        ok: true,
        value: { status: 'refunded', currency: 'CNY' },
      })
  })

  it('answers the non-simplified shape too, and the connector reads it', async () => {
    const at = new Date(systemClock.now().getTime() - 3 * 60_000)
    const [t] = top.generate(1, at)
    const payload = await topCaller(shop())('taobao.trade.fullinfo.get', {
      tid: String(t!.tid),
      fields: 'tid,tid_str,status,modified,payment,post_fee,orders',
      simplify: 'false',
    })
    expect(payload).toMatchObject({ trade: { tid: String(t!.tid), orders: { order: expect.any(Array) } } })
    expect(taobao.mapOrder(payload.trade)).toMatchObject({ ok: true })
  })
})

describe('push', () => {
  it('remembers full stock per SKU and refuses an unknown SKU with a permanent error', async () => {
    const levels = catalogue.map((c, i) => ({
      platformSkuId: top.skuIdOf(c.skuCode),
      platformItemId: top.itemIdOf(c.skuCode),
      quantity: 10 + i,
    }))
    const outcomes = await taobao.pushStock(shop(), levels)
    expect(outcomes.every((o) => o.ok)).toBe(true)
    for (const l of levels) expect(top.stock.get(l.platformSkuId)?.quantity).toBe(l.quantity)
    const bad = await taobao.pushStock(shop(), [
      { platformSkuId: '1', platformItemId: top.itemIdOf('CUP-1'), quantity: 3 },
    ])
    expect(bad).toMatchObject([{ ok: false, kind: 'permanent' }])
  })

  it('remembers a shipment (whole trade and split by sub-order) and changes the trade status', async () => {
    const paid = [...top.trades.values()].filter((t) => t.status === 'WAIT_SELLER_SEND_GOODS')
    const single = paid.find((t) => (t.orders as unknown[]).length === 1)!
    const multi = paid.find((t) => (t.orders as unknown[]).length > 1)!
    await taobao.pushShipment(shop(), {
      orderExternalId: String(single.tid),
      lineExternalIds: [String(single.tid)],
      carrier: 'SF',
      trackingNumber: 'SF1234567890123',
      shippedAt: systemClock.now(),
    })
    expect(top.shipments.at(-1)).toMatchObject({
      tid: single.tid,
      companyCode: 'SF',
      outSid: 'SF1234567890123',
      subTids: [],
    })
    expect(single.status).toBe('WAIT_BUYER_CONFIRM_GOODS')
    const firstOid = String((multi.orders as { oid: string }[])[0]!.oid)
    await taobao.pushShipment(shop(), {
      orderExternalId: String(multi.tid),
      lineExternalIds: [firstOid],
      carrier: 'ZTO',
      trackingNumber: '7531234567890',
      shippedAt: systemClock.now(),
    })
    expect(top.shipments.at(-1)).toMatchObject({ tid: multi.tid, companyCode: 'ZTO', subTids: [firstOid] })
    expect(multi.status).toBe('SELLER_CONSIGNED_PART')
    // TOP refuses to ship a trade twice: a permanent error, not a retry loop.
    const again = await connectorFailure(
      taobao.pushShipment(shop(), {
        orderExternalId: String(single.tid),
        lineExternalIds: [],
        carrier: 'SF',
        trackingNumber: 'SF1',
        shippedAt: systemClock.now(),
      }),
    )
    expect(again.kind).toBe('permanent')
  })
})

describe('errors as TOP gives them', () => {
  const to = () => new Date(systemClock.now().getTime() - 60_000)
  const call = (sc: ShopContext, from: Date, until: Date) =>
    topCaller(sc)(TRADES.method, {
      start_modified: toShanghai(from),
      end_modified: toShanghai(until),
      fields: 'tid',
      page_no: '1',
      page_size: '1',
    })

  it('a wrong secret is an invalid signature (code 25, permanent), for every sign method', async () => {
    for (const signMethod of ['md5', 'hmac', 'hmac-sha256']) {
      const err = await connectorFailure(
        call(
          shop({ settings: { signMethod }, credentials: { appSecret: 'not-the-secret' } }),
          new Date(to().getTime() - 60_000),
          to(),
        ),
      )
      expect(err).toMatchObject({ kind: 'permanent', detail: { platformCode: 'isv.invalid-signature' } })
      expect(err.message).toContain('code 25')
      expect(err.message).not.toContain('not-the-secret')
      await expect(
        call(shop({ settings: { signMethod } }), new Date(to().getTime() - 60_000), to()),
      ).resolves.toMatchObject({ total_results: expect.any(Number) })
    }
  })

  it('a wrong session is code 27 (auth expired); a clock 20 minutes off is code 31; a window over a day is refused', async () => {
    const session = await connectorFailure(
      taobao.verifyCredentials(shop({ credentials: { session: 'expired' } })),
    )
    expect(session.kind).toBe('auth_expired')
    expect(session.message).toContain('code 27')
    const skewed = await connectorFailure(
      call(
        shop({ clock: { now: () => new Date(systemClock.now().getTime() + 20 * 60_000) } }),
        new Date(to().getTime() - 60_000),
        to(),
      ),
    )
    expect(skewed.message).toContain('code 31')
    const long = await connectorFailure(call(shop(), new Date(to().getTime() - 25 * 3600_000), to()))
    expect(long).toMatchObject({ kind: 'permanent', detail: { platformCode: 'isv.invalid-parameter' } })
    // The connector itself splits a long window at the cap and never sees that error.
    await expect(pullAll(shop(), new Date(to().getTime() - 50 * 3600_000), to())).resolves.toMatchObject({
      pages: expect.any(Number),
    })
  })
})

describe("multipart/form-data, as Alibaba's SDK sends it", () => {
  /** System parameters in the query string, the rest as multipart fields, a file part unsigned. */
  async function multipart(
    fields: Record<string, string>,
    tamper: (form: FormData) => void = () => undefined,
  ): Promise<Record<string, unknown>> {
    const system: Record<string, string> = {
      method: 'taobao.trade.fullinfo.get',
      app_key: cred.appKey,
      session: cred.session,
      timestamp: toShanghai(systemClock.now()),
      format: 'json',
      v: '2.0',
      sign_method: 'hmac-sha256',
      simplify: 'true',
    }
    const sign = signTop(cred.appSecret, { ...system, ...fields }, 'hmac-sha256')
    const form = new FormData()
    for (const [k, v] of Object.entries(fields)) form.append(k, v)
    form.append('image', new Blob([Buffer.from([0xff, 0xd8, 0x0d, 0x0a, 0x2d, 0x2d, 0x00])]), 'a.jpg')
    tamper(form)
    const res = await fetch(`${top.url}?${new URLSearchParams({ ...system, sign }).toString()}`, {
      method: 'POST',
      body: form, // fetch writes the multipart body and its boundary
    })
    return parseJsonExact(await res.text()) as Record<string, unknown> // 19-digit tids stay exact
  }

  it('reads the fields of a multipart body, UTF-8 included, and checks the signature over them', async () => {
    const [t] = top.generate(1, new Date(Date.now() - 60_000))
    const answer = await multipart({
      tid: String(t!.tid),
      fields: 'tid,status,orders',
      buyer_message: '请尽快发货 ✓\r\n--第二行',
    })
    expect(answer).toMatchObject({ trade: { tid: String(t!.tid), status: 'WAIT_SELLER_SEND_GOODS' } })
  })

  it('refuses a multipart body whose fields are not the ones signed', async () => {
    const [t] = top.generate(1, new Date(Date.now() - 60_000))
    const answer = await multipart({ tid: String(t!.tid), fields: 'tid,status' }, (form) =>
      form.set('fields', 'tid,status,orders'),
    )
    expect(answer).toMatchObject({ error_response: { code: 25, sub_code: 'isv.invalid-signature' } })
  })
})

describe('faults', () => {
  it('recovers inside the call from a quota ban and a platform error; a slow answer still arrives', async () => {
    const at = new Date(systemClock.now().getTime() - 2 * 60_000)
    top.generate(5, at)
    top.injectFault('limited')
    top.injectFault('isp')
    top.injectFault('slow')
    const { orders } = await pullAll(shop(), new Date(at.getTime() - 1000), systemClock.now())
    // (trades shipped by the tests above changed within the window too, and come along)
    expect(orders.map((o) => o.externalId)).toEqual(
      expect.arrayContaining(top.sold.slice(-5).map((g) => g.externalId)),
    )
  })

  it('a malformed body fails the pull permanently; the next pull reads everything', async () => {
    const at = new Date(systemClock.now().getTime() - 90_000)
    top.generate(3, at)
    top.injectFault('malformed')
    const err = await connectorFailure(pullAll(shop(), new Date(at.getTime() - 1000), systemClock.now()))
    expect(err.kind).toBe('permanent')
    const { orders } = await pullAll(shop(), new Date(at.getTime() - 1000), systemClock.now())
    expect(orders.map((o) => o.externalId)).toEqual(
      expect.arrayContaining(top.sold.slice(-3).map((g) => g.externalId)),
    )
  })
})
