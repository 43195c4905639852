import nock from 'nock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DOUYIN_CARRIERS } from '../../../../connectors/douyin/carriers.js'
import { douyin, MAX_DEPTH } from '../../../../connectors/douyin/index.js'
import { signRequest } from '../../../../connectors/douyin/sign.js'
import type { RawOrder, RawPage, ShopContext } from '../../../../connectors/types.js'
import { fixedClock } from '../../../../src/lib/clock.js'
import { createLogger } from '../../../../src/lib/logger.js'
import {
  dyAfterSale,
  dyCancelled,
  dyMultiLine,
  dySettleRows,
  envelope,
  toWire,
} from '../../../fixtures/douyin/orders.js'
import { drain as collect } from '../../../helpers/connectors.js'
import { settingsProblems } from '../../../../connectors/settings.js'

const BASE = 'https://douyin.sandbox.test'
const APP_KEY = '7000000000000000001'
const SECRET = 'helloworld-secret'
const TOKEN = 'access-token-abcdef'
const NOW = '2024-03-20T00:00:00Z'

const shopWith = (
  settings: Record<string, unknown> = {},
  credentials: Record<string, unknown> = {},
): ShopContext => ({
  id: 'shop-dy',
  merchantId: 'm',
  channel: 'douyin',
  settings: { baseUrl: BASE, timeoutMs: 1000, ...settings },
  credentials: {
    appKey: APP_KEY,
    appSecret: SECRET,
    accessToken: TOKEN,
    refreshToken: 'refresh-token-123456',
    shopId: '12345',
    ...credentials,
  },
  clock: fixedClock(NOW),
  log: createLogger('silent'),
  saveCredentials: async () => undefined,
})
const shop = shopWith()

type Json = Record<string, unknown>
const bodyOf = (b: unknown): Json => (typeof b === 'string' ? (JSON.parse(b) as Json) : (b as Json))
const at = (iso: string) => Math.floor(Date.parse(iso) / 1000)

/**
 * A small order.searchList: filters by update_time (both bounds inclusive, as the worst case),
 * sorts ascending, pages from 0. `depth` can claim a larger total for wide ranges (page-depth test).
 */
function fakeSearch(
  orders: readonly Json[],
  depth: (from: number, to: number) => number | null = () => null,
) {
  const calls: Json[] = []
  nock(BASE)
    .post('/order/searchList')
    .query(true)
    .times(Infinity)
    .reply((_uri, raw) => {
      const b = bodyOf(raw)
      calls.push(b)
      const from = b.update_time_start as number
      const to = b.update_time_end as number
      const hits = orders
        .filter((o) => (o.update_time as number) >= from && (o.update_time as number) <= to)
        .sort((x, y) => (x.update_time as number) - (y.update_time as number))
      const page = b.page as number
      const size = b.size as number
      const claimed = depth(from, to)
      const total = claimed ?? hits.length
      return [
        200,
        envelope({
          page,
          size,
          total,
          shop_order_list: claimed === null ? hits.slice(page * size, page * size + size) : [],
        }),
        { 'content-type': 'application/json' },
      ]
    })
  return calls
}

const order = (i: number, updateTime: number) => ({
  ...dyCancelled,
  order_id: `69210099${String(i).padStart(11, '0')}`,
  update_time: updateTime,
})
const ids = (pages: RawPage<RawOrder>[]) => pages.flatMap((p) => p.items.map((o) => o.externalId))

beforeAll(() => nock.disableNetConnect())
afterEach(() => nock.cleanAll())

