/**
 * Waybills through the API against the provider sandbox: accounts and defaults, a wave's waybills
 * in one call, one number per parcel under retries and concurrent requests, the balance running
 * out, print tasks, cancel and re-pack, shipping by waybill with the writeback carrying the
 * account's carrier, and a hub-rendered SF label.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { allocateOrder } from '../../../src/inventory/allocate.js'
import { receive } from '../../../src/inventory/operations.js'
import { runWriteback } from '../../../src/fulfillment/writeback.js'
import { createShop, type Shop } from '../../../src/shops/repo.js'
import { upsertSkus } from '../../../src/skus/repo.js'
import { createWarehouse, type Warehouse } from '../../../src/warehouses/repo.js'
import { startWaybillSandbox, type WaybillSandbox } from '../../../src/sandbox/waybill-server.js'
import { PAGE_POINTS } from '../../../src/waybills/label.js'
import { startPrintComponent, wsConnect } from '../../../src/sandbox/print-component.js'
import { bearer, seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'
import { seedOrder } from '../../helpers/orders.js'
import { decodeLabelBarcode, mediaBox } from './pdf-reader.js'

const TOP = { appKey: 'tb-app', appSecret: 'tb-secret', session: 'tb-session' }
const SF = { partnerId: 'SFPARTNER', checkWord: 'sf-check-word-0001' }
let env: TestEnv
let m: TestMerchant
let other: TestMerchant
let sb: WaybillSandbox
let taobao: Shop
let store: Shop
let wh: Warehouse
let skuId = ''
let cainiaoId = ''
let sfId = ''

const api = (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, key: string, payload?: unknown) =>
  env.app.inject({
    method,
    url,
    headers: bearer(key),
    ...(payload !== undefined ? { payload: payload as object } : {}),
  })

const sender = {
  name: '杭州一仓',
  mobile: '13800000000',
  address: { province: '浙江省', city: '杭州市', district: '余杭区', detail: '文一西路969号' },
}
const MASKED = {
  name: '张*',
  phone: '*******1234',
  country: 'CN',
  province: '北京',
  city: '北京市',
  district: '朝阳区',
  town: null,
  address: '**街道**号',
  postcode: null,
  masked: true,
  privacyRef: { oaid: 'OAID-SECRET-1', tid: '' },
}
const PLAIN = {
  name: 'Wang Fang',
  phone: '13912345678',
  country: 'CN',
  province: '上海',
  city: '上海市',
  district: '浦东新区',
  town: null,
  address: '世纪大道100号',
  postcode: '200120',
  masked: false,
  privacyRef: null,
}

async function order(shop: Shop, receiver: object, externalId: string) {
  const { orderId } = await seedOrder(env.ctx.db, m.id, shop.id, [{ skuId, quantity: 1 }], {
    channel: shop.channel,
    externalId,
  })
  await env.ctx.db
    .updateTable('orders')
    .set({ receiver: JSON.stringify(receiver) })
    .where('id', '=', orderId)
    .execute()
  expect(await allocateOrder(env.ctx, m.id, orderId)).toBe('allocated')
  return orderId
}

type Outcome = {
  orderId: string
  result: string
  waybillId: string | null
  waybillCode: string | null
  message: string | null
}
const getWaybills = async (payload: object) => {
  const r = await api('POST', '/shipments/waybills', m.keys.warehouse, payload)
  expect(r.statusCode, r.body).toBe(200)
  return r.json<{ parcels: Outcome[] }>().parcels
}

beforeAll(async () => {
  env = await testEnv()
  m = await seedMerchant(env.ctx)
  other = await seedMerchant(env.ctx, 'Other')
  sb = await startWaybillSandbox({ top: TOP, sf: SF })
  taobao = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
    channel: 'taobao',
    name: '天猫旗舰店',
    settings: { baseUrl: `${sb.url}/top`, timeoutMs: 5000 },
    credentials: TOP,
  })
  store = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
    channel: 'selfstore',
    name: '自营商城',
    settings: { baseUrl: 'https://own.example', defaultCarrier: 'SF' },
    credentials: { apiKey: 'k' },
  })
  wh = await createWarehouse(env.ctx.db, m.id, { code: 'HZ1', name: '杭州一仓' })
  await upsertSkus(env.ctx, m.id, [{ code: 'CUP', name: '马克杯' }])
  skuId = (
    await env.ctx.db.selectFrom('skus').select('id').where('merchant_id', '=', m.id).executeTakeFirstOrThrow()
  ).id
  await receive(
    env.ctx.db,
    m.id,
    { warehouseId: wh.id, skuId, quantity: 500, unitCost: '10', currency: 'CNY' },
    { actor: 't' },
  )
})
afterAll(async () => {
  await env.close()
  await sb.close()
})

describe('waybill accounts and defaults', () => {
  it('an admin adds a Cainiao account through the Taobao shop and an SF account with credentials; refresh reads the balance', async () => {
    const bad = await api('POST', '/waybill-accounts', m.keys.admin, {
      provider: 'cainiao',
      name: 'x',
      shopId: store.id,
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.json<{ error: { details: { field: string } } }>().error.details.field).toBe('body/shopId')
    expect(
      (
        await api('POST', '/waybill-accounts', m.keys.warehouse, {
          provider: 'cainiao',
          name: 'x',
          shopId: taobao.id,
        })
      ).statusCode,
    ).toBe(403)
    const c = await api('POST', '/waybill-accounts', m.keys.admin, {
      provider: 'cainiao',
      name: '菜鸟 圆通',
      shopId: taobao.id,
      baseUrl: `${sb.url}/top`,
      sender,
      settings: { userId: 59972781 },
    })
    expect(c.statusCode, c.body).toBe(201)
    cainiaoId = c.json<{ id: string }>().id
    const noCreds = await api('POST', '/waybill-accounts', m.keys.admin, {
      provider: 'sf',
      name: '顺丰',
      sender,
    })
    expect(noCreds.statusCode).toBe(400)
    const s = await api('POST', '/waybill-accounts', m.keys.admin, {
      provider: 'sf',
      name: '顺丰月结',
      baseUrl: `${sb.url}/sf`,
      sender,
      settings: { monthlyCard: '5710000001' },
      credentials: SF,
    })
    expect(s.statusCode, s.body).toBe(201)
    expect(s.body).not.toContain(SF.checkWord)
    sfId = s.json<{ id: string }>().id
    const r = await api('POST', `/waybill-accounts/${cainiaoId}/refresh`, m.keys.warehouse)
    expect(r.statusCode, r.body).toBe(200)
    const subs = r.json<{
      subscriptions: { cpCode: string; branches: { branchCode: string; quantity: number }[] }[]
    }>().subscriptions
    expect(subs.map((x) => x.cpCode)).toEqual(['YTO', 'ZTO'])
    expect(subs[0]!.branches[0]).toMatchObject({ branchCode: '571001', quantity: 1000 })
    // Another merchant sees none of it.
    expect((await api('GET', `/waybill-accounts/${cainiaoId}`, other.keys.admin)).statusCode).toBe(404)
    expect(
      (await api('GET', '/waybill-accounts', other.keys.admin)).json<{ items: unknown[] }>().items,
    ).toEqual([])
  })

  it('defaults per shop and per warehouse, and an order override', async () => {
    expect(
      (
        await api('PUT', '/waybill-defaults', m.keys.admin, {
          shopId: taobao.id,
          accountId: cainiaoId,
          cpCode: 'YTO',
        })
      ).statusCode,
    ).toBe(204)
    expect(
      (
        await api('PUT', '/waybill-defaults', m.keys.admin, {
          warehouseId: wh.id,
          accountId: sfId,
          cpCode: 'SF',
        })
      ).statusCode,
    ).toBe(204)
    expect(
      (
        await api('PUT', '/waybill-defaults', m.keys.warehouse, {
          warehouseId: wh.id,
          accountId: sfId,
          cpCode: 'SF',
        })
      ).statusCode,
    ).toBe(403)
    expect(
      (
        await api('PUT', '/waybill-defaults', other.keys.admin, {
          shopId: taobao.id,
          accountId: cainiaoId,
          cpCode: 'YTO',
        })
      ).statusCode,
    ).toBe(404)
    const list = (await api('GET', '/waybill-defaults', m.keys.warehouse)).json<{
      items: { scope: string; cpCode: string }[]
    }>()
    expect(list.items.map((d) => [d.scope, d.cpCode])).toEqual([
      ['shop', 'YTO'],
      ['warehouse', 'SF'],
    ])
  })
})

describe('getting waybills', () => {
  let waveId = ''
  let waveOrders: string[] = []
  it('a whole wave in one call, one number per parcel; the masked receiver goes out masked with its OAID', async () => {
    waveOrders = [
      await order(taobao, MASKED, '3678000000000000001'),
      await order(taobao, MASKED, '3678000000000000002'),
      await order(taobao, MASKED, '3678000000000000003'),
    ]
    const w = await api('POST', '/waves', m.keys.warehouse, { warehouseId: wh.id, shopId: taobao.id })
    waveId = w.json<{ waveId: string }>().waveId
    const before = sb.issued.length
    const items = await getWaybills({ waveId })
    expect(items.map((i) => i.result)).toEqual(['issued', 'issued', 'issued'])
    expect(new Set(items.map((i) => i.waybillCode)).size).toBe(3)
    expect(sb.issued.length - before).toBe(3)
    expect(sb.issued.at(-1)!.recipient).toMatchObject({
      name: '张*',
      mobile: '*******1234',
      oaid: 'OAID-SECRET-1',
    })
    // A retry takes nothing.
    const again = await getWaybills({ waveId })
    expect(again.map((i) => i.result)).toEqual(['existing', 'existing', 'existing'])
    expect(again.map((i) => i.waybillCode)).toEqual(items.map((i) => i.waybillCode))
    expect(sb.issued.length - before).toBe(3)
  })

  it('concurrent requests for one parcel take one number and all answer it', async () => {
    const o = await order(taobao, MASKED, '3678000000000000010')
    const before = sb.issued.length
    sb.slowMs = 300
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => getWaybills({ parcels: [{ orderId: o }] })),
    )
    sb.slowMs = 0
    expect(sb.issued.length - before).toBe(1)
    const codes = new Set(answers.map((a) => a[0]!.waybillCode))
    expect(codes.size).toBe(1)
    expect([...codes][0]).toBe(sb.issued.at(-1)!.code)
    expect(answers.filter((a) => a[0]!.result === 'issued')).toHaveLength(1)
    const rows = await env.ctx.db.selectFrom('waybills').select('id').where('order_id', '=', o).execute()
    expect(rows).toHaveLength(1)
  })

  it("a spent balance is a per-parcel error in the provider's words; nothing is taken and nothing ships", async () => {
    sb.setBalance('cainiao', 'YTO', '571001', 0)
    const o = await order(taobao, MASKED, '3678000000000000020')
    const [r] = await getWaybills({ parcels: [{ orderId: o }] })
    expect(r).toMatchObject({ result: 'failed', waybillCode: null })
    expect(r!.message).toContain('网点电子面单余额不足')
    const ship = await api('POST', `/orders/${o}/ship`, m.keys.warehouse, {
      parcels: [{ waybillId: r!.waybillId }],
    })
    expect(ship.statusCode).toBe(409)
    expect(
      (await env.ctx.db.selectFrom('orders').select('status').where('id', '=', o).executeTakeFirstOrThrow())
        .status,
    ).toBe('allocated')
    // Topped up, the same parcel's retry takes its one number.
    sb.setBalance('cainiao', 'YTO', '571001', 10)
    const [again] = await getWaybills({ parcels: [{ orderId: o }] })
    expect(again).toMatchObject({ result: 'issued', waybillId: r!.waybillId })
  })

  it('print tasks in pick order for the Cainiao component, print data verbatim and never in a log', async () => {
    const r = await api('POST', '/waybills/print-tasks', m.keys.warehouse, { waveId, printer: 'KM-118' })
    expect(r.statusCode, r.body).toBe(200)
    const tasks = r.json<{
      tasks: {
        waybillCode: string
        component: string
        componentUrl: string
        message: {
          cmd: string
          task: {
            printer: string
            documents: { documentID: string; contents: { encryptedData: string; templateURL: string }[] }[]
          }
        }
      }[]
    }>().tasks
    const listed = (await api('GET', `/waybills?waveId=${waveId}`, m.keys.warehouse)).json<{
      items: { orderId: string; waybillCode: string }[]
    }>().items
    const codeOf = new Map(listed.map((w) => [w.orderId, w.waybillCode]))
    expect(tasks.map((t) => t.waybillCode)).toEqual(waveOrders.map((o) => codeOf.get(o)))
    const t = tasks[0]!
    expect(t).toMatchObject({ component: 'cainiao', componentUrl: 'ws://localhost:13528' })
    expect(t.message).toMatchObject({
      cmd: 'print',
      task: { printer: 'KM-118', documents: [{ documentID: t.waybillCode }] },
    })
    const content = t.message.task.documents[0]!.contents[0]!
    expect(content.encryptedData).toMatch(/^AES:/)
    const stored = await env.ctx.db
      .selectFrom('waybills')
      .select(['print_data', 'status', 'print_count'])
      .where('waybill_code', '=', t.waybillCode)
      .executeTakeFirstOrThrow()
    expect(JSON.parse(stored.print_data!)).toEqual(content)
    expect(stored).toMatchObject({ status: 'printed', print_count: 1 })
    expect(env.logs.join('')).not.toContain(content.encryptedData.slice(4, 30))
    expect(env.logs.join('')).not.toContain('OAID-SECRET-1')
    // The packing station sends each task to the print component on localhost, as given.
    const component = await startPrintComponent('cainiao')
    const ws = await wsConnect(component.url)
    for (const task of tasks) {
      ws.send(task.message)
      expect(await ws.next()).toMatchObject({ cmd: 'print', status: 'success', errorCode: 0 })
      expect(await ws.next()).toMatchObject({ cmd: 'notifyPrintResult', taskStatus: 'printed' })
    }
    ws.close()
    await component.close()
    expect(component.tasks.map((t) => t.documentIds[0])).toEqual(tasks.map((t) => t.waybillCode))
    // A reprint refreshes the print data and takes no number.
    const before = sb.issued.length
    const re = await api('POST', '/waybills/print-tasks', m.keys.warehouse, {
      waybillIds: [
        listed[0]!.waybillCode
          ? (
              await env.ctx.db
                .selectFrom('waybills')
                .select('id')
                .where('waybill_code', '=', t.waybillCode)
                .executeTakeFirstOrThrow()
            ).id
          : '',
      ],
      reprint: true,
    })
    expect(re.statusCode, re.body).toBe(200)
    expect(sb.issued.length).toBe(before)
  })

  it('cancel with the provider frees the parcel (re-pack takes a new number); a cancelled number never prints', async () => {
    const o = waveOrders[2]!
    const w = await env.ctx.db
      .selectFrom('waybills')
      .select(['id', 'waybill_code'])
      .where('order_id', '=', o)
      .executeTakeFirstOrThrow()
    const c = await api('POST', `/waybills/${w.id}/cancel`, m.keys.warehouse)
    expect(c.statusCode, c.body).toBe(200)
    expect(c.json()).toMatchObject({ status: 'cancelled' })
    expect(sb.issued.find((i) => i.code === w.waybill_code)!.status).toBe('cancelled')
    const twice = await api('POST', `/waybills/${w.id}/cancel`, m.keys.warehouse)
    expect(twice.statusCode).toBe(409)
    expect(
      (await api('POST', '/waybills/print-tasks', m.keys.warehouse, { waybillIds: [w.id] })).statusCode,
    ).toBe(409)
    expect((await api('POST', `/waybills/${w.id}/cancel`, other.keys.warehouse)).statusCode).toBe(404)
    const [fresh] = await getWaybills({ parcels: [{ orderId: o }] })
    expect(fresh!.result).toBe('issued')
    expect(fresh!.waybillCode).not.toBe(w.waybill_code)
  })

  it("ships by waybill; the Taobao writeback carries the Cainiao account's cp_code and the number", async () => {
    const o = waveOrders[0]!
    const w = await env.ctx.db
      .selectFrom('waybills')
      .select(['id', 'waybill_code'])
      .where('order_id', '=', o)
      .where('active_marker', '=', 1)
      .executeTakeFirstOrThrow()
    const ship = await api('POST', `/orders/${o}/ship`, m.keys.warehouse, { parcels: [{ waybillId: w.id }] })
    expect(ship.statusCode, ship.body).toBe(200)
    expect(
      (
        await env.ctx.db
          .selectFrom('waybills')
          .select('status')
          .where('id', '=', w.id)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe('shipped')
    const wb = await env.ctx.db
      .selectFrom('shipment_writebacks')
      .select('id')
      .where('order_id', '=', o)
      .executeTakeFirstOrThrow()
    expect(await runWriteback(env.ctx, m.id, wb.id, false)).toBe('done')
    expect(sb.writebacks.at(-1)).toEqual({
      channel: 'taobao',
      orderId: '3678000000000000001',
      trackingNumber: w.waybill_code,
      companyCode: 'YTO',
    })
    // Another order's waybill does not ship this one.
    const w2 = await env.ctx.db
      .selectFrom('waybills')
      .select('id')
      .where('order_id', '=', waveOrders[1]!)
      .executeTakeFirstOrThrow()
    expect(
      (
        await api('POST', `/orders/${waveOrders[2]}/ship`, m.keys.warehouse, {
          parcels: [{ waybillId: w2.id }],
        })
      ).statusCode,
    ).toBe(409)
  })

  it('a plain-address order falls to the warehouse default (SF) and gets a hub-rendered PDF label with a readable Code 128', async () => {
    const o = await order(store, PLAIN, 'WEB-1001')
    const [r] = await getWaybills({ parcels: [{ orderId: o }] })
    expect(r, JSON.stringify(r)).toMatchObject({ result: 'issued', cpCode: 'SF' })
    expect(r!.waybillCode).toMatch(/^SF/)
    const tasks = (
      await api('POST', '/waybills/print-tasks', m.keys.warehouse, {
        waybillIds: [r!.waybillId],
        size: '100x180',
      })
    ).json<{ tasks: { kind: string; labelUrl: string }[] }>().tasks
    expect(tasks[0]).toMatchObject({
      kind: 'label',
      labelUrl: `/waybills/${r!.waybillId}/label?size=100x180`,
    })
    for (const size of ['76x130', '100x180', '4x6'] as const) {
      const pdf = await api('GET', `/waybills/${r!.waybillId}/label?size=${size}`, m.keys.warehouse)
      expect(pdf.statusCode).toBe(200)
      expect(pdf.headers['content-type']).toContain('application/pdf')
      const bytes = pdf.rawPayload
      expect(bytes.subarray(0, 5).toString()).toBe('%PDF-')
      const [w, h] = mediaBox(bytes)
      expect([w, h]).toEqual(PAGE_POINTS[size].map((n) => Math.round(n * 100) / 100))
      expect(decodeLabelBarcode(bytes)).toBe(r!.waybillCode)
    }
    // A masked order cannot take an SF waybill: an order override to SF is refused per parcel.
    const masked = await order(taobao, MASKED, '3678000000000000030')
    expect(
      (
        await api('PUT', `/orders/${masked}/waybill-choice`, m.keys.warehouse, {
          accountId: sfId,
          cpCode: 'SF',
        })
      ).statusCode,
    ).toBe(204)
    const [refused] = await getWaybills({ parcels: [{ orderId: masked }] })
    expect(refused).toMatchObject({ result: 'failed', waybillCode: null })
    expect(refused!.message).toContain('masked')
    // A Cainiao waybill has no hub label.
    const cn = await env.ctx.db
      .selectFrom('waybills')
      .select('id')
      .where('provider', '=', 'cainiao')
      .where('active_marker', '=', 1)
      .executeTakeFirstOrThrow()
    expect((await api('GET', `/waybills/${cn.id}/label`, m.keys.warehouse)).statusCode).toBe(409)
  })
})
