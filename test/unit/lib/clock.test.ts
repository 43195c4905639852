import { expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../../config/index.js'
import { offsetClock, parseClockOffset } from '../../../src/lib/clock.js'

it('reads a clock offset as a signed whole number and a unit', () => {
  expect(parseClockOffset(undefined)).toBe(0)
  expect(parseClockOffset('')).toBe(0)
  expect(parseClockOffset('0')).toBe(0)
  expect(parseClockOffset('1y')).toBe(365 * 86_400_000)
  expect(parseClockOffset('-30d')).toBe(-30 * 86_400_000)
  expect(parseClockOffset('+90m')).toBe(90 * 60_000)
  expect(parseClockOffset('1500ms')).toBe(1500)
  for (const bad of ['1', 'y', '1.5d', '1 year', 'P1Y']) expect(() => parseClockOffset(bad)).toThrow(bad)
})

it('moves the clock by the offset', () => {
  const before = Date.now()
  const t = offsetClock(parseClockOffset('1y')).now().getTime()
  expect(t - before).toBeGreaterThanOrEqual(365 * 86_400_000)
  expect(t - Date.now()).toBeLessThanOrEqual(365 * 86_400_000)
})

it('validates ENTREPOT_CLOCK_OFFSET at start-up and refuses it in production', () => {
  expect(() => loadConfig({ ENTREPOT_CLOCK_OFFSET: 'soon' })).toThrow('ENTREPOT_CLOCK_OFFSET')
  const prod = { NODE_ENV: 'production', ENTREPOT_SECRET_KEY: 'a'.repeat(64) }
  expect(() => loadConfig({ ...prod, ENTREPOT_CLOCK_OFFSET: '1y' })).toThrow(ConfigError)
  expect(() => loadConfig({ ...prod, ENTREPOT_CLOCK_OFFSET: '1y' })).toThrow('refused in production')
  expect(loadConfig({ ...prod, ENTREPOT_CLOCK_OFFSET: '0' }).env).toBe('production')
  expect(loadConfig({ ENTREPOT_CLOCK_OFFSET: '-30d' }).env).toBe('development')
})
