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
import type { AlertKind, WebhookFormat } from './tables.js'

export interface AlertMessage {
  id: string
  kind: AlertKind
  subject: string
  merchantName: string
  /** When the condition was first seen, already in the merchant's zone (2026-12-07 14:05). */
  openedAt: string
  timezone: string
  /** Label → value lines shown under the subject. */
  facts: readonly (readonly [string, string])[]
}

/** The kind's Chinese title: group robots speak the team's language. */
export const KIND_TITLE: Record<AlertKind, string> = {
  low_stock: '库存预警',
  sync_stalled: '店铺同步中断',
  exception_aged: '异常订单超时未处理',
  writeback_failed: '发货回传失败',
  settlement_difference: '结算差异',
}

/** Markdown both robots render: a title line, the subject, the facts, the time with its zone. */
export function markdownOf(m: AlertMessage): string {
  return [
    `### 【Entrepot】${KIND_TITLE[m.kind]}`,
    `> ${m.subject}`,
    '',
    ...m.facts.map(([k, v]) => `- ${k}：${v}`),
    '',
    `${m.merchantName} · ${m.openedAt}（${m.timezone}）`,
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
        body: { msgtype: 'markdown', markdown: { title: KIND_TITLE[m.kind], text: markdownOf(m) } },
      }
    }
    case 'json':
      return {
        url,
        body: {
          id: m.id,
          kind: m.kind,
          title: KIND_TITLE[m.kind],
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
