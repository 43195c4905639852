import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { apportionOrder, totalPaid } from '../../../src/orders/apportion.js'
import { Decimal, sum } from '../../../src/money/index.js'
import { nextStatus } from '../../../src/orders/state.js'

const cents = (max: number) => fc.integer({ min: 0, max }).map((n) => new Decimal(n).div(100))
const line = fc
  .record({ goods: cents(500_000), lineDiscount: fc.integer({ min: 0, max: 100 }) })
  .map(({ goods, lineDiscount }) => ({
    goods,
    platformDiscount: new Decimal(0),
    merchantDiscount: goods.mul(lineDiscount).div(100).toDecimalPlaces(2, Decimal.ROUND_DOWN),
  }))

describe('apportionment', () => {
  test.prop([
    fc.array(line, { minLength: 1, maxLength: 12 }),
    fc.integer({ min: 0, max: 100 }),
    fc.integer({ min: 0, max: 100 }),
    cents(5_000),
  ])(
    'sums exactly, never goes negative, and does not depend on line order',
    (lines, platformPct, merchantPct, shipping) => {
      const room = sum(lines.map((l) => l.goods.minus(l.merchantDiscount)))
      const platform = room.mul(platformPct).div(200).toDecimalPlaces(2, Decimal.ROUND_DOWN)
      const merchant = room.minus(platform).mul(merchantPct).div(100).toDecimalPlaces(2, Decimal.ROUND_DOWN)
      const out = apportionOrder(lines, { platformDiscount: platform, merchantDiscount: merchant }, shipping)
      const goods = sum(lines.map((l) => l.goods))
      const lineMerchant = sum(lines.map((l) => l.merchantDiscount))
      expect(totalPaid(out).eq(goods.minus(platform).minus(merchant).minus(lineMerchant))).toBe(true)
      expect(sum(out.map((l) => l.shippingShare)).eq(shipping)).toBe(true)
      expect(sum(out.map((l) => l.platformDiscount)).eq(platform)).toBe(true)
      for (const l of out) {
        expect(l.paid.isNegative()).toBe(false)
        expect(l.shippingShare.isNegative()).toBe(false)
      }
      const reversed = apportionOrder(
        [...lines].reverse(),
        { platformDiscount: platform, merchantDiscount: merchant },
        shipping,
      )
      expect(totalPaid(reversed).eq(totalPaid(out))).toBe(true)
    },
  )

  it('gives the remainder to the last line', () => {
    const l = (g: string) => ({
      goods: new Decimal(g),
      platformDiscount: new Decimal(0),
      merchantDiscount: new Decimal(0),
    })
    const out = apportionOrder(
      [l('10'), l('10'), l('10')],
      { platformDiscount: new Decimal(0), merchantDiscount: new Decimal('10') },
      new Decimal(0),
    )
    expect(out.map((x) => x.merchantDiscount.toFixed(2))).toEqual(['3.33', '3.33', '3.34'])
  })

  it('moves the remainder off a last line that has no room left', () => {
    const l = (g: string) => ({
      goods: new Decimal(g),
      platformDiscount: new Decimal(0),
      merchantDiscount: new Decimal(0),
    })
    const out = apportionOrder(
      [l('0.01'), l('0.01'), l('0.00')],
      { platformDiscount: new Decimal(0), merchantDiscount: new Decimal('0.02') },
      new Decimal(0),
    )
    expect(out.map((x) => x.paid.toFixed(2))).toEqual(['0.00', '0.00', '0.00'])
  })
})

describe('state machine', () => {
  it.each([
    [null, 'paid', 'none', 'paid'],
    ['pending_payment', 'paid', 'none', 'paid'],
    ['allocated', 'paid', 'none', 'allocated'],
    ['picking', 'cancelled', 'none', 'cancelled'],
    ['shipped', 'paid', 'none', 'shipped'],
    ['shipped', 'completed', 'none', 'completed'],
    ['shipped', 'cancelled', 'refunded', 'shipped'],
    ['completed', 'shipped', 'none', 'completed'],
  ] as const)('%s + platform %s (%s) → %s', (from, platform, refund, to) => {
    expect(nextStatus(from, platform, refund)).toEqual({ ok: true, status: to })
  })

  it.each([
    ['paid', 'pending_payment'],
    ['cancelled', 'paid'],
    ['completed', 'pending_payment'],
    ['shipped', 'cancelled'],
  ] as const)('%s → %s is invalid', (from, platform) => {
    expect(nextStatus(from, platform).ok).toBe(false)
  })
})