describe('douyin gateway', () => {
  it('signs the common parameters in the query and sends param_json as the body', async () => {
    let query: Record<string, string> = {}
    let rawBody = ''
    nock(BASE)
      .post('/order/orderDetail')
      .query((q) => ((query = q as Record<string, string>), true))
      .reply(
        (_uri, body) => (
          (rawBody = typeof body === 'string' ? body : JSON.stringify(body)),
          [200, envelope({ shop_order_detail: dyMultiLine }), { 'content-type': 'application/json' }]
        ),
      )
    const raw = await douyin.fetchOrder(shop, '6921001234567890123')
    expect(raw.externalId).toBe('6921001234567890123')
    expect(raw.platformUpdatedAt.toISOString()).toBe('2024-03-01T02:00:00.000Z')
    // 19-digit ids from the wire arrive exact
    expect((raw.payload as { sku_order_list: { product_id: unknown }[] }).sku_order_list[0]!.product_id).toBe(
      '3600000000000000001',
    )
    expect(rawBody).toBe('{"shop_order_id":"6921001234567890123"}')
    expect(query).toMatchObject({
      app_key: APP_KEY,
      method: 'order.orderDetail',
      access_token: TOKEN,
      v: '2',
      sign_method: 'hmac-sha256',
      timestamp: String(at(NOW)),
    })
    expect(query.sign).toBe(
      signRequest({
        appKey: APP_KEY,
        appSecret: SECRET,
        method: 'order.orderDetail',
        paramJson: rawBody,
        timestamp: String(at(NOW)),
      }),
    )
  })

  it('uses the MD5 variant when the shop asks for it', async () => {
    let query: Record<string, string> = {}
    nock(BASE)
      .post('/order/orderDetail')
      .query((q) => ((query = q as Record<string, string>), true))
      .reply(200, envelope({ shop_order_detail: dyMultiLine }))
    await douyin.fetchOrder(shopWith({ signMethod: 'md5' }), '6921001234567890123')
    expect(query.sign_method).toBe('md5')
    expect(query.sign).toBe(
      signRequest(
        {
          appKey: APP_KEY,
          appSecret: SECRET,
          method: 'order.orderDetail',
          paramJson: '{"shop_order_id":"6921001234567890123"}',
          timestamp: String(at(NOW)),
        },
        'md5',
      ),
    )
  })
})

