/**
 * What a merchant pastes into `entrepot map`: an order exactly as the platform's API explorer
 * shows it — response envelope included — or a webhook body, or the bare order. `pastedOrder`
 * finds the one order inside (pure), or says plainly why there is none: the platform answered an
 * error, the list holds several orders, or the message only names an order that must be fetched.
 *
 * Envelopes (shared/reference/cn-marketplaces.md, intl-and-settlements.md):
 *   taobao   {"trade_fullinfo_get_response":{"trade":{…}}}, simplify=true {"trade":{…}}, the list
 *            calls' {"trades":{"trade":[…]}} or {"trades":[…]}; TMC messages {topic, content}
 *   jd       {"jingdong_pop_order_enGet_responce":{"orderDetailInfo":{"orderInfo":{…}}}},
 *            {"…_enSearch_responce":{"searchorderinfo_result":{"orderInfoList":[…]}}}
 *   pdd      {"order_info_get_response":{"order_info":{…}}}, {"order_sn_increment_get_response":
 *            {"order_sn_list":[…]}}, {"order_list_get_response":{"order_list":[…]}}; PMC frames
 *   douyin   {"code":10000,"data":{"shop_order_detail":{…}}} or {"data":{"shop_order_list":[…]}};
 *            push messages [{tag, msg_id, data}]
 *   shopify  the webhook body (REST order), {"order":{…}} / {"orders":[…]} (REST),
 *            {"data":{"order":{…}}} / {"data":{"orders":{"nodes":[…]}}} (GraphQL); refunds/create
 *   woocommerce  the order (REST and webhook body alike), a list [ … ]; {"code","message"} errors
 *   selfstore    the Order, {"orders":[…]}, the webhook {"event","order"} or {"event","order_id"}
 */
import { parseJsonExact } from '../../connectors/json.js'
import type { Channel } from '../db/schema.js'

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const text = (v: unknown): string =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' ? String(v) : ''

export type Pasted =
  | { ok: true; order: unknown; found: string }
  | { ok: false; problem: 'platform_error' | 'several_orders' | 'no_order' | 'not_an_order'; message: string }

const found = (order: unknown, where: string): Pasted => ({ ok: true, order, found: where })
const refuse = (problem: Exclude<Pasted, { ok: true }>['problem'], message: string): Pasted => ({
  ok: false,
  problem,
  message,
})

/** One order out of a list: the list must hold exactly one. */
function single(list: unknown[], where: string, idOf: (o: unknown) => string): Pasted {
  if (list.length === 1) return found(list[0], `${where}[0]`)
  if (list.length === 0) return refuse('no_order', `${where} is empty: the answer holds no order`)
  const ids = list.slice(0, 5).map(idOf).filter(Boolean)
  return refuse(
    'several_orders',
    `${where} holds ${list.length} orders (${ids.join(', ')}${list.length > 5 ? ', …' : ''}): paste one of them`,
  )
}

/** A wrapped list: an array, or an object with one key holding the array (TOP's {"trade":[…]}). */
function listOf(v: unknown): unknown[] | null {
  if (Array.isArray(v)) return v as unknown[]
  if (isObj(v)) {
    const values = Object.values(v)
    if (values.length === 1 && Array.isArray(values[0])) return values[0] as unknown[]
  }
  return null
}

/** The single `<something>_response` (or JD's `_responce`) key's object, if that is all there is. */
function responseBody(v: Obj): { key: string; body: Obj } | null {
  const keys = Object.keys(v).filter((k) => /_respon[cs]e$/.test(k))
  if (keys.length !== 1 || !isObj(v[keys[0]!])) return null
  return { key: keys[0]!, body: v[keys[0]!] as Obj }
}

/** A JSON document inside a string (TMC and PMC message content, Douyin push data), or null. */
function embedded(v: unknown): Obj | null {
  if (isObj(v)) return v
  if (typeof v !== 'string') return null
  try {
    const parsed = parseJsonExact(v) // 19-digit ids stay exact
    return isObj(parsed) ? parsed : null
  } catch {
    return null
  }
}

