/**
 * The console's reads of the books: GET /ledger/months (state, who closed, the last reopening with
 * its reason, entries waiting for a rate) and GET /ledger/entries (entries with their lines in the
 * transaction and the base currency, filters, counts per kind, pages). A USD Shopify shop in a CNY
 * ledger, March 2026:
 *   #2001 USD 100.00 shipped 03-05 at 7.1800 → 718.00; 1 unit at CNY 20.00 (COGS, CNY).
 *   #2002 USD 10.00 shipped 03-27: no rate yet → held; an import of 03-27 at 7.1900 posts 71.90.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { accountNames } from '../../../src/ledger/account-names.js'
import { handleLedgerEvent } from '../../../src/ledger/events.js'
import { newId } from '../../../src/lib/ids.js'
import { createShop, type Shop } from '../../../src/shops/repo.js'
import { upsertSkus } from '../../../src/skus/repo.js'
import { createWarehouse } from '../../../src/warehouses/repo.js'
import {
  bearer,
  fixedClock,
  seedMerchant,
  testEnv,
  type TestEnv,
  type TestMerchant,
} from '../../helpers/app.js'
import { seedOrder } from '../../helpers/orders.js'

let env: TestEnv
let m: TestMerchant
let shop: Shop
let skuId = ''
let whId = ''

interface Month {
  period: string
  state: string
  baseDebit: string
  baseCredit: string
  held: number
  closedAt: string | null
  closedBy: string | null
  lastReopen: { at: string; by: string | null; reason: string } | null
}
interface Entry {
  entryId: string
  kind: string
  orderExternalId: string | null
  shopName: string | null
  baseDebit: string
  baseCredit: string
  lines: {
    account: { code: string; name: string; externalCode: string }
    currency: string
    debit: string
    credit: string
    rate: string | null
    rateDate: string | null
    baseDebit: string
    baseCredit: string
    skuCode: string | null
  }[]
}
type Entries = { kinds: { kind: string; count: number }[]; items: Entry[]; next: string | null }

const call = (method: 'GET' | 'POST', url: string, key = m.keys.accountant, body?: unknown) =>
  env.app.inject({
    method,
    url,
    headers: { ...bearer(key), ...(typeof body === 'string' ? { 'content-type': 'text/csv' } : {}) },
    ...(body === undefined ? {} : { payload: body as string }),
  })

async function shipped(ext: string, goods: string, at: string) {
  const { orderId } = await seedOrder(env.ctx.db, m.id, shop.id, [{ skuId, quantity: 1, paid: goods }], {
    channel: 'shopify',
    currency: 'USD',
    externalId: ext,
    status: 'shipped',
  })
  await env.ctx.db
    .updateTable('orders')
    .set({ paid_at: new Date(at), placed_at: new Date(at), shipped_at: new Date(at) })
    .where('id', '=', orderId)
    .execute()
  await env.ctx.db
    .updateTable('order_lines')
    .set({ goods_amount: goods })
    .where('order_id', '=', orderId)
    .execute()
  await env.ctx.db
    .insertInto('stock_movements')
    .values({
      id: newId(),
      merchant_id: m.id,
      warehouse_id: whId,
      sku_id: skuId,
      kind: 'shipment',
      quantity: -1,
      unit_cost: '20.00',
      currency: 'CNY',
      ref_type: 'order',
      ref_id: orderId,
    })
    .execute()
  return handleLedgerEvent(env.ctx.db, {
    merchantId: m.id,
    orderId,
    kind: 'shipped',
    key: `${orderId}.shipped`,
    shipmentId: `sh-${orderId}`,
    at,
  })
}

const months = async (q = '') => (await call('GET', `/ledger/months${q}`)).json<{ items: Month[] }>().items
const march = async () => (await months('?from=2026-01&to=2026-04')).find((x) => x.period === '2026-03')!
const entries = async (q: string) => {
  const res = await call('GET', `/ledger/entries?period=2026-03${q}`)
  expect(res.statusCode, res.body).toBe(200)
  return res.json<Entries>()
}

beforeAll(async () => {
  env = await testEnv({ clock: fixedClock('2026-04-15T04:00:00Z') })
  m = await seedMerchant(env.ctx)
  shop = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
    channel: 'shopify',
    name: 'US store',
  })
  whId = (await createWarehouse(env.ctx.db, m.id, { code: 'W', name: 'W' })).id
  await upsertSkus(env.ctx, m.id, [{ code: 'MUG', name: 'Mug' }])
  skuId = (
    await env.ctx.db.selectFrom('skus').select('id').where('merchant_id', '=', m.id).executeTakeFirstOrThrow()
  ).id
  const rates = ['rate_date,base_ccy,quote_ccy,unit,rate,source', '2026-03-05,USD,CNY,1,7.1800,MANUAL']
  expect((await call('POST', '/ledger/rates/import', m.keys.accountant, rates.join('\n'))).statusCode).toBe(
    200,
  )
  expect(String(await shipped('#2001', '100.00', '2026-03-05T02:00:00Z'))).toBe('posted,posted')
  expect(String(await shipped('#2002', '10.00', '2026-03-27T02:00:00Z'))).toContain('held')
})
afterAll(() => env.close())

describe('GET /ledger/months', () => {
  it('lists the months newest first with their state, movements and entries waiting for a rate', async () => {
    const all = await months('?from=2026-01&to=2026-04')
    expect(all.map((x) => [x.period, x.state])).toEqual([
      ['2026-04', 'current'],
      ['2026-03', 'open'],
      ['2026-02', 'open'],
      ['2026-01', 'open'],
    ])
    const m3 = all[1]!
    expect(m3.held).toBe(1)
    // Sale 718.00 and two costs of 20.00 (the held sale's cost is in CNY: it posted): debits equal credits.
    expect([m3.baseDebit, m3.baseCredit]).toEqual(['758.00', '758.00'])
    expect(all[2]).toMatchObject({ baseDebit: '0.00', held: 0, closedAt: null, lastReopen: null })
    // Twelve months up to this one by default.
    const def = await months()
    expect(def).toHaveLength(12)
    expect(def[0]!.period).toBe('2026-04')
    expect(def[11]!.period).toBe('2025-05')
  })

  it('refuses a range backwards or longer than 36 months, and the warehouse', async () => {
    expect((await call('GET', '/ledger/months?from=2026-05&to=2026-04')).statusCode).toBe(400)
    expect((await call('GET', '/ledger/months?from=2023-01&to=2026-04')).statusCode).toBe(400)
    expect((await call('GET', '/ledger/months?from=2026-13')).statusCode).toBe(400)
    expect((await call('GET', '/ledger/months', m.keys.warehouse)).statusCode).toBe(403)
  })
})

describe('GET /ledger/entries', () => {
  it('gives each entry its lines in the transaction currency, the rate and the base amounts', async () => {
    const all = await entries('')
    expect(all.kinds).toEqual([
      { kind: 'cogs', count: 2 },
      { kind: 'sale', count: 1 },
    ])
    const sale = all.items.find((e) => e.kind === 'sale')!
    expect(sale).toMatchObject({ orderExternalId: '#2001', shopName: 'US store' })
    expect([sale.baseDebit, sale.baseCredit]).toEqual(['718.00', '718.00'])
    const revenue = sale.lines.find((l) => l.account.code === 'gross_sales')!
    expect(revenue).toMatchObject({
      currency: 'USD',
      credit: '100.00',
      rate: '7.18',
      rateDate: '2026-03-05',
      baseCredit: '718.00',
      skuCode: 'MUG',
    })
    const cogs = all.items.find((e) => e.kind === 'cogs' && e.orderExternalId === '#2001')!
    expect(cogs.lines.map((l) => [l.currency, l.baseDebit, l.baseCredit])).toEqual(
      expect.arrayContaining([
        ['CNY', '20.00', '0.00'],
        ['CNY', '0.00', '20.00'],
      ]),
    )
  })

  it('filters by kind, currency, account and platform order number, and pages', async () => {
    expect((await entries('&kind=sale')).items.map((e) => e.kind)).toEqual(['sale'])
    expect((await entries('&currency=USD')).items.map((e) => e.kind)).toEqual(['sale'])
    const cogs = await entries('&account=inventory')
    expect(cogs.items.map((e) => e.kind)).toEqual(['cogs', 'cogs'])
    expect(cogs.kinds).toEqual([{ kind: 'cogs', count: 2 }])
    expect((await entries('&order=%232001')).items).toHaveLength(2)
    expect((await entries('&order=%232002')).items.map((e) => e.kind)).toEqual(['cogs'])
    expect((await entries(`&shopId=${newId()}`)).items).toHaveLength(0)
    const first = await entries('&limit=1')
    expect(first.items).toHaveLength(1)
    expect(first.next).not.toBeNull()
    const second = await entries(`&limit=1&cursor=${first.next}`)
    expect(second.items).toHaveLength(1)
    expect(second.items[0]!.entryId).not.toBe(first.items[0]!.entryId)
    expect(second.next).not.toBeNull()
    const third = await entries(`&limit=1&cursor=${second.next}`)
    expect(third.items.map((e) => e.entryId)).not.toContain(first.items[0]!.entryId)
    expect(third.next).toBeNull()
    expect((await call('GET', '/ledger/entries?period=2026-03&kind=Sale;')).statusCode).toBe(400)
    expect((await call('GET', '/ledger/entries?period=2026-3')).statusCode).toBe(400)
  })

  it('the held entry posts once its rate is imported', async () => {
    const rates = ['rate_date,base_ccy,quote_ccy,unit,rate,source', '2026-03-27,USD,CNY,1,7.1900,MANUAL']
    const res = await call('POST', '/ledger/rates/import', m.keys.accountant, rates.join('\n'))
    expect(res.json()).toMatchObject({ released: 1, stillHeld: 0 })
    const sales = await entries('&kind=sale&order=%232002')
    expect(sales.items.map((e) => [e.orderExternalId, e.baseDebit])).toEqual([['#2002', '71.90']])
    expect((await march()).held).toBe(0)
  })
})

describe('closing and reopening as the months show them', () => {
  it('shows who closed the month, then the reopening and its reason', async () => {
    const rates = ['rate_date,base_ccy,quote_ccy,unit,rate,source', '2026-03-31,USD,CNY,1,7.1600,MANUAL']
    await call('POST', '/ledger/rates/import', m.keys.accountant, rates.join('\n'))
    const close = await call('POST', '/ledger/periods/2026-03/close?acknowledge=true')
    expect(close.statusCode, close.body).toBe(200)
    const closed = await march()
    expect(closed.state).toBe('closed')
    expect(closed.closedAt).toBe('2026-04-15T04:00:00.000Z')
    // Named, not an id: API keys have names too (seedMerchant's are unnamed: their default name).
    expect(closed.closedBy).not.toMatch(/^[0-9A-Z]{26}$/)
    expect(
      (await call('POST', '/ledger/periods/2026-03/reopen', m.keys.accountant, undefined)).statusCode,
    ).toBe(403)
    const reopen = await env.app.inject({
      method: 'POST',
      url: '/ledger/periods/2026-03/reopen',
      headers: bearer(m.keys.admin),
      payload: { reason: '补录 3 月 27 日汇率后重算' },
    })
    expect(reopen.statusCode, reopen.body).toBe(200)
    const open = await march()
    expect(open).toMatchObject({ state: 'open', closedAt: null, closedBy: null })
    expect(open.lastReopen?.reason).toBe('补录 3 月 27 日汇率后重算')
    // Dated by the application's clock (pinned at 2026-04-15 04:00Z), not the wall's.
    expect(open.lastReopen?.at).toBe('2026-04-15T04:00:00.000Z')
  })
})

describe('GET /ledger/chart', () => {
  it('names the accounts in the reader’s language until the merchant names them, with their GL codes', async () => {
    type Chart = {
      items: {
        code: string
        name: string
        customName: string | null
        externalCode: string | null
        perShop: boolean
      }[]
    }
    const zh = (await call('GET', '/ledger/chart?lang=zh-CN')).json<Chart>().items
    expect(zh.find((a) => a.code === 'gross_sales')).toMatchObject({
      name: '主营业务收入-销售额',
      customName: null,
      externalCode: null,
    })
    expect(zh.find((a) => a.code === 'receivable')!.perShop).toBe(true)
    const en = (await call('GET', '/ledger/chart?lang=en')).json<Chart>().items
    expect(en.find((a) => a.code === 'gross_sales')!.name).toBe('Gross sales')
    const put = await env.app.inject({
      method: 'PUT',
      url: '/ledger/accounts/gross_sales',
      headers: bearer(m.keys.accountant),
      payload: { name: '主营业务收入', externalCode: '6001' },
    })
    expect(put.statusCode).toBe(204)
    const after = (await call('GET', '/ledger/chart?lang=en')).json<Chart>().items
    expect(after.find((a) => a.code === 'gross_sales')).toMatchObject({
      name: '主营业务收入',
      customName: '主营业务收入',
      externalCode: '6001',
    })
    expect((await call('GET', '/ledger/chart?lang=fr')).statusCode).toBe(400)
    expect((await call('GET', '/ledger/chart', m.keys.warehouse)).statusCode).toBe(403)
  })

  it('names each account in English as the English console does: the chart, the API, the journal, the trial balance', async () => {
    const names = accountNames('en')
    const chart = (await call('GET', '/ledger/chart?lang=en')).json<{
      items: { code: string; defaultName: string }[]
    }>().items
    expect(Object.fromEntries(chart.map((a) => [a.code, a.defaultName]))).toEqual(names)
    // The integrators' list has no language: the English names.
    const api = (await call('GET', '/ledger/accounts?limit=100')).json<{
      items: { code: string; name: string }[]
    }>().items
    expect(api.find((a) => a.code === 'bank')!.name).toBe('Bank')
    expect(api.find((a) => a.code === 'receivable')!.name).toBe('Receivable from platform')
    const journal = await entries('&lang=en')
    const lines = journal.items.flatMap((e) => e.lines)
    expect(lines.find((l) => l.account.code === `receivable:${shop.id}`)!.account.name).toBe(
      `${names.receivable} - US store`,
    )
    const tb = (await call('GET', '/ledger/trial-balance?period=2026-03&lang=en')).json<{
      rows: { account: { code: string; name: string } }[]
    }>().rows
    expect(tb.find((r) => r.account.code === 'cogs')!.account.name).toBe(names.cogs)
    expect(tb.find((r) => r.account.code === `receivable:${shop.id}`)!.account.name).toBe(
      `${names.receivable} - US store`,
    )
  })
})
