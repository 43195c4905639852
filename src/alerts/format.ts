/**
 * What an alert looks like on the wire, for each kind of webhook: the WeCom (企业微信) group robot,
 * the DingTalk (钉钉) group robot (signed), and plain JSON for anything else. Pure: no I/O, no clock.
 *
 * WeCom: POST the robot's URL (…/cgi-bin/webhook/send?key=…) with
 *   {"msgtype":"markdown","markdown":{"content":"…"}}; it answers {"errcode":0,"errmsg":"ok"}.
 * DingTalk: POST the robot's URL (…/robot/send?access_token=…) with
 *   {"msgtype":"markdown","markdown":{"title":"…","text":"…"}}; a robot with 加签 needs
 *   &timestamp=<ms>&sign=<urlencode(base64(HmacSHA256(key=secret, "<timestamp>\n<secret>")))>,
 *   the timestamp within an hour of the robot's clock; it answers {"errcode":0,"errmsg":"ok"}.
 */
import { createHmac } from 'node:crypto'
import type { Locale } from '../users/types.js'
import type { AlertKind, WebhookFormat } from './tables.js'

export interface AlertMessage {
  id: string
  kind: AlertKind
  /** The language the message is written in: the merchant's (Chinese unless it says English). */
  lang: Locale
  subject: string
  merchantName: string
  /** When the condition was first seen, already in the merchant's zone (2026-12-07 14:05). */
  openedAt: string
  timezone: string
  /** Label → value lines shown under the subject, already in `lang`. */
  facts: readonly (readonly [string, string])[]
}

/** The kind's title: group robots speak the team's language. */
export const KIND_TITLE: Record<Locale, Record<AlertKind, string>> = {
  'zh-CN': {
    low_stock: '库存预警',
    sync_stalled: '店铺同步中断',
    exception_aged: '异常订单超时未处理',
    writeback_failed: '发货回传失败',
    settlement_difference: '结算差异',
    rate_pull_failed: '汇率拉取失败',
  },
  en: {
    low_stock: 'Low stock',
    sync_stalled: 'Shop sync stopped',
    exception_aged: 'Exception orders waiting',
    writeback_failed: 'Shipment writeback failed',
    settlement_difference: 'Settlement differences',
    rate_pull_failed: 'Exchange-rate pull failed',
  },
}

/** The facts a message shows, by detail key, in the order listed. */
const FACT_LABELS: Record<Locale, Record<string, string>> = {
  'zh-CN': {
    code: 'SKU 编码',
    available: '可用库存',
    threshold: '预警值',
    shopName: '店铺',
    lagMinutes: '中断分钟数',
    lastError: '最近错误',
    reason: '异常原因',
    count: '数量',
    hours: '超时小时数',
    orderExternalId: '平台单号',
    attempts: '已尝试次数',
    error: '平台返回',
    total: '差异合计',
    currency: '币种',
    source: '汇率来源',
    day: '日期',
    providerError: '来源返回',
  },
  en: {
    code: 'SKU code',
    available: 'Available',
    threshold: 'Alert level',
    shopName: 'Shop',
    lagMinutes: 'Minutes without orders',
    lastError: 'Last error',
    reason: 'Exception reason',
    count: 'Count',
    hours: 'Hours open',
    orderExternalId: 'Platform order no.',
    attempts: 'Attempts',
    error: 'Platform answered',
    total: 'Total difference',
    currency: 'Currency',
    source: 'Rate source',
    day: 'Day',
    providerError: 'Provider answered',
  },
}

/** Free text from a platform or provider, quoted the way the language quotes. */
const QUOTED = new Set(['error', 'lastError', 'providerError'])
const quote = (lang: Locale, v: string) => (lang === 'en' ? `“${v}”` : `「${v}」`)

const RATE_SOURCE_NAME: Record<Locale, Record<string, string>> = {
  'zh-CN': { CFETS: '中国外汇交易中心人民币汇率中间价', ECB: '欧洲央行欧元参考汇率' },
  en: { CFETS: 'CFETS RMB central parity', ECB: 'ECB euro reference rates' },
}

export function factsOf(detail: Record<string, unknown>, lang: Locale): [string, string][] {
  const labels = FACT_LABELS[lang]
  return Object.keys(labels)
    .filter((k) => detail[k] !== null && detail[k] !== undefined && detail[k] !== '')
    .map((k) => {
      const v = String(detail[k] as string | number)
      const shown = k === 'source' ? (RATE_SOURCE_NAME[lang][v] ?? v) : QUOTED.has(k) ? quote(lang, v) : v
      return [labels[k]!, shown]
    })
}

type Detail = Record<string, unknown>
const has = (d: Detail, ...keys: string[]) => keys.every((k) => d[k] !== undefined && d[k] !== null)
const str = (v: unknown) => String(v as string | number)

/**
 * The one-line subject of an alert, from its condition's detail, in the merchant's language; null
 * when the detail lacks what the sentence needs (an alert raised before it carried it).
 */