describe('douyin pullOrders', () => {
  it('splits a 3-day window into day pieces and pulls every order exactly once', async () => {
    const orders = [
      order(1, at('2024-03-01T00:00:00Z')),
      order(2, at('2024-03-01T23:59:59Z')),
      order(3, at('2024-03-02T00:00:00Z')),
      order(4, at('2024-03-03T12:00:00Z')),
      order(5, at('2024-03-04T00:00:00Z')),
    ]
    const calls = fakeSearch(orders)
    const pages = await collect(
      douyin.pullOrders(shop, {
        from: new Date('2024-03-01T00:00:00Z'),
        to: new Date('2024-03-04T00:00:00Z'),
      }),
    )
    // order 5 sits at the window's exclusive end; order 2/3 at a piece boundary are not pulled twice
    expect(ids(pages)).toEqual([
      '6921009900000000001',
      '6921009900000000002',
      '6921009900000000003',
      '6921009900000000004',
    ])
    expect(
      calls.map((c) => [c.update_time_start, c.update_time_end, c.order_by, c.order_asc, c.page, c.size]),
    ).toEqual([
      [at('2024-03-01T00:00:00Z'), at('2024-03-02T00:00:00Z'), 'update_time', true, 0, 100],
      [at('2024-03-02T00:00:00Z'), at('2024-03-03T00:00:00Z'), 'update_time', true, 0, 100],
      [at('2024-03-03T00:00:00Z'), at('2024-03-04T00:00:00Z'), 'update_time', true, 0, 100],
    ])
    expect(pages.map((p) => p.coveredUntil.toISOString())).toEqual([
      '2024-03-02T00:00:00.000Z',
      '2024-03-03T00:00:00.000Z',
      '2024-03-04T00:00:00.000Z',
    ])
  })

  it('pages a piece from the last page back to page 0 and only then advances the cursor', async () => {
    const start = at('2024-03-05T00:00:00Z')
    const orders = Array.from({ length: 250 }, (_, i) => order(i, start + i * 60))
    const calls = fakeSearch(orders)
    const pages = await collect(
      douyin.pullOrders(shop, {
        from: new Date('2024-03-05T00:00:00Z'),
        to: new Date('2024-03-06T00:00:00Z'),
      }),
    )
    expect(calls.map((c) => c.page)).toEqual([0, 2, 1, 0])
    expect(pages.map((p) => [p.items.length, p.coveredUntil.toISOString()])).toEqual([
      [50, '2024-03-05T00:00:00.000Z'],
      [100, '2024-03-05T00:00:00.000Z'],
      [100, '2024-03-06T00:00:00.000Z'],
    ])
    const all = ids(pages)
    expect(new Set(all).size).toBe(250)
    expect(all).toHaveLength(250)
  })

  it('halves a piece whose total exceeds the page-depth limit so nothing is truncated', async () => {
    const orders = [
      order(1, at('2024-03-07T01:00:00Z')),
      order(2, at('2024-03-07T13:00:00Z')),
      order(3, at('2024-03-07T23:00:00Z')),
    ]
    // Pretend the whole day holds more than page × size can reach; each half does not.
    const calls = fakeSearch(orders, (from, to) => (to - from > 12 * 3600 ? MAX_DEPTH + 1 : null))
    const pages = await collect(
      douyin.pullOrders(shop, {
        from: new Date('2024-03-07T00:00:00Z'),
        to: new Date('2024-03-08T00:00:00Z'),
      }),
    )
    expect(calls.map((c) => [c.update_time_start, c.update_time_end])).toEqual([
      [at('2024-03-07T00:00:00Z'), at('2024-03-08T00:00:00Z')],
      [at('2024-03-07T00:00:00Z'), at('2024-03-07T12:00:00Z')],
      [at('2024-03-07T12:00:00Z'), at('2024-03-08T00:00:00Z')],
    ])
    expect(ids(pages)).toEqual(['6921009900000000001', '6921009900000000002', '6921009900000000003'])
    expect(pages.map((p) => p.coveredUntil.toISOString())).toEqual([
      '2024-03-07T12:00:00.000Z',
      '2024-03-08T00:00:00.000Z',
    ])
  })

  it('refuses a window beyond the 90-day look-back before calling', async () => {
    await expect(
      collect(
        douyin.pullOrders(shop, {
          from: new Date('2023-12-01T00:00:00Z'),
          to: new Date('2023-12-02T00:00:00Z'),
        }),
      ),
    ).rejects.toMatchObject({ kind: 'permanent' })
  })

  it('pulls after-sales by update time into RawRefunds', async () => {
    let body: Json = {}
    nock(BASE)
      .post('/afterSale/List')
      .query(true)
      .reply(
        (_u, b) => (
          (body = bodyOf(b)),
          [200, envelope({ items: [dyAfterSale], has_more: false, total: 1, page: 0, size: 100 })]
        ),
      )
    const pages = await collect(
      douyin.pullRefunds!(shop, {
        from: new Date('2024-03-05T00:00:00Z'),
        to: new Date('2024-03-06T00:00:00Z'),
      }),
    )
    expect(body).toMatchObject({
      update_start_time: at('2024-03-05T00:00:00Z'),
      update_end_time: at('2024-03-06T00:00:00Z'),
      order_by: ['update_time asc'],
      page: 0,
      size: 100,
    })
    expect(
      pages[0]!.items.map((r) => [r.externalRefundId, r.orderExternalId, r.platformUpdatedAt.toISOString()]),
    ).toEqual([['7301234567890123456', '6921001234567890300', '2024-03-05T00:53:20.000Z']])
  })
})

