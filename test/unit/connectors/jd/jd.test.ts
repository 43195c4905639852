import { createHash } from 'node:crypto'
import nock from 'nock'
import { describe, expect, it } from 'vitest'
import { CARRIER_CODES, jd, logiCoprId, MAX_PAGES, PAGE_SIZE } from '../../../../connectors/jd/index.js'
import {
  classifyJd,
  GATEWAY_CODE_KIND,
  JdLong,
  paramJson,
  signedForm,
} from '../../../../connectors/jd/client.js'
import { COUPON_FUNDER, ORDER_STATUS, REFUND_STATUS } from '../../../../connectors/jd/map.js'
import { ConnectorError } from '../../../../connectors/errors.js'
import type { RawPage, RawRefund, ShopContext } from '../../../../connectors/types.js'
import { fixedClock } from '../../../../src/lib/clock.js'
import { createLogger } from '../../../../src/lib/logger.js'
import {
  jdCancelled,
  jdInterceptedAfterShipment,
  jdMultiLine,
  jdRefundIntercepted,
  jdRefundPending,
  searchAnswer,
  wire,
} from '../../../fixtures/jd/orders.js'
import { drain as collect } from '../../../helpers/connectors.js'
import { describeProblem, settingsProblems } from '../../../../connectors/settings.js'

const GATEWAY = 'https://jd.test'
const OAUTH = 'https://oauth.jd.test'
const SECRET = 'app-secret-0123456789'
const TOKEN = 'token-abcdef-123456'

function shopWith(
  settings: Record<string, unknown> = {},
  credentials: Record<string, unknown> = {},
): ShopContext {
  return {
    id: 'shop-jd',
    merchantId: 'm',
    channel: 'jd',
    settings: { baseUrl: `${GATEWAY}/routerjson`, oauthUrl: OAUTH, timeoutMs: 1000, ...settings },
    credentials: {
      appKey: 'APPKEY01',
      appSecret: SECRET,
      accessToken: TOKEN,
      refreshToken: 'refresh-9876543210',
      ...credentials,
    },
    clock: fixedClock('2026-11-20T12:00:00Z'),
    log: createLogger('silent'),
    saveCredentials: async () => undefined,
  }
}
const shop = shopWith()

const ok = <T>(r: { ok: boolean; value?: T }): T => {
  if (!r.ok) throw new Error(JSON.stringify(r))
  return r.value!
}
const fmt = (d: { toFixed(n: number): string }) => d.toFixed(2)

/** Independent MD5 signature check (not the production helper): secret + Σ sorted k+v + secret. */
function expectedSign(form: Record<string, string>): string {
  const base = Object.keys(form)
    .filter((k) => k !== 'sign')
    .sort()
    .map((k) => `${k}${form[k]}`)
    .join('')
  return createHash('md5').update(`${SECRET}${base}${SECRET}`, 'utf8').digest('hex').toUpperCase()
}

interface JdRequest {
  form: Record<string, string>
  method: string
  param: Record<string, unknown>
  paramText: string
}
function parse(body: unknown): JdRequest {
  const form =
    typeof body === 'string'
      ? Object.fromEntries(new URLSearchParams(body))
      : (body as Record<string, string>)
  const paramText = form['360buy_param_json'] ?? '{}'
  return {
    form,
    method: form.method ?? '',
    param: JSON.parse(paramText) as Record<string, unknown>,
    paramText,
  }
}

/** A fake JOS gateway: checks every signature and answers through `handler`. */
function gateway(handler: (req: JdRequest) => string | [number, string], times = 50) {
  const seen: JdRequest[] = []
  nock(GATEWAY)
    .post('/routerjson')
    .times(times)
    .reply((_uri, body) => {
      const req = parse(body)
      seen.push(req)
      if (req.form.sign !== expectedSign(req.form))
        return [
          200,
          JSON.stringify({
            error_response: { code: '12', zh_desc: '无效签名', en_desc: 'Invalid Signature' },
          }),
        ]
      const out = handler(req)
      return Array.isArray(out) ? out : [200, out, { 'content-type': 'application/json;charset=UTF-8' }]
    })
  return seen
}

