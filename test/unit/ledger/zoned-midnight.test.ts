import { expect, it } from 'vitest'
import { localDate, zonedMidnight } from '../../../src/ledger/statements.js'

// China has no daylight saving time; Shopify and WooCommerce merchants elsewhere do, some of them
// with the change at or near midnight (Santiago, Beirut, Havana) or ahead of UTC (Sydney, Chatham).
const ZONES = [
  'Asia/Shanghai',
  'America/New_York',
  'America/Los_Angeles',
  'Europe/Berlin',
  'Australia/Sydney',
  'America/Santiago',
  'Asia/Beirut',
  'America/Havana',
  'Asia/Kathmandu',
  'Pacific/Chatham',
]

it('a statement day starts at the first instant of that date in the merchant zone, every day of the year', () => {
  const wrong: string[] = []
  for (const zone of ZONES) {
    for (let t = Date.UTC(2026, 0, 1); t <= Date.UTC(2027, 0, 1); t += 86_400_000) {
      const date = new Date(t).toISOString().slice(0, 10)
      const start = zonedMidnight(date, zone)
      if (localDate(start, zone) !== date || localDate(new Date(start.getTime() - 1), zone) === date)
        wrong.push(`${zone} ${date} → ${start.toISOString()}`)
    }
  }
  expect(wrong).toEqual([])
})

it('knows the hour a daylight-saving change moves', () => {
  expect(zonedMidnight('2026-10-04', 'Australia/Sydney').toISOString()).toBe('2026-10-03T14:00:00.000Z')
  expect(zonedMidnight('2026-04-05', 'Australia/Sydney').toISOString()).toBe('2026-04-04T13:00:00.000Z')
  expect(zonedMidnight('2026-09-06', 'America/Santiago').toISOString()).toBe('2026-09-06T04:00:00.000Z') // 00:00 does not exist
  expect(zonedMidnight('2026-12-01', 'Asia/Shanghai').toISOString()).toBe('2026-11-30T16:00:00.000Z')
})
