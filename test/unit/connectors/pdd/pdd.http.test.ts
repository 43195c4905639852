import { createHash } from 'node:crypto'
import nock from 'nock'
import { describe, expect, it } from 'vitest'
import { buildForm, signPdd } from '../../../../connectors/pdd/client.js'
import { logisticsIdFor, PDD_LOGISTICS_IDS } from '../../../../connectors/pdd/carriers.js'
import { billDates, pdd } from '../../../../connectors/pdd/index.js'
import { pddMultiLine, pddRefundReturn } from '../../../fixtures/pdd/orders.js'
import {
  ACCESS_TOKEN,
  bj,
  CLIENT_SECRET,
  errorBody,
  formOf,
  json,
  PDD_HOST,
  PDD_PATH,
  pddShop,
  REFRESH_TOKEN,
} from '../../../fixtures/pdd/shop.js'
import { drain as collect } from '../../../helpers/connectors.js'
import { settingsProblems } from '../../../../connectors/settings.js'

const md5Upper = (s: string) => createHash('md5').update(s, 'utf8').digest('hex').toUpperCase()

/** Intercept one gateway call of `type`, recording its form. */
function gateway(
  type: string,
  reply: [number, string, Record<string, string>],
  seen?: Record<string, string>[],
  when: (f: Record<string, string>) => boolean = () => true,
) {
  return nock(PDD_HOST)
    .post(PDD_PATH, (b: unknown) => {
      const f = formOf(b)
      if (f.type !== type || !when(f)) return false
      seen?.push(f)
      return true
    })
    .reply(...reply)
}

const orderAt = (sn: string, updated: string) => ({ ...pddMultiLine, order_sn: sn, updated_at: updated })
const orderPage = (orders: unknown[], total: number) =>
  json({ order_sn_increment_get_response: { order_sn_list: orders, total_count: total, has_next: false } })

describe('signing (§3.2)', () => {
  it('reproduces the official worked example', () => {
    const params = {
      access_token: 'asd78172s8ds9a921j9qqwda12312w1w21211',
      client_id: '1',
      data_type: 'XML',
      order_status: '1',
      page: '1',
      page_size: '10',
      timestamp: '1480411125',
      type: 'pdd.order.number.list.get',
    }
    expect(signPdd('testSecret', params)).toBe('E4DE3ED21002510DED352819E7AE6775')
  })

  it('reproduces the reference vector for the increment API (use_has_next, sorted by key)', () => {
    const params = {
      type: 'pdd.order.number.list.increment.get',
      client_id: 'testClientId',
      timestamp: '1709260300',
      data_type: 'JSON',
      access_token: 'testToken',
      is_lucky_flag: '0',
      order_status: '5',
      refund_status: '5',
      start_updated_at: '1709258400',
      end_updated_at: '1709260200',
      page: '1',
      page_size: '100',
      use_has_next: 'true',
    }
    expect(signPdd('testSecret', params)).toBe('14D4546FC770621012E70F65D683D2D4')
  })

  const creds = { clientId: 'cid', clientSecret: 'sec', accessToken: 'tok', refreshToken: null }
  const at = new Date('2024-03-01T02:40:00Z') // epoch 1709260800

  it('builds the common params with epoch seconds and signs Chinese text as UTF-8', () => {
    const form = buildForm(
      'pdd.logistics.online.send',
      { order_sn: '240301-1', note: '顺丰 包邮' },
      creds,
      at,
    )
    expect(form).toMatchObject({
      type: 'pdd.logistics.online.send',
      client_id: 'cid',
      access_token: 'tok',
      timestamp: '1709260800',
      data_type: 'JSON',
      version: 'V1',
    })
    const s =
      'access_tokentokclient_idciddata_typeJSONnote顺丰 包邮order_sn240301-1timestamp1709260800typepdd.logistics.online.sendversionV1'
    expect(form.sign).toBe(md5Upper(`sec${s}sec`))
  })

  it('keeps an empty value in the signature and signs a nested JSON param as its JSON text', () => {
    const form = buildForm(
      'pdd.x',
      { remark: '', sku_list: [{ sku_id: 1, quantity: 2 }], skipped: undefined },
      creds,
      at,
    )
    expect(form.remark).toBe('')
    expect(form.sku_list).toBe('[{"sku_id":1,"quantity":2}]')
    expect('skipped' in form).toBe(false)
    const s =
      'access_tokentokclient_idciddata_typeJSONremarksku_list[{"sku_id":1,"quantity":2}]timestamp1709260800typepdd.xversionV1'
    expect(form.sign).toBe(md5Upper(`sec${s}sec`))
  })

  it('sends a signed form the gateway can verify', async () => {
    const seen: Record<string, string>[] = []
    gateway(
      'pdd.order.information.get',
      json({ order_info_get_response: { order_info: pddMultiLine } }),
      seen,
    )
    const raw = await pdd.fetchOrder(pddShop(), '240301-512345678901234')
    expect(raw.externalId).toBe('240301-512345678901234')
    expect(raw.platformUpdatedAt.toISOString()).toBe('2024-03-01T02:05:00.000Z')
    const { sign, ...rest } = seen[0]!
    expect(sign).toBe(signPdd(CLIENT_SECRET, rest))
    expect(rest).toMatchObject({
      order_sn: '240301-512345678901234',
      access_token: ACCESS_TOKEN,
      timestamp: '1709260800',
    })
  })
})