function taobao(v: unknown): Pasted {
  if (!isObj(v)) return found(v, 'the trade')
  if (isObj(v.error_response)) {
    const e = v.error_response
    return refuse(
      'platform_error',
      `TOP answered an error: code ${text(e.code)} ${text(e.msg)}${e.sub_code ? ` (${text(e.sub_code)} ${text(e.sub_msg)})` : ''}`,
    )
  }
  if (typeof v.topic === 'string' && 'content' in v) {
    const content = embedded(v.content)
    return refuse(
      'not_an_order',
      `a TMC message (${v.topic}) names trade ${text(content?.tid) || '?'} but carries no trade: fetch it with taobao.trade.fullinfo.get and paste that answer`,
    )
  }
  const wrapped = responseBody(v)
  const body = wrapped?.body ?? v
  const at = wrapped ? wrapped.key : 'the answer'
  if (body.messages !== undefined && body.trade === undefined && body.trades === undefined)
    return refuse(
      'not_an_order',
      'TMC messages name trades but carry none: fetch a trade with taobao.trade.fullinfo.get and paste that answer',
    )
  if (isObj(body.trade)) return found(body.trade, `${at}.trade`)
  const trades = listOf(body.trades)
  if (trades) return single(trades, `${at}.trades`, (t) => (isObj(t) ? text(t.tid_str) || text(t.tid) : ''))
  return found(v, 'the trade')
}

function jd(v: unknown): Pasted {
  if (!isObj(v)) return found(v, 'the order')
  if (isObj(v.error_response)) {
    const e = v.error_response
    return refuse(
      'platform_error',
      `JOS answered an error: ${text(e.code)} ${text(e.en_desc) || text(e.zh_desc)}`,
    )
  }
  const wrapped = responseBody(v)
  const body = wrapped?.body ?? v
  const at = wrapped ? wrapped.key : 'the answer'
  const result = [body.orderDetailInfo, body.searchorderinfo_result].find(isObj)
  const api = result && isObj(result.apiResult) ? result.apiResult : null
  if (api && api.success === false)
    return refuse(
      'platform_error',
      `JOS answered ${text(api.numberCode)} ${text(api.englishErrCode) || text(api.chineseErrCode)}`,
    )
  if (isObj(body.orderDetailInfo) && isObj(body.orderDetailInfo.orderInfo))
    return found(body.orderDetailInfo.orderInfo, `${at}.orderDetailInfo.orderInfo`)
  if (isObj(body.searchorderinfo_result) && Array.isArray(body.searchorderinfo_result.orderInfoList))
    return single(
      body.searchorderinfo_result.orderInfoList,
      `${at}.searchorderinfo_result.orderInfoList`,
      (o) => (isObj(o) ? text(o.orderId) : ''),
    )
  if (isObj(body.orderInfo)) return found(body.orderInfo, `${at}.orderInfo`)
  if (Array.isArray(body.orderInfoList))
    return single(body.orderInfoList, `${at}.orderInfoList`, (o) => (isObj(o) ? text(o.orderId) : ''))
  return found(v, 'the order')
}

function pdd(v: unknown): Pasted {
  if (!isObj(v)) return found(v, 'the order')
  if (isObj(v.error_response)) {
    const e = v.error_response
    return refuse(
      'platform_error',
      `Pinduoduo answered an error: ${text(e.error_code)} ${text(e.error_msg)}${e.sub_msg ? ` (${text(e.sub_msg)})` : ''}`,
    )
  }
  if (isObj(v.message) && typeof v.message.type === 'string') {
    const content = embedded(v.message.content)
    return refuse(
      'not_an_order',
      `a PMC message (${v.message.type}) names order ${text(content?.tid) || '?'} but carries no order: fetch it with pdd.order.information.get and paste that answer`,
    )
  }
  const wrapped = responseBody(v)
  const body = wrapped?.body ?? v
  const at = wrapped ? wrapped.key : 'the answer'
  if (isObj(body.order_info)) return found(body.order_info, `${at}.order_info`)
  for (const key of ['order_sn_list', 'order_list'])
    if (Array.isArray(body[key]))
      return single(body[key], `${at}.${key}`, (o) => (isObj(o) ? text(o.order_sn) : ''))
  return found(v, 'the order')
}

