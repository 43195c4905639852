import nock from 'nock'
import { afterEach, describe, expect, it } from 'vitest'
import { TAOBAO_CARRIER_CODES } from '../../../../connectors/taobao/carriers.js'
import { PAGE_SIZE, taobao, TRADES, walk } from '../../../../connectors/taobao/index.js'
import {
  ORDER_REFUND_STATUS,
  REFUND_STATUS,
  SUB_ORDER_STATUS,
  TRADE_STATUS,
} from '../../../../connectors/taobao/map.js'
import {
  buildRequest,
  KIND_BY_CODE,
  kindOfTopError,
  signTop,
  type TopCall,
} from '../../../../connectors/taobao/top.js'
import { fromShanghai, toShanghai } from '../../../../connectors/cn/time.js'
import type { ShopContext } from '../../../../connectors/types.js'
import { fixedClock } from '../../../../src/lib/clock.js'
import { createLogger } from '../../../../src/lib/logger.js'
import {
  refundRequested,
  refundSuccess,
  tradeCancelled,
  tradeMultiLine,
  tradeRefundedAfterShipment,
  wire,
} from '../../../fixtures/taobao/trades.js'
import { drain as collect } from '../../../helpers/connectors.js'
import { settingsProblems } from '../../../../connectors/settings.js'

const GW = 'https://gw.top.test'
const PATH = '/router/rest'
const SECRET = 'app_secret_0123456789'
const SESSION = '6100e23657fb0b2d0c78568e55a3031134be9a3a5d4b3a2123456789'

function shopWith(
  settings: Record<string, unknown> = {},
  credentials: Record<string, unknown> = {},
): ShopContext {
  return {
    id: `shop-tb-${Math.random().toString(36).slice(2)}`,
    merchantId: 'm',
    channel: 'taobao',
    settings: { baseUrl: `${GW}${PATH}`, timeoutMs: 1000, ratePerSecond: 1000, ...settings },
    credentials: {
      appKey: '12345678',
      appSecret: SECRET,
      session: SESSION,
      refreshToken: 'refresh_abcdef123456',
      ...credentials,
    },
    clock: fixedClock('2026-11-20T12:00:00Z'),
    log: createLogger('silent'),
    saveCredentials: async () => undefined,
  }
}
const shop = shopWith()

type Form = Record<string, string>
const ok = <T>(r: { ok: boolean; value?: T }) => {
  if (!r.ok) throw new Error(JSON.stringify(r))
  return r.value!
}
const money = (d: { toFixed(n: number): string }) => d.toFixed(2)
const signed = (b: Form, secret = SECRET) => {
  const { sign, ...rest } = b
  return sign === signTop(secret, rest, (b.sign_method as 'md5') ?? 'md5')
}
/** nock hands reply functions the raw form text (matchers get it parsed). */
const form = (body: unknown): Form =>
  typeof body === 'string' ? Object.fromEntries(new URLSearchParams(body)) : (body as Form)
const topError = (code: number, msg: string, sub_code?: string, sub_msg?: string) => ({
  error_response: { code, msg, sub_code, sub_msg, request_id: 'req1' },
})

afterEach(() => {
  nock.cleanAll()
})

describe('signing (§1.2)', () => {
  const example = {
    app_key: '12345678',
    fields: 'num_iid,title,nick,price,num',
    format: 'json',
    method: 'taobao.item.seller.get',
    num_iid: '11223344',
    session: 'test',
    sign_method: 'md5',
    timestamp: '2016-01-01 12:00:00',
    v: '2.0',
  }

  it('reproduces the official worked example (docId 101617)', () => {
    expect(signTop('helloworld', example, 'md5')).toBe('66987CB115214E59E6EC978214934FB8')
  })

  it('matches the reference regression vectors for hmac and hmac-sha256', () => {
    expect(signTop('helloworld', { ...example, sign_method: 'hmac' }, 'hmac')).toBe(
      'D56D7858309C31B6251083A874D48273',
    )
    expect(signTop('helloworld', { ...example, sign_method: 'hmac-sha256' }, 'hmac-sha256')).toBe(
      '04DB15AD0774D5CFCE2C837DE43E3FCEA9011ED74F3038FB6AB5F3C4CEA119E8',
    )
  })

  it('signs Chinese text as UTF-8 and skips an empty value, like the official Java sample', () => {
    const p = {
      app_key: '12345678',
      format: 'json',
      method: 'taobao.logistics.offline.send',
      session: 'test',
      sign_method: 'md5',
      timestamp: '2024-03-01 10:00:00',
      v: '2.0',
      tid: '3678123456789012345',
      out_sid: 'SF1234567890123',
      company_code: 'SF',
      feature: 'identCode=3678123456789012345:码一',
    }
    expect(signTop('helloworld', { ...p, memo: '' }, 'md5')).toBe('FF840301A972D444A4C557FB8CED30D8')
    expect(signTop('helloworld', p, 'md5')).toBe('FF840301A972D444A4C557FB8CED30D8')
  })

  it('signs a nested JSON parameter as its exact text (order of keys inside matters)', () => {
    const base = {
      app_key: '12345678',
      method: 'taobao.x',
      sign_method: 'md5',
      timestamp: '2026-01-01 00:00:00',
      v: '2.0',
    }
    const a = signTop('helloworld', { ...base, param: '{"a":1,"b":"中"}' }, 'md5')
    expect(a).toMatch(/^[0-9A-F]{32}$/)
    expect(signTop('helloworld', { ...base, param: '{"b":"中","a":1}' }, 'md5')).not.toBe(a)
  })

  it('builds the common parameters with Beijing time, simplify and the signature', () => {
    const req = buildRequest(
      'taobao.trade.fullinfo.get',
      { tid: '3678123456789012345', fields: 'tid', empty: '' },
      {
        appKey: 'k',
        appSecret: 's',
        session: 'sess',
        signMethod: 'hmac',
        now: new Date('2026-11-20T12:00:00Z'),
      },
    )
    expect(req).toMatchObject({
      method: 'taobao.trade.fullinfo.get',
      app_key: 'k',
      session: 'sess',
      timestamp: '2026-11-20 20:00:00',
      format: 'json',
      v: '2.0',
      sign_method: 'hmac',
      simplify: 'true',
      tid: '3678123456789012345',
    })
    expect(req).not.toHaveProperty('empty')
    expect(signed(req, 's')).toBe(true)
  })
})