describe('douyin errors', () => {
  const detail = () => nock(BASE).post('/order/orderDetail').query(true)
  const ok = () => [200, envelope({ shop_order_detail: dyMultiLine })] as const

  it('waits out a rate limit (60000) and retries', async () => {
    detail().reply(200, envelope(null, 60000, '触发限流，请稍后重试', 'isv.app-call-limited'))
    detail().reply(...ok())
    expect((await douyin.fetchOrder(shop, '6921001234567890123')).externalId).toBe('6921001234567890123')
  })

  it('retries a system error (20000) and an HTTP 502', async () => {
    detail().reply(200, envelope(null, 20000, '服务不可用', 'isp.service-error:1001', '系统错误'))
    detail().reply(502, 'Bad Gateway')
    detail().reply(...ok())
    expect((await douyin.fetchOrder(shop, '6921001234567890123')).externalId).toBe('6921001234567890123')
  })

  it('reports an expired access token as auth_expired without retrying', async () => {
    detail().reply(200, envelope(null, 40003, '非法的参数', 'isv.access-token-expired', 'access_token已过期'))
    await expect(douyin.fetchOrder(shop, '1')).rejects.toMatchObject({
      kind: 'auth_expired',
      detail: { platformCode: '40003:isv.access-token-expired' },
    })
    expect(nock.isDone()).toBe(true)
  })

  it('reports parameter errors and unknown codes as permanent with code and message, never the token', async () => {
    detail().reply(
      200,
      envelope(null, 40004, '非法的参数', 'isv.parameter-invalid:20022', `只能查询近90天 ${TOKEN}`),
    )
    await expect(douyin.fetchOrder(shop, '1')).rejects.toSatisfy(
      (e: Error & { kind: string }) =>
        e.kind === 'permanent' &&
        e.message.includes('isv.parameter-invalid:20022') &&
        !e.message.includes(TOKEN),
    )
    detail().reply(200, envelope(null, 12345, '奇怪的错误'))
    await expect(douyin.fetchOrder(shop, '1')).rejects.toMatchObject({
      kind: 'permanent',
      message: 'douyin error 12345: 奇怪的错误',
    })
  })

  it('turns a timeout into a transient error', async () => {
    detail()
      .times(4)
      .delay(300)
      .reply(...ok())
    await expect(douyin.fetchOrder(shopWith({ timeoutMs: 50 }), '1')).rejects.toMatchObject({
      kind: 'transient',
    })
  })

  it('keeps a malformed JSON body on a permanent error instead of crashing', async () => {
    detail().reply(200, '{"code":10000,"data":{"shop_order_detail":', { 'content-type': 'application/json' })
    await expect(douyin.fetchOrder(shop, '1')).rejects.toMatchObject({
      kind: 'permanent',
      detail: { body: '{"code":10000,"data":{"shop_order_detail":' },
    })
    detail().reply(200, '<html>maintenance</html>', { 'content-type': 'text/html' })
    await expect(douyin.fetchOrder(shop, '1')).rejects.toMatchObject({
      kind: 'permanent',
      detail: { body: '<html>maintenance</html>' },
    })
  })

  it('refreshes the token with token.refresh (no access_token) and returns the new credentials', async () => {
    let query: Record<string, string> = {}
    let body: Json = {}
    nock(BASE)
      .post('/token/refresh')
      .query((q) => ((query = q as Record<string, string>), true))
      .reply(
        (_u, b) => (
          (body = bodyOf(b)),
          [
            200,
            envelope({
              access_token: 'new-access-token',
              expires_in: 604800,
              refresh_token: 'new-refresh-token',
              scope: 'SCOPE',
              shop_id: 12345,
              shop_name: '示例旗舰店',
            }),
          ]
        ),
      )
    const next = await douyin.refreshToken!(shop)
    expect(query.access_token).toBeUndefined()
    expect(query.method).toBe('token.refresh')
    expect(body).toEqual({ grant_type: 'refresh_token', refresh_token: 'refresh-token-123456' })
    expect(next).toEqual({
      appKey: APP_KEY,
      appSecret: SECRET,
      accessToken: 'new-access-token',
      refreshToken: 'new-refresh-token',
      shopId: '12345',
      expiresAt: '2024-03-27T00:00:00.000Z',
    })
  })

  it('reports an expired refresh token as permanent (re-authorise)', async () => {
    nock(BASE)
      .post('/token/refresh')
      .query(true)
      .reply(200, envelope(null, 50001, '平台处理失败', 'dop.token-generate-failed:token-expired'))
    await expect(douyin.refreshToken!(shop)).rejects.toMatchObject({ kind: 'permanent' })
  })
})

