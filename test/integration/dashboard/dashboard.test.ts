/**
 * The dashboard reads against the real database, figures computed by hand: today's paid orders
 * and GMV per channel and currency in the merchant's day (cancelled ones left out), exceptions by
 * reason, sync health per shop, waiting writebacks and after-sales; the margin trend from the
 * journal; the journal-line drill-down and labels; roles and shop scopes.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { handleLedgerEvent } from '../../../src/ledger/events.js'
import { newId } from '../../../src/lib/ids.js'
import { createShop, type Shop } from '../../../src/shops/repo.js'
import { upsertSkus } from '../../../src/skus/repo.js'
import { createUser } from '../../../src/users/service.js'
import {
  bearer,
  fixedClock,
  seedMerchant,
  testEnv,
  type TestEnv,
  type TestMerchant,
} from '../../helpers/app.js'
import { seedOrder } from '../../helpers/orders.js'

// 14:00 in Shanghai: "today" began at 2026-12-06T16:00Z.
const NOW = '2026-12-07T06:00:00Z'
let env: TestEnv
let m: TestMerchant
let other: TestMerchant
let tmall: Shop
let jd: Shop
let shippedOrder = ''

const get = (url: string, token = m.keys.admin) =>
  env.app.inject({ method: 'GET', url, headers: bearer(token) })

async function order(
  shop: Shop,
  channel: string,
  paid: string,
  paidAt: string,
  opts: { status?: 'paid' | 'cancelled' | 'shipped'; currency?: string } = {},
) {
  const { orderId } = await seedOrder(env.ctx.db, m.id, shop.id, [{ skuId: skuId, quantity: 1, paid }], {
    channel,
    status: opts.status ?? 'paid',
    currency: opts.currency ?? 'CNY',
    externalId: `X${newId().slice(-10)}`,
  })
  await env.ctx.db
    .updateTable('orders')
    .set({ paid_at: new Date(paidAt), placed_at: new Date(paidAt), shipped_at: new Date(paidAt) })
    .where('id', '=', orderId)
    .execute()
  return orderId
}
let skuId = ''

beforeAll(async () => {
  env = await testEnv({ clock: fixedClock(NOW) })
  m = await seedMerchant(env.ctx)
  other = await seedMerchant(env.ctx, 'Other')
  const { db } = env.ctx
  tmall = await createShop(env.ctx, env.ctx.config.secretKey, m.id, { channel: 'taobao', name: '天猫店' })
  jd = await createShop(env.ctx, env.ctx.config.secretKey, m.id, { channel: 'jd', name: '京东店' })
  await createShop(env.ctx, env.ctx.config.secretKey, other.id, { channel: 'jd', name: 'other' })
  await upsertSkus(env.ctx, m.id, [{ code: 'MUG', name: '马克杯' }])
  skuId = (await db.selectFrom('skus').select('id').where('merchant_id', '=', m.id).executeTakeFirstOrThrow())
    .id
  await order(tmall, 'taobao', '100.10', '2026-12-06T16:00:00Z') // 00:00 today in Shanghai
  shippedOrder = await order(tmall, 'taobao', '50.05', '2026-12-07T05:59:00Z', { status: 'shipped' })
  await order(tmall, 'taobao', '999.00', '2026-12-07T01:00:00Z', { status: 'cancelled' })
  await order(tmall, 'taobao', '12.00', '2026-12-07T02:00:00Z', { currency: 'USD' })
  await order(jd, 'jd', '30.00', '2026-12-06T15:59:59Z') // yesterday in Shanghai
  await order(jd, 'jd', '20.00', '2026-12-07T03:30:00Z')
  await db
    .insertInto('sync_cursors')
    .values([
      {
        merchant_id: m.id,
        shop_id: tmall.id,
        stream: 'orders',
        cursor_at: new Date(NOW),
        last_run_at: new Date(NOW),
        last_ok_at: new Date('2026-12-07T05:50:00Z'),
        last_error: null,
      },
      {
        merchant_id: m.id,
        shop_id: jd.id,
        stream: 'orders',
        cursor_at: null,
        last_run_at: new Date(NOW),
        last_ok_at: new Date('2026-12-07T03:00:00Z'),
        last_error: '19: access_token已过期',
      },
    ])
    .execute()
  for (const reason of ['no_stock', 'no_stock', 'sku_unmapped'] as const)
    await db
      .insertInto('order_exceptions')
      .values({
        id: newId(),
        merchant_id: m.id,
        shop_id: jd.id,
        order_id: shippedOrder,
        raw_inbox_id: null,
        subject: reason,
        reason,
        detail: '{}',
        status: 'open',
        open_marker: null,
        resolved_at: null,
        resolved_by: null,
        resolution: null,
      } as never)
      .execute()
  await db
    .insertInto('shipment_writebacks')
    .values([
      {
        id: newId(),
        merchant_id: m.id,
        shipment_id: newId(),
        order_id: shippedOrder,
        shop_id: tmall.id,
        parcel_no: 1,
        status: 'failed',
        attempts: 6,
        last_error: 'x',
        note: null,
        done_at: null,
      },
      {
        id: newId(),
        merchant_id: m.id,
        shipment_id: newId(),
        order_id: shippedOrder,
        shop_id: tmall.id,
        parcel_no: 2,
        status: 'pending',
        attempts: 0,
        last_error: null,
        note: null,
        done_at: null,
      },
    ])
    .execute()
  await handleLedgerEvent(db, {
    merchantId: m.id,
    orderId: shippedOrder,
    kind: 'shipped',
    key: `${shippedOrder}.shipped`,
  })
})
afterAll(() => env.close())

it("sums today's paid orders per channel and currency in the merchant's day, cancelled ones left out", async () => {
  const res = await get('/dashboard/summary')
  expect(res.statusCode).toBe(200)
  const s = res.json<Record<string, unknown>>()
  expect(s).toMatchObject({ date: '2026-12-07', timezone: 'Asia/Shanghai', at: '2026-12-07T06:00:00.000Z' })
  expect(s.today).toEqual([
    { channel: 'jd', currency: 'CNY', orders: 1, gmv: '20.0000' },
    { channel: 'taobao', currency: 'CNY', orders: 2, gmv: '150.1500' },
    { channel: 'taobao', currency: 'USD', orders: 1, gmv: '12.0000' },
  ])
  expect(s.yesterday).toEqual([{ channel: 'jd', currency: 'CNY', orders: 1, gmv: '30.0000' }])
  expect(s.hourly).toEqual([
    { hour: 0, orders: 1 },
    { hour: 10, orders: 1 },
    { hour: 11, orders: 1 },
    { hour: 13, orders: 1 },
  ])
  expect(s.exceptionsByReason).toEqual([
    { reason: 'no_stock', count: 2 },
    { reason: 'sku_unmapped', count: 1 },
  ])
  expect(s.writebacks).toEqual({ pending: 1, failed: 1 })
  expect(s.shops).toEqual([
    expect.objectContaining({
      name: '京东店',
      health: 'failing',
      lagMinutes: 180,
      lastError: '19: access_token已过期',
    }),
    expect.objectContaining({ name: '天猫店', health: 'ok', lagMinutes: 10 }),
  ])
})

it('every role reads the summary; the margin trend and the journal are for admin and accountant', async () => {
  expect((await get('/dashboard/summary', m.keys.warehouse)).statusCode).toBe(200)
  expect((await get('/dashboard/margin?from=2026-12-01&to=2026-12-08', m.keys.warehouse)).statusCode).toBe(
    403,
  )
  expect(
    (await get('/ledger/journal-lines?from=2026-12-01&to=2026-12-08', m.keys.warehouse)).statusCode,
  ).toBe(403)
  const margin = await get('/dashboard/margin?from=2026-12-01&to=2026-12-08', m.keys.accountant)
  expect(margin.json<{ items: unknown[] }>().items).toEqual([
    {
      day: '2026-12-07',
      channel: 'taobao',
      currency: 'CNY',
      netSales: '50.05',
      grossMargin: '50.05',
      marginPercent: '100.00',
    },
  ])
  expect((await get('/dashboard/margin?from=2026-12-01&to=2027-12-01')).statusCode).toBe(400)
})

it("drills to an order's journal lines with its business keys, and another merchant sees none of it", async () => {
  const res = await get(
    `/ledger/journal-lines?from=2026-12-01&to=2027-01-01&orderId=${shippedOrder}`,
    m.keys.accountant,
  )
  const lines = res.json<{
    items: {
      account: string
      debit: string
      credit: string
      orderExternalId: string
      skuCode: string | null
    }[]
  }>().items
  expect(lines.map((l) => l.account).sort()).toEqual(['gross_sales', `receivable:${tmall.id}`])
  expect(lines.find((l) => l.account === 'gross_sales')).toMatchObject({
    credit: '50.05',
    debit: '0.00',
    skuCode: 'MUG',
  })
  const only = await get(
    `/ledger/journal-lines?from=2026-12-01&to=2027-01-01&account=receivable`,
    m.keys.accountant,
  )
  expect(only.json<{ items: { account: string }[] }>().items.map((l) => l.account)).toEqual([
    `receivable:${tmall.id}`,
  ])
  const labels = await get(`/ledger/labels?skuIds=${skuId}&orderIds=${shippedOrder}`, m.keys.accountant)
  expect(labels.json()).toEqual({
    skus: { [skuId]: { code: 'MUG', name: '马克杯' } },
    orders: {
      [shippedOrder]: {
        externalId: lines[0]!.orderExternalId,
        shopId: tmall.id,
        shopName: '天猫店',
        channel: 'taobao',
      },
    },
  })
  const theirs = await get(
    `/ledger/journal-lines?from=2026-12-01&to=2027-01-01&orderId=${shippedOrder}`,
    other.keys.accountant,
  )
  expect(theirs.json<{ items: unknown[] }>().items).toEqual([])
  const theirLabels = await get(
    `/ledger/labels?skuIds=${skuId}&orderIds=${shippedOrder}`,
    other.keys.accountant,
  )
  expect(theirLabels.json()).toEqual({ skus: {}, orders: {} })
  const theirSummary = (await get('/dashboard/summary', other.keys.admin)).json<{
    today: unknown[]
    shops: unknown[]
  }>()
  expect(theirSummary.today).toEqual([])
})

it('a shop-scoped user sees their shops only', async () => {
  const u = await createUser(env.ctx.db, m.id, {
    email: 'jd@t.test',
    name: 'JD only',
    role: 'admin',
    password: 'a long password 1',
    shopIds: [jd.id],
  })
  const login = await env.app.inject({
    method: 'POST',
    url: '/auth/login',
    payload: { login: 'jd@t.test', password: 'a long password 1' },
  })
  expect(login.statusCode).toBe(200)
  const cookie = login.headers['set-cookie']
  const res = await env.app.inject({
    method: 'GET',
    url: '/dashboard/summary',
    headers: { cookie: String(Array.isArray(cookie) ? cookie[0] : cookie).split(';')[0]! },
  })
  const s = res.json<{ today: { channel: string }[]; shops: { name: string }[] }>()
  expect(s.today.map((r) => r.channel)).toEqual(['jd'])
  expect(s.shops.map((r) => r.name)).toEqual(['京东店'])
  expect(u.user.id).toBeTruthy()
})
