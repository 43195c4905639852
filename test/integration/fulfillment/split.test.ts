/**
 * Split orders (拆单) in fulfillment, end to end through the API: each shipment group of an order
 * is its own pick slot and parcel; a wave can take one group without the others; shipping a group
 * moves only its stock and writes back only its lines; the order is shipped when its last group is.
 */
import nock from 'nock'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { allocateOrder } from '../../../src/inventory/allocate.js'
import { checkInventory } from '../../../src/inventory/check.js'
import { receive } from '../../../src/inventory/operations.js'
import { runWriteback } from '../../../src/fulfillment/writeback.js'
import { createShop, type Shop } from '../../../src/shops/repo.js'
import { upsertSkus } from '../../../src/skus/repo.js'
import { createWarehouse, type Warehouse } from '../../../src/warehouses/repo.js'
import { bearer, seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'
import { seedOrder } from '../../helpers/orders.js'

const BASE = 'https://split.example'
let env: TestEnv
let m: TestMerchant
let shop: Shop
let hz: Warehouse
let sz: Warehouse
const sku: Record<string, string> = {}

interface Slot {
  slot: number
  orderId: string
  shipmentGroupId: string | null
  quantity: number
  allocationIds: string[]
}
interface PickListJson {
  orderCount: number
  items: { skuCode: string; totalQuantity: number; slots: Slot[] }[]
}

const api = (
  method: 'GET' | 'POST',
  url: string,
  payload?: Record<string, unknown>,
  headers: Record<string, string> = {},
) =>
  env.app.inject({
    method,
    url,
    headers: { ...bearer(m.keys.warehouse), ...headers },
    ...(payload ? { payload } : {}),
  })
const status = async (orderId: string) =>
  env.ctx.db
    .selectFrom('orders')
    .select(['status', 'shipped_at'])
    .where('id', '=', orderId)
    .executeTakeFirstOrThrow()
const lineIds = async (orderId: string) =>
  Object.fromEntries(
    (
      await env.ctx.db
        .selectFrom('order_lines')
        .select(['id', 'external_line_id'])
        .where('order_id', '=', orderId)
        .execute()
    ).map((l) => [l.external_line_id, l.id]),
  )
const openAllocations = async (orderId: string) =>
  (
    await env.ctx.db
      .selectFrom('stock_allocations')
      .select('sku_id')
      .where('order_id', '=', orderId)
      .where('status', '=', 'open')
      .execute()
  )
    .map((a) => a.sku_id)
    .sort()
const shippedEvents = async (orderId: string) =>
  (await env.ctx.queues['ledger-order-event'].getJobs(['waiting']))
    .map((j) => j.data)
    .filter((e) => e.kind === 'shipped' && e.orderId === orderId)
const writebackBody = async (orderId: string, shipmentId: string) => {
  const wbs = await env.ctx.db
    .selectFrom('shipment_writebacks')
    .select('id')
    .where('order_id', '=', orderId)
    .where('shipment_id', '=', shipmentId)
    .execute()
  expect(wbs).toHaveLength(1)
  let body: unknown
  nock(BASE)
    .post(`/orders/${orderId}/shipments`, (b: unknown) => ((body = b), true))
    .reply(201, {})
  expect(await runWriteback(env.ctx, m.id, wbs[0]!.id, false)).toBe('done')
  return body as { tracking_number: string; line_ids: string[] }
}

beforeAll(async () => {
  env = await testEnv()
  m = await seedMerchant(env.ctx)
  shop = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
    channel: 'selfstore',
    name: 'own',
    settings: { baseUrl: BASE, defaultCarrier: 'SF', allowSplit: true, timeoutMs: 1000 },
    credentials: { apiKey: 'k' },
  })
  hz = await createWarehouse(env.ctx.db, m.id, { code: 'HZ', name: '杭州仓', priority: 10 })
  sz = await createWarehouse(env.ctx.db, m.id, { code: 'SZ', name: '深圳仓', priority: 20 })
  await upsertSkus(
    env.ctx,
    m.id,
    ['CUP', 'TEA', 'MUG', 'PAN'].map((code) => ({ code, name: code })),
  )
  for (const r of await env.ctx.db
    .selectFrom('skus')
    .select(['id', 'code'])
    .where('merchant_id', '=', m.id)
    .execute())
    sku[r.code] = r.id
  const by = { actor: 't' }
  await receive(
    env.ctx.db,
    m.id,
    { warehouseId: hz.id, skuId: sku.CUP!, quantity: 20, unitCost: '12.50', currency: 'CNY' },
    by,
  )
  await receive(
    env.ctx.db,
    m.id,
    { warehouseId: hz.id, skuId: sku.TEA!, quantity: 20, unitCost: '3.20', currency: 'CNY' },
    by,
  )
  await receive(
    env.ctx.db,
    m.id,
    { warehouseId: hz.id, skuId: sku.MUG!, quantity: 20, unitCost: '20', currency: 'CNY' },
    by,
  )
  await receive(
    env.ctx.db,
    m.id,
    { warehouseId: sz.id, skuId: sku.PAN!, quantity: 5, unitCost: '40', currency: 'CNY' },
    by,
  )
})
afterAll(() => env.close())