describe('incremental order pull (§3.4)', () => {
  it('splits a 75-minute window into ≤ 30-minute pieces and pulls every order exactly once', async () => {
    const seen: Record<string, string>[] = []
    const from = bj('2024-03-01 10:00:00')
    const s = (t: string) => String(bj(t).getTime() / 1000)
    // piece 1 [10:00, 10:30]: the API bounds are inclusive, so the order at 10:30:00 comes back in both pieces.
    gateway(
      'pdd.order.number.list.increment.get',
      orderPage(
        [
          orderAt('240301-000000000000001', '2024-03-01 10:00:00'),
          orderAt('240301-000000000000002', '2024-03-01 10:29:59'),
          orderAt('240301-000000000000003', '2024-03-01 10:30:00'),
        ],
        3,
      ),
      seen,
      (f) => f.start_updated_at === s('2024-03-01 10:00:00'),
    )
    gateway(
      'pdd.order.number.list.increment.get',
      orderPage([orderAt('240301-000000000000003', '2024-03-01 10:30:00')], 1),
      seen,
      (f) => f.start_updated_at === s('2024-03-01 10:30:00'),
    )
    gateway(
      'pdd.order.number.list.increment.get',
      orderPage([orderAt('240301-000000000000004', '2024-03-01 11:14:59')], 1),
      seen,
      (f) => f.start_updated_at === s('2024-03-01 11:00:00'),
    )
    const pages = await collect(pdd.pullOrders(pddShop(), { from, to: bj('2024-03-01 11:15:00') }))
    expect(pages.flatMap((p) => p.items.map((i) => i.externalId))).toEqual([
      '240301-000000000000001',
      '240301-000000000000002',
      '240301-000000000000003',
      '240301-000000000000004',
    ])
    expect(pages.map((p) => p.coveredUntil.toISOString())).toEqual(
      [bj('2024-03-01 10:30:00'), bj('2024-03-01 11:00:00'), bj('2024-03-01 11:15:00')].map((d) =>
        d.toISOString(),
      ),
    )
    for (const f of seen) {
      expect(Number(f.end_updated_at) - Number(f.start_updated_at)).toBeLessThanOrEqual(30 * 60)
      expect(f).toMatchObject({ order_status: '5', refund_status: '5', is_lucky_flag: '0', page_size: '100' })
    }
    expect(nock.isDone()).toBe(true)
  })

  it('pages backwards from the last page and holds the cursor until the piece is complete', async () => {
    const pagesAsked: string[] = []
    const from = bj('2024-03-01 10:00:00')
    const to = bj('2024-03-01 10:20:00')
    const sn = (n: number) => `240301-1000000000000${String(n).padStart(2, '0')}`
    const at = '2024-03-01 10:10:00'
    const page = (p: number, reply: [number, string, Record<string, string>]) =>
      gateway(
        'pdd.order.number.list.increment.get',
        reply,
        undefined,
        (f) => f.page === String(p) && (pagesAsked.push(f.page), true),
      )
    page(1, orderPage([orderAt(sn(1), at), orderAt(sn(2), at)], 250)) // first look: total_count 250 → 3 pages
    page(3, orderPage([orderAt(sn(5), at)], 250))
    page(2, orderPage([orderAt(sn(3), at), orderAt(sn(4), at)], 250))
    // Read again at the end: order 3 moved up from page 2 meanwhile, and is yielded once only.
    page(1, orderPage([orderAt(sn(1), at), orderAt(sn(2), at), orderAt(sn(3), at)], 249))
    const pages = await collect(pdd.pullOrders(pddShop(), { from, to }))
    expect(pagesAsked).toEqual(['1', '3', '2', '1'])
    expect(pages.map((p) => p.items.map((i) => i.externalId))).toEqual([
      [sn(5)],
      [sn(3), sn(4)],
      [sn(1), sn(2)],
    ])
    expect(pages.map((p) => p.coveredUntil.toISOString())).toEqual(
      [from, from, to].map((d) => d.toISOString()),
    )
  })

  it('pulls after-sales records the same way and maps them', async () => {
    const seen: Record<string, string>[] = []
    gateway(
      'pdd.refund.list.increment.get',
      json({ refund_increment_get_response: { refund_list: [pddRefundReturn], total_count: 1 } }),
      seen,
    )
    const pages = await collect(
      pdd.pullRefunds!(pddShop(), { from: bj('2024-03-09 14:00:00'), to: bj('2024-03-09 14:30:00') }),
    )
    expect(seen[0]).toMatchObject({
      after_sales_status: '1',
      after_sales_type: '1',
      page: '1',
      page_size: '100',
    })
    const r = pages[0]!.items[0]!
    expect(r).toMatchObject({ externalRefundId: '11223344556', orderExternalId: '240303-276543210987654' })
    expect(pdd.mapRefund!(r.payload)).toMatchObject({ ok: true, value: { status: 'refunded' } })
  })
})