describe('statuses (§1.5): one row each', () => {
  it.each(Object.entries(TRADE_STATUS))('trade status %s → %s', (status, unified) => {
    const expected = {
      TRADE_NO_CREATE_PAY: 'pending_payment',
      WAIT_BUYER_PAY: 'pending_payment',
      PAY_PENDING: 'pending_payment',
      WAIT_PRE_AUTH_CONFIRM: 'pending_payment',
      PAID_FORBID_CONSIGN: 'pending_payment',
      WAIT_SELLER_SEND_GOODS: 'paid',
      SELLER_CONSIGNED_PART: 'paid',
      WAIT_BUYER_CONFIRM_GOODS: 'shipped',
      TRADE_BUYER_SIGNED: 'shipped',
      TRADE_FINISHED: 'completed',
      TRADE_CLOSED: 'cancelled',
      TRADE_CLOSED_BY_TAOBAO: 'cancelled',
      ALL_WAIT_PAY: 'pending_payment',
      ALL_CLOSED: 'cancelled',
    }[status]
    expect(unified).toBe(expected)
    const d = ok(taobao.mapOrder({ ...tradeMultiLine, status }))
    expect(d.status).toBe(expected)
    expect(d.platformStatus).toBe(status)
  })

  it.each(Object.entries(SUB_ORDER_STATUS))(
    'sub-order status %s → %s (accepted, kept verbatim on the line)',
    (status, disposition) => {
      const expected = {
        TRADE_NO_CREATE_PAY: 'unpaid',
        WAIT_BUYER_PAY: 'unpaid',
        PAY_PENDING: 'unpaid',
        WAIT_PRE_AUTH_CONFIRM: 'unpaid',
        PAID_FORBID_CONSIGN: 'hold',
        WAIT_SELLER_SEND_GOODS: 'to_ship',
        WAIT_BUYER_CONFIRM_GOODS: 'shipped',
        TRADE_BUYER_SIGNED: 'shipped',
        TRADE_FINISHED: 'completed',
        TRADE_CLOSED: 'closed',
        TRADE_CLOSED_BY_TAOBAO: 'closed',
      }[status]
      expect(disposition).toBe(expected)
      const orders = tradeMultiLine.orders.map((o, i) => (i === 0 ? { ...o, status } : o))
      expect(ok(taobao.mapOrder({ ...tradeMultiLine, orders })).lines[0]!.platformStatus).toBe(status)
    },
  )

  it('refuses the trade-only SELLER_CONSIGNED_PART on a sub-order', () => {
    const orders = tradeMultiLine.orders.map((o, i) =>
      i === 0 ? { ...o, status: 'SELLER_CONSIGNED_PART' } : o,
    )
    expect(taobao.mapOrder({ ...tradeMultiLine, orders })).toMatchObject({
      ok: false,
      reason: 'malformed_payload',
    })
  })

  it.each(Object.entries(ORDER_REFUND_STATUS))(
    'sub-order refund_status %s → line refund state %s',
    (refundStatus, state) => {
      const expected = {
        NO_REFUND: 'none',
        WAIT_SELLER_AGREE: 'requested',
        WAIT_BUYER_RETURN_GOODS: 'requested',
        WAIT_SELLER_CONFIRM_GOODS: 'requested',
        SELLER_REFUSE_BUYER: 'none',
        CLOSED: 'none',
        SUCCESS: 'refunded',
      }[refundStatus]
      expect(state).toBe(expected)
      // On a closed sub-order a SUCCESS refund is the whole line; on an open one it is partial until the refund record lands.
      const orders = tradeMultiLine.orders.map((o, i) =>
        i === 0 ? { ...o, status: 'TRADE_CLOSED', refund_status: refundStatus } : o,
      )
      expect(ok(taobao.mapOrder({ ...tradeMultiLine, orders })).lines[0]!.refundState).toBe(expected)
    },
  )

  it.each(Object.entries(REFUND_STATUS))('refund status %s → %s', (status, unified) => {
    const expected = {
      WAIT_SELLER_AGREE: 'requested',
      WAIT_BUYER_RETURN_GOODS: 'approved',
      WAIT_SELLER_CONFIRM_GOODS: 'approved',
      SELLER_REFUSE_BUYER: 'rejected',
      CLOSED: 'cancelled',
      SUCCESS: 'refunded',
    }[status]
    expect(unified).toBe(expected)
    expect(ok(taobao.mapRefund!({ ...refundSuccess, status })).status).toBe(expected)
  })
})