export function subjectOf(kind: AlertKind, d: Detail, lang: Locale): string | null {
  const en = lang === 'en'
  switch (kind) {
    case 'low_stock': {
      if (!has(d, 'code', 'available', 'threshold')) return null
      const sku = `${str(d.code)} ${d.skuName ? str(d.skuName) : ''}`.trim()
      return en
        ? `${sku}: ${str(d.available)} available, below the alert level of ${str(d.threshold)}`
        : `${sku} 可用 ${str(d.available)}，低于预警值 ${str(d.threshold)}`
    }
    case 'sync_stalled':
      if (!has(d, 'shopName')) return null
      if (d.lagMinutes === null || d.lagMinutes === undefined)
        return en
          ? `Orders of the shop “${str(d.shopName)}” have never synced`
          : `店铺「${str(d.shopName)}」的订单从未同步成功`
      if (!has(d, 'thresholdMinutes')) return null
      return en
        ? `No orders synced from the shop “${str(d.shopName)}” for ${str(d.lagMinutes)} minutes (threshold ${str(d.thresholdMinutes)} minutes)`
        : `店铺「${str(d.shopName)}」已 ${str(d.lagMinutes)} 分钟没有同步到订单（阈值 ${str(d.thresholdMinutes)} 分钟）`
    case 'exception_aged':
      if (!has(d, 'count', 'hours')) return null
      return en
        ? `${str(d.count)} exception order${str(d.count) === '1' ? '' : 's'} open for more than ${str(d.hours)} hours`
        : `${str(d.count)} 个异常订单超过 ${str(d.hours)} 小时未处理`
    case 'writeback_failed':
      if (!has(d, 'shopName', 'orderExternalId')) return null
      return en
        ? `Shipment writeback failed for order ${str(d.orderExternalId)} of “${str(d.shopName)}”`
        : `「${str(d.shopName)}」订单 ${str(d.orderExternalId)} 发货回传失败`
    case 'settlement_difference': {
      if (!has(d, 'count', 'total', 'currency')) return null
      const shop = str(d.shopName ?? d.shopId ?? '')
      return en
        ? `The shop “${shop}” has ${str(d.count)} settlement difference${str(d.count) === '1' ? '' : 's'} totalling ${str(d.total)} ${str(d.currency)}`
        : `店铺「${shop}」有 ${str(d.count)} 笔结算差异，合计 ${str(d.total)} ${str(d.currency)}`
    }
    case 'rate_pull_failed': {
      if (!has(d, 'source', 'day', 'attempts')) return null
      const name = RATE_SOURCE_NAME[lang][str(d.source)] ?? str(d.source)
      return en
        ? `The ${name} for ${str(d.day)} could not be pulled (${str(d.attempts)} attempts); entries in foreign currencies wait for their rate`
        : `${str(d.day)} 的${name}拉取失败（已尝试 ${str(d.attempts)} 次），外币分录将等待汇率`
    }
  }
}

/** Markdown both robots render: a title line, the subject, the facts, the time with its zone. */
export function markdownOf(m: AlertMessage): string {
  const en = m.lang === 'en'
  return [
    en ? `### [Entrepot] ${KIND_TITLE.en[m.kind]}` : `### 【Entrepot】${KIND_TITLE['zh-CN'][m.kind]}`,
    `> ${m.subject}`,
    '',
    ...m.facts.map(([k, v]) => (en ? `- ${k}: ${v}` : `- ${k}：${v}`)),
    '',
    en
      ? `${m.merchantName} · ${m.openedAt} (${m.timezone})`
      : `${m.merchantName} · ${m.openedAt}（${m.timezone}）`,
  ].join('\n')
}

/** DingTalk's 加签: base64 of HmacSHA256 over "timestamp\nsecret" keyed by the secret, URL-encoded. */
export function dingTalkSign(timestampMs: number, secret: string): string {
  const digest = createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64')
  return encodeURIComponent(digest)
}

export interface WebhookRequest {
  url: string
  body: Record<string, unknown>
}

export function webhookRequest(
  format: WebhookFormat,
  url: string,
  m: AlertMessage,
  opts: { secret?: string | null; nowMs: number },
): WebhookRequest {
  switch (format) {
    case 'wecom':
      return { url, body: { msgtype: 'markdown', markdown: { content: markdownOf(m) } } }
    case 'dingtalk': {
      const signed = opts.secret
        ? `${url}${url.includes('?') ? '&' : '?'}timestamp=${opts.nowMs}&sign=${dingTalkSign(opts.nowMs, opts.secret)}`
        : url
      return {
        url: signed,
        body: { msgtype: 'markdown', markdown: { title: KIND_TITLE[m.lang][m.kind], text: markdownOf(m) } },
      }
    }
    case 'json':
      return {
        url,
        body: {
          id: m.id,
          kind: m.kind,
          lang: m.lang,
          title: KIND_TITLE[m.lang][m.kind],
          subject: m.subject,
          merchant: m.merchantName,
          openedAt: m.openedAt,
          timezone: m.timezone,
          facts: Object.fromEntries(m.facts),
        },
      }
  }
}

/** Both robots answer 200 with errcode 0 on success; anything else is a failure with their words. */
export function robotError(format: WebhookFormat, status: number, body: unknown): string | null {
  if (status < 200 || status >= 300) return `HTTP ${status}`
  if (format === 'json') return null
  const b = body as { errcode?: unknown; errmsg?: unknown } | null
  if (b && typeof b === 'object' && b.errcode === 0) return null
  const code = typeof b?.errcode === 'number' || typeof b?.errcode === 'string' ? b.errcode : '?'
  const msg = typeof b?.errmsg === 'string' ? b.errmsg : 'no answer'
  return `errcode ${code}: ${msg}`
}
