/**
 * `entrepot map` reads an order as the platform's API explorer shows it: every channel's response
 * envelope (documented shapes, shared/reference/), list answers holding one order, webhook bodies,
 * and the bare order — and the unified order is the same whichever way it came. Error answers,
 * several orders and messages that only name an order are refused with a reason.
 */
import { execFile } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { getConnector } from '../../../connectors/index.js'
import { parseJsonExact } from '../../../connectors/json.js'
import type { Channel } from '../../../src/db/schema.js'
import { pastedOrder, type Pasted } from '../../../src/cli/pasted.js'
import { tradeCancelled, tradeMultiLine, wire as topWire } from '../../fixtures/taobao/trades.js'
import { jdCancelled, jdMultiLine, searchAnswer, wire as jdWire } from '../../fixtures/jd/orders.js'
import { pddCancelled, pddMultiLine } from '../../fixtures/pdd/orders.js'
import { dyCancelled, dyMultiLine, envelope } from '../../fixtures/douyin/orders.js'
import { bothShapes, graphqlNode, shopifyMultiLine, shopifyRefunded } from '../../fixtures/shopify/orders.js'
import { wooCancelled, wooMultiLine } from '../../fixtures/woocommerce/orders.js'
import { selfstoreOrder } from '../../fixtures/selfstore/orders.js'

/** What `map` prints for a pasted text, or the refusal. */
function mapPasted(channel: Channel, text: string): { pasted: Pasted; json?: unknown } {
  const pasted = pastedOrder(channel, parseJsonExact(text))
  if (!pasted.ok) return { pasted }
  const r = getConnector(channel).mapOrder(pasted.order)
  if (!r.ok) throw new Error(`${channel}: ${r.reason} ${r.detail}`)
  return { pasted, json: JSON.parse(JSON.stringify(r.value)) }
}
const bare = (channel: Channel, text: string) => mapPasted(channel, text).json
const refusal = (channel: Channel, text: string) => {
  const { pasted } = mapPasted(channel, text)
  if (pasted.ok) throw new Error(`expected a refusal, read ${pasted.found}`)
  return pasted
}

describe('taobao', () => {
  const trade = topWire(tradeMultiLine)
  it('reads trade_fullinfo_get_response, the simplified answer and a list of one, as the bare trade', () => {
    const expected = bare('taobao', trade)
    const wrapped = topWire({
      trade_fullinfo_get_response: {
        trade: { ...tradeMultiLine, orders: { order: tradeMultiLine.orders } },
        request_id: '16mg9y1mrc8a7',
      },
    })
    expect(mapPasted('taobao', wrapped)).toMatchObject({
      pasted: { ok: true, found: 'trade_fullinfo_get_response.trade' },
      json: expected,
    })
    expect(bare('taobao', topWire({ trade: tradeMultiLine, request_id: 'x' }))).toEqual(expected)
    expect(
      bare(
        'taobao',
        topWire({
          trades_sold_increment_get_response: { total_results: 1, trades: { trade: [tradeMultiLine] } },
        }),
      ),
    ).toEqual(expected)
  })

  it('refuses an error answer, several trades and a TMC message, saying why', () => {
    expect(
      refusal(
        'taobao',
        '{"error_response":{"code":27,"msg":"Invalid session","sub_code":"invalid-sessionkey","sub_msg":"SessionKey非法","request_id":"x"}}',
      ),
    ).toMatchObject({
      problem: 'platform_error',
      message: expect.stringContaining('code 27 Invalid session'),
    })
    expect(
      refusal('taobao', topWire({ trades: [tradeMultiLine, tradeCancelled], total_results: 2 })),
    ).toMatchObject({ problem: 'several_orders', message: expect.stringContaining('2 orders') })
    expect(
      refusal(
        'taobao',
        '{"topic":"taobao_trade_TradeBuyerPay","content":"{\\"tid\\":3678123456789012345,\\"seller_nick\\":\\"x\\"}","user_id":1}',
      ),
    ).toMatchObject({ problem: 'not_an_order', message: expect.stringContaining('3678123456789012345') })
  })
})

