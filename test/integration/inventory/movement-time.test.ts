/**
 * Stock movements are dated by the application's clock (ctx.clock), never by the database's
 * CURRENT_TIMESTAMP: with the clock pinned years away from the real date, every movement a direct
 * operation (receipt, stocktake, transfer, return), a pick shortage (a pick confirmed short, a
 * short shelf), a shipment and a stock document (receipt, count, transfer) makes through the API
 * carries the pinned time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { allocateOrder } from '../../../src/inventory/allocate.js'
import { createShop, type Shop } from '../../../src/shops/repo.js'
import { createWarehouse, type Warehouse } from '../../../src/warehouses/repo.js'
import {
  bearer,
  fixedClock,
  seedMerchant,
  seedSkus,
  testEnv,
  type TestEnv,
  type TestMerchant,
} from '../../helpers/app.js'
import { seedOrder } from '../../helpers/orders.js'

const AT = '2031-03-14T09:26:53.000Z'

let env: TestEnv
let m: TestMerchant
let shop: Shop
let hz: Warehouse
let sz: Warehouse
const sku: Record<string, string> = {}

const call = async (role: 'admin' | 'warehouse', method: 'POST', url: string, payload?: object) => {
  const res = await env.app.inject({
    method,
    url,
    headers: bearer(m.keys[role]),
    ...(payload ? { payload } : {}),
  })
  expect(res.statusCode, `${url}: ${res.body}`).toBeLessThan(300)
  return res.body ? res.json<Record<string, unknown>>() : {}
}

/** The movements with this ref_type: what they are, and when they say they happened. */
const dated = async (refType: string) =>
  (
    await env.ctx.db
      .selectFrom('stock_movements')
      .select(['kind', 'quantity', 'created_at'])
      .where('merchant_id', '=', m.id)
      .where('ref_type', '=', refType)
      .orderBy('kind')
      .orderBy('quantity')
      .execute()
  ).map((r) => ({ kind: r.kind, quantity: r.quantity, at: new Date(r.created_at).toISOString() }))

const allocated = async (code: string, quantity: number) => {
  const { orderId } = await seedOrder(env.ctx.db, m.id, shop.id, [{ skuId: sku[code]!, quantity }])
  expect(await allocateOrder(env.ctx, m.id, orderId)).toBe('allocated')
  return orderId
}

beforeAll(async () => {
  env = await testEnv({ clock: fixedClock(AT) })
  m = await seedMerchant(env.ctx)
  shop = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
    channel: 'selfstore',
    name: 'Own store',
    settings: { baseUrl: 'https://own.example', defaultCarrier: 'SF', timeoutMs: 1000 },
    credentials: { apiKey: 'k' },
  })
  hz = await createWarehouse(env.ctx.db, m.id, { code: 'HZ', name: '杭州仓' })
  sz = await createWarehouse(env.ctx.db, m.id, { code: 'SZ', name: '深圳仓' })
  Object.assign(sku, await seedSkus(env.ctx, m.id, ['CUP', 'TEA', 'MUG']))
})
afterAll(() => env.close())