describe('mapping (§1.4, §1.6, §8)', () => {
  it('maps a multi-line paid trade with merchant and platform discounts and postage, to the cent', () => {
    const d = ok(taobao.mapOrder(tradeMultiLine))
    expect(d).toMatchObject({
      channel: 'taobao',
      externalId: '3678123456789012345',
      status: 'paid',
      platformStatus: 'WAIT_SELLER_SEND_GOODS',
      refundState: 'none',
      currency: 'CNY',
      buyer: { id: 'AAHk5d-EAAeGwJedwSHwTbHP', nick: 't**1', email: null },
      buyerNote: '请周末送货',
      sellerNote: '送小样',
    })
    expect(
      [d.placedAt, d.paidAt, d.shippedAt, d.platformUpdatedAt].map((t) => t?.toISOString() ?? null),
    ).toEqual(['2026-11-20T01:58:12.000Z', '2026-11-20T02:00:03.000Z', null, '2026-11-20T02:00:05.000Z'])
    expect(
      d.lines.map((l) => [
        l.externalLineId,
        l.platformItemId,
        l.platformSkuId,
        l.outerCode,
        l.title,
        l.skuProperties,
        l.quantity,
        money(l.unitPrice),
        money(l.goodsAmount),
        money(l.merchantDiscount),
        money(l.platformDiscount),
        l.platformStatus,
        l.refundState,
      ]),
    ).toEqual([
      [
        '3678123456789012346',
        '612345678901',
        '4987654321012',
        'TEA-100-250G',
        '西湖龙井 明前特级',
        '净含量:250g',
        2,
        '128.00',
        '256.00',
        '35.73',
        '0.00',
        'WAIT_SELLER_SEND_GOODS',
        'none',
      ],
      [
        '3678123456789012347',
        '612345678902',
        '4987654321099',
        'CUP-01-WHITE',
        '青瓷品茗杯',
        '颜色分类:白',
        1,
        '59.90',
        '59.90',
        '9.27',
        '0.00',
        'WAIT_SELLER_SEND_GOODS',
        'none',
      ],
    ])
    const t = d.totals
    expect(
      [t.goods, t.platformDiscount, t.merchantDiscount, t.shipping, t.tax, t.buyerPaid].map(money),
    ).toEqual(['315.90', '8.00', '45.00', '10.00', '0.00', '272.90'])
    expect([d.orderLevel.platformDiscount, d.orderLevel.merchantDiscount].map(money)).toEqual([
      '8.00',
      '0.00',
    ])
    expect(t.goods.minus(t.platformDiscount).minus(t.merchantDiscount).plus(t.shipping).eq(t.buyerPaid)).toBe(
      true,
    )
    expect(d.receiver).toEqual({
      name: '张**',
      phone: '138****5678',
      country: 'CN',
      province: '浙江省',
      city: '杭州市',
      district: '余杭区',
      town: '五常街道',
      address: '**路**号',
      postcode: '311100',
      masked: true,
      privacyRef: { oaid: tradeMultiLine.oaid },
    })
  })

  it('maps a trade closed before payment', () => {
    const d = ok(taobao.mapOrder(tradeCancelled))
    expect(d).toMatchObject({
      externalId: '3678123456789012400',
      status: 'cancelled',
      platformStatus: 'TRADE_CLOSED_BY_TAOBAO',
      refundState: 'none',
      paidAt: null,
      shippedAt: null,
    })
    expect(d.receiver).toMatchObject({ city: '济源市', district: '济源市', masked: true, privacyRef: null })
    expect(d.lines).toHaveLength(1)
    expect(d.lines[0]).toMatchObject({
      externalLineId: '3678123456789012400',
      platformSkuId: null,
      outerCode: 'MUG-9',
      platformStatus: 'TRADE_CLOSED_BY_TAOBAO',
    })
    expect([d.totals.goods, d.totals.merchantDiscount, d.totals.buyerPaid].map(money)).toEqual([
      '99.00',
      '0.00',
      '99.00',
    ])
  })

  it('maps a trade refunded in full after shipment (wrapped order list)', () => {
    const d = ok(taobao.mapOrder(tradeRefundedAfterShipment))
    expect(d).toMatchObject({
      externalId: '3678123456789012555',
      status: 'cancelled',
      platformStatus: 'TRADE_CLOSED',
      refundState: 'refunded',
    })
    expect(d.shippedAt?.toISOString()).toBe('2026-11-10T07:30:00.000Z')
    const [line] = d.lines
    expect([
      line!.externalLineId,
      line!.quantity,
      money(line!.goodsAmount),
      money(line!.merchantDiscount),
      line!.refundState,
      line!.refundedQuantity,
      money(line!.refundedAmount),
    ]).toEqual(['3678123456789012555', 1, '199.00', '10.00', 'refunded', 1, '189.00'])
    expect(
      [d.totals.goods, d.totals.merchantDiscount, d.totals.shipping, d.totals.buyerPaid].map(money),
    ).toEqual(['199.00', '10.00', '0.00', '189.00'])
  })

  it('puts an order-level discount the platform did not allocate into orderLevel', () => {
    const orders = tradeMultiLine.orders.map(({ part_mjz_discount: _p, divide_order_fee: _d, ...o }) => o)
    const d = ok(taobao.mapOrder({ ...tradeMultiLine, orders }))
    expect([d.orderLevel.merchantDiscount, d.totals.merchantDiscount].map(money)).toEqual(['20.00', '45.00'])
  })

  it('reports malformed payloads instead of throwing', () => {
    const bad = [
      [null, 'trade must be an object'],
      [{ ...tradeMultiLine, status: 'WEIRD' }, 'unknown trade status'],
      [{ ...tradeMultiLine, payment: 272.9 }, 'payment must be a yuan amount'],
      [{ ...tradeMultiLine, modified: '20/11/2026' }, 'modified'],
      [{ ...tradeMultiLine, orders: [] }, 'orders'],
      [
        { ...tradeMultiLine, orders: [{ ...tradeMultiLine.orders[0], total_fee: '237.00' }] },
        'total_fee 237.00',
      ],
      [
        { ...tradeMultiLine, orders: [{ ...tradeMultiLine.orders[0], refund_status: 'MAYBE' }] },
        'refund_status',
      ],
    ] as const
    for (const [payload, detail] of bad) {
      const r = taobao.mapOrder(payload)
      expect(r).toMatchObject({ ok: false, reason: 'malformed_payload' })
      expect(r.ok ? '' : r.detail).toContain(detail)
    }
  })

  it('maps refunds to RefundDraft', () => {
    const r = ok(taobao.mapRefund!(refundSuccess))
    expect(r).toMatchObject({
      externalRefundId: '74125896321458796',
      orderExternalId: '3678123456789012555',
      status: 'refunded',
      platformStatus: 'SUCCESS',
      currency: 'CNY',
      reason: '七天无理由退换货 — 不想要了',
      returnGoods: true,
    })
    expect(money(r.amount)).toBe('189.00')
    expect(r.lines.map((l) => [l.externalLineId, l.quantity, money(l.amount)])).toEqual([
      ['3678123456789012555', 1, '189.00'],
    ])
    expect([r.createdAt.toISOString(), r.platformUpdatedAt.toISOString()]).toEqual([
      '2026-11-15T01:00:00.000Z',
      '2026-11-18T03:20:00.000Z',
    ])
    const q = ok(taobao.mapRefund!(refundRequested))
    expect(q).toMatchObject({ status: 'requested', returnGoods: false })
    expect(q.lines.map((l) => [l.externalLineId, l.quantity, money(l.amount)])).toEqual([
      ['3678123456789012347', 0, '20.00'],
    ])
    expect(taobao.mapRefund!({ ...refundSuccess, refund_fee: 'abc' })).toMatchObject({
      ok: false,
      reason: 'malformed_payload',
    })
  })
})