describe('signing (§2.2)', () => {
  it('reproduces the official worked example byte for byte', () => {
    const business =
      '{"end_date":null,"optional_fields":null,"order_state":"WAIT_SELLER_STOCK_OUT","page":"1","page_size":"200","start_date":null}'
    const form = signedForm(
      'jingdong.pop.order.search',
      business,
      { appKey: 'yourappkey', appSecret: 'yourappSecret', accessToken: 'yourtoken' },
      '2021-05-07 09:20:39.683+0800',
    )
    expect(form.sign).toBe('D70825340F4084360B9362B60DFD7930')
    expect(Object.keys(form).sort()).toEqual([
      '360buy_param_json',
      'access_token',
      'app_key',
      'method',
      'sign',
      'timestamp',
      'v',
    ])
    expect(form.v).toBe('2.0')
  })

  it('writes nested business JSON with exact long ids, Chinese text and empty values, and signs it as sent', () => {
    const business = paramJson({
      orderId: new JdLong('3219876543210987654'),
      remark: '请尽快发货',
      empty: '',
      nested: { list: [1, new JdLong('100012345678')], flag: true, none: null },
    })
    expect(business).toBe(
      '{"orderId":3219876543210987654,"remark":"请尽快发货","empty":"","nested":{"list":[1,100012345678],"flag":true,"none":null}}',
    )
    const form = signedForm(
      'jingdong.pop.order.shipment',
      business,
      { appKey: 'k', appSecret: 's', accessToken: '' },
      '2026-11-20 20:00:00',
    )
    const base = `360buy_param_json${business}access_tokenapp_keykmethodjingdong.pop.order.shipmenttimestamp2026-11-20 20:00:00v2.0`
    expect(form.sign).toBe(createHash('md5').update(`s${base}s`, 'utf8').digest('hex').toUpperCase())
    expect(form.access_token).toBe('') // an empty value is sent and signed, not dropped
  })
})

