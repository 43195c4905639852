/**
 * Douyin message push (消息推送, cn-marketplaces.md §4.7): HTTP POST of a JSON array of
 * {tag, msg_id, data} where `data` is itself a JSON string. Messages name orders by id only, so the
 * event asks the worker to fetch them (order.orderDetail carries the full, current order).
 */
import { ConnectorError } from '../errors.js'
import { idString, parseJsonExact } from '../json.js'
import type { RawWebhook, WebhookEvent } from '../types.js'
import { eventSign, sameHex } from './sign.js'

/** Order message tags ✅ (trade domain). */
export const ORDER_TAGS = {
  '100': '订单创建',
  '101': '支付确认',
  '102': '卖家发货',
  '103': '交易完成',
  '104': '发货物流变更',
  '105': '收货信息变更',
  '106': '订单取消',
  '108': '部分发货',
  '109': '金额修改',
  '110': '已支付待处理',
  '111': '收货信息变更申请',
  '113': '卖家备注',
  '126': '发货时效变更',
} as const

/** After-sale message tags ✅: the order is re-fetched (its lines carry the after-sale state). */
export const REFUND_TAGS = {
  '200': '买家发起售后',
  '201': '同意退款',
  '202': '同意退货',
  '203': '买家退货',
  '204': '拒绝退款',
  '205': '拒绝退货',
  '206': '退款成功',
  '207': '售后关闭',
  '208': '买家修改售后',
  '209': '超时时长变更',
  '211': '换货二次发货',
  '212': '仲裁',
  '213': '仲裁',
  '214': '仲裁',
  '215': '仲裁',
  '216': '仲裁',
  '217': '仲裁',
  '218': '仲裁',
  '224': '特殊权益售后',
  '225': '特殊权益售后退款成功',
  '226': '补寄发货',
  '227': '同意补寄',
} as const

/**
 * ❓ The console's "test push" when the URL is configured: reported by integrators as tag "0" with
 * an empty data object; not in the SDKs. Answered as a ping, nothing stored.
 */
export const PING_TAGS = new Set(['0'])

const header = (req: RawWebhook, name: string): string | undefined => {
  const key = Object.keys(req.headers).find((k) => k.toLowerCase() === name)
  return key === undefined ? undefined : req.headers[key]
}

/** event-sign over the raw body (never a re-serialisation); `app-id`, when sent, must be our app key. */
export function verifyDouyinWebhook(req: RawWebhook, appKey: string, appSecret: string): boolean {
  if (appKey === '' || appSecret === '') return false
  const appId = header(req, 'app-id')
  if (appId !== undefined && appId !== appKey) return false
  const given = header(req, 'event-sign') ?? ''
  return given !== '' && sameHex(given, eventSign(appKey, appSecret, req.rawBody))
}

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const tagOf = (v: unknown): string => (typeof v === 'number' || typeof v === 'string' ? String(v) : '')

function fail(message: string, body: string): never {
  throw new ConnectorError('permanent', `douyin push: ${message}`, {
    channel: 'douyin',
    body: body.slice(0, 64 * 1024),
  })
}

export function parseDouyinWebhook(req: RawWebhook): WebhookEvent {
  const body = req.rawBody.toString('utf8')
  let messages: unknown
  try {
    messages = parseJsonExact(body)
  } catch {
    fail('body is not JSON', body)
  }
  if (!Array.isArray(messages)) fail('body is not a JSON array of messages', body)
  const ids = new Set<string>()
  const tags: string[] = []
  const msgIds: string[] = []
  let pings = 0
  for (const [i, m] of messages.entries()) {
    if (!isObj(m)) fail(`message ${i} is not an object`, body)
    const tag = tagOf(m.tag)
    tags.push(tag)
    const msgId = idString(m.msg_id)
    if (msgId) msgIds.push(msgId)
    if (PING_TAGS.has(tag)) {
      pings++
      continue
    }
    if (!(tag in ORDER_TAGS) && !(tag in REFUND_TAGS)) continue // product, logistics… messages: nothing to fetch
    let data: unknown
    try {
      data = typeof m.data === 'string' ? parseJsonExact(m.data) : m.data
    } catch {
      fail(`message ${msgId ?? i} (tag ${tag}) has data that is not JSON`, body)
    }
    const orderId = isObj(data) ? idString(data.p_id) : null
    if (!orderId) fail(`message ${msgId ?? i} (tag ${tag}) names no p_id`, body)
    ids.add(orderId)
  }
  return {
    deliveryId: msgIds.length > 0 ? msgIds.join(',') : null,
    topic: [...new Set(tags)].join(',') || 'empty',
    orders: [],
    refunds: [],
    orderIdsToFetch: [...ids],
    ...(messages.length > 0 && pings === messages.length ? { ping: true } : {}),
  }
}