/**
 * A small TOP gateway: checks every signature, answers increment.get from `trades` (newest first,
 * start ≤ modified ≤ end like the gateway, so the connector's own [from, to) filter is exercised),
 * fullinfo.get by tid, and records every request.
 */
function fakeGateway(trades: { tid: string; modified: string }[]) {
  const requests: Form[] = []
  nock(GW)
    .persist()
    .post(PATH)
    .reply((_uri, body) => {
      const b = form(body)
      requests.push(b)
      if (!signed(b)) return [200, topError(25, 'Invalid signature')]
      if (b.method === 'taobao.trades.sold.increment.get') {
        const from = fromShanghai(b.start_modified)!.getTime()
        const to = fromShanghai(b.end_modified)!.getTime()
        if (to - from > 24 * 3600_000)
          return [
            200,
            topError(
              41,
              'Invalid arguments',
              'isv.invalid-parameter',
              'end_modified - start_modified > 1 day',
            ),
          ]
        const hits = trades
          .filter(
            (t) => fromShanghai(t.modified)!.getTime() >= from && fromShanghai(t.modified)!.getTime() <= to,
          )
          .sort((a, c) => c.modified.localeCompare(a.modified))
        const size = Number(b.page_size)
        const page = hits.slice((Number(b.page_no) - 1) * size, Number(b.page_no) * size)
        const list = {
          trades: page.map((t) => ({ tid: t.tid, status: 'WAIT_SELLER_SEND_GOODS', modified: t.modified })),
        }
        const tail =
          b.use_has_next === 'true'
            ? { has_next: Number(b.page_no) * size < hits.length }
            : { total_results: hits.length }
        return [
          200,
          wire({ ...list, ...tail, request_id: 'r' }),
          { 'content-type': 'application/json;charset=UTF-8' },
        ]
      }
      if (b.method === 'taobao.trade.fullinfo.get') {
        const t = trades.find((x) => x.tid === b.tid)!
        return [
          200,
          wire({ trade: { ...tradeMultiLine, tid: t.tid, tid_str: t.tid, modified: t.modified } }),
          { 'content-type': 'application/json;charset=UTF-8' },
        ]
      }
      return [200, topError(22, 'Invalid method')]
    })
  return requests
}

