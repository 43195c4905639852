import { fc, it } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import { hubSettings } from '../../../connectors/settings.js'
import { bundleAvailable, pushQuantity } from '../../../src/inventory/push-quantity.js'
import { shopRules, type SyncRule } from '../../../src/inventory/shop-rules.js'
import { money } from '../../../src/money/index.js'
import { planAllocation } from '../../../src/inventory/plan.js'

describe('push quantity', () => {
  const rules = shopRules(
    hubSettings({
      stockSync: {
        ratio: '0.8',
        safetyStock: 5,
        virtualStock: 2,
        overrides: { VIP: { ratio: '1', safetyStock: 0 }, FIXED: { fixed: 999 }, HALF: { ratio: 0.5 } },
      },
    }),
  )
  const CAP = 5
  it.each([
    [100, rules.sync.base, 78], // floor((100 − 5) × 0.8) + 2
    [6, rules.sync.base, 2], // floor(1 × 0.8) = 0, + virtual 2
    [3, rules.sync.base, 2], // never negative before virtual stock
    [0, shopRules(hubSettings({})).sync.base, 0],
    [100, rules.sync.overrides.get('VIP')!, 102], // override keeps virtual stock 2 from the base
    [100, rules.sync.overrides.get('HALF')!, 49], // a JSON number ratio: floor(95 × 0.5) + 2
    [0, rules.sync.overrides.get('FIXED')!, 2], // a fixed quantity is capped at available + virtual stock
    [1000, rules.sync.overrides.get('FIXED')!, 999],
  ])('available %i → %i', (available, rule, expected) => {
    expect(pushQuantity(available, rule, CAP)).toBe(expected)
  })

  it('never pushes more than available plus the allowed virtual stock, whatever the rule says', () => {
    const raw = (o: Partial<SyncRule>): SyncRule => ({
      ratio: money(1),
      safetyStock: 0,
      virtualStock: 0,
      fixed: null,
      ...o,
    })
    // The case: ratio 1.7 on 70 available pushed 119.
    expect(pushQuantity(70, raw({ ratio: money('1.7') }), 0)).toBe(70)
    expect(pushQuantity(70, raw({ safetyStock: -10 }), 0)).toBe(70)
    expect(pushQuantity(70, raw({ ratio: money('-0.5') }), 0)).toBe(0)
    expect(pushQuantity(70, raw({ virtualStock: 50 }), 0)).toBe(70) // no virtual stock allowed
    expect(pushQuantity(70, raw({ virtualStock: 50 }), 10)).toBe(80) // capped by the deployment
    expect(pushQuantity(-3, raw({ virtualStock: 2 }), 10)).toBe(2)
    expect(pushQuantity(10, raw({ fixed: 999 }), 0)).toBe(10)
  })

  it('takes the default rule for stored values that are not valid', () => {
    const r = shopRules(hubSettings({ stockSync: { ratio: 1.7, safetyStock: -1, virtualStock: -4 } })).sync
      .base
    expect(r.ratio.toString()).toBe('1')
    expect(r.safetyStock).toBe(0)
    expect(r.virtualStock).toBe(0)
    expect(pushQuantity(70, r, 0)).toBe(70)
  })

  it.prop([
    fc.integer({ min: -50, max: 500 }),
    fc.double({ min: -2, max: 3, noNaN: true }),
    fc.integer({ min: -20, max: 50 }),
    fc.integer({ min: 0, max: 40 }),
    fc.integer({ min: 0, max: 20 }),
  ])(
    'is between 0 and available + min(virtual, cap) for any rule',
    (available, ratio, safetyStock, virtualStock, cap) => {
      const q = pushQuantity(
        available,
        { ratio: money(ratio.toFixed(4)), safetyStock, virtualStock, fixed: null },
        cap,
      )
      expect(q).toBeGreaterThanOrEqual(0)
      expect(q).toBeLessThanOrEqual(Math.max(0, available) + Math.min(virtualStock, cap))
    },
  )

  it('a bundle pushes what its scarcest component allows', () => {
    expect(
      bundleAvailable([
        { available: 10, quantity: 1 },
        { available: 7, quantity: 2 },
      ]),
    ).toBe(3)
    expect(bundleAvailable([{ available: -1, quantity: 1 }])).toBe(0)
  })
})

describe('allocation plan', () => {
  const w = [
    { id: 'HZ', priority: 10, regions: ['浙江省'] },
    { id: 'SZ', priority: 20, regions: ['广东省'] },
  ]
  const needs = [
    { lineSkuId: 'l1', skuId: 'A', quantity: 2 },
    { lineSkuId: 'l2', skuId: 'B', quantity: 1 },
  ]
  it('prefers the warehouse serving the province when it can fill the whole order', () => {
    const avail = new Map([
      ['HZ:A', 5],
      ['HZ:B', 5],
      ['SZ:A', 5],
      ['SZ:B', 5],
    ])
    expect(planAllocation(needs, w, avail, '广东省', false)!.every((p) => p.warehouseId === 'SZ')).toBe(true)
    expect(planAllocation(needs, w, avail, '浙江省', false)!.every((p) => p.warehouseId === 'HZ')).toBe(true)
  })
  it('prefers one warehouse for the whole order over the region, and splits only when allowed', () => {
    const avail = new Map([
      ['HZ:A', 5],
      ['HZ:B', 5],
      ['SZ:A', 5],
    ])
    expect(planAllocation(needs, w, avail, '广东省', false)!.every((p) => p.warehouseId === 'HZ')).toBe(true)
    const split = new Map([
      ['HZ:A', 1],
      ['HZ:B', 1],
      ['SZ:A', 1],
    ])
    expect(planAllocation(needs, w, split, '浙江省', false)).toBeNull()
    expect(planAllocation(needs, w, split, '浙江省', true)).toEqual([
      { lineSkuId: 'l1', skuId: 'A', warehouseId: 'HZ', quantity: 1 },
      { lineSkuId: 'l1', skuId: 'A', warehouseId: 'SZ', quantity: 1 },
      { lineSkuId: 'l2', skuId: 'B', warehouseId: 'HZ', quantity: 1 },
    ])
  })
})
