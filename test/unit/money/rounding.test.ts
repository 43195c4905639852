import { expect, it } from 'vitest'
import { expectedFees } from '../../../src/ledger/commission.js'
import { movingAverage } from '../../../src/inventory/operations.js'
import { apportion, Decimal, money, round, toAmount, toDb, truncate } from '../../../src/money/index.js'

it('rounds half up to the cent however the amount was made (0.125 → 0.13)', () => {
  const made = [money('0.125'), new Decimal('0.125'), money('0.5').div(4), money('0.0125').mul(10)]
  for (const d of made) {
    expect(round(d).toFixed()).toBe('0.13')
    expect(toAmount(d)).toBe('0.13')
    expect(d.toFixed(2)).toBe('0.13') // the one Decimal configuration is half up too
  }
  expect(round(money('-0.125')).toFixed()).toBe('-0.13') // away from zero on a tie
  expect(round(money('0.124999')).toFixed()).toBe('0.12')
  expect(round(money('2.675')).toFixed()).toBe('2.68') // a float would say 2.67
  expect(toDb(money('0.00005'))).toBe('0.0001')
  expect(truncate(money('0.129')).toFixed()).toBe('0.12')
})

it('rounds a commission tie half up, as the platforms bill it (12.50 × 0.0692 = 0.865 → 0.87)', () => {
  const fees = expectedFees(
    { rate: '0.0692', paymentRate: '0.0692' },
    [{ skuCode: null, category: null, goods: money('12.50'), merchantDiscount: money('0') }],
    money('12.50'),
  )
  expect(fees.lines.map((l) => l.toFixed(2))).toEqual(['0.87'])
  expect(fees.paymentFee.toFixed(2)).toBe('0.87')
})

it('rounds the moving-average cost half up to 4 places', () => {
  // (1 × 0.0002 + 1 × 0.0003) / 2 = 0.00025 → 0.0003 (half-even would keep 0.0002)
  expect(movingAverage(1, money('0.0002'), 1, money('0.0003')).toFixed()).toBe('0.0003')
})

it('apportions exactly whatever configuration the total came from', () => {
  const shares = apportion(new Decimal('100'), [money(1), money(1), money(1)])
  expect(shares.map((s) => s.toFixed(2))).toEqual(['33.33', '33.33', '33.34'])
})
