/** Alert subjects and messages, written server-side in the merchant's language (zh-CN unless English). */
import { describe, expect, it } from 'vitest'
import { factsOf, KIND_TITLE, markdownOf, subjectOf, webhookRequest } from '../../../src/alerts/format.js'
import { ALERT_KINDS } from '../../../src/alerts/tables.js'
import { alertLocale } from '../../../src/merchants/repo.js'

const DETAIL = {
  low_stock: { code: 'MUG-350', skuName: '陶瓷马克杯', available: 2, threshold: 5 },
  sync_stalled: { shopName: '好物京东店', lagMinutes: 180, thresholdMinutes: 60, lastError: 'token expired' },
  exception_aged: { reason: 'unmapped_sku', count: 3, hours: 24 },
  writeback_failed: {
    shopName: '好物天猫旗舰店',
    orderExternalId: '3891204512345678901',
    attempts: 6,
    error: 'B150',
  },
  settlement_difference: { shopName: 'US store', count: 2, total: '12.40', currency: 'USD' },
  rate_pull_failed: { source: 'CFETS', day: '2025-03-03', attempts: 7, providerError: 'answered 403' },
} as const

describe('alert subjects', () => {
  it('reads in Chinese', () => {
    expect(ALERT_KINDS.map((k) => subjectOf(k, DETAIL[k], 'zh-CN'))).toEqual([
      'MUG-350 陶瓷马克杯 可用 2，低于预警值 5',
      '店铺「好物京东店」已 180 分钟没有同步到订单（阈值 60 分钟）',
      '3 个异常订单超过 24 小时未处理',
      '「好物天猫旗舰店」订单 3891204512345678901 发货回传失败',
      '店铺「US store」有 2 笔结算差异，合计 12.40 USD',
      '2025-03-03 的中国外汇交易中心人民币汇率中间价拉取失败（已尝试 7 次），外币分录将等待汇率',
    ])
  })

  it('reads in English', () => {
    expect(ALERT_KINDS.map((k) => subjectOf(k, DETAIL[k], 'en'))).toEqual([
      'MUG-350 陶瓷马克杯: 2 available, below the alert level of 5',
      'No orders synced from the shop “好物京东店” for 180 minutes (threshold 60 minutes)',
      '3 exception orders open for more than 24 hours',
      'Shipment writeback failed for order 3891204512345678901 of “好物天猫旗舰店”',
      'The shop “US store” has 2 settlement differences totalling 12.40 USD',
      'The CFETS RMB central parity for 2025-03-03 could not be pulled (7 attempts); entries in foreign currencies wait for their rate',
    ])
    expect(subjectOf('exception_aged', { count: 1, hours: 24 }, 'en')).toBe(
      '1 exception order open for more than 24 hours',
    )
    expect(subjectOf('sync_stalled', { shopName: 'JD', lagMinutes: null }, 'en')).toBe(
      'Orders of the shop “JD” have never synced',
    )
  })

  it('is null when the detail lacks what the sentence needs (an alert raised before it carried it)', () => {
    expect(subjectOf('sync_stalled', { shopName: 'JD', lagMinutes: 90 }, 'zh-CN')).toBeNull()
    expect(subjectOf('low_stock', { code: 'X' }, 'en')).toBeNull()
  })

  it('every kind has a title in both languages', () => {
    for (const k of ALERT_KINDS) {
      expect(KIND_TITLE['zh-CN'][k]).toMatch(/[\u4e00-\u9fff]/)
      expect(KIND_TITLE.en[k]).toMatch(/^[A-Z][A-Za-z -]+$/)
    }
  })
})

describe('robot messages', () => {
  const message = (lang: 'zh-CN' | 'en') => ({
    id: 'a1',
    kind: 'rate_pull_failed' as const,
    lang,
    subject: subjectOf('rate_pull_failed', DETAIL.rate_pull_failed, lang)!,
    merchantName: 'Hangzhou Goods',
    openedAt: '2025-03-03 10:40',
    timezone: 'Asia/Shanghai',
    facts: factsOf(DETAIL.rate_pull_failed, lang),
  })

  it('labels the facts and quotes what the provider said in each language', () => {
    expect(factsOf(DETAIL.rate_pull_failed, 'zh-CN')).toEqual([
      ['已尝试次数', '7'],
      ['汇率来源', '中国外汇交易中心人民币汇率中间价'],
      ['日期', '2025-03-03'],
      ['来源返回', '「answered 403」'],
    ])
    expect(factsOf(DETAIL.rate_pull_failed, 'en')).toEqual([
      ['Attempts', '7'],
      ['Rate source', 'CFETS RMB central parity'],
      ['Day', '2025-03-03'],
      ['Provider answered', '“answered 403”'],
    ])
  })

  it('builds the WeCom markdown in English', () => {
    expect(markdownOf(message('en'))).toBe(
      [
        '### [Entrepot] Exchange-rate pull failed',
        '> The CFETS RMB central parity for 2025-03-03 could not be pulled (7 attempts); entries in foreign currencies wait for their rate',
        '',
        '- Attempts: 7',
        '- Rate source: CFETS RMB central parity',
        '- Day: 2025-03-03',
        '- Provider answered: “answered 403”',
        '',
        'Hangzhou Goods · 2025-03-03 10:40 (Asia/Shanghai)',
      ].join('\n'),
    )
  })

  it('builds the DingTalk markdown in Chinese, titled in Chinese', () => {
    const req = webhookRequest(
      'dingtalk',
      'https://oapi.dingtalk.com/robot/send?access_token=t',
      message('zh-CN'),
      {
        nowMs: 0,
      },
    )
    const md = req.body.markdown as { title: string; text: string }
    expect(md.title).toBe('汇率拉取失败')
    expect(md.text.split('\n')[0]).toBe('### 【Entrepot】汇率拉取失败')
    expect(md.text).toContain('- 来源返回：「answered 403」')
    expect(md.text.endsWith('Hangzhou Goods · 2025-03-03 10:40（Asia/Shanghai）')).toBe(true)
  })
})

describe('the merchant’s alert language', () => {
  it('is its own choice, else Chinese for a zone in China and English elsewhere', () => {
    expect(alertLocale({ locale: null, timezone: 'Asia/Shanghai' })).toBe('zh-CN')
    expect(alertLocale({ locale: 'en', timezone: 'Asia/Shanghai' })).toBe('en')
    expect(alertLocale({ locale: null, timezone: 'Europe/Paris' })).toBe('en')
    expect(alertLocale({ locale: 'zh-CN', timezone: 'Europe/Paris' })).toBe('zh-CN')
  })
})