describe('mapping (§2.4)', () => {
  it('maps a multi-line order with merchant and platform discounts, freight and balance to the cent', () => {
    const d = ok(jd.mapOrder(jdMultiLine))
    expect(d).toMatchObject({
      channel: 'jd',
      externalId: '3219876543210987654',
      status: 'paid',
      platformStatus: 'WAIT_SELLER_STOCK_OUT 等待出库',
      refundState: 'none',
      currency: 'CNY',
      buyerNote: '请尽快发货',
      sellerNote: null,
      shippedAt: null,
    })
    expect(d.placedAt?.toISOString()).toBe('2026-11-20T01:58:12.000Z')
    expect(d.paidAt?.toISOString()).toBe('2026-11-20T01:58:40.000Z')
    expect(d.platformUpdatedAt.toISOString()).toBe('2026-11-20T02:05:00.000Z')
    expect(d.buyer).toEqual({ id: 'oB2x9sMvQk1lZ', nick: 'jd_7f3a****', email: null })
    expect(
      d.lines.map((l) => [
        l.externalLineId,
        l.platformItemId,
        l.platformSkuId,
        l.outerCode,
        l.title,
        l.quantity,
        fmt(l.unitPrice),
        fmt(l.goodsAmount),
        fmt(l.merchantDiscount),
        fmt(l.platformDiscount),
      ]),
    ).toEqual([
      [
        '100012345678',
        '10023456789',
        '100012345678',
        'TEA-GRN-250',
        '西湖龙井 250g 罐装',
        2,
        '199.00',
        '398.00',
        '20.00',
        '0.00',
      ],
      [
        '100087654321',
        '10023456790',
        '100087654321',
        'CUP-01',
        '玻璃茶杯 350ml',
        1,
        '59.90',
        '59.90',
        '0.00',
        '0.00',
      ],
    ])
    const t = d.totals
    expect(
      [t.goods, t.platformDiscount, t.merchantDiscount, t.shipping, t.tax, t.buyerPaid].map(fmt),
    ).toEqual(['457.90', '13.50', '35.00', '8.00', '0.00', '417.40'])
    expect(
      t.goods
        .minus(t.platformDiscount)
        .minus(t.merchantDiscount)
        .plus(t.shipping)
        .plus(t.tax)
        .eq(t.buyerPaid),
    ).toBe(true)
    expect([d.orderLevel.platformDiscount, d.orderLevel.merchantDiscount].map(fmt)).toEqual([
      '13.50',
      '15.00',
    ])
    expect(d.receiver).toEqual({
      name: '张**',
      phone: '138****5678',
      country: 'CN',
      province: '浙江',
      city: '杭州市',
      district: '西湖区',
      town: '转塘街道',
      address: '浙江杭州市西湖区转塘街道******',
      postcode: null,
      masked: true,
      privacyRef: {
        encrypt_fullname: '~AgAAAAEAJ0zU3tZBn1Rm~1~',
        encrypt_mobile: '~AgAAAAEAJ0zU5p9fJtQp~1~',
        encrypt_fullAddress: '~AgAAAAEAJ0zU7Yb0c2kX~1~',
        open_id_buyer: 'oB2x9sMvQk1lZ',
        xid_buyer: 'xid_Ab12Cd34',
      },
    })
  })

  it('maps a cash-on-delivery order cancelled before payment', () => {
    const d = ok(jd.mapOrder(jdCancelled))
    expect(d).toMatchObject({
      externalId: '3219876543210987655',
      status: 'cancelled',
      platformStatus: 'TRADE_CANCELED 取消',
      refundState: 'none',
      paidAt: null,
    })
    expect(
      [
        d.totals.goods,
        d.totals.platformDiscount,
        d.totals.merchantDiscount,
        d.totals.shipping,
        d.totals.buyerPaid,
      ].map(fmt),
    ).toEqual(['59.90', '0.00', '0.00', '6.00', '65.90'])
    expect(d.lines.map((l) => [l.externalLineId, l.quantity, fmt(l.goodsAmount)])).toEqual([
      ['100087654321', 1, '59.90'],
    ])
  })

  it('maps an order shipped, intercepted and refunded, and its refund application', () => {
    const d = ok(jd.mapOrder(jdInterceptedAfterShipment))
    expect(d).toMatchObject({
      externalId: '3219876543210987656',
      status: 'cancelled',
      refundState: 'refunded',
      shippedAt: null,
    })
    expect(d.paidAt?.toISOString()).toBe('2026-11-20T00:00:05.000Z')
    expect(d.platformUpdatedAt.toISOString()).toBe('2026-11-22T02:00:02.000Z')
    expect(
      [
        d.totals.goods,
        d.totals.platformDiscount,
        d.totals.merchantDiscount,
        d.totals.shipping,
        d.totals.buyerPaid,
      ].map(fmt),
    ).toEqual(['198.00', '2.00', '10.00', '12.00', '198.00'])
    expect([d.orderLevel.platformDiscount, d.orderLevel.merchantDiscount].map(fmt)).toEqual(['2.00', '10.00'])
    expect(
      d.lines.map((l) => [
        l.externalLineId,
        l.outerCode,
        l.quantity,
        fmt(l.unitPrice),
        fmt(l.merchantDiscount),
      ]),
    ).toEqual([['100055500001', 'TEA-RED-100', 2, '99.00', '0.00']])

    const r = ok(jd.mapRefund!(jdRefundIntercepted))
    expect(r).toMatchObject({
      externalRefundId: '1456789012',
      orderExternalId: '3219876543210987656',
      status: 'refunded',
      platformStatus: '6',
      currency: 'CNY',
      reason: '不想要了',
      lines: [],
      returnGoods: false,
    })
    expect(fmt(r.amount)).toBe('198.00')
    expect(r.createdAt.toISOString()).toBe('2026-11-21T12:15:30.000Z')
    expect(r.platformUpdatedAt.toISOString()).toBe('2026-11-22T02:00:00.000Z')
  })

  it('maps a pending refund application whose check time is empty', () => {
    const r = ok(jd.mapRefund!({ refundApplyVo: jdRefundPending }))
    expect(r).toMatchObject({ externalRefundId: '1456789013', status: 'requested', reason: '地址填写错误' })
    expect(fmt(r.amount)).toBe('417.40')
    expect(r.platformUpdatedAt.toISOString()).toBe('2026-11-20T02:30:00.000Z')
  })

  const expectedOrder: Record<keyof typeof ORDER_STATUS, string> = {
    WAIT_SELLER_STOCK_OUT: 'paid',
    WAIT_SELLER_DELIVERY: 'paid',
    WAIT_SEND_CODE: 'paid',
    POP_ORDER_PAUSE: 'paid',
    PAUSE: 'paid',
    LOCKED: 'paid',
    SEND_TO_DISTRIBUTION_CENER: 'shipped',
    DISTRIBUTION_CENTER_RECEIVED: 'shipped',
    WAIT_GOODS_RECEIVE_CONFIRM: 'shipped',
    RECEIPTS_CONFIRM: 'completed',
    FINISHED_L: 'completed',
    TRADE_CANCELED: 'cancelled',
  }
  it.each(Object.entries(expectedOrder))('orderState %s → %s', (state, unified) => {
    expect(ORDER_STATUS[state as keyof typeof ORDER_STATUS]).toBe(unified)
    expect(ok(jd.mapOrder({ ...jdMultiLine, orderState: state })).status).toBe(unified)
  })
  it('covers exactly the documented order states', () => {
    expect(Object.keys(ORDER_STATUS).sort()).toEqual(Object.keys(expectedOrder).sort())
    expect(ok(jd.mapOrder({ ...jdMultiLine, orderState: 'LOCKED' })).refundState).toBe('requested')
  })

  const expectedRefund: Record<keyof typeof REFUND_STATUS, string> = {
    '0': 'requested',
    '1': 'approved',
    '2': 'rejected',
    '3': 'refunded',
    '4': 'rejected',
    '5': 'approved',
    '6': 'refunded',
    '7': 'approved',
    '8': 'rejected',
    '9': 'refunded',
    '10': 'approved',
  }
  it.each(Object.entries(expectedRefund))('refund status %s → %s', (status, unified) => {
    expect(REFUND_STATUS[status as keyof typeof REFUND_STATUS]).toBe(unified)
    expect(ok(jd.mapRefund!({ ...jdRefundIntercepted, status })).status).toBe(unified)
  })

  it('classifies coupon types by funder; only merchant coupons naming a SKU become line discounts', () => {
    expect(
      Object.entries(COUPON_FUNDER)
        .filter(([, f]) => f === 'platform')
        .map(([c]) => c),
    ).toEqual(['34', '39', '41', '52'])
    // A platform coupon that names a SKU stays order-level.
    const d = ok(
      jd.mapOrder({
        ...jdMultiLine,
        couponDetailList: [
          {
            orderId: jdMultiLine.orderId,
            skuId: '100087654321',
            couponType: '41-京东券优惠',
            couponPrice: '13.50',
          },
        ],
      }),
    )
    expect(d.lines.map((l) => fmt(l.merchantDiscount))).toEqual(['0.00', '0.00'])
    expect(fmt(d.orderLevel.merchantDiscount)).toBe('35.00')
  })

  it('reports malformed and unsupported payloads instead of throwing', () => {
    expect(jd.mapOrder('nope')).toMatchObject({ ok: false, reason: 'malformed_payload' })
    expect(jd.mapOrder({ ...jdMultiLine, orderTotalPrice: 457.9 })).toMatchObject({
      ok: false,
      reason: 'malformed_payload',
    })
    expect(jd.mapOrder({ ...jdMultiLine, orderTotalPrice: '457.00' })).toMatchObject({
      ok: false,
      reason: 'malformed_payload',
    })
    expect(jd.mapOrder({ ...jdMultiLine, orderSellerPrice: '400.00' })).toMatchObject({
      ok: false,
      detail: 'orderSellerPrice ≠ orderTotalPrice − sellerDiscount',
    })
    expect(jd.mapOrder({ ...jdMultiLine, orderPayment: '999.00' })).toMatchObject({
      ok: false,
      reason: 'malformed_payload',
    })
    expect(
      jd.mapOrder({ ...jdMultiLine, itemInfoList: [{ ...jdMultiLine.itemInfoList[0], itemTotal: '0' }] }),
    ).toMatchObject({ ok: false })
    expect(jd.mapOrder({ ...jdMultiLine, modified: '' })).toMatchObject({
      ok: false,
      reason: 'malformed_payload',
    })
    expect(jd.mapOrder({ ...jdMultiLine, orderState: 'WAIT_BUYER_PAY' })).toMatchObject({
      ok: false,
      reason: 'unsupported',
    })
    expect(jd.mapRefund!({ ...jdRefundIntercepted, applyRefundSum: '198.00' })).toMatchObject({
      ok: false,
      reason: 'malformed_payload',
    })
    expect(jd.mapRefund!({ ...jdRefundIntercepted, status: '99' })).toMatchObject({
      ok: false,
      reason: 'unsupported',
    })
  })
})