const tidN = (n: number) => `36781234567${String(n).padStart(8, '0')}`
describe('incremental pull (§1.4)', () => {
  it('splits a 36-hour window at the 1-day cap and pulls every trade exactly once', async () => {
    // Beijing times; the window is [2026-11-19 00:00, 2026-11-20 12:00) Beijing.
    const trades = [
      { tid: tidN(1), modified: '2026-11-18 23:59:59' }, // before the window
      { tid: tidN(2), modified: '2026-11-19 00:00:00' }, // at its start
      { tid: tidN(3), modified: '2026-11-19 18:30:00' },
      { tid: tidN(4), modified: '2026-11-20 00:00:00' }, // at the piece boundary: the second piece only
      { tid: tidN(5), modified: '2026-11-20 11:59:59' },
      { tid: tidN(6), modified: '2026-11-20 12:00:00' }, // at the exclusive end
    ]
    const requests = fakeGateway(trades)
    const window = { from: fromShanghai('2026-11-19 00:00:00')!, to: fromShanghai('2026-11-20 12:00:00')! }
    const pages = await collect(taobao.pullOrders(shop, window))
    const ids = pages.flatMap((p) => p.items.map((i) => i.externalId))
    expect(ids.sort()).toEqual([tidN(2), tidN(3), tidN(4), tidN(5)])
    expect(pages.map((p) => toShanghai(p.coveredUntil))).toEqual([
      '2026-11-20 00:00:00',
      '2026-11-20 12:00:00',
    ])
    const windows = requests
      .filter((r) => r.method === 'taobao.trades.sold.increment.get')
      .map((r) => [r.start_modified, r.end_modified])
    expect(new Set(windows.map((w) => w.join(' → ')))).toEqual(
      new Set(['2026-11-19 00:00:00 → 2026-11-20 00:00:00', '2026-11-20 00:00:00 → 2026-11-20 12:00:00']),
    )
    expect(
      requests.every(
        (r) =>
          r.session === SESSION &&
          r.app_key === '12345678' &&
          r.simplify === 'true' &&
          r.timestamp === '2026-11-20 20:00:00',
      ),
    ).toBe(true)
    // The item is the full trade with its 19-digit id intact (sent as a bare JSON number).
    const first = pages.flatMap((p) => p.items).find((i) => i.externalId === tidN(3))!
    expect((first.payload as { tid: unknown }).tid).toBe(tidN(3))
    expect(first.platformUpdatedAt.toISOString()).toBe('2026-11-19T10:30:00.000Z')
  })

  it('counts, then pages from the last page back to the first, advancing the cursor only at the end', async () => {
    const trades = Array.from({ length: 230 }, (_, i) => ({
      tid: tidN(100 + i),
      modified: `2026-11-20 10:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`,
    }))
    const requests = fakeGateway(trades)
    const window = { from: fromShanghai('2026-11-20 10:00:00')!, to: fromShanghai('2026-11-20 11:00:00')! }
    const pages = await collect(taobao.pullOrders(shop, window))
    const lists = requests.filter((r) => r.method === 'taobao.trades.sold.increment.get')
    expect(lists.map((r) => [r.page_no, r.page_size, r.use_has_next ?? null, r.fields])).toEqual([
      ['1', '1', null, 'tid'],
      ['3', String(PAGE_SIZE), 'true', 'tid,status,modified'],
      ['2', String(PAGE_SIZE), 'true', 'tid,status,modified'],
      ['1', String(PAGE_SIZE), 'true', 'tid,status,modified'],
    ])
    expect(pages.map((p) => [p.items.length, toShanghai(p.coveredUntil)])).toEqual([
      [30, '2026-11-20 10:00:00'],
      [100, '2026-11-20 10:00:00'],
      [100, '2026-11-20 11:00:00'],
    ])
    expect(new Set(pages.flatMap((p) => p.items.map((i) => i.externalId))).size).toBe(230)
    expect(requests.filter((r) => r.method === 'taobao.trade.fullinfo.get')).toHaveLength(230)
  })

  it('halves a piece deeper than the page-depth limit instead of truncating it', async () => {
    // A fake call function (no HTTP): 250 trades in one hour, a depth limit of 1 page.
    const from = fromShanghai('2026-11-20 10:00:00')!
    const all = Array.from({ length: 250 }, (_, i) => ({
      tid: tidN(i),
      modified: toShanghai(new Date(from.getTime() + i * 14_000)),
    }))
    const counts: string[] = []
    const call: TopCall = async (_method, p = {}) => {
      const hits = all
        .filter((t) => t.modified >= p.start_modified! && t.modified <= p.end_modified!)
        .sort((a, b) => b.modified.localeCompare(a.modified))
      if (p.page_size === '1') {
        counts.push(`${p.start_modified} → ${p.end_modified}`)
        return { total_results: hits.length }
      }
      const n = Number(p.page_no)
      return { trades: hits.slice((n - 1) * 100, n * 100), has_next: n * 100 < hits.length }
    }
    const seen: string[] = []
    for await (const page of walk(call, TRADES, { from, to: new Date(from.getTime() + 3600_000) }, 1))
      seen.push(...page.items.map((t) => (t as { tid: string }).tid))
    expect(seen.sort()).toEqual(all.map((t) => t.tid).sort())
    expect(counts.length).toBeGreaterThan(1)
    expect(counts[0]).toBe('2026-11-20 10:00:00 → 2026-11-20 11:00:00')
  })

  it('reads the pages beyond the count when use_has_next says the piece grew', async () => {
    const pagesRead: string[] = []
    const call: TopCall = async (_m, p = {}) => {
      if (p.page_size === '1') return { total_results: 100 }
      pagesRead.push(p.page_no!)
      const n = Number(p.page_no)
      const trade = (i: number) => ({ tid: tidN(n * 1000 + i), modified: '2026-11-20 10:30:00' })
      return {
        trades: Array.from({ length: n === 2 ? 1 : 100 }, (_, i) => trade(i)),
        has_next: n === 1 && pagesRead.length === 1,
      }
    }
    const from = fromShanghai('2026-11-20 10:00:00')!
    const out = []
    for await (const page of walk(call, TRADES, { from, to: new Date(from.getTime() + 3600_000) }))
      out.push([page.items.length, toShanghai(page.coveredUntil)])
    expect(pagesRead).toEqual(['1', '2'])
    expect(out).toEqual([
      [100, '2026-11-20 10:00:00'],
      [1, '2026-11-20 11:00:00'],
    ])
  })

  it('pulls refunds by modified time and maps them', async () => {
    nock(GW)
      .post(PATH, (b: Form) => b.method === 'taobao.refunds.receive.get' && b.page_size === '1')
      .reply(200, wire({ total_results: 2 }))
      .post(
        PATH,
        (b: Form) =>
          b.method === 'taobao.refunds.receive.get' &&
          b.page_no === '1' &&
          b.use_has_next === 'true' &&
          (b.fields ?? '').includes('refund_fee'),
      )
      .reply(
        200,
        wire({
          refunds: { refund: [refundSuccess, { ...refundRequested, modified: '2026-11-18 12:00:00' }] },
          has_next: false,
        }),
      )
    const pages = await collect(
      taobao.pullRefunds!(shop, {
        from: fromShanghai('2026-11-18 00:00:00')!,
        to: fromShanghai('2026-11-19 00:00:00')!,
      }),
    )
    expect(pages.flatMap((p) => p.items.map((r) => [r.externalRefundId, r.orderExternalId]))).toEqual([
      ['74125896321458796', '3678123456789012555'],
      ['74125896321458800', '3678123456789012345'],
    ])
    expect(ok(taobao.mapRefund!(pages[0]!.items[0]!.payload)).status).toBe('refunded')
    expect(nock.isDone()).toBe(true)
  })
})