describe('errors (§3.3)', () => {
  it('retries a short rate limit (52101) and a system error (52103) inside the call', async () => {
    gateway('pdd.order.information.get', errorBody(52101, '当前接口被限流，请稍后重试'))
    gateway('pdd.order.information.get', errorBody(52103, '服务暂时不可用'))
    gateway('pdd.order.information.get', json({ order_info_get_response: { order_info: pddMultiLine } }))
    expect((await pdd.fetchOrder(pddShop(), '240301-512345678901234')).externalId).toBe(
      '240301-512345678901234',
    )
    expect(nock.isDone()).toBe(true)
  })

  it('retries a transient HTTP 502', async () => {
    nock(PDD_HOST).post(PDD_PATH).reply(502, 'Bad Gateway')
    gateway('pdd.order.information.get', json({ order_info_get_response: { order_info: pddMultiLine } }))
    expect((await pdd.fetchOrder(pddShop(), '240301-512345678901234')).externalId).toBe(
      '240301-512345678901234',
    )
  })

  it('hands a quota rate limit (70031) back to the job layer with its wait', async () => {
    gateway('pdd.order.information.get', errorBody(70031, '调用过于频繁，请调整调用频率'))
    await expect(pdd.fetchOrder(pddShop(), 'x')).rejects.toMatchObject({
      name: 'ConnectorError',
      kind: 'rate_limited',
      detail: { channel: 'pdd', platformCode: '70031', retryAfterMs: 60_000 },
    })
  })

  it('reports an expired token as auth_expired; refreshToken then gets new credentials that work', async () => {
    gateway('pdd.order.information.get', errorBody(10019, 'access_token已过期'))
    const shop = pddShop()
    await expect(pdd.fetchOrder(shop, '240301-512345678901234')).rejects.toMatchObject({
      kind: 'auth_expired',
      detail: { platformCode: '10019' },
    })

    const seen: Record<string, string>[] = []
    gateway(
      'pdd.pop.auth.token.refresh',
      json({
        pop_auth_token_refresh_response: {
          access_token: 'pdd_access_token_new',
          expires_at: 1709347200,
          expires_in: 86400,
          refresh_token: 'pdd_refresh_token_new',
          refresh_token_expires_at: 1711852800,
          refresh_token_expires_in: 2592000,
          owner_id: '123456',
          owner_name: 'pdd1234',
          scope: ['pdd.order.number.list.increment.get'],
        },
      }),
      seen,
    )
    const next = await pdd.refreshToken!(shop)
    expect(next).toEqual({
      clientId: 'pdd_client_id',
      clientSecret: CLIENT_SECRET,
      accessToken: 'pdd_access_token_new',
      refreshToken: 'pdd_refresh_token_new',
      expiresAt: '2024-03-02T02:40:00.000Z', // expires_at 1709347200 s
      refreshTokenExpiresAt: '2024-03-31T02:40:00.000Z',
    })
    expect(seen[0]).toMatchObject({ refresh_token: REFRESH_TOKEN, client_id: 'pdd_client_id' })
    expect('access_token' in seen[0]!).toBe(false)
    const { sign, ...rest } = seen[0]!
    expect(sign).toBe(signPdd(CLIENT_SECRET, rest))

    const retried: Record<string, string>[] = []
    gateway(
      'pdd.order.information.get',
      json({ order_info_get_response: { order_info: pddMultiLine } }),
      retried,
    )
    await pdd.fetchOrder(pddShop({ credentials: next }), '240301-512345678901234')
    expect(retried[0]!.access_token).toBe('pdd_access_token_new')
  })

  it('falls back to expires_in when the refresh answer has no expires_at', async () => {
    gateway(
      'pdd.pop.auth.token.refresh',
      json({ pop_auth_token_refresh_response: { access_token: 'a2', expires_in: 7200 } }),
    )
    const next = await pdd.refreshToken!(pddShop())
    expect(next).toMatchObject({
      accessToken: 'a2',
      refreshToken: REFRESH_TOKEN,
      expiresAt: '2024-03-01T04:40:00.000Z',
    })
  })

  it('classifies business errors and unknown codes as permanent, with code and message but no secrets', async () => {
    gateway(
      'pdd.order.information.get',
      errorBody(20004, `订单不存在 token=${ACCESS_TOKEN}`, {
        code: 'isv.order-not-exist',
        msg: '订单号错误',
      }),
    )
    const err = await pdd.fetchOrder(pddShop(), 'nope').catch((e: unknown) => e)
    expect(err).toMatchObject({ kind: 'permanent', detail: { platformCode: '20004' } })
    const message = (err as Error).message
    expect(message).toContain('20004')
    expect(message).toContain('isv.order-not-exist')
    expect(message).toContain('订单号错误')
    expect(message).not.toContain(ACCESS_TOKEN)
    expect(JSON.stringify((err as { detail: unknown }).detail)).not.toContain(ACCESS_TOKEN)

    gateway('pdd.order.information.get', errorBody(99999, 'something new'))
    await expect(pdd.fetchOrder(pddShop(), 'x')).rejects.toMatchObject({
      kind: 'permanent',
      detail: { platformCode: '99999' },
    })
  })

  it('turns a timeout into a transient error after the in-call retries', async () => {
    nock(PDD_HOST)
      .post(PDD_PATH)
      .times(4)
      .delay(300)
      .reply(...json({ order_info_get_response: { order_info: pddMultiLine } }))
    await expect(pdd.fetchOrder(pddShop({ settings: { timeoutMs: 50 } }), 'slow')).rejects.toMatchObject({
      name: 'ConnectorError',
      kind: 'transient',
    })
  })

  it('keeps a malformed JSON body on a permanent error instead of crashing', async () => {
    nock(PDD_HOST)
      .post(PDD_PATH)
      .reply(200, '{"order_info_get_response":{"order_info":{"order_sn":"240301-1",', {
        'content-type': 'application/json',
      })
    await expect(pdd.fetchOrder(pddShop(), '240301-1')).rejects.toMatchObject({
      kind: 'permanent',
      detail: { body: '{"order_info_get_response":{"order_info":{"order_sn":"240301-1",' },
    })
    gateway('pdd.order.information.get', json({ something_else: {} }))
    await expect(pdd.fetchOrder(pddShop(), '240301-1')).rejects.toMatchObject({
      kind: 'permanent',
      message: expect.stringContaining('order_info_get_response'),
    })
  })

  it('verifies credentials with one cheap authenticated call', async () => {
    const seen: Record<string, string>[] = []
    gateway('pdd.order.number.list.increment.get', orderPage([], 0), seen)
    await pdd.verifyCredentials(pddShop())
    expect(seen[0]).toMatchObject({
      page_size: '1',
      end_updated_at: '1709260800',
      start_updated_at: '1709260740',
    })
    gateway('pdd.order.number.list.increment.get', errorBody(10019, 'access_token已过期'))
    await expect(pdd.verifyCredentials(pddShop())).rejects.toMatchObject({ kind: 'auth_expired' })
  })
})