describe('a split order in one warehouse', () => {
  let orderId = ''
  let group = ''
  let waveId = ''

  it('takes one pick slot per shipment group in the wave', async () => {
    ;({ orderId } = await seedOrder(env.ctx.db, m.id, shop.id, [
      { skuId: sku.CUP!, quantity: 2 },
      { skuId: sku.TEA!, quantity: 1 },
      { skuId: sku.MUG!, quantity: 1 },
    ]))
    expect(await allocateOrder(env.ctx, m.id, orderId)).toBe('allocated')
    const lines = await lineIds(orderId)
    const split = await api(
      'POST',
      `/orders/${orderId}/split`,
      { lineIds: [lines.L2!] },
      bearer(m.keys.admin),
    )
    expect(split.statusCode).toBe(200)
    group = split.json<{ shipmentGroupId: string }>().shipmentGroupId
    const wave = await api('POST', '/waves', { warehouseId: hz.id })
    expect(wave.statusCode).toBe(201)
    expect(wave.json()).toMatchObject({ orders: 2 }) // two slots: the order's own lines and the split-off group
    waveId = wave.json<{ waveId: string }>().waveId
    expect((await status(orderId)).status).toBe('picking')
    const list = (await api('GET', `/waves/${waveId}/picklist`)).json<PickListJson>()
    const slotsOf = (code: string) =>
      list.items.find((i) => i.skuCode === code)!.slots.map((s) => [s.orderId, s.shipmentGroupId, s.quantity])
    const own = list.items.find((i) => i.skuCode === 'CUP')!.slots[0]!.slot
    const tea = list.items.find((i) => i.skuCode === 'TEA')!.slots[0]!.slot
    expect(own).not.toBe(tea)
    expect(slotsOf('CUP')).toEqual([[orderId, null, 2]])
    expect(slotsOf('MUG')).toEqual([[orderId, null, 1]])
    expect(slotsOf('TEA')).toEqual([[orderId, group, 1]])
    expect(list.items.find((i) => i.skuCode === 'MUG')!.slots[0]!.slot).toBe(own)
    // Picks are confirmed per slot's allocation, in the group's own wave row.
    const teaAlloc = list.items.find((i) => i.skuCode === 'TEA')!.slots[0]!.allocationIds[0]!
    expect(
      (await api('POST', `/waves/${waveId}/picks`, { allocationId: teaAlloc, picked: 1 })).json(),
    ).toEqual({ shortage: 0, reallocation: null })
    // A re-split once picking started is refused.
    expect(
      (await api('POST', `/orders/${orderId}/split`, { lineIds: [lines.L3!] }, bearer(m.keys.admin)))
        .statusCode,
    ).toBe(409)
  })

  it('refuses to guess which group ships, and refuses lines of another group', async () => {
    const parcels = [{ carrier: 'SF', trackingNumber: 'SF0000000001' }]
    expect((await api('POST', `/orders/${orderId}/ship`, { parcels })).statusCode).toBe(409)
    const foreign = await api('POST', `/orders/${orderId}/ship`, {
      shipmentGroupId: group,
      parcels: [{ ...parcels[0], lineExternalIds: ['L1'] }],
    })
    expect(foreign.statusCode).toBe(409)
    expect(foreign.json<{ error: { message: string } }>().error.message).toContain('L1')
    expect(await openAllocations(orderId)).toHaveLength(3)
  })

  it('ships one group: only its stock moves, only its lines are written back, the order is not shipped yet', async () => {
    const res = await api(
      'POST',
      `/orders/${orderId}/ship`,
      { shipmentGroupId: group, parcels: [{ carrier: 'SF', trackingNumber: 'SF1000000001' }] },
      { 'idempotency-key': 'grp-1' },
    )
    expect(res.statusCode).toBe(200)
    const body = res.json<{
      repeated: boolean
      shipments: { shipmentId: string; shipmentGroupId: string; cogs: string; orderShipped: boolean }[]
    }>()
    expect(body).toMatchObject({
      repeated: false,
      shipments: [{ orderId, shipmentGroupId: group, cogs: '3.2000', orderShipped: false }],
    })
    const moves = await env.ctx.db
      .selectFrom('stock_movements')
      .select(['sku_id', 'quantity'])
      .where('ref_id', '=', orderId)
      .where('kind', '=', 'shipment')
      .execute()
    expect(moves).toEqual([{ sku_id: sku.TEA!, quantity: -1 }])
    expect(await openAllocations(orderId)).toEqual([sku.CUP!, sku.MUG!].sort())
    expect(await status(orderId)).toEqual({ status: 'picking', shipped_at: null })
    expect(await shippedEvents(orderId)).toEqual([])
    const rows = await env.ctx.db
      .selectFrom('wave_orders')
      .select(['shipment_group_id', 'status'])
      .where('wave_id', '=', waveId)
      .orderBy('shipment_group_id')
      .execute()
    expect(rows).toEqual([
      { shipment_group_id: '', status: 'in_wave' },
      { shipment_group_id: group, status: 'shipped' },
    ])
    expect(await writebackBody(orderId, body.shipments[0]!.shipmentId)).toMatchObject({
      tracking_number: 'SF1000000001',
      line_ids: ['L2'],
    })
    // The same request again changes nothing.
    const again = await api(
      'POST',
      `/orders/${orderId}/ship`,
      { shipmentGroupId: group, parcels: [{ carrier: 'SF', trackingNumber: 'SF1000000001' }] },
      { 'idempotency-key': 'grp-1' },
    )
    expect(again.json()).toMatchObject({ repeated: true })
    expect(await checkInventory(env.ctx.db, m.id)).toEqual([])
  })

  it('ships the last group: the order is shipped, with one shipped event, and its writeback names the remaining lines', async () => {
    const ship = () =>
      api(
        'POST',
        `/orders/${orderId}/ship`,
        { parcels: [{ carrier: 'SF', trackingNumber: 'SF1000000002' }] },
        { 'idempotency-key': 'grp-2' },
      )
    const res = await ship()
    expect(res.statusCode).toBe(200)
    const body = res.json<{
      shipments: { shipmentId: string; shipmentGroupId: string | null; cogs: string; orderShipped: boolean }[]
    }>()
    expect(body.shipments).toMatchObject([{ shipmentGroupId: null, cogs: '45.0000', orderShipped: true }]) // 2 × 12.50 + 20
    expect((await status(orderId)).status).toBe('shipped')
    expect(await openAllocations(orderId)).toEqual([])
    expect(await shippedEvents(orderId)).toHaveLength(1)
    expect(await writebackBody(orderId, body.shipments[0]!.shipmentId)).toMatchObject({
      tracking_number: 'SF1000000002',
      line_ids: ['L1', 'L3'],
    })
    expect((await ship()).json()).toMatchObject({ repeated: true })
    expect(await shippedEvents(orderId)).toHaveLength(1)
    const moves = await env.ctx.db
      .selectFrom('stock_movements')
      .select(['sku_id', 'quantity'])
      .where('ref_id', '=', orderId)
      .where('kind', '=', 'shipment')
      .execute()
    expect(moves).toHaveLength(3)
    expect(await checkInventory(env.ctx.db, m.id)).toEqual([])
  })
})

