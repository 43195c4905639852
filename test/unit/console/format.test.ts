import { describe, expect, it } from 'vitest'
import { camelRow, toPage } from '../../../src/console/api/adapt'
import { formatMoney } from '../../../src/console/format/money'
import { formatTime, zonedMidnight } from '../../../src/console/format/time'

describe('money as people read it', () => {
  it('formats the API decimal strings exactly, with symbol and separators', () => {
    expect(formatMoney('1234.5', 'CNY', 'zh-CN')).toBe('¥1,234.50')
    expect(formatMoney('0.00', 'CNY', 'zh-CN')).toBe('¥0.00')
    expect(formatMoney('-5', 'CNY', 'zh-CN')).toBe('-¥5.00')
    expect(formatMoney('12', 'USD', 'zh-CN')).toBe('US$12.00')
    expect(formatMoney('1234.5', 'CNY', 'en')).toBe('CN¥1,234.50')
    expect(formatMoney('12', 'USD', 'en')).toBe('$12.00')
    // A float would print …99.98: the string goes to Intl untouched.
    expect(formatMoney('99999999999999.99', 'CNY', 'zh-CN')).toBe('¥99,999,999,999,999.99')
    expect(formatMoney('12.3450', 'CNY', 'zh-CN')).toBe('¥12.35')
  })

  it('shows what it cannot read as it came, and nothing for nothing', () => {
    expect(formatMoney('abc', 'CNY', 'zh-CN')).toBe('abc')
    expect(formatMoney('1e5', 'CNY', 'zh-CN')).toBe('1e5')
    expect(formatMoney(null, 'CNY', 'zh-CN')).toBe('')
    expect(formatMoney('12', 'yuan', 'zh-CN')).toBe('12')
  })
})

describe('times in the merchant zone', () => {
  it('formats an instant in the given zone, one format', () => {
    expect(formatTime('2026-11-24T16:30:00.000Z', 'Asia/Shanghai')).toBe('2026-11-25 00:30')
    expect(formatTime('2026-11-24T16:30:05.000Z', 'Asia/Shanghai', { seconds: true })).toBe(
      '2026-11-25 00:30:05',
    )
    expect(formatTime('2026-11-24T16:30:00.000Z', 'Asia/Shanghai', { dateOnly: true })).toBe('2026-11-25')
    expect(formatTime('2026-11-24T16:30:00.000Z', 'America/New_York')).toBe('2026-11-24 11:30')
    expect(formatTime(null, 'Asia/Shanghai')).toBe('')
    expect(formatTime('not a time', 'Asia/Shanghai')).toBe('not a time')
  })

  it('turns a picked day into the instant it starts in the merchant zone', () => {
    expect(zonedMidnight('2026-12-07', 'Asia/Shanghai').toISOString()).toBe('2026-12-06T16:00:00.000Z')
    expect(zonedMidnight('2026-12-07', 'UTC').toISOString()).toBe('2026-12-07T00:00:00.000Z')
    // The day daylight saving starts in New York still begins at 00:00 EST.
    expect(zonedMidnight('2026-03-08', 'America/New_York').toISOString()).toBe('2026-03-08T05:00:00.000Z')
    expect(zonedMidnight('2026-07-01', 'America/New_York').toISOString()).toBe('2026-07-01T04:00:00.000Z')
  })
})

describe('the adapter to today’s API shapes', () => {
  it('reads { items, next } and { items, nextCursor } alike, and camelCases top-level keys only', () => {
    expect(toPage({ items: [1], next: 'a' })).toEqual({ items: [1], next: 'a' })
    expect(toPage({ items: [1], nextCursor: 'b' })).toEqual({ items: [1], next: 'b' })
    expect(toPage({ items: [] })).toEqual({ items: [], next: null })
    expect(camelRow({ buyer_paid: '1.00', raw_payload: { order_id: 1 } })).toEqual({
      buyerPaid: '1.00',
      rawPayload: { order_id: 1 },
    })
  })
})