describe('stock push (§3.5)', () => {
  it('sends absolute quantities with update_type 1 per SKU and reports each outcome', async () => {
    const seen: Record<string, string>[] = []
    gateway('pdd.goods.quantity.update', json({ goods_quantity_update_response: { is_success: true } }), seen)
    gateway('pdd.goods.quantity.update', json({ goods_quantity_update_response: { is_success: true } }), seen)
    const out = await pdd.pushStock(pddShop(), [
      { platformSkuId: '1234567890123', platformItemId: '345678901234', quantity: 7 },
      { platformSkuId: '1234567890124', platformItemId: null, quantity: 3 },
      { platformSkuId: '1234567890124', platformItemId: '345678901234', quantity: 0 },
    ])
    expect(
      seen.map((f) => ({
        goods_id: f.goods_id,
        sku_id: f.sku_id,
        quantity: f.quantity,
        update_type: f.update_type,
      })),
    ).toEqual([
      { goods_id: '345678901234', sku_id: '1234567890123', quantity: '7', update_type: '1' },
      { goods_id: '345678901234', sku_id: '1234567890124', quantity: '0', update_type: '1' },
    ])
    expect(out.map((o) => [o.platformSkuId, o.ok, o.quantity, o.kind ?? null])).toEqual([
      ['1234567890123', true, 7, null],
      ['1234567890124', false, 3, 'permanent'],
      ['1234567890124', true, 0, null],
    ])
  })

  it('stops at a quota rate limit and reports the rest unsent', async () => {
    gateway('pdd.goods.quantity.update', errorBody(70031, '调用过于频繁'))
    const out = await pdd.pushStock(pddShop(), [
      { platformSkuId: '1', platformItemId: '9', quantity: 1 },
      { platformSkuId: '2', platformItemId: '9', quantity: 2 },
    ])
    expect(out.map((o) => [o.platformSkuId, o.ok, o.kind])).toEqual([
      ['1', false, 'rate_limited'],
      ['2', false, 'rate_limited'],
    ])
    expect(nock.isDone()).toBe(true)
  })
})