describe('stock movements carry the application clock’s time', () => {
  it('receipts, a stocktake and a transfer', async () => {
    for (const [code, quantity] of [
      ['CUP', 20],
      ['TEA', 10],
      ['MUG', 1],
    ] as const)
      await call('warehouse', 'POST', '/stock/receipts', {
        warehouseId: hz.id,
        skuId: sku[code],
        quantity,
        unitCost: '10.00',
        currency: 'CNY',
      })
    await call('warehouse', 'POST', '/stock/stocktakes', {
      warehouseId: hz.id,
      skuId: sku.TEA,
      counted: 9,
      expectedOnHand: 10,
    })
    await call('warehouse', 'POST', '/stock/transfers', {
      fromWarehouseId: hz.id,
      toWarehouseId: sz.id,
      skuId: sku.CUP,
      quantity: 2,
    })
    expect(await dated('receipt')).toEqual([
      { kind: 'receipt', quantity: 1, at: AT },
      { kind: 'receipt', quantity: 10, at: AT },
      { kind: 'receipt', quantity: 20, at: AT },
    ])
    expect(await dated('stocktake')).toEqual([{ kind: 'adjustment', quantity: -1, at: AT }])
    expect(await dated('transfer')).toEqual([
      { kind: 'transfer_in', quantity: 2, at: AT },
      { kind: 'transfer_out', quantity: -2, at: AT },
    ])
  })

  it('pick shortages (confirmed short, and a short shelf), a shipment and the return of what shipped', async () => {
    const shipped = await allocated('CUP', 1)
    const pickedShort = await allocated('TEA', 2)
    await allocated('MUG', 1)
    const wave = await call('warehouse', 'POST', '/waves', { warehouseId: hz.id, shopId: shop.id })
    const waveId = String(wave.waveId)
    const tea = await env.ctx.db
      .selectFrom('stock_allocations')
      .select('id')
      .where('order_id', '=', pickedShort)
      .executeTakeFirstOrThrow()
    await call('warehouse', 'POST', `/waves/${waveId}/picks`, { allocationId: tea.id, picked: 1 })
    await call('warehouse', 'POST', `/waves/${waveId}/shorts`, { skuId: sku.MUG })
    expect(await dated('wave')).toEqual([
      { kind: 'adjustment', quantity: -1, at: AT },
      { kind: 'adjustment', quantity: -1, at: AT },
    ])

    await call('warehouse', 'POST', `/orders/${shipped}/ship`, {
      parcels: [{ carrier: 'SF', trackingNumber: 'SF2031031401' }],
    })
    expect(await dated('order')).toEqual([{ kind: 'shipment', quantity: -1, at: AT }])
    const line = await env.ctx.db
      .selectFrom('order_lines')
      .select('id')
      .where('order_id', '=', shipped)
      .executeTakeFirstOrThrow()
    await call('warehouse', 'POST', '/stock/returns', {
      warehouseId: hz.id,
      orderId: shipped,
      orderLineId: line.id,
      quantity: 1,
    })
    expect(await dated('order_line')).toEqual([{ kind: 'return', quantity: 1, at: AT }])
  })

  it('documents: a posted receipt, an approved count, a transfer shipped and received', async () => {
    const receipt = await call('warehouse', 'POST', '/receipts', {
      warehouseId: hz.id,
      currency: 'CNY',
      lines: [{ skuId: sku.CUP, quantity: 5, unitCost: '11.00' }],
    })
    await call('warehouse', 'POST', `/receipts/${String(receipt.id)}/post`)
    expect((await dated('receipt')).filter((r) => r.quantity === 5)).toEqual([
      { kind: 'receipt', quantity: 5, at: AT },
    ])

    const count = await call('warehouse', 'POST', '/stock-counts', { warehouseId: hz.id, skuIds: [sku.CUP] })
    const countId = String(count.id)
    await call('warehouse', 'POST', `/stock-counts/${countId}/counts`, {
      items: [{ skuId: sku.CUP, quantity: 20, mode: 'set' }],
    })
    await call('warehouse', 'POST', `/stock-counts/${countId}/submit`)
    await call('admin', 'POST', `/stock-counts/${countId}/approve`)
    // 20 received, 2 transferred, 1 shipped and returned, 5 received: 23 on hand, 20 counted.
    expect(await dated('count')).toEqual([{ kind: 'adjustment', quantity: -3, at: AT }])

    const transfer = await call('warehouse', 'POST', '/transfers', {
      fromWarehouseId: hz.id,
      toWarehouseId: sz.id,
      lines: [{ skuId: sku.TEA, quantity: 3 }],
    })
    const transferId = String(transfer.id)
    await call('warehouse', 'POST', `/transfers/${transferId}/ship`)
    await call('warehouse', 'POST', `/transfers/${transferId}/receive`, {
      lines: [{ lineNo: 1, quantity: 3 }],
    })
    expect((await dated('transfer')).filter((r) => Math.abs(r.quantity) === 3)).toEqual([
      { kind: 'transfer_in', quantity: 3, at: AT },
      { kind: 'transfer_out', quantity: -3, at: AT },
    ])

    // And nothing anywhere was dated by the database.
    const stray = await env.ctx.db
      .selectFrom('stock_movements')
      .select(['kind', 'ref_type', 'created_at'])
      .where('merchant_id', '=', m.id)
      .where('created_at', '!=', new Date(AT))
      .execute()
    expect(stray).toEqual([])
  })
})