describe('errors (§1.3)', () => {
  const fetch = (s = shop) => taobao.fetchOrder(s, '3678123456789012345')
  const fullinfo = () => nock(GW).post(PATH, (b: Form) => b.method === 'taobao.trade.fullinfo.get')

  it('classifies every documented code through the table', () => {
    for (const [code, kind] of Object.entries(KIND_BY_CODE))
      expect(kindOfTopError({ code, msg: '', subCode: null, subMsg: null })).toBe(kind)
    expect(
      kindOfTopError({
        code: '15',
        msg: 'Remote service error',
        subCode: 'isv.item-not-exist',
        subMsg: null,
      }),
    ).toBe('permanent')
    expect(
      kindOfTopError({
        code: '50',
        msg: 'Remote service error',
        subCode: 'isp.top-remote-connection-timeout',
        subMsg: null,
      }),
    ).toBe('transient')
    expect(
      kindOfTopError({
        code: '15',
        msg: '',
        subCode: 'accesscontrol.limited-by-api-access-count',
        subMsg: null,
      }),
    ).toBe('rate_limited')
    expect(kindOfTopError({ code: '999', msg: 'new', subCode: null, subMsg: null })).toBe('permanent')
  })

  it('surfaces an app call limit as rate_limited with the ban length', async () => {
    fullinfo().reply(
      200,
      topError(
        7,
        'App Call Limited',
        'accesscontrol.limited-by-app-access-count',
        'This ban will last for 71 more seconds',
      ),
    )
    await expect(fetch()).rejects.toMatchObject({
      name: 'ConnectorError',
      kind: 'rate_limited',
      detail: { platformCode: 'accesscontrol.limited-by-app-access-count', retryAfterMs: 71_000 },
    })
  })

  it('retries an isp.* system error and an HTTP 502, then succeeds', async () => {
    fullinfo().reply(
      200,
      topError(15, 'Remote service error', 'isp.top-remote-connection-timeout', 'timeout'),
    )
    fullinfo().reply(502, 'Bad Gateway')
    fullinfo().reply(200, wire({ trade: tradeMultiLine }))
    expect((await fetch()).externalId).toBe('3678123456789012345')
    expect(nock.isDone()).toBe(true)
  })

  it('reports an invalid session as auth_expired; refreshToken returns new credentials that then work', async () => {
    fullinfo().reply(200, topError(27, 'Invalid session', 'invalid-sessionkey', 'session expired'))
    const err: unknown = await fetch().catch((e: unknown) => e)
    expect(err).toMatchObject({ kind: 'auth_expired', detail: { platformCode: 'invalid-sessionkey' } })
    expect((err as Error).message).not.toContain(SESSION)

    let refreshBody: Form = {}
    const token = {
      access_token: '6201a1b2c3d4e5f60718293a4b5c6d7e8f9',
      token_type: 'Bearer',
      expires_in: 86400,
      refresh_token: '6202ffeeddccbbaa99887766',
      re_expires_in: 2592000,
      taobao_user_id: '2200123456789',
      taobao_user_nick: '某某旗舰店',
    }
    nock(GW)
      .post(PATH, (b: Form) => ((refreshBody = b), b.method === 'taobao.top.auth.token.refresh'))
      // The non-simplified wrapper, token_result as a JSON string inside it.
      .reply(
        200,
        JSON.stringify({
          top_auth_token_refresh_response: { token_result: JSON.stringify(token), request_id: 'r' },
        }),
      )
    const next = await taobao.refreshToken!(shop)
    expect(refreshBody).toMatchObject({ refresh_token: 'refresh_abcdef123456' })
    expect(refreshBody).not.toHaveProperty('session')
    expect(signed(refreshBody)).toBe(true)
    expect(next).toEqual({
      appKey: '12345678',
      appSecret: SECRET,
      session: token.access_token,
      refreshToken: token.refresh_token,
      expiresAt: '2026-11-21T12:00:00.000Z',
      refreshExpiresAt: '2026-12-20T12:00:00.000Z',
    })

    fullinfo().reply(200, (_u, b) =>
      form(b).session === token.access_token
        ? wire({ trade: tradeMultiLine })
        : topError(27, 'Invalid session'),
    )
    expect((await fetch(shopWith({}, next))).externalId).toBe('3678123456789012345')
  })

  it('refuses to refresh without a refresh token', async () => {
    await expect(taobao.refreshToken!(shopWith({}, { refreshToken: undefined }))).rejects.toMatchObject({
      kind: 'auth_expired',
    })
  })

  it('keeps a business error permanent with its code and message, and never leaks the secret', async () => {
    fullinfo().reply(200, topError(41, 'Invalid Arguments', 'isv.invalid-parameter', `tid invalid ${SECRET}`))
    const err: unknown = await fetch().catch((e: unknown) => e)
    expect(err).toMatchObject({ kind: 'permanent', detail: { platformCode: 'isv.invalid-parameter' } })
    expect((err as Error).message).toContain('code 41 Invalid Arguments / isv.invalid-parameter')
    expect((err as Error).message).not.toContain(SECRET)
    fullinfo().reply(200, topError(99, 'Something new'))
    await expect(fetch()).rejects.toMatchObject({
      kind: 'permanent',
      message: expect.stringContaining('code 99 Something new'),
    })
  })

  it('turns a timeout into a transient error after the in-call retries', async () => {
    fullinfo()
      .times(4)
      .delay(300)
      .reply(200, wire({ trade: tradeMultiLine }))
    await expect(fetch(shopWith({ timeoutMs: 50 }))).rejects.toMatchObject({
      name: 'ConnectorError',
      kind: 'transient',
    })
  })

  it('keeps a malformed JSON body as a permanent error with the body', async () => {
    fullinfo().reply(200, '{"trade":{"tid":3678123456789012345,', {
      'content-type': 'application/json;charset=UTF-8',
    })
    await expect(fetch()).rejects.toMatchObject({
      kind: 'permanent',
      detail: { body: '{"trade":{"tid":3678123456789012345,' },
    })
    fullinfo().reply(200, '<html>maintenance</html>', { 'content-type': 'text/html' })
    await expect(fetch()).rejects.toMatchObject({
      kind: 'permanent',
      detail: { body: '<html>maintenance</html>' },
    })
  })

  it('verifies credentials with one cheap authenticated call', async () => {
    let body: Form = {}
    nock(GW)
      .post(PATH, (b: Form) => ((body = b), true))
      .reply(200, wire({ trades: [], total_results: 0 }))
    await taobao.verifyCredentials(shop)
    expect(body).toMatchObject({
      method: 'taobao.trades.sold.increment.get',
      page_size: '1',
      session: SESSION,
      start_modified: '2026-11-20 19:58:00',
      end_modified: '2026-11-20 19:59:00',
    })
  })
})