describe('jd', () => {
  it("reads JD's enGet and enSearch wrappers as the bare order", () => {
    const expected = bare('jd', jdWire(jdMultiLine))
    const enGet = jdWire({
      jingdong_pop_order_enGet_responce: {
        code: '0',
        orderDetailInfo: {
          orderInfo: jdMultiLine,
          apiResult: { success: true, englishErrCode: '', chineseErrCode: '', numberCode: 0 },
        },
      },
    })
    expect(mapPasted('jd', enGet)).toMatchObject({
      pasted: { found: 'jingdong_pop_order_enGet_responce.orderDetailInfo.orderInfo' },
      json: expected,
    })
    expect(bare('jd', searchAnswer([jdMultiLine]))).toEqual(expected)
  })

  it('refuses a gateway error, a failed apiResult and a search page of several orders', () => {
    expect(
      refusal(
        'jd',
        '{"error_response":{"code":"19","zh_desc":"token已过期","en_desc":"Invalid access_token"}}',
      ),
    ).toMatchObject({ problem: 'platform_error', message: expect.stringContaining('Invalid access_token') })
    expect(
      refusal(
        'jd',
        '{"jingdong_pop_order_enGet_responce":{"code":"0","orderDetailInfo":{"apiResult":{"success":false,"englishErrCode":"order not exist","chineseErrCode":"订单不存在","numberCode":10100}}}}',
      ),
    ).toMatchObject({ problem: 'platform_error', message: expect.stringContaining('order not exist') })
    expect(refusal('jd', searchAnswer([jdMultiLine, jdCancelled]))).toMatchObject({
      problem: 'several_orders',
      message: expect.stringContaining('3219876543210987654'),
    })
  })
})

describe('pdd', () => {
  const order = JSON.stringify(pddMultiLine)
  it('reads order_info_get_response and the increment list of one as the bare order', () => {
    const expected = bare('pdd', order)
    expect(
      mapPasted(
        'pdd',
        JSON.stringify({ order_info_get_response: { order_info: pddMultiLine, request_id: 'r' } }),
      ),
    ).toMatchObject({ pasted: { found: 'order_info_get_response.order_info' }, json: expected })
    expect(
      bare(
        'pdd',
        JSON.stringify({
          order_sn_increment_get_response: { order_sn_list: [pddMultiLine], total_count: 1, has_next: false },
        }),
      ),
    ).toEqual(expected)
  })

  it('refuses an error_response, several orders and a PMC frame', () => {
    expect(
      refusal(
        'pdd',
        '{"error_response":{"error_code":10019,"error_msg":"access_token已过期","sub_code":"10019","sub_msg":"","request_id":"r"}}',
      ),
    ).toMatchObject({ problem: 'platform_error', message: expect.stringContaining('10019') })
    expect(
      refusal(
        'pdd',
        JSON.stringify({ order_sn_increment_get_response: { order_sn_list: [pddMultiLine, pddCancelled] } }),
      ),
    ).toMatchObject({ problem: 'several_orders' })
    expect(
      refusal(
        'pdd',
        '{"id":1,"commandType":"Common","time":1,"sendTime":1,"message":{"type":"pdd_trade_TradeConfirmed","mallID":9,"content":"{\\"tid\\":\\"240301-512345678901234\\",\\"mall_id\\":9}"}}',
      ),
    ).toMatchObject({ problem: 'not_an_order', message: expect.stringContaining('240301-512345678901234') })
  })
})

describe('douyin', () => {
  it("reads the envelope's data.shop_order_detail and data.shop_order_list of one as the bare order", () => {
    const expected = bare('douyin', envelope({ shop_order_detail: dyMultiLine }))
    expect(mapPasted('douyin', envelope({ shop_order_detail: dyMultiLine }))).toMatchObject({
      pasted: { found: 'data.shop_order_detail' },
    })
    expect(
      bare(
        'douyin',
        JSON.stringify(dyMultiLine).replace(/"(product_id|sku_id|p_id)":"(\d{16,19})"/g, '"$1":$2'),
      ),
    ).toEqual(expected)
    expect(
      bare('douyin', envelope({ page: 0, size: 100, total: 1, shop_order_list: [dyMultiLine] })),
    ).toEqual(expected)
  })

  it('refuses an error envelope, several orders and a push message', () => {
    expect(
      refusal('douyin', envelope(null, 40004, '参数错误', 'isv.parameter-invalid:20022', '只能查询90天内')),
    ).toMatchObject({
      problem: 'platform_error',
      message: expect.stringContaining('40004'),
    })
    expect(
      refusal('douyin', envelope({ total: 2, shop_order_list: [dyMultiLine, dyCancelled] })),
    ).toMatchObject({ problem: 'several_orders', message: expect.stringContaining('6921001234567890123') })
    expect(
      refusal(
        'douyin',
        '[{"tag":"101","msg_id":"7300000000000000000","data":"{\\"p_id\\":6900000000000000001,\\"s_ids\\":[6900000000000000002],\\"shop_id\\":12345,\\"order_status\\":2}"}]',
      ),
    ).toMatchObject({ problem: 'not_an_order', message: expect.stringContaining('6900000000000000001') })
  })
})

