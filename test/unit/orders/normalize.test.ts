import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { Decimal, sum, ZERO } from '../../../src/money/index.js'
import { stableJson } from '../../../src/orders/found.js'
import { normalize, platformSkuKey, type Catalogue } from '../../../src/orders/normalize.js'
import { orderValues, poolHash } from '../../../src/orders/rows.js'
import { nextStatus } from '../../../src/orders/state.js'
import type { UnifiedLineDraft, UnifiedOrderDraft } from '../../../src/orders/types.js'

const cents = (min: number, max: number) => fc.integer({ min, max }).map((n) => new Decimal(n).div(100))

function line(i: number, sku: string, qty: number, unit: Decimal, discount: Decimal): UnifiedLineDraft {
  const goods = unit.mul(qty)
  return {
    externalLineId: `L${i}`,
    platformItemId: `I${i}`,
    platformSkuId: sku,
    outerCode: null,
    title: sku,
    skuProperties: null,
    quantity: qty,
    unitPrice: unit,
    goodsAmount: goods,
    platformDiscount: ZERO,
    merchantDiscount: Decimal.min(discount, goods),
    tax: ZERO,
    platformStatus: null,
    refundState: 'none',
    refundedQuantity: 0,
    refundedAmount: ZERO,
  }
}

function draft(
  lines: UnifiedLineDraft[],
  orderPlatform: Decimal,
  orderMerchant: Decimal,
  shipping: Decimal,
): UnifiedOrderDraft {
  const goods = sum(lines.map((l) => l.goodsAmount))
  const lineMerchant = sum(lines.map((l) => l.merchantDiscount))
  return {
    channel: 'selfstore',
    externalId: 'X',
    status: 'paid',
    platformStatus: 'paid',
    refundState: 'none',
    currency: 'CNY',
    placedAt: null,
    paidAt: null,
    shippedAt: null,
    platformUpdatedAt: new Date('2026-11-11T00:00:00Z'),
    buyer: { id: 'b', nick: null, email: null },
    receiver: {
      name: 'n',
      phone: null,
      country: 'CN',
      province: 'p',
      city: 'c',
      district: null,
      town: null,
      address: 'a',
      postcode: null,
      masked: false,
      privacyRef: null,
    },
    buyerNote: null,
    sellerNote: null,
    totals: {
      goods,
      platformDiscount: orderPlatform,
      merchantDiscount: orderMerchant.plus(lineMerchant),
      shipping,
      tax: ZERO,
      buyerPaid: goods.minus(orderPlatform).minus(orderMerchant).minus(lineMerchant).plus(shipping),
    },
    orderLevel: { platformDiscount: orderPlatform, merchantDiscount: orderMerchant },
    lines,
  }
}

// SKU "P1".."P3" map to plain SKUs, "BUNDLE" to a bundle of two components (values 30 × 1 and 12.5 × 2).
const catalogue: Catalogue = {
  mappings: new Map([
    ['P1', 's1'],
    ['P2', 's2'],
    ['P3', 's3'],
    ['BUNDLE', 'sb'],
  ]),
  bundles: new Map([
    [
      'sb',
      [
        { componentSkuId: 'c1', quantity: 1, unitValue: new Decimal(30) },
        { componentSkuId: 'c2', quantity: 2, unitValue: new Decimal('12.5') },
      ],
    ],
  ]),
}

const lineArb = fc.record({
  sku: fc.constantFrom('P1', 'P2', 'P3', 'BUNDLE', 'UNMAPPED'),
  qty: fc.integer({ min: 1, max: 5 }),
  unit: cents(0, 50_000),
  discount: cents(0, 2_000),
})