describe('douyin writes', () => {
  it('pushes absolute stock with sku.syncStock (incremental=false, exact int64 ids) and reports each item', async () => {
    const raws: string[] = []
    const scope = nock(BASE).post('/sku/syncStock').query(true).times(2).reply(200, envelope({}))
    scope.on('request', (_req, _i, body: string) => raws.push(body))
    nock(BASE)
      .post('/sku/syncStock')
      .query(true)
      .reply(200, envelope(null, 40004, '非法的参数', 'isv.parameter-invalid:40010', 'sku不存在'))
    const out = await douyin.pushStock(shop, [
      { platformSkuId: '1700000000000000001', platformItemId: '3600000000000000001', quantity: 25 },
      { platformSkuId: '1700000000000000002', quantity: 0 },
      { platformSkuId: '1700000000000000009', platformItemId: '3600000000000000009', quantity: 3 },
    ])
    expect(raws).toEqual([
      '{"incremental":false,"product_id":3600000000000000001,"sku_id":1700000000000000001,"stock_num":25}',
      '{"incremental":false,"sku_id":1700000000000000002,"stock_num":0}',
    ])
    expect(out.map((o) => [o.platformSkuId, o.ok, o.quantity, o.kind ?? null])).toEqual([
      ['1700000000000000001', true, 25, null],
      ['1700000000000000002', true, 0, null],
      ['1700000000000000009', false, 3, 'permanent'],
    ])
  })

  it('writes a shipment back with order.logisticsAdd and the carrier company_code', async () => {
    const bodies: Json[] = []
    nock(BASE)
      .post('/order/logisticsAdd')
      .query(true)
      .times(3)
      .reply((_u, b) => (bodies.push(bodyOf(b)), [200, envelope({})]))
    const ship = {
      orderExternalId: '6921001234567890123',
      lineExternalIds: [],
      trackingNumber: 'SF1234567890123',
      shippedAt: new Date(NOW),
    }
    await douyin.pushShipment(shop, { ...ship, carrier: 'SF' })
    await douyin.pushShipment(shop, { ...ship, carrier: 'JT', trackingNumber: 'JT0001' })
    await douyin.pushShipment(shopWith({ carrierCodes: { EMS: 'youzhengguonei' } }), {
      ...ship,
      carrier: 'EMS',
      trackingNumber: 'E1',
    })
    expect(bodies).toEqual([
      { order_id: '6921001234567890123', company_code: 'shunfeng', logistics_code: 'SF1234567890123' },
      { order_id: '6921001234567890123', company_code: 'jtexpress', logistics_code: 'JT0001' },
      { order_id: '6921001234567890123', company_code: 'youzhengguonei', logistics_code: 'E1' },
    ])
    await expect(douyin.pushShipment(shop, { ...ship, carrier: 'DBL' })).rejects.toMatchObject({
      kind: 'permanent',
      message: expect.stringContaining('carrierCodes'),
    })
    await expect(
      douyin.pushShipment(shop, { ...ship, carrier: 'SF', lineExternalIds: ['6921001234567890124'] }),
    ).rejects.toMatchObject({ kind: 'permanent' })
  })

  it('has the confirmed carrier codes', () => {
    expect([
      DOUYIN_CARRIERS.SF,
      DOUYIN_CARRIERS.ZTO,
      DOUYIN_CARRIERS.YTO,
      DOUYIN_CARRIERS.YUNDA,
      DOUYIN_CARRIERS.STO,
      DOUYIN_CARRIERS.JT,
      DOUYIN_CARRIERS.JD,
    ]).toEqual(['shunfeng', 'zhongtong', 'yuantong', 'yunda', 'shentong', 'jtexpress', 'jd'])
  })
})