describe('shopify', () => {
  it('reads the webhook body, the REST {order} answer and the GraphQL {data:{order}} answer alike', () => {
    const expected = bare('shopify', JSON.stringify(shopifyMultiLine))
    expect(bare('shopify', JSON.stringify({ order: shopifyMultiLine }))).toEqual(expected)
    expect(
      mapPasted(
        'shopify',
        JSON.stringify({ data: { order: graphqlNode() }, extensions: { cost: { requestedQueryCost: 12 } } }),
      ),
    ).toMatchObject({ pasted: { found: 'data.order' }, json: expected })
    expect(bare('shopify', JSON.stringify({ data: { orders: { nodes: [graphqlNode()] } } }))).toEqual(
      expected,
    )
    const fulfilled = bothShapes.fulfilled!
    expect(bare('shopify', JSON.stringify({ data: { order: fulfilled.graphql } }))).toEqual(
      bare('shopify', JSON.stringify(fulfilled.rest)),
    )
  })

  it('refuses GraphQL errors, several orders and a refunds/create body', () => {
    expect(
      refusal('shopify', '{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED"}}]}'),
    ).toMatchObject({ problem: 'platform_error', message: expect.stringContaining('Throttled') })
    expect(refusal('shopify', JSON.stringify({ orders: [shopifyMultiLine, shopifyRefunded] }))).toMatchObject(
      {
        problem: 'several_orders',
      },
    )
    expect(
      refusal('shopify', JSON.stringify({ ...shopifyRefunded.refunds[0], line_items: undefined })),
    ).toMatchObject({ problem: 'not_an_order', message: expect.stringContaining('5923848749189') })
    expect(refusal('shopify', '{"data":{"order":null}}')).toMatchObject({ problem: 'no_order' })
  })
})

describe('woocommerce', () => {
  it('reads the order (REST answer and webhook body are the same) and a list of one', () => {
    const expected = bare('woocommerce', JSON.stringify(wooMultiLine))
    expect(bare('woocommerce', JSON.stringify([wooMultiLine]))).toEqual(expected)
    expect(refusal('woocommerce', JSON.stringify([wooMultiLine, wooCancelled]))).toMatchObject({
      problem: 'several_orders',
      message: expect.stringContaining('727, 728'),
    })
    expect(
      refusal(
        'woocommerce',
        '{"code":"woocommerce_rest_shop_order_invalid_id","message":"Invalid ID.","data":{"status":404}}',
      ),
    ).toMatchObject({ problem: 'platform_error', message: expect.stringContaining('Invalid ID.') })
  })
})

describe('selfstore', () => {
  it('reads the Order, the webhook {event, order} and the list answer of one', () => {
    const order = selfstoreOrder({ id: 'SO-1', updated_at: '2026-11-11T00:00:40+08:00' })
    const expected = bare('selfstore', JSON.stringify(order))
    expect(bare('selfstore', JSON.stringify({ event: 'order.updated', order }))).toEqual(expected)
    expect(bare('selfstore', JSON.stringify({ orders: [order], next_cursor: null }))).toEqual(expected)
    expect(refusal('selfstore', '{"event":"order.updated","order_id":"SO-1"}')).toMatchObject({
      problem: 'not_an_order',
      message: expect.stringContaining('GET /orders/SO-1'),
    })
  })
})

describe('the map command', () => {
  it('prints the unified order of a pasted Douyin answer, envelope and all, and says what it read', async () => {
    const run = (input: string) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = execFile(
          process.execPath,
          ['src/cli/entrepot.js', 'map', '--channel', 'douyin'],
          (err, stdout, stderr) => resolve({ code: err ? (err.code as number) : 0, stdout, stderr }),
        )
        child.stdin!.end(input)
      })
    const answer = envelope({ shop_order_detail: dyMultiLine })
    const out = await run(answer)
    expect(out.stderr).toContain('reading data.shop_order_detail')
    expect(out.code).toBe(0)
    expect(JSON.parse(out.stdout)).toEqual(bare('douyin', answer))
  })
})