describe('stock push (§1.7)', () => {
  it('sends absolute quantities (type=1) per item, 20 SKUs per call, and item-level stock for items without SKUs', async () => {
    const bodies: Form[] = []
    nock(GW)
      .persist()
      .post(PATH, (b: Form) => (bodies.push(b), true))
      .reply(200, (_u, b) =>
        form(b).num_iid === '612345678999'
          ? topError(15, 'Remote service error', 'isv.item-not-exist', 'item not found')
          : wire({ item: { num_iid: 612345678901, modified: '2026-11-20 20:00:00' } }),
      )
    const skus = Array.from({ length: 21 }, (_, i) => ({
      platformItemId: '612345678901',
      platformSkuId: String(4987654321000 + i),
      quantity: i,
    }))
    const out = await taobao.pushStock(shop, [
      ...skus,
      { platformItemId: '612345678903', platformSkuId: '612345678903', quantity: 5 },
      { platformItemId: '612345678999', platformSkuId: '612345678999', quantity: 1 },
      { platformItemId: '612345678901', platformSkuId: '1', quantity: -1 },
    ])
    const skuCalls = bodies.filter((b) => b.method === 'taobao.skus.quantity.update')
    expect(skuCalls.map((b) => [b.num_iid, b.type, b.skuid_quantities!.split(';').length])).toEqual([
      ['612345678901', '1', 20],
      ['612345678901', '1', 1],
    ])
    expect(skuCalls[0]!.skuid_quantities!.startsWith('4987654321000:0;4987654321001:1;')).toBe(true)
    expect(skuCalls[1]!.skuid_quantities).toBe('4987654321020:20')
    expect(
      bodies
        .filter((b) => b.method === 'taobao.item.quantity.update')
        .map((b) => [b.num_iid, b.quantity, b.type]),
    ).toEqual([
      ['612345678903', '5', '1'],
      ['612345678999', '1', '1'],
    ])
    expect(bodies.every((b) => signed(b))).toBe(true)
    expect(out.filter((o) => o.ok)).toHaveLength(22)
    expect(out.filter((o) => !o.ok).map((o) => [o.platformSkuId, o.kind])).toEqual([
      ['612345678999', 'permanent'],
      ['1', 'permanent'],
    ])
  })
})