describe('order pull (§2.4)', () => {
  const order = (id: string, modified: string) => ({ ...jdMultiLine, orderId: id, modified })

  it('splits a two-day window into days and walks a multi-page day from its last page back', async () => {
    // Day 1 (Beijing 11-19): one page. Day 2 (11-20): 120 orders' worth of total → 3 pages.
    const day1 = [
      order('3219876543210000001', '2026-11-19 08:00:00'),
      order('3219876543210000002', '2026-11-18 23:59:59'),
    ]
    const day2: Record<string, unknown[]> = {
      '1': [order('3219876543210000010', '2026-11-20 01:00:00')],
      '2': [order('3219876543210000020', '2026-11-20 02:00:00')],
      '3': [
        order('3219876543210000030', '2026-11-20 03:00:00'),
        order('3219876543210000010', '2026-11-20 01:00:00'),
      ],
    }
    const seen = gateway((req) => {
      if (req.param.start_date === '2026-11-19 00:00:00') return searchAnswer(day1)
      return searchAnswer(day2[String(req.param.page)] ?? [], 120)
    })
    const pages: RawPage[] = await collect(
      jd.pullOrders(shop, { from: new Date('2026-11-18T16:00:00Z'), to: new Date('2026-11-20T16:00:00Z') }),
    )
    const ids = pages.flatMap((p) => p.items.map((i) => i.externalId))
    expect(ids.sort()).toEqual([
      '3219876543210000001',
      '3219876543210000010',
      '3219876543210000020',
      '3219876543210000030',
    ])
    expect(pages.map((p) => p.coveredUntil.toISOString())).toEqual([
      '2026-11-19T16:00:00.000Z',
      '2026-11-19T16:00:00.000Z',
      '2026-11-19T16:00:00.000Z',
      '2026-11-20T16:00:00.000Z',
    ])
    expect(seen.map((r) => [r.method, r.param.start_date, r.param.end_date, r.param.page])).toEqual([
      ['jingdong.pop.order.enSearch', '2026-11-19 00:00:00', '2026-11-20 00:00:00', '1'],
      ['jingdong.pop.order.enSearch', '2026-11-20 00:00:00', '2026-11-21 00:00:00', '1'],
      ['jingdong.pop.order.enSearch', '2026-11-20 00:00:00', '2026-11-21 00:00:00', '3'],
      ['jingdong.pop.order.enSearch', '2026-11-20 00:00:00', '2026-11-21 00:00:00', '2'],
      ['jingdong.pop.order.enSearch', '2026-11-20 00:00:00', '2026-11-21 00:00:00', '1'],
    ])
    const first = seen[0]!
    expect(first.param).toMatchObject({
      page_size: String(PAGE_SIZE),
      dateType: 0,
      order_state: Object.keys(ORDER_STATUS).join(','),
    })
    expect(String(first.param.optional_fields)).toContain('couponDetailList')
    expect(first.form).toMatchObject({
      app_key: 'APPKEY01',
      access_token: TOKEN,
      v: '2.0',
      timestamp: '2026-11-20 20:00:00',
    })
    expect(pages[0]!.items[0]!.platformUpdatedAt.toISOString()).toBe('2026-11-19T00:00:00.000Z')
  })

  it('halves a day whose total is deeper than the page limit instead of paging past it', async () => {
    const deep = PAGE_SIZE * MAX_PAGES + 1
    const seen = gateway((req) => {
      const start = String(req.param.start_date)
      if (start === '2026-11-20 00:00:00' && req.param.end_date === '2026-11-21 00:00:00')
        return searchAnswer([], deep)
      return searchAnswer(
        [
          order(
            start === '2026-11-20 00:00:00' ? '3219876543210000100' : '3219876543210000200',
            start.replace('00:00:00', '00:30:00').replace('12:00:00', '12:30:00'),
          ),
        ],
        1,
      )
    })
    const pages = await collect(
      jd.pullOrders(shop, { from: new Date('2026-11-19T16:00:00Z'), to: new Date('2026-11-20T16:00:00Z') }),
    )
    expect(seen.map((r) => [r.param.start_date, r.param.end_date])).toEqual([
      ['2026-11-20 00:00:00', '2026-11-21 00:00:00'],
      ['2026-11-20 00:00:00', '2026-11-20 12:00:00'],
      ['2026-11-20 12:00:00', '2026-11-21 00:00:00'],
    ])
    expect(pages.flatMap((p) => p.items.map((i) => i.externalId))).toEqual([
      '3219876543210000100',
      '3219876543210000200',
    ])
    expect(pages.map((p) => p.coveredUntil.toISOString())).toEqual([
      '2026-11-20T04:00:00.000Z',
      '2026-11-20T16:00:00.000Z',
    ])
  })

  it('checks credentials with a one-minute, one-row search and fetches one order exactly', async () => {
    const seen = gateway((req) =>
      req.method === 'jingdong.pop.order.enGet'
        ? wire({
            jingdong_pop_order_enGet_responce: {
              code: '0',
              orderDetailInfo: { orderInfo: jdMultiLine, apiResult: { success: true } },
            },
          })
        : searchAnswer([]),
    )
    await jd.verifyCredentials(shop)
    expect(seen[0]!.param).toMatchObject({
      start_date: '2026-11-20 19:59:00',
      end_date: '2026-11-20 20:00:00',
      page_size: '1',
    })
    const raw = await jd.fetchOrder(shop, '3219876543210987654')
    expect(raw.externalId).toBe('3219876543210987654')
    expect(seen[1]!.paramText).toContain('"order_id":3219876543210987654')
  })
})