describe('a split order across two warehouses', () => {
  it('each warehouse waves and ships its own group; the order is shipped after both', async () => {
    const { orderId } = await seedOrder(env.ctx.db, m.id, shop.id, [
      { skuId: sku.CUP!, quantity: 1 },
      { skuId: sku.PAN!, quantity: 1 },
    ])
    const lines = await lineIds(orderId)
    const group = (
      await api('POST', `/orders/${orderId}/split`, { lineIds: [lines.L2!] }, bearer(m.keys.admin))
    ).json<{ shipmentGroupId: string }>().shipmentGroupId
    expect(await allocateOrder(env.ctx, m.id, orderId)).toBe('allocated') // CUP from HZ, PAN from SZ (the shop allows split allocation)
    const inHz = (await api('POST', '/waves', { warehouseId: hz.id })).json<{
      waveId: string
      orders: number
    }>()
    expect(inHz.orders).toBe(1) // the group whose stock is in SZ stays out
    const hzList = (await api('GET', `/waves/${inHz.waveId}/picklist`)).json<PickListJson>()
    expect(hzList.items.map((i) => [i.skuCode, i.slots.map((s) => s.shipmentGroupId)])).toEqual([
      ['CUP', [null]],
    ])
    const inSz = (await api('POST', '/waves', { warehouseId: sz.id })).json<{
      waveId: string
      orders: number
    }>()
    expect(inSz.orders).toBe(1)
    const szList = (await api('GET', `/waves/${inSz.waveId}/picklist`)).json<PickListJson>()
    expect(szList.items.map((i) => [i.skuCode, i.slots.map((s) => s.shipmentGroupId)])).toEqual([
      ['PAN', [group]],
    ])
    expect((await api('POST', '/waves', { warehouseId: sz.id })).statusCode).toBe(422) // each group joins one open wave only
    const first = await api('POST', `/orders/${orderId}/ship`, {
      shipmentGroupId: group,
      parcels: [{ carrier: 'SF', trackingNumber: 'SF2000000001' }],
    })
    expect(first.json()).toMatchObject({
      shipments: [{ shipmentGroupId: group, cogs: '40.0000', orderShipped: false }],
    })
    expect((await status(orderId)).status).toBe('picking')
    const second = await api('POST', `/orders/${orderId}/ship`, {
      shipmentGroupId: null,
      parcels: [{ carrier: 'ZTO', trackingNumber: 'ZTO2000000002' }],
    })
    expect(second.json()).toMatchObject({
      shipments: [{ shipmentGroupId: null, cogs: '12.5000', orderShipped: true }],
    })
    expect((await status(orderId)).status).toBe('shipped')
    const shipments = await env.ctx.db
      .selectFrom('shipments')
      .select(['shipment_group_id', 'warehouse_id'])
      .where('order_id', '=', orderId)
      .orderBy('shipment_group_id')
      .execute()
    expect(shipments).toEqual([
      { shipment_group_id: '', warehouse_id: hz.id },
      { shipment_group_id: group, warehouse_id: sz.id },
    ])
    expect(await checkInventory(env.ctx.db, m.id)).toEqual([])
  })
})