describe('normalize', () => {
  test.prop([
    fc.array(lineArb, { minLength: 1, maxLength: 8 }),
    fc.integer({ min: 0, max: 100 }),
    fc.integer({ min: 0, max: 100 }),
    cents(0, 3_000),
  ])(
    'line paid amounts sum exactly to goods − discounts, bundle revenue sums to the line, nothing negative, line order irrelevant to totals',
    (specs, pPct, mPct, shipping) => {
      const lines = specs.map((s, i) => line(i + 1, s.sku, s.qty, s.unit, s.discount))
      const room = sum(lines.map((l) => l.goodsAmount.minus(l.merchantDiscount)))
      const platform = room.mul(pPct).div(200).toDecimalPlaces(2, Decimal.ROUND_DOWN)
      const merchant = room.minus(platform).mul(mPct).div(100).toDecimalPlaces(2, Decimal.ROUND_DOWN)
      const d = draft(lines, platform, merchant, shipping)
      const n = normalize(d, catalogue)
      const paid = sum(n.lines.map((l) => l.paid))
      expect(paid.eq(d.totals.goods.minus(d.totals.platformDiscount).minus(d.totals.merchantDiscount))).toBe(
        true,
      )
      expect(sum(n.lines.map((l) => l.shippingShare)).eq(shipping)).toBe(true)
      for (const l of n.lines) {
        expect(l.paid.isNegative()).toBe(false)
        if (l.skus.length > 0) expect(sum(l.skus.map((s) => s.revenueShare)).eq(l.paid)).toBe(true)
        for (const s of l.skus) expect(s.revenueShare.isNegative()).toBe(false)
      }
      expect(n.exceptions.some((e) => e.reason === 'sku_unmapped')).toBe(
        specs.some((s) => s.sku === 'UNMAPPED'),
      )
      const reversed = normalize(draft([...lines].reverse(), platform, merchant, shipping), catalogue)
      expect(sum(reversed.lines.map((l) => l.paid)).eq(paid)).toBe(true)
    },
  )

  it('expands a bundle into components with quantities and splits its revenue by component value', () => {
    const n = normalize(
      draft([line(1, 'BUNDLE', 3, new Decimal('50.00'), ZERO)], ZERO, ZERO, ZERO),
      catalogue,
    )
    const [l] = n.lines
    expect(l!.isBundle).toBe(true)
    // 150.00 split 30 : 25 → 81.81 / 68.19 (remainder to the last component)
    expect(l!.skus.map((s) => [s.skuId, s.quantity, s.revenueShare.toFixed(2)])).toEqual([
      ['c1', 3, '81.81'],
      ['c2', 6, '68.19'],
    ])
  })

  it('keys platform SKUs by SKU id, else item id, else seller code', () => {
    expect(platformSkuKey({ platformSkuId: 'S', platformItemId: 'I', outerCode: 'C' })).toBe('S')
    expect(platformSkuKey({ platformSkuId: null, platformItemId: 'I', outerCode: 'C' })).toBe('item:I')
    expect(platformSkuKey({ platformSkuId: null, platformItemId: null, outerCode: 'C' })).toBe('code:C')
  })

  it('hashes what it writes: equal drafts give equal pool hashes, a changed amount does not', () => {
    const d = draft([line(1, 'P1', 1, new Decimal('10'), ZERO)], ZERO, ZERO, ZERO)
    const h = (x: UnifiedOrderDraft) =>
      poolHash(orderValues(x, normalize(x, catalogue), 'paid', 'R1'), normalize(x, catalogue))
    expect(h(d)).toBe(h(draft([line(1, 'P1', 1, new Decimal('10.00'), ZERO)], ZERO, ZERO, ZERO)))
    expect(h(d)).not.toBe(h(draft([line(1, 'P1', 1, new Decimal('10.01'), ZERO)], ZERO, ZERO, ZERO)))
  })

  it('compares exception details whatever the key order (MySQL 8 reorders JSON keys)', () => {
    expect(stableJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(
      stableJson({ a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 }),
    )
  })
})

describe('state machine: shipped outside the hub', () => {
  it.each(['allocated', 'picking', 'on_hold'] as const)(
    '%s + platform shipped keeps the hub state and asks for review',
    (from) => {
      const t = nextStatus(from, 'shipped')
      expect(t).toMatchObject({ ok: true, status: from })
      expect(t.ok && t.review).toBeTruthy()
    },
  )

  it('paid + platform shipped moves on (nothing reserved)', () => {
    expect(nextStatus('paid', 'shipped')).toEqual({ ok: true, status: 'shipped' })
  })
})