describe('errors (§2.3)', () => {
  const window = { from: new Date('2026-11-20T02:00:00Z'), to: new Date('2026-11-20T03:00:00Z') }
  const pull = () => collect(jd.pullOrders(shop, window))
  const gatewayError = (code: string, zh: string) =>
    JSON.stringify({ error_response: { code, zh_desc: zh, en_desc: 'x' } })

  it('maps gateway codes to the four kinds', () => {
    const res = (json: unknown) => ({
      status: 200,
      headers: {},
      bytes: Buffer.from(JSON.stringify(json)),
      text: JSON.stringify(json),
      json,
    })
    const kinds = ['2', '19', '66', '43', '12', '999'].map(
      (code) => classifyJd(res({ error_response: { code, zh_desc: 'd' } }))?.kind,
    )
    expect(kinds).toEqual([
      'rate_limited',
      'auth_expired',
      'transient',
      'transient',
      'permanent',
      'permanent',
    ])
    expect(
      Object.values(GATEWAY_CODE_KIND).every((k) =>
        ['rate_limited', 'transient', 'auth_expired', 'permanent'].includes(k),
      ),
    ).toBe(true)
    expect(
      classifyJd(
        res({
          jingdong_x_responce: {
            code: '0',
            r: { apiResult: { success: false, chineseErrCode: '系统繁忙', numberCode: 500 } },
          },
        }),
      )?.kind,
    ).toBe('transient')
    expect(classifyJd(res({ jingdong_x_responce: { code: '0', r: { success: true } } }))).toBeNull()
  })

  it('hands a rate limit to the job layer without retrying inline', async () => {
    const seen = gateway(() => gatewayError('2', '限制时间内调用失败次数'), 1)
    await expect(pull()).rejects.toMatchObject({
      kind: 'rate_limited',
      detail: { platformCode: '2', retryAfterMs: 60_000 },
    })
    expect(seen).toHaveLength(1)
  })

  it('retries a backend outage (code 66) and an HTTP 502, then succeeds', async () => {
    let n = 0
    gateway(
      () =>
        ++n === 1
          ? gatewayError('66', '平台连接后端服务不可用')
          : n === 2
            ? [502, 'Bad Gateway']
            : searchAnswer([jdMultiLine]),
      3,
    )
    const pages = await pull()
    expect(pages.flatMap((p) => p.items.map((i) => i.externalId))).toEqual(['3219876543210987654'])
    expect(n).toBe(3)
  })

  it('reports an expired token as auth_expired, and refreshToken returns new credentials', async () => {
    gateway(() => gatewayError('19', '无效access_token'), 1)
    await expect(pull()).rejects.toMatchObject({ kind: 'auth_expired', detail: { platformCode: '19' } })
    const time = 1795600000000
    nock(OAUTH)
      .get('/oauth2/refresh_token')
      .query({
        app_key: 'APPKEY01',
        app_secret: SECRET,
        grant_type: 'refresh_token',
        refresh_token: 'refresh-9876543210',
      })
      .reply(200, {
        access_token: 'new-token-111',
        expires_in: 31536000,
        refresh_token: 'new-refresh-222',
        scope: 'snsapi_base',
        open_id: 'oPEN1',
        uid: '123',
        time,
        token_type: 'bearer',
        code: 0,
      })
    const next = await jd.refreshToken!(shop)
    expect(next).toEqual({
      appKey: 'APPKEY01',
      appSecret: SECRET,
      accessToken: 'new-token-111',
      refreshToken: 'new-refresh-222',
      expiresAt: new Date(time + 31536000 * 1000).toISOString(),
      openId: 'oPEN1',
    })
  })

  it('treats a refused refresh as permanent without leaking the secrets', async () => {
    nock(OAUTH)
      .get('/oauth2/refresh_token')
      .query(true)
      .reply(200, { code: 1005, msg: `refresh_token refresh-9876543210 is invalid` })
    const err = await jd.refreshToken!(shop).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ConnectorError)
    expect(err).toMatchObject({ kind: 'permanent', detail: { platformCode: '1005' } })
    expect(JSON.stringify(err) + (err as Error).message).not.toContain('refresh-9876543210')
  })

  it('reports an unknown code as permanent with its code and message, secrets redacted', async () => {
    gateway(() => gatewayError('12345', `参数错误 ${TOKEN}`), 1)
    const err = (await pull().catch((e: unknown) => e)) as ConnectorError
    expect(err).toMatchObject({ kind: 'permanent', detail: { platformCode: '12345' } })
    expect(err.message).toContain('12345')
    expect(err.message).toContain('参数错误')
    expect(err.message + (err.detail.body ?? '')).not.toContain(TOKEN)
  })

  it('times out as a transient error after its in-call retries', async () => {
    const slow = shopWith({ timeoutMs: 30 })
    nock(GATEWAY).post('/routerjson').times(3).delay(300).reply(200, searchAnswer([]))
    await expect(collect(jd.pullOrders(slow, window))).rejects.toMatchObject({ kind: 'transient' })
  })

  it('keeps a malformed JSON body as a permanent error, and a non-JSON page too', async () => {
    const broken =
      '{"jingdong_pop_order_enSearch_responce":{"code":"0","searchorderinfo_result":{"orderInfoList":[{"orderId":3219'
    nock(GATEWAY).post('/routerjson').reply(200, broken, { 'content-type': 'application/json' })
    await expect(pull()).rejects.toMatchObject({ kind: 'permanent', detail: { body: broken } })
    nock(GATEWAY).post('/routerjson').reply(200, '<html>维护中</html>', { 'content-type': 'text/html' })
    await expect(pull()).rejects.toMatchObject({ kind: 'permanent', detail: { body: '<html>维护中</html>' } })
  })
})

