/**
 * The warehouse floor through the API, without a browser: the waves list and preview, picking by
 * scan (wrong item, wrong bin, one too many, a short shelf), verify and pack kept on the server,
 * and the shipping rules (a wave or a reason, no second tracking number, corrections re-sent).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { allocateOrder } from '../../../src/inventory/allocate.js'
import { receive } from '../../../src/inventory/operations.js'
import { createShop, type Shop } from '../../../src/shops/repo.js'
import { upsertSkus } from '../../../src/skus/repo.js'
import { createWarehouse, type Warehouse } from '../../../src/warehouses/repo.js'
import { bearer, seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'
import { seedOrder } from '../../helpers/orders.js'

let env: TestEnv
let m: TestMerchant
let shop: Shop
let wh: Warehouse
let other: Warehouse
const sku: Record<string, string> = {}

const api = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, key = m.keys.warehouse) =>
  env.app.inject({
    method,
    url,
    headers: bearer(key),
    ...(payload === undefined ? {} : { payload: payload as object }),
  })

async function order(lines: { code: string; quantity: number }[], externalId: string) {
  const { orderId } = await seedOrder(
    env.ctx.db,
    m.id,
    shop.id,
    lines.map((l) => ({ skuId: sku[l.code]!, quantity: l.quantity })),
    { externalId },
  )
  expect(await allocateOrder(env.ctx, m.id, orderId)).toBe('allocated')
  return orderId
}
const auditOf = (action: string) =>
  env.ctx.db
    .selectFrom('audit_log')
    .select(['entity_id', 'detail', 'actor_type'])
    .where('merchant_id', '=', m.id)
    .where('action', '=', action)
    .execute()

beforeAll(async () => {
  env = await testEnv()
  m = await seedMerchant(env.ctx)
  shop = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
    channel: 'selfstore',
    name: '自营商城',
    settings: { baseUrl: 'https://own.example/a', defaultCarrier: 'SF' },
    credentials: { apiKey: 'k' },
  })
  wh = await createWarehouse(env.ctx.db, m.id, { code: 'HZ', name: '杭州仓' })
  other = await createWarehouse(env.ctx.db, m.id, { code: 'SZ', name: '深圳仓' })
  await upsertSkus(env.ctx, m.id, [
    { code: 'CUP', name: '杯子', barcode: '6901234567892' },
    { code: 'TEA', name: '茶叶' },
    { code: 'PEN', name: '钢笔' },
  ])
  for (const r of await env.ctx.db
    .selectFrom('skus')
    .select(['id', 'code'])
    .where('merchant_id', '=', m.id)
    .execute())
    sku[r.code] = r.id
  for (const [code, quantity] of [
    ['CUP', 20],
    ['TEA', 20],
    ['PEN', 1],
  ] as const)
    await receive(
      env.ctx.db,
      m.id,
      { warehouseId: wh.id, skuId: sku[code]!, quantity, unitCost: '2', currency: 'CNY' },
      { actor: 't' },
    )
  await api('PUT', '/stock/bins', {
    items: [
      { warehouseId: wh.id, skuId: sku.CUP!, bin: 'A-01-02' },
      { warehouseId: wh.id, skuId: sku.TEA!, bin: 'A-10-01' },
      { warehouseId: wh.id, skuId: sku.PEN!, bin: 'B-02-01' },
    ],
  })
})
afterAll(() => env.close())

describe('waves list and preview', () => {
  it('previews orders and units without writing, then lists the wave with its number and progress', async () => {
    await order([{ code: 'CUP', quantity: 2 }], 'P-1')
    await order(
      [
        { code: 'CUP', quantity: 1 },
        { code: 'TEA', quantity: 3 },
      ],
      'P-2',
    )
    const preview = await api('POST', '/waves/preview', { warehouseId: wh.id })
    expect(preview.json()).toEqual({ orders: 2, units: 6 })
    expect((await api('POST', '/waves/preview', { warehouseId: other.id })).json()).toEqual({
      orders: 0,
      units: 0,
    })
    expect((await api('GET', '/waves')).json()).toEqual({ items: [], next: null })
    const made = await api('POST', '/waves', { warehouseId: wh.id })
    expect(made.statusCode).toBe(201)
    expect(made.json()).toMatchObject({ number: 1, code: 'W000001', orders: 2 })
    const list = (await api('GET', '/waves')).json<{ items: Record<string, unknown>[] }>()
    expect(list.items).toHaveLength(1)
    expect(list.items[0]).toMatchObject({
      code: 'W000001',
      warehouseCode: 'HZ',
      status: 'open',
      stage: 'to_pick',
      orders: 2,
      units: 6,
      pickedUnits: 0,
    })
    expect((await api('GET', '/waves?status=closed')).json()).toEqual({ items: [], next: null })
    expect((await api('GET', '/waves', undefined, m.keys.accountant)).statusCode).toBe(403)
    expect((await auditOf('wave.create')).map((a) => a.entity_id)).toEqual([
      made.json<{ waveId: string }>().waveId,
    ])
  })
})

describe('picking by scan, a short shelf', () => {
  let waveId = ''
  let a = ''
  let b = ''
  it('tells the slot of each scanned unit; refuses a wrong item, a wrong bin, one too many and an unknown code', async () => {
    a = await order([{ code: 'CUP', quantity: 1 }], 'S-1')
    b = await order(
      [
        { code: 'CUP', quantity: 1 },
        { code: 'PEN', quantity: 1 },
      ],
      'S-2',
    )
    waveId = (await api('POST', '/waves', { warehouseId: wh.id })).json<{ waveId: string }>().waveId
    const list = (await api('GET', `/waves/${waveId}/picklist`)).json<{
      code: string
      legend: { slot: number; externalId: string; slotCode: string; shopName: string }[]
    }>()
    expect(list.legend.map((l) => [l.slot, l.externalId, l.shopName])).toEqual([
      [1, 'S-1', '自营商城'],
      [2, 'S-2', '自营商城'],
    ])
    expect(list.legend[1]!.slotCode).toBe(`${list.code}-02`)
    // The printable HTML says the merchant's zone (Asia/Shanghai by default) and has the legend.
    const html = (await api('GET', `/waves/${waveId}/picklist?format=html`)).body
    expect(html).toContain('(Asia/Shanghai)')
    expect(html).not.toContain(' UTC<')
    expect(html).toContain('分拣格对照')
    expect(html).toContain('S-2')
    const scan = (code: string, bin?: string) =>
      api('POST', `/waves/${waveId}/scans`, { code, ...(bin ? { bin } : {}) })
    const wrong = await scan('TEA', 'A-01-02')
    expect(wrong.statusCode).toBe(409)
    expect(wrong.json()).toMatchObject({ error: { code: 'conflict', details: { reason: 'wrong_item' } } })
    expect((await scan('CUP', 'B-02-01')).json()).toMatchObject({
      error: { details: { reason: 'wrong_bin' } },
    })
    expect((await scan('NOPE')).json()).toMatchObject({ error: { details: { reason: 'unknown_code' } } })
    // The barcode names the SKU as well as its code.
    expect((await scan('6901234567892', 'A-01-02')).json()).toMatchObject({
      skuCode: 'CUP',
      slot: 1,
      slotPicked: 1,
      slotQuantity: 1,
      itemPicked: 1,
      itemQuantity: 2,
    })
    expect((await scan('CUP', 'A-01-02')).json()).toMatchObject({ slot: 2, itemPicked: 2 })
    expect((await scan('CUP', 'A-01-02')).json()).toMatchObject({
      error: { details: { reason: 'already_picked' } },
    })
    const progress = (await api('GET', '/waves')).json<{
      items: { id: string; pickedUnits: number; stage: string }[]
    }>()
    expect(progress.items.find((w) => w.id === waveId)).toMatchObject({ pickedUnits: 2, stage: 'picking' })
  })

  it('a short shelf sends the slots missing the item through the shortage flow', async () => {
    // Someone took the only pen: the picker finds the bin empty.
    const res = await api('POST', `/waves/${waveId}/shorts`, { skuId: sku.PEN!, bin: 'B-02-01' })
    expect(res.statusCode).toBe(200)
    expect(res.json<{ orders: unknown[] }>().orders).toEqual([
      { orderId: b, slot: 2, shortage: 1, reallocation: 'no_stock' },
    ])
    const ex = await env.ctx.db
      .selectFrom('order_exceptions')
      .select('reason')
      .where('order_id', '=', b)
      .where('status', '=', 'open')
      .execute()
    expect(ex.map((e) => e.reason)).toContain('pick_shortage')
    const moves = await env.ctx.db
      .selectFrom('stock_movements')
      .select(['quantity', 'kind'])
      .where('ref_id', '=', waveId)
      .execute()
    expect(moves).toEqual([{ quantity: -1, kind: 'adjustment' }])
    const list = (await api('GET', `/waves/${waveId}/picklist`)).json<{
      legend: { slot: number; onHold: boolean }[]
    }>()
    expect(list.legend.find((l) => l.slot === 2)!.onHold).toBe(true)
    expect((await auditOf('wave.short')).map((x) => x.entity_id)).toEqual([waveId])
    // The short order is out of the wave and waits for stock: the pack station blocks it.
    const blocked = (await api('GET', `/orders/${b}/verification`)).json<{ blocked: string }>()
    expect(blocked.blocked).toBe('not_allocated')
    const refused = await api('POST', `/orders/${b}/verification/scans`, { code: 'CUP' })
    expect(refused.json()).toMatchObject({ error: { details: { reason: 'order_blocked' } } })
    expect(a).not.toBe('')
  })
})

describe('verify and pack, then ship', () => {
  let orderId = ''
  let waveCode = ''
  it('finds the order by number or slot, refuses a wrong and an extra item, keeps what is scanned, packs when complete', async () => {
    orderId = await order(
      [
        { code: 'CUP', quantity: 2 },
        { code: 'TEA', quantity: 1 },
      ],
      'V-100',
    )
    const made = (await api('POST', '/waves', { warehouseId: wh.id })).json<{
      waveId: string
      code: string
    }>()
    waveCode = made.code
    expect((await api('GET', '/packing/lookup?code=V-100')).json()).toEqual({
      orderId,
      shipmentGroupId: null,
    })
    expect((await api('GET', `/packing/lookup?code=${waveCode}-01`)).json()).toEqual({
      orderId,
      shipmentGroupId: null,
    })
    expect((await api('GET', '/packing/lookup?code=nothing-here')).statusCode).toBe(404)
    const scan = (code: string) => api('POST', `/orders/${orderId}/verification/scans`, { code })
    expect((await scan('CUP')).json()).toMatchObject({ skuCode: 'CUP', scanned: 1, expected: 2 })
    const wrong = await scan('PEN')
    expect(wrong.statusCode).toBe(409)
    expect(wrong.json()).toMatchObject({ error: { details: { reason: 'wrong_item' } } })
    expect((await scan('TEA')).json()).toMatchObject({ scanned: 1, expected: 1 })
    expect((await scan('TEA')).json()).toMatchObject({ error: { details: { reason: 'over_scan' } } })
    const early = await api('POST', `/orders/${orderId}/pack`, {})
    expect(early.json()).toMatchObject({ error: { details: { reason: 'incomplete' } } })
    // Shipping is refused while the check is incomplete.
    const notVerified = await api('POST', `/orders/${orderId}/ship`, {
      parcels: [{ carrier: 'SF', trackingNumber: 'SF100000001' }],
    })
    expect(notVerified.json()).toMatchObject({ error: { details: { reason: 'not_verified' } } })
    // A reload (another request) sees what was scanned.
    const state = (await api('GET', `/orders/${orderId}/verification`)).json<{
      lines: { skuCode: string; scanned: number; expected: number; bin: string }[]
      complete: boolean
      wave: { slot: number; code: string }
    }>()
    expect(state.lines.map((l) => [l.skuCode, l.scanned, l.expected, l.bin])).toEqual([
      ['CUP', 1, 2, 'A-01-02'],
      ['TEA', 1, 1, 'A-10-01'],
    ])
    expect(state.complete).toBe(false)
    expect(state.wave).toMatchObject({ slot: 1, code: waveCode })
    await scan('6901234567892')
    const packed = await api('POST', `/orders/${orderId}/pack`, {})
    expect(packed.statusCode).toBe(200)
    expect(packed.json()).toMatchObject({ status: 'packed', complete: true })
    expect((await scan('CUP')).json()).toMatchObject({ error: { details: { reason: 'already_packed' } } })
    expect((await auditOf('order.pack')).map((x) => x.entity_id)).toEqual([orderId])
  })

  it('ships with a tracking number; a second number is refused, a correction is re-sent and audited', async () => {
    const ship = (trackingNumber: string, headers: Record<string, string> = {}) =>
      env.app.inject({
        method: 'POST',
        url: `/orders/${orderId}/ship`,
        headers: { ...bearer(m.keys.warehouse), ...headers },
        payload: { parcels: [{ carrier: 'SF', trackingNumber }] },
      })
    expect((await ship('SF100000001')).statusCode).toBe(200)
    expect((await ship('SF100000001')).json()).toMatchObject({ repeated: true })
    const again = await ship('SF200000002')
    expect(again.statusCode).toBe(409)
    expect(again.json()).toMatchObject({ error: { details: { reason: 'tracking_differs' } } })
    const otherKey = await ship('SF200000002', { 'idempotency-key': 'another' })
    expect(otherKey.json()).toMatchObject({ error: { details: { reason: 'already_shipped' } } })
    expect((await api('GET', '/packing/lookup?code=SF100000001')).json()).toEqual({
      orderId,
      shipmentGroupId: null,
    })
    const v = (await api('GET', `/orders/${orderId}/verification`)).json<{
      status: string
      shipments: { id: string; parcels: { trackingNumber: string }[] }[]
    }>()
    expect(v.status).toBe('shipped')
    const shipmentId = v.shipments[0]!.id
    const wb = await env.ctx.db
      .selectFrom('shipment_writebacks')
      .select(['id'])
      .where('shipment_id', '=', shipmentId)
      .executeTakeFirstOrThrow()
    await env.ctx.db
      .updateTable('shipment_writebacks')
      .set({ status: 'done' })
      .where('id', '=', wb.id)
      .execute()
    const fix = await api('POST', `/shipments/${shipmentId}/tracking`, {
      trackingNumber: 'SF300000003',
      reason: '面单号录错',
    })
    expect(fix.json()).toEqual({ changed: true, writebacksQueued: 1 })
    const after = await env.ctx.db
      .selectFrom('shipment_writebacks')
      .select('status')
      .where('id', '=', wb.id)
      .executeTakeFirstOrThrow()
    expect(after.status).toBe('pending')
    const jobs = await env.ctx.queues['shipment-writeback'].getJobs(['waiting'])
    expect(jobs.filter((j) => j.data.writebackId === wb.id).length).toBeGreaterThanOrEqual(2)
    const [corrected] = await auditOf('shipment.tracking_correct')
    expect(corrected!.detail).toMatchObject({
      from: 'SF SF100000001',
      to: 'SF SF300000003',
      reason: '面单号录错',
    })
    expect((await api('GET', '/packing/lookup?code=SF300000003')).json()).toEqual({
      orderId,
      shipmentGroupId: null,
    })
    expect((await api('GET', '/packing/lookup?code=SF100000001')).statusCode).toBe(404)
    const list = (await api('GET', `/writebacks?orderId=${orderId}`)).json<{
      items: Record<string, unknown>[]
    }>()
    expect(list.items[0]).toMatchObject({
      orderExternalId: 'V-100',
      shopName: '自营商城',
      carrier: 'SF',
      trackingNumber: 'SF300000003',
      status: 'pending',
    })
    const waves = (await api('GET', '/waves')).json<{
      items: { code: string; status: string; stage: string }[]
    }>()
    expect(waves.items.find((w) => w.code === waveCode)).toMatchObject({ status: 'closed', stage: 'shipped' })
  })

  it('an order not picked through a wave ships only with a reason, which the audit log keeps', async () => {
    const loose = await order([{ code: 'TEA', quantity: 1 }], 'N-1')
    const plain = await api('POST', `/orders/${loose}/ship`, {
      parcels: [{ carrier: 'ZTO', trackingNumber: 'ZT5550001' }],
    })
    expect(plain.statusCode).toBe(409)
    expect(plain.json()).toMatchObject({ error: { details: { reason: 'not_in_wave' } } })
    const noReason = await api('POST', `/orders/${loose}/ship`, {
      withoutWave: { reason: '' },
      parcels: [{ carrier: 'ZTO', trackingNumber: 'ZT5550001' }],
    })
    expect(noReason.statusCode).toBe(400)
    const ok = await api('POST', `/orders/${loose}/ship`, {
      withoutWave: { reason: '客户到仓自提' },
      parcels: [{ carrier: 'ZTO', trackingNumber: 'ZT5550001' }],
    })
    expect(ok.statusCode).toBe(200)
    const [entry] = await auditOf('order.ship_without_wave')
    expect(entry).toMatchObject({ entity_id: loose, actor_type: 'api_key' })
    expect(entry!.detail).toMatchObject({ reason: '客户到仓自提' })
  })

  it('retrying a failed writeback is audited', async () => {
    const wb = await env.ctx.db
      .selectFrom('shipment_writebacks')
      .select('id')
      .where('merchant_id', '=', m.id)
      .executeTakeFirstOrThrow()
    await env.ctx.db
      .updateTable('shipment_writebacks')
      .set({ status: 'failed', last_error: 'B04: 订单状态不正确，不能发货' })
      .where('id', '=', wb.id)
      .execute()
    const failed = (await api('GET', '/writebacks?status=failed')).json<{ items: { lastError: string }[] }>()
    expect(failed.items[0]!.lastError).toBe('B04: 订单状态不正确，不能发货')
    expect((await api('POST', `/writebacks/${wb.id}/retry`)).json()).toEqual({ queued: true })
    expect((await auditOf('writeback.retry')).map((a) => a.entity_id)).toEqual([wb.id])
  })
})