describe('shipment writeback (§3.5)', () => {
  const shipment = {
    orderExternalId: '240301-512345678901234',
    lineExternalIds: [],
    trackingNumber: '75312345678901',
    shippedAt: new Date('2024-03-01T08:00:00Z'),
  }

  it('seeds logistics ids for the main carriers', () => {
    expect(
      Object.fromEntries(
        (['SF', 'ZTO', 'YTO', 'YUNDA', 'STO', 'JT', 'EMS', 'JD'] as const).map((c) => [
          c,
          PDD_LOGISTICS_IDS[c],
        ]),
      ),
    ).toEqual({ SF: '44', ZTO: '115', YTO: '85', YUNDA: '121', STO: '1', JT: '384', EMS: '118', JD: '120' })
  })

  it('sends order_sn, logistics_id and tracking_number', async () => {
    const seen: Record<string, string>[] = []
    gateway('pdd.logistics.online.send', json({ logistics_online_send_response: { is_success: true } }), seen)
    await pdd.pushShipment(pddShop(), { ...shipment, carrier: 'ZTO' })
    expect(seen[0]).toMatchObject({
      order_sn: '240301-512345678901234',
      logistics_id: '115',
      tracking_number: '75312345678901',
    })
  })

  it('lets shop settings override a carrier and name an OTHER carrier', async () => {
    const seen: Record<string, string>[] = []
    gateway('pdd.logistics.online.send', json({ logistics_online_send_response: { is_success: true } }), seen)
    gateway('pdd.logistics.online.send', json({ logistics_online_send_response: { is_success: true } }), seen)
    const shop = pddShop({ settings: { carrierCodes: { JT: '999', 安能快递: 208 } } })
    await pdd.pushShipment(shop, { ...shipment, carrier: 'JT' })
    await pdd.pushShipment(shop, { ...shipment, carrier: 'OTHER', carrierName: '安能快递' })
    expect(seen.map((f) => f.logistics_id)).toEqual(['999', '208'])
  })

  it("writes a waybill from the shop's own PDD e-waybill account back by its wp_code (邮政快递包裹 is not EMS)", async () => {
    const seen: Record<string, string>[] = []
    for (let i = 0; i < 4; i++)
      gateway(
        'pdd.logistics.online.send',
        json({ logistics_online_send_response: { is_success: true } }),
        seen,
      )
    // POSTB folds into the hub's EMS carrier, but PDD lists 邮政快递包裹 (132) apart from 邮政EMS (118).
    await pdd.pushShipment(pddShop(), { ...shipment, carrier: 'EMS', companyCode: 'POSTB' })
    await pdd.pushShipment(pddShop(), { ...shipment, carrier: 'EMS' })
    // The captured pdd.waybill.get spells 极兔 `jtsd`; a shop's override keyed by its wp_code wins.
    await pdd.pushShipment(pddShop(), { ...shipment, carrier: 'JT', companyCode: 'jtsd' })
    await pdd.pushShipment(pddShop({ settings: { carrierCodes: { jtsd: '777', JT: '999' } } }), {
      ...shipment,
      carrier: 'JT',
      companyCode: 'jtsd',
    })
    expect(seen.map((f) => f.logistics_id)).toEqual(['132', '118', '384', '777'])
    // A wp_code neither table knows falls back to the carrier (and the name for OTHER).
    expect(logisticsIdFor({ carrier: 'ZTO', companyCode: 'CP446881' }, {})).toBe('115')
    expect(
      logisticsIdFor(
        { carrier: 'OTHER', carrierName: 'HTKY', companyCode: 'HTKY' },
        { carrierCodes: { HTKY: 3 } },
      ),
    ).toBe('3')
    expect(() => logisticsIdFor({ carrier: 'OTHER', carrierName: 'HTKY', companyCode: 'HTKY' }, {})).toThrow(
      'carrierCodes["HTKY"]',
    )
  })

  it('refuses a carrier without an id before calling PDD, and a refused send', async () => {
    await expect(
      pdd.pushShipment(pddShop(), { ...shipment, carrier: 'OTHER', carrierName: '某某快运' }),
    ).rejects.toMatchObject({
      kind: 'permanent',
      message: expect.stringContaining('carrierCodes["某某快运"]'),
    })
    gateway('pdd.logistics.online.send', json({ logistics_online_send_response: { is_success: false } }))
    await expect(pdd.pushShipment(pddShop(), { ...shipment, carrier: 'SF' })).rejects.toMatchObject({
      kind: 'permanent',
    })
  })
})