describe('a platform that takes one tracking number per order (JD)', () => {
  it('sends the first parcel as the whole order and records the second without sending it', async () => {
    const jdShop = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
      channel: 'jd',
      name: '京东',
      settings: { baseUrl: 'https://jd-split.example/routerjson', timeoutMs: 1000 },
      credentials: { appKey: 'k', appSecret: 's', accessToken: 't' },
    })
    const { orderId } = await seedOrder(
      env.ctx.db,
      m.id,
      jdShop.id,
      [
        { skuId: sku.CUP!, quantity: 1 },
        { skuId: sku.TEA!, quantity: 1 },
      ],
      { channel: 'jd', externalId: '3219876543210000777' },
    )
    expect(await allocateOrder(env.ctx, m.id, orderId)).toBe('allocated')
    expect((await api('POST', '/waves', { warehouseId: hz.id })).statusCode).toBe(201)
    const shipped = await api('POST', `/orders/${orderId}/ship`, {
      parcels: [
        { carrier: 'SF', trackingNumber: 'SF100', lineExternalIds: ['L1'] },
        { carrier: 'SF', trackingNumber: 'SF200', lineExternalIds: ['L2'] },
      ],
    })
    expect(shipped.statusCode).toBe(200)
    const wbs = await env.ctx.db
      .selectFrom('shipment_writebacks')
      .select(['id', 'parcel_no'])
      .where('order_id', '=', orderId)
      .orderBy('parcel_no')
      .execute()
    expect(wbs).toHaveLength(2)
    const sent: string[] = []
    nock('https://jd-split.example')
      .post('/routerjson', (b: Record<string, string>) => (sent.push(String(b['360buy_param_json'])), true))
      .query(true)
      .reply(200, {
        jingdong_pop_order_shipment_responce: {
          code: '0',
          sopjosshipment_result: { success: true, chineseErrCode: '', errorCode: '' },
        },
      })
    // The second parcel first: it is recorded without a call, whichever finishes first.
    expect(await runWriteback(env.ctx, m.id, wbs[1]!.id, false)).toBe('done')
    expect(sent).toEqual([])
    expect(await runWriteback(env.ctx, m.id, wbs[0]!.id, false)).toBe('done')
    expect(sent).toHaveLength(1)
    expect(sent[0]).toContain('SF100')
    const rows = await env.ctx.db
      .selectFrom('shipment_writebacks')
      .select(['parcel_no', 'status', 'note'])
      .where('order_id', '=', orderId)
      .orderBy('parcel_no')
      .execute()
    expect(rows).toEqual([
      { parcel_no: 0, status: 'done', note: null },
      { parcel_no: 1, status: 'done', note: expect.stringContaining('one tracking number per order') },
    ])
  })
})
