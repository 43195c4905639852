import { fc, test } from '@fast-check/vitest'
import { expect, it } from 'vitest'
import { lineBySku, refundBySku, saleBySku, type AttributionLine } from '../../../src/ledger/attribution.js'
import { money, sum } from '../../../src/money/index.js'

const plain = (id: string, skuId: string | null, paid: string): AttributionLine => ({
  externalLineId: id,
  skuId,
  paid: money(paid),
  skus: skuId ? [{ skuId, revenueShare: money(paid) }] : [],
})
const box: AttributionLine = {
  externalLineId: 'L2',
  skuId: null,
  paid: money('80.00'),
  skus: [
    { skuId: 'tea', revenueShare: money('30.00') },
    { skuId: 'cup', revenueShare: money('50.00') },
  ],
}
const show = (parts: { skuId: string | null; amount: { toFixed(dp: number): string } }[]) =>
  parts.map((p) => [p.skuId, p.amount.toFixed(2)])

it('a refund naming its lines goes to their SKUs, a bundle over its components', () => {
  const lines = [plain('L1', 'cup', '50.00'), box]
  expect(
    show(refundBySku(money('40.00'), [{ externalLineId: 'L2', amount: money('40.00') }], lines)),
  ).toEqual([
    ['cup', '25.00'],
    ['tea', '15.00'],
  ])
  // The stated line amounts add up to the refund: taken as they are.
  expect(
    show(
      refundBySku(
        money('30.00'),
        [
          { externalLineId: 'L1', amount: money('10.00') },
          { externalLineId: 'L2', amount: money('20.00') },
        ],
        lines,
      ),
    ),
  ).toEqual([
    ['cup', '22.50'],
    ['tea', '7.50'],
  ])
})

it('a refund naming no line is apportioned over the whole order by what was paid', () => {
  const lines = [plain('L1', 'cup', '50.00'), box, plain('L3', null, '0.00')]
  // 33.33 over 50 : 80 : 0 → 12.81, 20.52, 0.00; the box's 20.52 over cup 50 : tea 30 → 12.82, 7.70.
  expect(show(refundBySku(money('33.33'), [], lines))).toEqual([
    ['cup', '25.63'],
    ['tea', '7.70'],
  ])
  // A line the order does not have is ignored; with no line known the refund stays whole.
  expect(
    show(
      refundBySku(money('5.00'), [{ externalLineId: 'X', amount: money('5.00') }], [plain('L1', 'a', '9')]),
    ),
  ).toEqual([['a', '5.00']])
  expect(show(refundBySku(money('5.00'), [], []))).toEqual([[null, '5.00']])
})

it('a sale of a bundle line is split over its components, each amount the same way', () => {
  const parts = saleBySku({
    ...box,
    goods: money('90.00'),
    merchantDiscount: money('10.00'),
    platformDiscount: money('0'),
  })
  expect(parts.map((p) => [p.skuId, p.goods.toFixed(2), p.merchantDiscount.toFixed(2)])).toEqual([
    ['cup', '56.25', '6.25'],
    ['tea', '33.75', '3.75'],
  ])
  expect(show(lineBySku(plain('L1', 'cup', '5'), money('5')))).toEqual([['cup', '5.00']])
})

const cents = fc.integer({ min: 0, max: 10_000_000 }).map((n) => money(n).div(100))
test.prop([
  cents,
  fc.array(fc.tuple(cents, fc.array(cents, { minLength: 1, maxLength: 4 })), { minLength: 1, maxLength: 6 }),
  fc.array(fc.tuple(fc.nat(7), cents), { maxLength: 4 }),
])('a refund split over SKUs always adds up to the refund, to the cent', (amount, shape, named) => {
  const lines: AttributionLine[] = shape.map(([paid, shares], i) => ({
    externalLineId: `L${i}`,
    skuId: shares.length === 1 ? `s${i}.0` : null,
    paid,
    skus: shares.map((s, j) => ({ skuId: `s${i}.${j}`, revenueShare: s })),
  }))
  const parts = refundBySku(
    amount,
    named.map(([i, a]) => ({ externalLineId: `L${i}`, amount: a })),
    lines,
  )
  expect(sum(parts.map((p) => p.amount)).eq(amount)).toBe(true)
  for (const p of parts) expect(p.amount.decimalPlaces()).toBeLessThanOrEqual(2)
})