describe('settings', () => {
  it('validates baseUrl, timeoutMs and carrierCodes', () => {
    expect(settingsProblems(pdd.settingsSchema, {})).toEqual([])
    expect(
      settingsProblems(pdd.settingsSchema, {
        baseUrl: 'https://gw-api.pinduoduo.com/api/router',
        timeoutMs: 5000,
        carrierCodes: { SF: '44', JT: 384 },
      }),
    ).toEqual([])
    expect(
      settingsProblems(pdd.settingsSchema, {
        baseUrl: 'not a url',
        timeoutMs: -1,
        carrierCodes: { SF: 'shunfeng' },
      }),
    ).toHaveLength(3)
  })

  it('lists the Shanghai bill dates a window covers that have ended', () => {
    expect(billDates({ from: bj('2024-03-04 00:00:00'), to: bj('2024-03-06 00:00:00') })).toEqual([
      '2024-03-04',
      '2024-03-05',
    ])
    // 5 March is still running at 01:00: its bill does not exist yet.
    expect(billDates({ from: bj('2024-03-04 23:00:00'), to: bj('2024-03-05 01:00:00') })).toEqual([
      '2024-03-04',
    ])
    expect(billDates({ from: bj('2024-03-05 08:00:00'), to: bj('2024-03-05 09:00:00') })).toEqual([])
  })
})
