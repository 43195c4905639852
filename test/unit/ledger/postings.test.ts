import { fc, test } from '@fast-check/vitest'
import { expect, it } from 'vitest'
import { Decimal } from '../../../src/money/index.js'
import {
  assertBalanced,
  postingsForCogs,
  postingsForRefund,
  postingsForSale,
  postingsForSettlement,
  reverse,
  UnbalancedError,
  type SettlementType,
} from '../../../src/ledger/postings.js'
import { SETTLEMENT_LINE_TYPES } from '../../../connectors/types.js'

const cents = (max: number) => fc.integer({ min: 0, max }).map((n) => new Decimal(n).div(100))
const line = fc
  .record({
    skuId: fc.constantFrom('a', 'b', null),
    goods: cents(1_000_000),
    md: fc.integer({ min: 0, max: 50 }),
    pd: fc.integer({ min: 0, max: 50 }),
  })
  .map((l) => ({
    skuId: l.skuId,
    goods: l.goods,
    merchantDiscount: l.goods.mul(l.md).div(100).toDecimalPlaces(2, Decimal.ROUND_DOWN),
    platformDiscount: l.goods.mul(l.pd).div(100).toDecimalPlaces(2, Decimal.ROUND_DOWN),
  }))
const event = fc.oneof(
  fc.record({
    kind: fc.constant('sale' as const),
    lines: fc.array(line, { minLength: 1, maxLength: 6 }),
    shipping: cents(5000),
    tax: cents(5000),
    currency: fc.constantFrom('CNY', 'USD'),
  }),
  fc.record({
    kind: fc.constant('refund' as const),
    amount: cents(100_000),
    currency: fc.constantFrom('CNY', 'USD'),
  }),
  fc.record({
    kind: fc.constant('cogs' as const),
    quantity: fc.integer({ min: 1, max: 50 }),
    cost: cents(100_000),
    currency: fc.constantFrom('CNY', 'USD'),
  }),
  fc.record({
    kind: fc.constant('settlement' as const),
    type: fc.constantFrom(...SETTLEMENT_LINE_TYPES),
    amount: fc.integer({ min: -1_000_000, max: 1_000_000 }).map((n) => new Decimal(n).div(100)),
    currency: fc.constantFrom('CNY', 'USD'),
  }),
)

test.prop([fc.array(event, { minLength: 1, maxLength: 30 })])(
  'every posting of any event sequence balances, per currency',
  (events) => {
    const all = events.flatMap((e) =>
      e.kind === 'sale'
        ? postingsForSale({
            shopId: 's1',
            currency: e.currency,
            shipping: e.shipping,
            tax: e.tax,
            lines: e.lines,
          })
        : e.kind === 'refund'
          ? postingsForRefund({ shopId: 's1', currency: e.currency, amount: e.amount })
          : e.kind === 'cogs'
            ? postingsForCogs([{ skuId: 'a', quantity: e.quantity, unitCost: e.cost, currency: e.currency }])
            : postingsForSettlement({
                shopId: 's1',
                type: e.type as SettlementType,
                amount: e.amount,
                currency: e.currency,
              }),
    )
    for (const e of events) {
      if (e.kind === 'sale')
        assertBalanced(
          postingsForSale({
            shopId: 's1',
            currency: e.currency,
            shipping: e.shipping,
            tax: e.tax,
            lines: e.lines,
          }),
        )
    }
    assertBalanced(all)
    assertBalanced(reverse(all))
    for (const p of all) expect(p.amount.isNegative()).toBe(false)
  },
)

it('refuses an unbalanced journal', () => {
  expect(() =>
    assertBalanced([{ account: 'cogs', side: 'debit', amount: new Decimal(1), currency: 'CNY' }]),
  ).toThrow(UnbalancedError)
})

test.prop([fc.constantFrom(...SETTLEMENT_LINE_TYPES), fc.integer({ min: -1_000_000, max: 1_000_000 })])(
  'a settlement line moves the platform balance by exactly its signed amount',
  (type, cents) => {
    const amount = new Decimal(cents).div(100)
    const ps = postingsForSettlement({ shopId: 's1', type: type as SettlementType, amount, currency: 'CNY' })
    assertBalanced(ps)
    const balance = ps
      .filter((p) => p.account === 'platform_balance:s1')
      .reduce((s, p) => (p.side === 'debit' ? s.plus(p.amount) : s.minus(p.amount)), new Decimal(0))
    expect(balance.eq(amount)).toBe(true)
  },
)