describe('stock, shipment and refunds (§2.5)', () => {
  it('pushes absolute stock per SKU and stops calling once the token is refused', async () => {
    let n = 0
    const seen = gateway(
      () =>
        ++n === 2
          ? JSON.stringify({ error_response: { code: '19', zh_desc: '无效access_token' } })
          : JSON.stringify({ jingdong_stock_write_updateSkuStock_responce: { code: '0', success: true } }),
      2,
    )
    const out = await jd.pushStock(shop, [
      { platformSkuId: '100012345678', quantity: 7 },
      { platformSkuId: '100087654321', quantity: 0, locationId: '12' },
      { platformSkuId: '100055500001', quantity: 3 },
      { platformSkuId: 'not-a-sku', quantity: 1 },
    ])
    expect(seen.map((r) => [r.method, r.paramText])).toEqual([
      ['jingdong.stock.write.updateSkuStock', '{"skuId":100012345678,"stockNum":7}'],
      ['jingdong.stock.write.updateSkuStock', '{"skuId":100087654321,"stockNum":0,"storeId":12}'],
    ])
    expect(out.map((o) => [o.platformSkuId, o.ok, o.quantity, o.kind ?? null])).toEqual([
      ['100012345678', true, 7, null],
      ['100087654321', false, 0, 'auth_expired'],
      ['100055500001', false, 3, 'auth_expired'],
      ['not-a-sku', false, 1, 'auth_expired'],
    ])
  })

  it('writes a shipment back with the carrier id, honouring shop overrides, and refuses a carrier without one', async () => {
    const seen = gateway(
      () =>
        JSON.stringify({
          jingdong_pop_order_shipment_responce: {
            code: '0',
            sopjosshipment_result: { success: true, chineseErrCode: '', errorCode: '' },
          },
        }),
      2,
    )
    const s = {
      orderExternalId: '3219876543210987654',
      lineExternalIds: [],
      trackingNumber: 'SF1234567890123',
      shippedAt: new Date(),
    }
    await jd.pushShipment(shop, { ...s, carrier: 'SF' })
    await jd.pushShipment(shopWith({ carrierCodes: { ZTO: '9999' } }), {
      ...s,
      carrier: 'ZTO',
      trackingNumber: '7301234',
    })
    expect(seen.map((r) => [r.method, r.paramText])).toEqual([
      [
        'jingdong.pop.order.shipment',
        '{"orderId":3219876543210987654,"logiCoprId":"467","logiNo":"SF1234567890123"}',
      ],
      [
        'jingdong.pop.order.shipment',
        '{"orderId":3219876543210987654,"logiCoprId":"9999","logiNo":"7301234"}',
      ],
    ])
    await expect(jd.pushShipment(shop, { ...s, carrier: 'JT' })).rejects.toMatchObject({
      kind: 'permanent',
      message: expect.stringContaining('carrierCodes.JT'),
    })
    expect(logiCoprId({ carrierCodes: { 安能: '4832' } }, { carrier: 'OTHER', carrierName: '安能' })).toBe(
      '4832',
    )
    expect((['SF', 'ZTO', 'YTO', 'YUNDA', 'STO', 'EMS', 'JD'] as const).map((c) => CARRIER_CODES[c])).toEqual(
      ['467', '1499', '463', '1327', '470', '465', '2087'],
    )
  })

  it("writes a waybill from the shop's own JD 无界 account back by its providerCode when the shop maps it", () => {
    // 无界 providerCodes follow the carriers' own codes: a known one ships with the carrier's logiCoprId.
    expect(logiCoprId({}, { carrier: 'ZTO', companyCode: 'ZTO' })).toBe('1499')
    // The shop's id for that providerCode wins over its id for the carrier and over the table.
    expect(
      logiCoprId({ carrierCodes: { ZTOKY: '5001', ZTO: '9999' } }, { carrier: 'ZTO', companyCode: 'ZTOKY' }),
    ).toBe('5001')
    // A providerCode the hub folds into OTHER needs the shop's id, and the error says which key to set.
    expect(
      logiCoprId(
        { carrierCodes: { HTKY: '3460' } },
        { carrier: 'OTHER', carrierName: 'HTKY', companyCode: 'HTKY' },
      ),
    ).toBe('3460')
    expect(() => logiCoprId({}, { carrier: 'OTHER', carrierName: 'HTKY', companyCode: 'HTKY' })).toThrow(
      'carrierCodes.HTKY',
    )
    // J&T has no JD id the hub trusts: it fails before calling JD, naming the setting.
    expect(() => logiCoprId({}, { carrier: 'JT', companyCode: 'JTSD' })).toThrow('carrierCodes.JT')
  })

  it('surfaces a refused shipment (success=false) as permanent', async () => {
    gateway(
      () =>
        JSON.stringify({
          jingdong_pop_order_shipment_responce: {
            code: '0',
            sopjosshipment_result: {
              success: false,
              errorCode: '10400001',
              chineseErrCode: '订单状态不正确',
            },
          },
        }),
      1,
    )
    await expect(
      jd.pushShipment(shop, {
        orderExternalId: '3219876543210987654',
        lineExternalIds: [],
        carrier: 'SF',
        trackingNumber: 'SF1',
        shippedAt: new Date(),
      }),
    ).rejects.toMatchObject({
      kind: 'permanent',
      detail: { platformCode: '10400001' },
    })
  })

  it('pulls refund applications by apply time and by check time, each version once', async () => {
    const seen = gateway((req) => {
      const rows =
        'applyTimeStart' in req.param ? [jdRefundPending, jdRefundIntercepted] : [jdRefundIntercepted]
      return wire({
        jingdong_pop_afs_soa_refundapply_queryPageList_responce: {
          code: '0',
          queryResult: { success: true, result: rows, totalCount: rows.length },
        },
      })
    })
    const pages: RawPage<RawRefund>[] = await collect(
      jd.pullRefunds!(shop, { from: new Date('2026-11-19T16:00:00Z'), to: new Date('2026-11-22T16:00:00Z') }),
    )
    expect(
      seen
        .filter(
          (r) =>
            r.param.applyTimeStart === '2026-11-22 00:00:00' ||
            r.param.checkTimeStart === '2026-11-22 00:00:00',
        )
        .map((r) => r.param),
    ).toEqual([
      {
        applyTimeStart: '2026-11-22 00:00:00',
        applyTimeEnd: '2026-11-23 00:00:00',
        pageIndex: 1,
        pageSize: PAGE_SIZE,
      },
      {
        checkTimeStart: '2026-11-22 00:00:00',
        checkTimeEnd: '2026-11-23 00:00:00',
        pageIndex: 1,
        pageSize: PAGE_SIZE,
      },
    ])
    const got = pages.flatMap((p) =>
      p.items.map((i) => [i.externalRefundId, i.orderExternalId, i.platformUpdatedAt.toISOString()]),
    )
    expect(got).toEqual([
      ['1456789013', '3219876543210987654', '2026-11-20T02:30:00.000Z'],
      ['1456789012', '3219876543210987656', '2026-11-22T02:00:00.000Z'],
    ])
    expect(pages.at(-1)!.coveredUntil.toISOString()).toBe('2026-11-22T16:00:00.000Z')
  })
})

describe('settings', () => {
  it('validates URLs, timeouts and carrier ids', () => {
    expect(settingsProblems(jd.settingsSchema, {})).toEqual([])
    expect(
      settingsProblems(jd.settingsSchema, {
        baseUrl: 'ftp://x',
        timeoutMs: -1,
        carrierCodes: { SF: 467 },
      }).map(describeProblem),
    ).toEqual([
      'baseUrl must be an http(s) URL with a host, e.g. https://api.example.com/path',
      'timeoutMs must be >= 1',
      "carrierCodes.SF must be JD's numeric logiCoprId as a string",
    ])
  })
})
