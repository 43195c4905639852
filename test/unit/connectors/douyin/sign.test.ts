import { createHash, createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { douyin } from '../../../../connectors/douyin/index.js'
import { canonicalJson, eventSign, signPattern, signRequest } from '../../../../connectors/douyin/sign.js'
import type { ShopContext } from '../../../../connectors/types.js'
import { fixedClock } from '../../../../src/lib/clock.js'
import { createLogger } from '../../../../src/lib/logger.js'

// Vectors from cn-marketplaces.md §4.2 and §4.7 (app_key 7000000000000000001, secret helloworld).
const APP_KEY = '7000000000000000001'
const SECRET = 'helloworld'
const TS = '1709260300'

describe('douyin request signing', () => {
  it('reproduces the order.searchList vector (HMAC-SHA256 and MD5)', () => {
    const paramJson = canonicalJson({
      update_time_start: 1709258400,
      update_time_end: 1709260200,
      order_by: 'update_time',
      order_asc: true,
      page: 0,
      size: 100,
    })
    expect(paramJson).toBe(
      '{"order_asc":true,"order_by":"update_time","page":0,"size":100,"update_time_end":1709260200,"update_time_start":1709258400}',
    )
    const input = { appKey: APP_KEY, appSecret: SECRET, method: 'order.searchList', paramJson, timestamp: TS }
    expect(signRequest(input)).toBe('5c4556806c36df29381b8f4ea33bda8f16506e6cf960a36bb043fe22384c666f')
    expect(signRequest(input, 'md5')).toBe('4d74a3383978bdb2a4a1b6f6466632b5')
  })

  it('reproduces the sku.syncStock vector with int64 ids written exactly', () => {
    const paramJson = canonicalJson({
      sku_id: 1700000000000000001n,
      product_id: 3600000000000000001n,
      stock_num: 25,
      incremental: false,
    })
    expect(paramJson).toBe(
      '{"incremental":false,"product_id":3600000000000000001,"sku_id":1700000000000000001,"stock_num":25}',
    )
    expect(
      signRequest({ appKey: APP_KEY, appSecret: SECRET, method: 'sku.syncStock', paramJson, timestamp: TS }),
    ).toBe('e9b4e34b3d2dd3516372b169adcbca0d8484ca590e3d76b52ee19c4ca661a174')
  })

  it('sorts nested keys, keeps Chinese text and HTML characters unescaped, keeps empty strings, drops undefined', () => {
    const json = canonicalJson({
      z: '',
      a: { y: [{ b: 2, a: 1 }], x: '龙井 <茶> & "壶"' },
      skip: undefined,
      n: null,
    })
    expect(json).toBe('{"a":{"x":"龙井 <茶> & \\"壶\\"","y":[{"a":1,"b":2}]},"n":null,"z":""}')
    expect(canonicalJson({})).toBe('{}')
  })

  it('signs the UTF-8 bytes of Chinese text and an empty param_json', () => {
    const paramJson = canonicalJson({ remark: '加急发货', order_id: '6921001234567890123' })
    const input = {
      appKey: APP_KEY,
      appSecret: SECRET,
      method: 'order.addOrderRemark',
      paramJson,
      timestamp: TS,
    }
    const pattern = `helloworldapp_key${APP_KEY}methodorder.addOrderRemarkparam_json{"order_id":"6921001234567890123","remark":"加急发货"}timestamp${TS}v2helloworld`
    expect(signPattern(input)).toBe(pattern)
    expect(signRequest(input)).toBe(
      createHmac('sha256', SECRET).update(Buffer.from(pattern, 'utf8')).digest('hex'),
    )
    const empty = { ...input, method: 'shop.brandList', paramJson: canonicalJson({}) }
    expect(signPattern(empty)).toContain('param_json{}timestamp')
    expect(signRequest(empty, 'md5')).toBe(createHash('md5').update(signPattern(empty)).digest('hex'))
  })
})

describe('douyin message push', () => {
  const body =
    '[{"tag":"101","msg_id":"7300000000000000000","data":"{\\"p_id\\":6900000000000000001,\\"s_ids\\":[6900000000000000002],\\"shop_id\\":12345,\\"order_status\\":2,\\"order_type\\":0,\\"pay_type\\":1,\\"pay_time\\":1709260000,\\"pay_amount\\":12900}"}]'
  const shop: ShopContext = {
    id: 'shop-dy',
    merchantId: 'm',
    channel: 'douyin',
    settings: {},
    credentials: { appKey: APP_KEY, appSecret: SECRET, accessToken: 'tok' },
    clock: fixedClock('2024-03-01T02:30:00Z'),
    log: createLogger('silent'),
    saveCredentials: async () => undefined,
  }
  const req = (sign: string, raw = body, extra: Record<string, string> = {}) => ({
    headers: { 'event-sign': sign, 'app-id': APP_KEY, ...extra },
    rawBody: Buffer.from(raw, 'utf8'),
    query: {},
  })

  it('matches the event-sign vector md5(app_key + body + app_secret)', () => {
    expect(eventSign(APP_KEY, SECRET, Buffer.from(body))).toBe('3384b4dc8caa29ba1957c9dd70621bc4')
    expect(douyin.verifyWebhook!(req('3384b4dc8caa29ba1957c9dd70621bc4'), shop)).toBe(true)
    expect(douyin.verifyWebhook!(req('3384B4DC8CAA29BA1957C9DD70621BC4'), shop)).toBe(true)
  })

  it('rejects a wrong signature, a re-serialised body, another app and a missing header', () => {
    expect(douyin.verifyWebhook!(req('3384b4dc8caa29ba1957c9dd70621bc5'), shop)).toBe(false)
    expect(
      douyin.verifyWebhook!(req('3384b4dc8caa29ba1957c9dd70621bc4', body.replace('[{', '[ {')), shop),
    ).toBe(false)
    expect(
      douyin.verifyWebhook!(
        req('3384b4dc8caa29ba1957c9dd70621bc4', body, { 'app-id': '7000000000000000002' }),
        shop,
      ),
    ).toBe(false)
    expect(douyin.verifyWebhook!({ headers: {}, rawBody: Buffer.from(body), query: {} }, shop)).toBe(false)
  })

  it('parses the order message into an order id to fetch, with the msg_id as delivery id', () => {
    expect(douyin.parseWebhook!(req(''))).toEqual({
      deliveryId: '7300000000000000000',
      topic: '101',
      orders: [],
      refunds: [],
      orderIdsToFetch: ['6900000000000000001'],
    })
  })

  it('parses a batch with a replayed message once per order, refund tags included, product tags ignored', () => {
    const msg = (tag: string, id: string, data: string) => ({ tag, msg_id: id, data })
    const batch = JSON.stringify([
      msg(
        '102',
        '7300000000000000001',
        '{"p_id":6900000000000000001,"s_ids":[6900000000000000002],"shop_id":12345}',
      ),
      msg(
        '102',
        '7300000000000000001',
        '{"p_id":6900000000000000001,"s_ids":[6900000000000000002],"shop_id":12345}',
      ),
      msg(
        '206',
        '7300000000000000002',
        '{"aftersale_id":7301234567890123456,"p_id":6900000000000000009,"s_id":6900000000000000010,"refund_amount":11900}',
      ),
      msg('400', '7300000000000000003', '{"product_id":3600000000000000001}'),
    ])
    const event = douyin.parseWebhook!(req('', batch))
    expect(event).toMatchObject({
      topic: '102,206,400',
      orderIdsToFetch: ['6900000000000000001', '6900000000000000009'],
    })
    expect(event.deliveryId).toBe(
      '7300000000000000001,7300000000000000001,7300000000000000002,7300000000000000003',
    )
    expect(event.ping).toBeUndefined()
  })

  it('answers the console test push as a ping', () => {
    expect(douyin.parseWebhook!(req('', '[{"tag":"0","msg_id":"0","data":"{}"}]'))).toMatchObject({
      ping: true,
      orderIdsToFetch: [],
    })
  })

  it('surfaces a malformed push as a permanent error with the body kept', () => {
    expect(() => douyin.parseWebhook!(req('', '{"tag":'))).toThrow(
      expect.objectContaining({ kind: 'permanent', detail: expect.objectContaining({ body: '{"tag":' }) }),
    )
    expect(() => douyin.parseWebhook!(req('', '[{"tag":"101","msg_id":"1","data":"{}"}]'))).toThrow(
      /names no p_id/,
    )
  })
})