describe('shipment writeback (§1.8)', () => {
  const base = {
    orderExternalId: '3678123456789012345',
    trackingNumber: 'SF1234567890123',
    shippedAt: new Date('2026-11-20T12:00:00Z'),
  }
  const capture = (answer: unknown = { shipping: { is_success: true } }) => {
    const bodies: Form[] = []
    nock(GW)
      .post(PATH, (b: Form) => (bodies.push(b), b.method === 'taobao.logistics.offline.send'))
      .reply(200, wire(answer))
    return bodies
  }

  it('sends the whole trade with the carrier table code', async () => {
    const bodies = capture()
    await taobao.pushShipment(shop, { ...base, lineExternalIds: [], carrier: 'SF' })
    expect(bodies[0]).toMatchObject({
      tid: '3678123456789012345',
      out_sid: 'SF1234567890123',
      company_code: 'SF',
    })
    expect(bodies[0]).not.toHaveProperty('is_split')
  })

  it('sends a split parcel with sub_tid and is_split=1', async () => {
    const bodies = capture()
    await taobao.pushShipment(shop, {
      ...base,
      lineExternalIds: ['3678123456789012346'],
      carrier: 'JT',
      trackingNumber: 'JT0001234567890',
    })
    expect(bodies[0]).toMatchObject({
      tid: '3678123456789012345',
      company_code: 'JTSD',
      is_split: '1',
      sub_tid: '3678123456789012346',
      out_sid: 'JT0001234567890',
    })
  })

  it('lets shop settings override the table, also for OTHER by name', async () => {
    const s = shopWith({ carrierCodes: { YUNDA: 'YDKD', 德邦快递: 'DBKD' } })
    let bodies = capture()
    await taobao.pushShipment(s, { ...base, lineExternalIds: [], carrier: 'YUNDA' })
    expect(bodies[0]!.company_code).toBe('YDKD')
    bodies = capture()
    await taobao.pushShipment(s, { ...base, lineExternalIds: [], carrier: 'OTHER', carrierName: '德邦快递' })
    expect(bodies[0]!.company_code).toBe('DBKD')
  })

  it('fails permanently for a carrier without a code, before any call', async () => {
    expect(TAOBAO_CARRIER_CODES.UPS).toBeNull()
    await expect(
      taobao.pushShipment(shop, { ...base, lineExternalIds: [], carrier: 'UPS' }),
    ).rejects.toMatchObject({ kind: 'permanent', message: expect.stringContaining('settings.carrierCodes') })
  })

  it('treats an unconfirmed shipment as permanent', async () => {
    capture({ shipping: { is_success: false } })
    await expect(
      taobao.pushShipment(shop, { ...base, lineExternalIds: [], carrier: 'ZTO' }),
    ).rejects.toMatchObject({ kind: 'permanent' })
  })
})

describe('settings', () => {
  it('validates the shop settings', () => {
    expect(settingsProblems(taobao.settingsSchema, {})).toEqual([])
    expect(
      settingsProblems(taobao.settingsSchema, {
        baseUrl: 'https://gw.api.tbsandbox.com/router/rest',
        signMethod: 'hmac-sha256',
        carrierCodes: { SF: 'SF' },
        timeoutMs: 5000,
      }),
    ).toEqual([])
    expect(
      settingsProblems(taobao.settingsSchema, {
        baseUrl: 'nope',
        signMethod: 'sha1',
        carrierCodes: { SF: 1 },
        timeoutMs: -1,
      }),
    ).toHaveLength(4)
  })
})