function douyin(v: unknown): Pasted {
  if (Array.isArray(v) && v.every((m) => isObj(m) && 'tag' in m && 'data' in m)) {
    const first = v[0] as Obj | undefined
    const data = embedded(first?.data)
    return refuse(
      'not_an_order',
      `a push message (tag ${text(first?.tag)}) names order ${text(data?.p_id) || '?'} but carries no order: fetch it with order.orderDetail and paste that answer`,
    )
  }
  if (!isObj(v)) return found(v, 'the order')
  const enveloped = 'data' in v && ('code' in v || 'log_id' in v)
  if (!enveloped) return found(v, 'the order')
  if (text(v.code) !== '10000')
    return refuse(
      'platform_error',
      `Douyin answered ${text(v.code)} ${text(v.msg)}${v.sub_code ? ` (${text(v.sub_code)} ${text(v.sub_msg)})` : ''}`,
    )
  const data = v.data
  if (!isObj(data)) return refuse('no_order', 'the answer carries no data')
  if (isObj(data.shop_order_detail)) return found(data.shop_order_detail, 'data.shop_order_detail')
  if (Array.isArray(data.shop_order_list))
    return single(data.shop_order_list, 'data.shop_order_list', (o) => (isObj(o) ? text(o.order_id) : ''))
  return found(data, 'data')
}

function shopify(v: unknown): Pasted {
  if (!isObj(v)) return found(v, 'the order')
  if (Array.isArray(v.errors) || (isObj(v.errors) && !('line_items' in v))) {
    const messages = Array.isArray(v.errors)
      ? v.errors.map((e) => (isObj(e) ? text(e.message) : text(e)))
      : [JSON.stringify(v.errors)]
    return refuse('platform_error', `Shopify answered an error: ${messages.join('; ')}`)
  }
  if (isObj(v.data)) {
    if (isObj(v.data.order)) return found(v.data.order, 'data.order')
    if (v.data.order === null) return refuse('no_order', 'data.order is null: Shopify found no such order')
    if (isObj(v.data.orders)) {
      const conn = v.data.orders
      const list: unknown[] = Array.isArray(conn.nodes)
        ? (conn.nodes as unknown[])
        : Array.isArray(conn.edges)
          ? (conn.edges as unknown[]).map((e): unknown => (isObj(e) ? e.node : e))
          : []
      return single(list, 'data.orders', (o) => (isObj(o) ? text(o.legacyResourceId) || text(o.id) : ''))
    }
  }
  if (isObj(v.order)) return found(v.order, 'order')
  if (Array.isArray(v.orders)) return single(v.orders, 'orders', (o) => (isObj(o) ? text(o.id) : ''))
  if (Array.isArray(v.refund_line_items) && 'order_id' in v && !('line_items' in v))
    return refuse(
      'not_an_order',
      `a refunds/create body for order ${text(v.order_id)}: it carries the refund, not the order; fetch the order and paste it`,
    )
  return found(v, 'the order')
}

function woocommerce(v: unknown): Pasted {
  if (Array.isArray(v)) return single(v, 'the list', (o) => (isObj(o) ? text(o.id) : ''))
  if (isObj(v) && typeof v.code === 'string' && typeof v.message === 'string' && !('line_items' in v))
    return refuse('platform_error', `WooCommerce answered an error: ${v.code} ${v.message}`)
  return found(v, 'the order')
}

function selfstore(v: unknown): Pasted {
  if (!isObj(v)) return found(v, 'the order')
  if (typeof v.event === 'string') {
    if (isObj(v.order)) return found(v.order, 'the webhook order')
    return refuse(
      'not_an_order',
      v.event === 'ping'
        ? 'a ping webhook: it carries no order'
        : `a webhook (${v.event}) naming order ${text(v.order_id) || '?'} but carrying no order: fetch GET /orders/${text(v.order_id)} and paste that`,
    )
  }
  if (Array.isArray(v.orders)) return single(v.orders, 'orders', (o) => (isObj(o) ? text(o.id) : ''))
  return found(v, 'the order')
}

const READERS = { taobao, jd, pdd, douyin, shopify, woocommerce, selfstore } satisfies Record<
  Channel,
  (v: unknown) => Pasted
>

/** The one order inside what was pasted for `channel`, or why there is none. Pure. */
export function pastedOrder(channel: Channel, value: unknown): Pasted {
  return READERS[channel](value)
}