describe('douyin settlements API', () => {
  it('pages order.getSettleBillDetailV3 with next_start_index / next_start_time and pivots the rows', async () => {
    const bodies: Json[] = []
    nock(BASE)
      .post('/order/getSettleBillDetailV3')
      .query(true)
      .reply(
        (_u, b) => (
          bodies.push(bodyOf(b)),
          [
            200,
            toWire({
              code: 10000,
              msg: 'success',
              data: {
                code: '100000',
                code_msg: 'success',
                data: [dySettleRows[0]],
                size: 1,
                next_start_index: '2',
                next_start_time: '2024-03-10 12:00:05',
                is_end: 0,
                data_size: 1,
              },
            }),
          ]
        ),
      )
      .post('/order/getSettleBillDetailV3')
      .query(true)
      .reply(
        (_u, b) => (
          bodies.push(bodyOf(b)),
          [
            200,
            toWire({
              code: 10000,
              msg: 'success',
              data: {
                code: '100000',
                code_msg: 'success',
                data: [dySettleRows[1]],
                size: 1,
                next_start_index: '',
                next_start_time: '',
                is_end: 1,
                data_size: 1,
              },
            }),
          ]
        ),
      )
    const pages = await collect(
      douyin.pullSettlements!(shop, {
        from: new Date('2024-03-10T00:00:00+08:00'),
        to: new Date('2024-03-11T00:00:00+08:00'),
      }),
    )
    expect(bodies).toEqual([
      { start_time: '2024-03-10 00:00:00', end_time: '2024-03-11 00:00:00', time_type: '0', size: 100 },
      {
        start_time: '2024-03-10 12:00:05',
        end_time: '2024-03-11 00:00:00',
        time_type: '0',
        size: 100,
        start_index: '2',
      },
    ])
    expect(pages.map((p) => p.map((l) => l.externalLineId))).toEqual([
      [
        '2024031012000001:real_pay_amount',
        '2024031012000001:platform_coupon',
        '2024031012000001:author_coupon',
        '2024031012000001:platform_service_fee',
        '2024031012000001:commission',
      ],
      [
        '2024031012000002:real_pay_amount',
        '2024031012000002:zt_pay_promotion',
        '2024031012000002:platform_service_fee',
        '2024031012000002:差额',
      ],
    ])
  })

  it('surfaces a failed inner settlement code as permanent', async () => {
    nock(BASE)
      .post('/order/getSettleBillDetailV3')
      .query(true)
      .reply(200, envelope({ code: '100001', code_msg: '查询时间跨度过大', data: [] }))
    await expect(
      collect(
        douyin.pullSettlements!(shop, {
          from: new Date('2024-03-10T00:00:00Z'),
          to: new Date('2024-03-11T00:00:00Z'),
        }),
      ),
    ).rejects.toMatchObject({ kind: 'permanent', message: expect.stringContaining('查询时间跨度过大') })
  })
})

describe('douyin settings and credentials', () => {
  it('validates settings', () => {
    expect(settingsProblems(douyin.settingsSchema, {})).toEqual([])
    expect(
      settingsProblems(douyin.settingsSchema, {
        baseUrl: 'ftp://x',
        timeoutMs: -1,
        signMethod: 'sha1',
        carrierCodes: { XX: 'a', SF: '' },
      }),
    ).toHaveLength(5)
  })

  it('verifies credentials with one cheap search call', async () => {
    let body: Json = {}
    nock(BASE)
      .post('/order/searchList')
      .query(true)
      .reply(
        (_u, b) => ((body = bodyOf(b)), [200, envelope({ page: 0, size: 1, total: 0, shop_order_list: [] })]),
      )
    await douyin.verifyCredentials(shop)
    expect(body).toMatchObject({ page: 0, size: 1, update_time_end: at(NOW) })
    nock(BASE)
      .post('/order/searchList')
      .query(true)
      .reply(200, envelope(null, 30001, '操作权限不足', 'dop.authorization-no-existed', '店铺授权已失效'))
    await expect(douyin.verifyCredentials(shop)).rejects.toMatchObject({ kind: 'permanent' })
  })
})
