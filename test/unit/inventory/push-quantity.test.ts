import { describe, expect, it } from 'vitest'
import { bundleAvailable, pushQuantity } from '../../../src/inventory/push-quantity.js'
import { shopRules } from '../../../src/inventory/shop-rules.js'
import { planAllocation } from '../../../src/inventory/plan.js'

describe('push quantity', () => {
  const rules = shopRules({
    stockSync: {
      ratio: '0.8',
      safetyStock: 5,
      virtualStock: 2,
      overrides: { VIP: { ratio: '1', safetyStock: 0 }, FIXED: { fixed: 999 } },
    },
  })
  it.each([
    [100, rules.sync.base, 78], // floor((100 − 5) × 0.8) + 2
    [6, rules.sync.base, 2], // floor(1 × 0.8) = 0, + virtual 2
    [3, rules.sync.base, 2], // never negative before virtual stock
    [0, shopRules({}).sync.base, 0],
    [100, rules.sync.overrides.get('VIP')!, 102], // override keeps virtual stock 2 from the base
    [0, rules.sync.overrides.get('FIXED')!, 999],
  ])('available %i → %i', (available, rule, expected) => {
    expect(pushQuantity(available, rule)).toBe(expected)
  })

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
